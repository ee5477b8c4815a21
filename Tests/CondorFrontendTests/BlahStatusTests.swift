import Testing
import WorkspaceBridge
@testable import CondorFrontend

/// Job ids (`job_registry_split_blah_id`, htcondor `src/blahp/src/job_registry.c`), the status
/// script's lines (`get_status`, `src/blahp/src/job_status.c`; example format from
/// `slurm_status.sh`: `0[BatchJobId="1234";JobStatus=4;ExitCode=0;]`) and the reply lines of
/// cancel/hold/resume/ping (`slurm_cancel.sh`, `slurm_hold.sh`, `slurm_ping.sh`).
@Suite struct BlahJobIDTests {
    @Test func roundTrips() throws {
        // 2024-01-31T23:59:59Z and a second later.
        let id = BlahJobID(job: 17, submittedAt: 1_706_745_599)
        #expect(id.description == "workspace/20240131/17")
        #expect(id.scriptID == "20240131/17")
        #expect(BlahJobID.parse(id.description) == id)
        #expect(BlahJobID.parse(id.scriptID) == id)
        #expect(BlahJobID(job: 17, submittedAt: 1_706_745_600).date == "20240201")
        #expect(BlahJobID.day(0) == "19700101")
    }

    @Test func malformed() {
        for text in ["", "17", "workspace/17", "slurm/20240131/17", "workspace/2024013/17", "workspace/20240131/",
                     "workspace/20240131/0", "workspace/20240131/-3", "workspace/20240131/17/x", "20240131/1x",
                     "workspace/２０２４０１３１/17", "/20240131/17"] {
            #expect(BlahJobID.parse(text) == nil, "\(text) must not parse")
        }
    }

    /// An id names a job only with the job's own submit day: a reused number is another job.
    @Test func namesOnlyItsJob() {
        let job = Job(id: 5, spec: JobSpec(executable: "/bin/true"), owner: 1000, state: .queued,
                      className: "default", submittedAt: 1_706_745_599)
        #expect(BlahJobID(date: "20240131", job: 5).names(job))
        #expect(!BlahJobID(date: "20240130", job: 5).names(job))
        #expect(!BlahJobID(date: "20240131", job: 6).names(job))
    }
}

@Suite struct BlahStatusTests {
    func job(_ state: JobState, exit: WorkspaceBridge.ExitStatus? = nil, reason: String? = nil, started: Double? = nil,
             ended: Double? = nil, workspace: String? = nil, attempts: Int = 0) -> Job {
        Job(id: 42, spec: JobSpec(executable: "/bin/sh"), owner: 1000, state: state, className: "default",
            submittedAt: 1000, attempts: attempts, workspaceID: workspace, exit: exit, reason: reason,
            startedAt: started, endedAt: ended)
    }

    @Test func codes() {
        #expect(BlahStatus.code(for: job(.queued)) == .idle)
        #expect(BlahStatus.code(for: job(.starting)) == .idle)
        #expect(BlahStatus.code(for: job(.running)) == .running)
        #expect(BlahStatus.code(for: job(.suspended)) == .suspended)
        #expect(BlahStatus.code(for: job(.held)) == .held)
        #expect(BlahStatus.code(for: job(.done, exit: .exited(0))) == .completed)
        #expect(BlahStatus.code(for: job(.failed, exit: .exited(2))) == .completed)
        #expect(BlahStatus.code(for: job(.failed, reason: "cannot execute /x")) == .held)
        #expect(BlahStatus.code(for: job(.cancelled)) == .removed)
        #expect(BlahStatus.Code.suspended.rawValue == 7)
    }

    @Test func lines() {
        #expect(BlahStatus.line(for: job(.queued), now: 2000) == #"0[BatchJobId="42";JobStatus=1;]"#)
        #expect(BlahStatus.line(for: job(.running, started: 1500, workspace: "ws-3"), workerNode: true, now: 2000)
                == #"0[BatchJobId="42";JobStatus=2;WorkerNode="ws-3";RemoteWallClockTime=500;]"#)
        // Without -w no WorkerNode.
        #expect(!BlahStatus.line(for: job(.running, started: 1500, workspace: "ws-3"), now: 2000).contains("WorkerNode"))
        #expect(BlahStatus.line(for: job(.done, exit: .exited(3), started: 1500, ended: 1510, attempts: 2), now: 2000)
                == #"0[BatchJobId="42";JobStatus=4;ExitCode=3;ExitBySignal=false;RemoteWallClockTime=10;NumRestarts=1;]"#)
        #expect(BlahStatus.line(for: job(.done, exit: .signaled(9)), now: 2000)
                == #"0[BatchJobId="42";JobStatus=4;ExitBySignal=true;ExitSignal=9;ExitReason="died on signal 9 (Killed)";]"#)
        #expect(BlahStatus.line(for: job(.held, reason: "held by uid 1000"), now: 2000)
                == #"0[BatchJobId="42";JobStatus=5;HoldReason="held by uid 1000";HoldReasonCode=1;HoldReasonSubCode=0;]"#)
        #expect(BlahStatus.line(for: job(.failed, reason: #"cannot execute "/x": No such file"#), now: 2000)
                == #"0[BatchJobId="42";JobStatus=5;HoldReason="cannot execute \"/x\": No such file";HoldReasonCode=6;HoldReasonSubCode=0;]"#)
        #expect(BlahStatus.line(for: job(.cancelled, reason: "cancelled by uid 1000"), now: 2000)
                == #"0[BatchJobId="42";JobStatus=3;RemoveReason="cancelled by uid 1000";]"#)
    }

    /// Every line is one line, and short enough for blahpd's 1024-byte CAD_LEN buffer.
    @Test func linesStayInBlahpdBuffer() {
        let long = String(repeating: "why\n", count: 2000)
        let line = BlahStatus.line(for: job(.held, reason: long), workerNode: true, now: 2000)
        #expect(!line.contains("\n"))
        #expect(line.utf8.count < 1024)
        let parsed = try? ClassAd.parseNew(String(line.dropFirst()))
        #expect(parsed?.evaluate("JobStatus") == .int(5))
        #expect(BlahStatus.errorLine("Error: no\njob") == "1Error: no job")
    }

    /// The ad parses as a new-syntax ClassAd, as blahpd's classad_parse requires.
    @Test func adsParse() throws {
        let ad = try ClassAd.parseNew(String(BlahStatus.line(for: job(.done, exit: .exited(3)), now: 2000).dropFirst()))
        #expect(ad.evaluate("ExitCode") == .int(3))
        #expect(ad.evaluate("BatchJobId") == .string("42"))
    }
}

@Suite struct BlahReplyTests {
    @Test func replyLines() {
        #expect(BlahReply.ok() == #" 0 No\ error"#)
        #expect(BlahReply.ok(index: 1) == #".1 0 No\ error"#)
        #expect(BlahReply.result(1, "job 3 is done") == #" 1 job\ 3\ is\ done"#)
        #expect(BlahReply.result(2, "a\\b\nc") == #" 2 a\\b\ c"#)
        #expect(BlahReply.ping(0, "No error") == "0 No error")
        #expect(BlahReply.ping(1, "cannot reach\nthe daemon") == "1 cannot reach the daemon")
    }
}
