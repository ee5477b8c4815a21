public enum CondorParseCommand {
    public static func run(path: String, json: Bool, cluster: Int) throws -> String { "" }
}
