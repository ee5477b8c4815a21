import Testing
@testable import WorkspaceAgent

@Suite struct AgentCommandLineTests {
    @Test func theGuestCommandLine() throws {
        let o = try #require(try AgentMain.parse(["--device", "/dev/vport1p1", "--state", "/var/lib/wsbridge-agent"]))
        #expect(o.devicePath == "/dev/vport1p1")
        #expect(o.socketPath == nil)
        #expect(o.stateDirectory == "/var/lib/wsbridge-agent")
        #expect(o.workspaceID == "workspace")
        #expect(o.journalPath == nil && o.cgroup == nil && o.cgroupVersion == nil)
    }

    @Test func theLocalProvidersCommandLine() throws {
        let o = try #require(try AgentMain.parse([
            "--socket", "/s/agent.sock", "--state", "/s/agent", "--workspace", "w1", "--journal", "/j",
            "--cgroup", "/sys/fs/cgroup/x", "--cgroup-version", "v2",
        ]))
        #expect(o.socketPath == "/s/agent.sock")
        #expect(o.devicePath == nil)
        #expect(o.stateDirectory == "/s/agent")
        #expect(o.workspaceID == "w1")
        #expect(o.journalPath == "/j")
        #expect(o.cgroup == "/sys/fs/cgroup/x")
        #expect(o.cgroupVersion == "v2")
    }

    @Test func valuesAfterAnEqualsSignAndTheLastOfARepeatedOption() throws {
        let o = try #require(try AgentMain.parse(["--state=/a", "--socket=/x", "--state", "/b", "--workspace="]))
        #expect(o.stateDirectory == "/b")
        #expect(o.socketPath == "/x")
        #expect(o.workspaceID == "")
    }

    @Test func help() throws {
        #expect(try AgentMain.parse(["--help"]) == nil)
        #expect(try AgentMain.parse(["--state", "/s", "-h"]) == nil)
        #expect(AgentMain.usage.contains("--cgroup-version"))
    }

    @Test(arguments: [
        (["--device", "/d"], "missing '--state DIR'"),
        (["--state", "/s"], "the agent needs '--socket PATH' or '--device PATH'"),
        (["--state", "/s", "--socket", "/a", "--device", "/d"], "give '--socket' or '--device', not both"),
        (["--state"], "missing value for '--state'"),
        (["--state", "--socket", "/a"], "missing value for '--state'"),
        (["--state", "/s", "--sockt", "/a"], "unknown option '--sockt'"),
        (["--state", "/s", "agent"], "unexpected argument 'agent'"),
        (["-s", "/s"], "unexpected argument '-s'"),
    ])
    func errorsSayWhatIsWrong(arguments: [String], message: String) {
        #expect {
            _ = try AgentMain.parse(arguments)
        } throws: { error in
            (error as? AgentUsageError)?.description == message
        }
    }
}
