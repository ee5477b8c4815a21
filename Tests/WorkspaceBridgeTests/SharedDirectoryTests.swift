import Testing
import WorkspaceBridge

@Suite struct SharedDirectoryTests {
    @Test func parsesPathsAndModes() throws {
        #expect(try SharedDirectory(parsing: "/home") == SharedDirectory(path: "/home", writable: false))
        #expect(try SharedDirectory(parsing: "/home/:rw") == SharedDirectory(path: "/home", writable: true))
        #expect(try SharedDirectory(parsing: "//cvmfs//atlas:ro") == SharedDirectory(path: "/cvmfs/atlas", writable: false))
        for bad in ["home", "/a/../etc", "/a/./b", "/a:b", "", ":rw"] {
            #expect(throws: ConfigError.self) { try SharedDirectory(parsing: bad) }
        }
    }

    @Test func aClassHasABoundedNumberOfBinds() throws {
        var c = WorkspaceClass(name: "c")
        c.binds = (0..<WorkspaceClass.maxBinds).map { SharedDirectory(path: "/d\($0)", writable: true) }
        try c.validate()
        c.binds.append(SharedDirectory(path: "/one-more", writable: false))
        #expect(throws: ConfigError.self) { try c.validate() }
    }

    @Test func innermostHolderWins() {
        let dirs = [SharedDirectory(path: "/home", writable: false), SharedDirectory(path: "/home/alice", writable: true)]
        #expect(dirs.holding("/home/alice/job/out")?.writable == true)
        #expect(dirs.holding("/home/bob/x")?.path == "/home")
        #expect(dirs.holding("/homer") == nil)
        #expect(SharedDirectory(path: "/", writable: false).contains("/etc/passwd"))
    }
}
