import AgentProtocol
import BridgeStore
import Foundation
import WorkspaceBridge

/// The accounting record of every run that ended, written in the transaction of its end, with
/// the files it owes (an APEL message, a BLAH accounting line) as side effects of that same
/// transaction: a crash between the run's end and the files loses neither.
extension Scheduler {
    /// A run's record, with the files it owes.
    struct AccountedRun {
        var record: AccountingRecord
        var effects: [SideEffect]
    }

    /// The record of run `key`, which ended at `endedAt` having used `usage` (as the agent said:
    /// its figures are checked again here), or nil if the job is unknown.
    func accountedRun(_ key: RunKey, in wsID: String, exit: ExitStatus, endedAt: Double, usage: RunUsage?) -> AccountedRun? {
        guard let job = jobs[key.job] ?? (try? store.job(key.job)), job.attempts == key.attempt else { return nil }
        let usage = usage?.validated
        // The run's start, if it was recorded for this run; a run that ended before its start was
        // seen lasted no time as far as we know.
        let start = min(job.startedAt ?? endedAt, endedAt)
        let grid = observers.lazy.compactMap { $0.gridJob(job) }.first ?? job.spec.origin.gridJob
        let record = AccountingRecord(
            job: job.id, attempt: key.attempt, owner: job.owner, ownerName: identity(job.owner)?.name, origin: job.spec.origin.name,
            grid: grid, className: job.className, workspace: wsID, host: host(of: wsID), cores: job.spec.resources.cpus ?? 1,
            startedAt: start, endedAt: endedAt, cpuSeconds: usage?.cpuSeconds, peakMemoryBytes: usage?.peakMemoryBytes,
            usageSource: usage?.source, exit: exit)
        return AccountedRun(record: record, effects: accountingEffects(record, submittedAt: job.submittedAt))
    }

    /// The machine a workspace runs on: a libvirt host's name, else this one's.
    func host(of wsID: String) -> String {
        guard let w = workspaces[wsID]?.record else { return Self.hostName }
        return providers[w.provider]?.remoteHost(of: w) ?? Self.hostName
    }

    /// The files a record owes under the site's `[accounting]` settings.
    func accountingEffects(_ r: AccountingRecord, submittedAt: Double) -> [SideEffect] {
        let settings = config.accounting
        var effects: [SideEffect] = []
        if let dir = settings.apelDirectory, let name = settings.site {
            let site = APELMessage.Site(name: name, submitHost: settings.submitHost,
                                        machineName: settings.machineName ?? Self.hostName,
                                        benchmarkType: settings.benchmarkType, benchmark: settings.benchmark)
            if let text = APELMessage.message([r], site: site) {
                // Unique across store resets (the store's identity) and runs (job, attempt).
                let file = "\(store.identity.id.prefix(8))-\(APELMessage.localJobID(r))-\(Int64(r.endedAt))"
                effects.append(SideEffect(path: dir + "/" + file, owner: nil, text: text, kind: .file, mode: settings.fileMode))
            }
        }
        // Only for grid jobs: a local job has no CE job to link to.
        if let prefix = settings.blahLogPrefix, r.grid != nil {
            let ceID = settings.submitHost ?? "\(Self.hostName):2119/blah-\(r.origin)-\(r.className)"
            effects.append(SideEffect(path: BlahAccountingLine.path(prefix: prefix, at: r.endedAt), owner: nil,
                                      text: BlahAccountingLine.line(r, submittedAt: submittedAt, ceID: ceID), mode: settings.fileMode))
        }
        return effects
    }

    /// Whose records `GET /v1/accounting` may list for the caller: root and the admin group
    /// everyone's (or `owner`'s), a user only their own (an `owner` of someone else is refused).
    func accountingOwner(requested owner: UInt32?, caller: UInt32) throws -> UInt32? {
        if isAdmin(caller) { return owner }
        if let o = owner, o != caller {
            throw CommandError(description: "only root or the admin group may see another user's records", code: "forbidden")
        }
        return caller
    }
}
