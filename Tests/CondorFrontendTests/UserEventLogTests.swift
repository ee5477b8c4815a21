import Foundation
import Testing
@testable import CondorFrontend

/// Formats from condor.md §2.4 (`condor_event.cpp`); the differential run also feeds a sample
/// log to HTCondor's own JobEventLog reader.
@Suite struct UserEventLogTests {
    let t = Date(timeIntervalSince1970: 1_700_000_000)
    let utc = TimeZone(identifier: "UTC")!

    @Test func headerAndSubmit() {
        #expect(UserEventLog.format(.submitted(host: "<127.0.0.1:45527>"), cluster: 781, proc: 0, time: t, timeZone: utc)
                == "000 (781.000.000) 2023-11-14 22:13:20 Job submitted from host: <127.0.0.1:45527>\n...\n")
        #expect(UserEventLog.format(.executing(host: "<h>"), cluster: 1, proc: 2, time: t, utc: true)
                .hasPrefix("001 (001.002.000) 2023-11-14 22:13:20Z Job executing on host: <h>\n"))
    }

    @Test func terminatedNormallyAndBySignal() {
        let normal = UserEventLog.format(.terminated(exitCode: 0, signal: nil, bytesSent: 23, bytesReceived: 113), cluster: 6, proc: 0, time: t, timeZone: utc)
        #expect(normal.contains("Job terminated.\n\t(1) Normal termination (return value 0)\n"))
        #expect(normal.contains("\t23  -  Run Bytes Sent By Job\n"))
        #expect(normal.hasSuffix("...\n"))
        let signal = UserEventLog.format(.terminated(exitCode: nil, signal: 11), cluster: 180158, proc: 0, time: t, timeZone: utc)
        #expect(signal.contains("\t(0) Abnormal termination (signal 11)\n\t(0) No core file\n"))
        #expect(signal.hasPrefix("005 (180158.000.000) "))
    }

    @Test func heldReleasedAborted() {
        #expect(UserEventLog.format(.held(reason: "via condor_hold (by user alice)", code: 1, subcode: 0), cluster: 1, proc: 0, time: t, timeZone: utc)
                == "012 (001.000.000) 2023-11-14 22:13:20 Job was held.\n\tvia condor_hold (by user alice)\n\tCode 1 Subcode 0\n...\n")
        #expect(UserEventLog.format(.held(reason: nil, code: 0, subcode: 0), cluster: 1, proc: 0, time: t, timeZone: utc).contains("\tReason unspecified\n"))
        #expect(UserEventLog.format(.released(reason: "via condor_release (by user alice)"), cluster: 1, proc: 0, time: t, timeZone: utc)
                == "013 (001.000.000) 2023-11-14 22:13:20 Job was released.\n\tvia condor_release (by user alice)\n...\n")
        #expect(UserEventLog.format(.aborted(reason: "via condor_rm (by user alice)"), cluster: 1, proc: 0, time: t, timeZone: utc)
                == "009 (001.000.000) 2023-11-14 22:13:20 Job was aborted.\n\tvia condor_rm (by user alice)\n...\n")
    }
}
