import Foundation
import Testing
@testable import BridgeDaemon

/// A guest's report times on the daemon's clock (`Scheduler.time`): a start never precedes its
/// submit, however far the guest's clock drifted after a pause or a restore.
@Suite struct GuestClockTests {
    @Test func aWorkspaceOnOurClockIsTakenAtItsWord() {
        #expect(Scheduler.time(of: 1234.5, offset: 99, sharesClock: true) == 1234.5)
    }

    @Test func aGuestTimeWithinTheLastSecondIsKept() {
        let now = Date().timeIntervalSince1970
        // The guest runs 3 s ahead, measured: its report of 0.2 s ago is 0.2 s ago on our clock.
        let t = Scheduler.time(of: now + 3 - 0.2, offset: 3, sharesClock: false)
        #expect(abs(t - (now - 0.2)) < 0.01)
    }

    @Test func aDriftedGuestTimeGivesWayToTheArrival() {
        let before = Date().timeIntervalSince1970
        // Paused for 6 s since its offset was measured: its clock is 6 s behind what we think.
        let behind = Scheduler.time(of: before - 6, offset: 0, sharesClock: false)
        // Or ahead of ours: a report from the future.
        let ahead = Scheduler.time(of: before + 2, offset: 0, sharesClock: false)
        let after = Date().timeIntervalSince1970
        #expect(behind >= before && behind <= after)
        #expect(ahead >= before && ahead <= after)
    }
}
