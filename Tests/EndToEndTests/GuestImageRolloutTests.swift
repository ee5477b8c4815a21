import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// The image rollout with real QEMU guests: 4 busy and 2 warm (paused) guests, the class's
/// initramfs replaced by another (the same archive with padding the kernel skips) and reloaded.
@Suite("An image rollout over libvirt guests (WSBRIDGE_LIBVIRT_E2E=1)", .serialized, .enabled(if: guestTestsEnabled))
struct GuestImageRolloutTests {
    @Test func fourBusyAndTwoWarmGuestsMoveToANewImage() throws {
        let guests = GuestTests()
        let images = NSTemporaryDirectory() + "wsb-guest-image-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: images) }
        let initrd = images + "/initrd.img"
        try FileManager.default.copyItem(atPath: guests.guestDir + "/initrd.img", toPath: initrd)
        let config = """
            [throttle]
            max_running = 16
            start_rate = 1000.0
            max_creating = 2
            [retry]
            max_retries = 0
            backoff_seconds = 0
            [[class]]
            name = "vm"
            provider = "libvirt"
            slots = 1
            max_workspaces = 6
            warm_workspaces = 6
            warm_mode = "paused"
            max_surge = 1
            max_unavailable = 1
            memory_mb = 512
            network = false
            [class.settings]
            uris = "\(guests.uri)"
            domain_type = "qemu"
            kernel = "\(guests.guestDir)/vmlinux"
            initrd = "\(initrd)"
            boot_timeout_seconds = 180
            """
        let d = try TestDaemon(config: config)
        defer { guests.cleanUp(d) }
        try d.start()
        try RolloutObservation.run(d, label: "QEMU guests (TCG)", jobSeconds: 40, bootTimeout: 300,
                                   job: { guests.job("sleep \(Int($0))", d) },
                                   changeImage: {
            // The kernel skips NUL bytes between initramfs archives: another file, the same guest.
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: initrd))
            try h.seekToEnd()
            try h.write(contentsOf: Data(count: 4096))
            try h.close()
        })
    }
}
