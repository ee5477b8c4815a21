// The agent alone, for guests and sandboxes: the same code as `wsbridge agent`, without the
// argument parser, NIO or Foundation, so it can be linked statically and stays small.
import WorkspaceAgent

AgentMain.main(arguments: Array(CommandLine.arguments.dropFirst()))
