import Foundation
import Testing
@testable import WorkspaceProviders

/// `favordynmods` is read from the mounted cgroup hierarchies' super options (the field after
/// the source in `/proc/self/mountinfo`, see proc(5)), never from a mount's own options or
/// another file system's.
@Suite struct CgroupFavordynmodsTests {
    @Test func theOptionIsFoundOnlyOnACgroupHierarchy() {
        let v1 = """
            30 25 0:26 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory
            31 25 0:27 / /sys/fs/cgroup/pids rw,relatime shared:10 - cgroup cgroup rw,pids
            """
        #expect(!CgroupHost.favorsDynamicChanges(mountInfo: v1))
        #expect(CgroupHost.favorsDynamicChanges(mountInfo: v1 + "\n40 25 0:40 / /run/wsbridge/cgroup-favordynmods rw,relatime - cgroup cgroup rw,favordynmods,name=wsbridge"))
        #expect(CgroupHost.favorsDynamicChanges(mountInfo: "28 23 0:25 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,favordynmods,memory_recursiveprot"))
        // A tmpfs that merely mentions the word, or a path that does, is not a cgroup hierarchy with it.
        #expect(!CgroupHost.favorsDynamicChanges(mountInfo: "50 25 0:50 / /mnt/favordynmods rw - tmpfs tmpfs rw,favordynmods"))
        #expect(!CgroupHost.favorsDynamicChanges(mountInfo: "51 25 0:51 / /x/favordynmods rw - cgroup cgroup rw,pids"))
        #expect(!CgroupHost.favorsDynamicChanges(mountInfo: "garbage - \n -"))
    }
}
