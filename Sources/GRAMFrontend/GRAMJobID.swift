import Foundation
import WorkspaceBridge

/// The LRM job id wsbridge gives the job manager (`JOB_ID` in the submit reply) and writes in SEG
/// lines: `<store uuid>.<job id>`, for example `0b6c4f1e-6f3a-4c1e-9d8e-2f1a3b4c5d6e.12`.
///
/// The job manager matches SEG events to jobs by this id, replays the whole day's file when it
/// starts, and polls and cancels by it; a store reset makes wsbridge's job ids start again at 1.
/// With the store's identity in it, an id never names two jobs, and a request for a job of an
/// earlier store is refused instead of acting on a newer job with the same number.
///
/// The SEG reader's limits (`seg_job_manager_module.c`: `%128[^;]`) and the job manager's
/// sub-job split on `,` hold: 36 + 1 + at most 19 characters, no `;`, `,` or blank. Jobs of a
/// store made by an earlier wsbridge keep the plain number they were given.
public enum GRAMJobID {
    /// The id for `job`.
    public static func string(_ job: JobID, store: StoreIdentity?) -> String {
        guard let store, !store.isLegacy(job) else { return String(job) }
        return "\(store.id).\(job)"
    }

    /// The ids of a whole GRAM job: its sub-jobs' ids joined by commas.
    public static func string(_ jobs: [JobID], store: StoreIdentity?) -> String {
        jobs.map { string($0, store: store) }.joined(separator: ",")
    }

    /// Parses what `string` made, for the store that answers now; an id of another store (an
    /// earlier one, reset since) is refused.
    public static func parse(_ text: String, store: StoreIdentity) throws(GRAMError) -> [JobID] {
        var ids: [JobID] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let word = part.trimmingCharacters(in: .whitespaces)
            let prefix: Substring?
            let number: Substring
            if let dot = word.lastIndex(of: ".") {
                prefix = word[..<dot]
                number = word[word.index(after: dot)...]
            } else {
                prefix = nil
                number = Substring(word)
            }
            guard let id = JobID(number), id > 0 else {
                throw GRAMError(.gettingJobID, "\"\(text)\" is not a wsbridge job id (comma-separated STORE.NUMBER)")
            }
            switch prefix {
            case let p? where p == store.id: break
            case let p?:
                throw GRAMError(.gettingJobID,
                                "job \(word) belongs to another wsbridge store (\(p)), not to this daemon's (\(store.id)): the store was reset and the job is gone")
            case nil where store.isLegacy(id): break
            case nil:
                throw GRAMError(.gettingJobID,
                                "job id \(word) carries no store identity and is newer than this store's plain ids (up to \(store.legacyJobIDsUpTo)): it belongs to an earlier store")
            }
            ids.append(id)
        }
        if ids.isEmpty { throw GRAMError(.gettingJobID, "the job id is empty") }
        return ids
    }
}
