/// One resource of a workspace that a retune may change.
public enum ResourceControl: String, Codable, Sendable, CaseIterable {
    case memory, cpus
    case cpuWeight = "cpu_weight"
    case cpuCap = "cpu_cap"
    case disk, bandwidth

    /// The value of this control in `a`, in words.
    public func value(in a: ResourceAllocation) -> String {
        switch self {
        case .memory: "\(a.memoryMB) MB"
        case .cpus: "\(a.cpus)"
        case .cpuWeight: "\(a.cpuWeight)"
        case .cpuCap: a.cpuCapPercent.map { "\($0)%" } ?? "none"
        case .disk: a.diskMB.map { "\($0) MB" } ?? "none"
        case .bandwidth: a.bandwidthKBps.map { "\($0) KiB/s" } ?? "unshaped"
        }
    }

    /// The controls whose values differ between `a` and `b`, in the order they are applied.
    public static func changed(from a: ResourceAllocation, to b: ResourceAllocation) -> [ResourceControl] {
        allCases.filter { $0.value(in: a) != $0.value(in: b) }
    }
}

/// One control's change in a plan: whether it can be made to the running workspace, and if not why.
public struct RetuneStep: Codable, Sendable, Equatable, CustomStringConvertible {
    public var control: ResourceControl
    public var from: String
    public var to: String
    /// Why this change cannot be made live; `nil`: it can.
    public var refusal: String?

    public init(control: ResourceControl, from: String, to: String, refusal: String?) {
        self.control = control
        self.from = from
        self.to = to
        self.refusal = refusal
    }

    public var description: String {
        "\(control.rawValue) \(from) → \(to)" + (refusal.map { ": refused, \($0)" } ?? "")
    }
}

/// What a retune would do to a running workspace, decided before anything is touched: every
/// changed control, each either live or refused with its reason. A plan with one refusal is
/// applied not at all.
public struct RetunePlan: Codable, Sendable, Equatable {
    public var from: ResourceAllocation
    public var to: ResourceAllocation
    public var steps: [RetuneStep]

    /// A plan for the controls that change from `from` to `to`; `judge` says why one cannot
    /// change live (or `nil`: it can).
    public init(from: ResourceAllocation, to: ResourceAllocation, judge: (ResourceControl) -> String?) {
        self.from = from
        self.to = to
        steps = ResourceControl.changed(from: from, to: to).map { c in
            RetuneStep(control: c, from: c.value(in: from), to: c.value(in: to), refusal: judge(c))
        }
    }

    public var refusals: [RetuneStep] { steps.filter { $0.refusal != nil } }
    /// Every change can be made to the running workspace.
    public var isLive: Bool { refusals.isEmpty }
    public var isEmpty: Bool { steps.isEmpty }
    public var controls: [ResourceControl] { steps.map(\.control) }

    public var summary: String {
        isEmpty ? "no change" : steps.map(\.description).joined(separator: "; ")
    }
}

/// Why a retune was not done, or not completely.
public enum RetuneError: Error, Sendable, Equatable, CustomStringConvertible {
    case nothingAsked
    case outOfRange(control: String, value: Int, range: ClosedRange<Int>)
    /// The plan holds changes that cannot be made live; nothing was changed.
    case refused(RetunePlan)
    /// Applying `control` failed; the controls applied before it were set back (`rolledBack`),
    /// or `rollbackFailure` says which could not be.
    case failed(control: ResourceControl, error: String, rolledBack: [ResourceControl], rollbackFailure: String?)

    public var description: String {
        switch self {
        case .nothingAsked:
            return "nothing to change: give at least one of memory, cpus, cpu weight, cpu cap, disk, bandwidth"
        case .outOfRange(let control, let value, let range):
            return "\(control) must be between \(range.lowerBound) and \(range.upperBound), not \(value)"
        case .refused(let plan):
            return "refused, nothing changed: " + plan.refusals.map(\.description).joined(separator: "; ")
        case .failed(let control, let error, let rolledBack, let rollbackFailure):
            let back = rolledBack.isEmpty ? "nothing had been changed" : "set back: " + rolledBack.map(\.rawValue).joined(separator: ", ")
            return "changing \(control.rawValue) failed (\(error)); \(back)" + (rollbackFailure.map { "; NOT set back: \($0)" } ?? "")
        }
    }
}

/// Applies a live plan control by control and, when one fails, sets the ones already applied back
/// in reverse order: a retune is whole or not at all. Providers give the one operation that sets
/// a control to the value it has in an allocation.
public enum RetuneTransaction {
    public static func apply(_ plan: RetunePlan,
                             set: (ResourceControl, ResourceAllocation) async throws -> Void) async throws(RetuneError) {
        guard plan.isLive else { throw .refused(plan) }
        var done: [ResourceControl] = []
        for control in plan.controls {
            do {
                try await set(control, plan.to)
                done.append(control)
            } catch {
                var back: [ResourceControl] = []
                var failures: [String] = []
                for c in done.reversed() {
                    do {
                        try await set(c, plan.from)
                        back.append(c)
                    } catch let e {
                        failures.append("\(c.rawValue): \(e)")
                    }
                }
                throw .failed(control: control, error: "\(error)", rolledBack: back,
                              rollbackFailure: failures.isEmpty ? nil : failures.joined(separator: "; "))
            }
        }
    }
}
