import Foundation
import WorkspaceBridge

/// The four commands `workspace.pm` forwards, as `wsbridge gram <command>`.
public enum GRAMCommand: String, Sendable, CaseIterable {
    case submit, poll, cancel, signal

    /// Cancel and signal replies go to the job manager's "query" handler, which takes fewer keys.
    public var isQuery: Bool { self == .cancel || self == .signal }

    /// The error a command reports when it cannot do its work at all (daemon down, say).
    public var failureCode: GRAMErrorCode {
        switch self {
        case .submit: .jobExecutionFailed
        case .poll: .gettingJobID
        case .cancel: .jobCancelFailed
        case .signal: .signalingJob
        }
    }
}

/// A `signal` request: which GRAM job, which signal, and its argument.
public struct GRAMSignalRequest: Sendable, Equatable {
    public var jobs: [JobID]
    public var signal: GRAMSignal
    /// The signal argument; for PRIORITY, the new priority.
    public var argument: String?

    /// The new priority of a PRIORITY signal.
    public var priority: Int? { argument.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
}

/// The library side of `wsbridge gram submit|poll|cancel|signal`.
///
/// Each command reads the job description JSON that `workspace.pm` writes on stdin (the job
/// manager's `$description` hash, every attribute an array) and prints one `GRAMReply` JSON
/// object. The daemon work in between (recording, looking up, cancelling jobs) is the caller's.
public enum GRAMAdapter {
    /// `submit`: the job to record. With `count > 1` the daemon records `count` jobs and
    /// `submitReply(jobs:)` reports them as comma-separated sub-job ids.
    public static func submitRequest(descriptionJSON: Data, context: GRAMMappingContext = .init()) throws(GRAMError) -> GRAMJobRequest {
        try GRAMJobMapper.request(from: try GRAMDescription(json: descriptionJSON), context: context)
    }

    /// `submit`: the specs to record, one per GRAM job (its `count` says how many sub-jobs).
    public static func submitSpecs(descriptionJSON: Data, context: GRAMMappingContext = .init()) throws(GRAMError) -> [JobSpec] {
        [try submitRequest(descriptionJSON: descriptionJSON, context: context).spec]
    }

    /// `poll`, `cancel`, `signal`: our job ids, from the description's `jobid` (what submit
    /// returned as `JOB_ID`), checked against the store that answers now (`GRAMJobID`).
    public static func jobIDs(descriptionJSON: Data, store: StoreIdentity) throws(GRAMError) -> [JobID] {
        let d = try GRAMDescription(json: descriptionJSON)
        guard let values = d["jobid"], let text = values.first?.string, values.count == 1 else {
            throw GRAMError(.gettingJobID, "the job description has no jobid")
        }
        return try GRAMJobID.parse(text, store: store)
    }

    /// `signal`: the job ids, signal and argument.
    public static func signalRequest(descriptionJSON: Data, store: StoreIdentity) throws(GRAMError) -> GRAMSignalRequest {
        let d = try GRAMDescription(json: descriptionJSON)
        let ids = try jobIDs(descriptionJSON: descriptionJSON, store: store)
        guard let raw = d["signal"]?.first?.string, let n = Int(raw), let signal = GRAMSignal(rawValue: n),
              signal.rawValue <= GRAMSignal.priority.rawValue else {
            throw GRAMError(.unknownSignalType, "unknown or unsupported GRAM signal \(d["signal"]?.first?.string ?? "(none)")")
        }
        let request = GRAMSignalRequest(jobs: ids, signal: signal, argument: d["signalarg"]?.first?.string)
        if signal == .priority && request.priority == nil {
            throw GRAMError(.signalingJob, "the PRIORITY signal needs a whole-number argument")
        }
        return request
    }

    /// `submit` succeeded: the ids and the jobs' current state (PENDING right after recording;
    /// DONE is accepted too, which lets a job that ends within the submit skip polling and the
    /// SEG reader's timer, see `GRAMSubmitSettle`; an end with an exit code to tell stays ACTIVE
    /// for the SEG to report). `store` is the daemon's store (the submit reply names it): the
    /// `JOB_ID` carries it (`GRAMJobID`).
    public static func submitReply(jobs: [Job], store: StoreIdentity?) -> GRAMReply {
        let status = GRAMSubmitSettle.replyStatus(jobs)
        return GRAMReply(jobState: status.state, error: status.error, jobID: GRAMJobID.string(jobs.map(\.id), store: store),
                         failureMessage: status.error == nil ? nil : status.message)
    }

    /// `submit` succeeded, knowing only the ids.
    public static func submitReply(ids: [JobID], store: StoreIdentity?) -> GRAMReply {
        GRAMReply(jobState: .pending, jobID: GRAMJobID.string(ids, store: store))
    }

    /// `poll`: the combined state of the GRAM job's sub-jobs.
    public static func pollReply(jobs: [Job], policy: GRAMExitPolicy = .doneKeepsOutput) -> GRAMReply {
        let status = GRAMStatus(jobs: jobs, policy: policy)
        return GRAMReply(jobState: status.state, error: status.error,
                         failureMessage: status.error == nil ? nil : status.message)
    }

    /// `cancel` (or the CANCEL signal) succeeded: FAILED, which the job manager turns into
    /// `USER_CANCELLED`.
    public static func cancelReply() -> GRAMReply {
        GRAMReply(jobState: .failed)
    }

    /// `signal` succeeded; `jobs` are the jobs after the daemon acted. PRIORITY changes no state,
    /// so its reply is empty ("no change").
    public static func signalReply(_ request: GRAMSignalRequest, jobs: [Job]) -> GRAMReply {
        switch request.signal {
        case .cancel: return cancelReply()
        case .priority: return GRAMReply()
        default: return GRAMReply(jobState: GRAMStatus(jobs: jobs).state).forQuery()
        }
    }

    /// A command failed; query replies keep only `ERROR`.
    public static func failureReply(_ error: GRAMError, for command: GRAMCommand) -> GRAMReply {
        let reply = GRAMReply(error)
        return command.isQuery ? reply.forQuery() : reply
    }
}
