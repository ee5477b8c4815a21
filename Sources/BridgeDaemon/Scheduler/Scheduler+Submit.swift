import BridgeStore
import Foundation
import WorkspaceBridge
import WorkspaceProviders

/// Taking jobs in: validation, limits, the durable record, the queue.
extension Scheduler {
    /// Validates, records durably, then queues. Throws before recording anything if any spec is
    /// bad, and checks every limit before expanding `count` into jobs.
    func submit(_ specs: [JobSpec], caller: UInt32, idempotencyKey key: String? = nil) throws(SubmitError) -> [[JobID]] {
        if let key {
            guard (1...256).contains(key.count), !key.contains("\0") else {
                throw .invalidSpec("idempotencyKey must be 1 to 256 characters")
            }
            // A repeated submit (the client lost our reply): the first one's ids, nothing new.
            if let ids = try? store.submitted(owner: caller, key: key) { return ids }
        }
        if let fault = storeFault { throw .storeUnavailable(fault) }
        guard let identity = identity(caller) else { throw .unknownUser(caller) }
        if daemonUID != 0 && caller != daemonUID { throw .cannotRunAs(owner: caller, daemon: daemonUID) }
        let validator = SubmitValidator(access: OwnerAccess(identity: identity))
        let now = Self.now
        var resolved: [(spec: JobSpec, className: String)] = []
        // What the owner already has waiting, counted once: a submit may carry thousands of specs.
        let alreadyWaiting = waiting(owner: caller)
        var total = 0
        for spec in specs {
            do { try spec.validate() } catch { throw .invalidSpec(error.description) }
            if spec.count > config.api.maxCount {
                throw .invalidSpec("count must be between 1 and \(config.api.maxCount) (api.max_count), not \(spec.count)")
            }
            total += spec.count
            if alreadyWaiting + total > config.throttle.maxQueuedPerOwner {
                throw .overQueueLimit(owner: caller, limit: config.throttle.maxQueuedPerOwner)
            }
            let cls = try SubmitValidator.chooseClass(spec, config: config, runsVMs: { self.shares(.runsJobVMs, $0.provider) })
            if let vm = spec.vm {
                do { try providers[cls.provider]?.validate(vm, in: cls) } catch { throw .noFittingClass("\(error)") }
                try validator.checkVMFiles(vm)
            }
            resolved.append((try validator.resolve(spec, checkFiles: shares(.sharesHostFileSystem, cls.provider)), cls.name))
        }
        var pending: [(Int, Job)] = []
        pending.reserveCapacity(total)
        for (index, r) in resolved.enumerated() {
            var one = r.spec
            one.count = 1
            let state: JobState = one.hold ? .held : .queued
            let job = Job(id: 0, spec: one, owner: caller, state: state, className: r.className, submittedAt: now,
                          reason: one.hold ? one.holdReason ?? "submitted on hold" : nil)
            for _ in 0..<r.spec.count { pending.append((index, job)) }
        }
        let specOf = pending.map(\.0)
        func group(_ saved: [Job]) -> [[JobID]] {
            var ids = Array(repeating: [JobID](), count: specs.count)
            for (i, job) in saved.enumerated() { ids[specOf[i]].append(job.id) }
            return ids
        }
        let saved: [Job]
        do {
            saved = try store.insert(pending.map(\.1), at: now, key: key.map { (caller, $0, group) }) { job in
                self.observers.flatMap { $0.effects(of: job, from: nil, at: now) }
            }
        } catch StoreError.duplicateKey {
            throw .invalidSpec("the submit's idempotency key was just used")
        } catch {
            storeFault = "\(error)"
            logger.error("cannot write the store; new work waits until it can", metadata: ["error": "\(error)"])
            throw .storeUnavailable("\(error)")
        }
        let ids = group(saved)
        metrics?.submitted(saved)
        for job in saved {
            track(job)
        }
        outbox?.poke()
        eventsChanged()
        schedule()
        return ids
    }

    /// Takes an unfinished job into memory (at submit and at start).
    func track(_ job: Job) {
        jobs[job.id] = job
        unfinishedByOwner[job.owner, default: 0] += 1
        if observers.contains(where: { $0.hasPeriodicPolicy(job) }) { periodicJobs.insert(job.id) }
        if job.state == .queued { enqueue(job) }
    }

    /// An owner's jobs that wait (queued or held): unfinished jobs that have no run.
    func waiting(owner: UInt32) -> Int {
        let running = workspaces.values.reduce(0) { n, w in n + w.runs.values.reduce(0) { $0 + ($1.owner == owner ? 1 : 0) } }
        return max(0, unfinishedByOwner[owner, default: 0] - running)
    }

    /// Whether the provider of that name has the capability (an unknown provider has none).
    func shares(_ capability: ProviderCapabilities, _ provider: String) -> Bool {
        providers[provider]?.capabilities.contains(capability) ?? false
    }

    /// A new HTCondor-style cluster number, durable.
    func nextCluster() throws -> Int64 { try store.next("cluster") }

    /// The user a job of `uid` runs as, and whose rights its files are checked and written with:
    /// the owner, except that root's jobs run as `[daemon] root_jobs_run_as` (a job never runs
    /// as root). From the resolver's cache, which requests fill off the scheduler.
    func identity(_ uid: UInt32) -> Identity? { people.entry(uid).identity }
}
