import ServiceLifecycle

/// The scheduler's clock: a pass when time alone may let a job go (start rate, backoff), and
/// every second the upkeep of workspaces (idle, leases, warm pools) and periodic job policies.
/// On shutdown it stops the scheduler, which leaves running jobs to their workspaces.
struct SchedulerTimer: Service {
    let scheduler: Scheduler

    func run() async throws {
        var tick = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(nanoseconds: 100_000_000)
            tick += 1
            if tick % 10 == 0 { await scheduler.maintain() } else { await scheduler.scheduleIfDue() }
        }
        await scheduler.stop()
    }
}
