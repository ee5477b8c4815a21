import WorkspaceBridge

/// A way to make workspaces: a local sandbox, a libvirt guest, ...
///
/// The contract: `create` returns only when the workspace's agent listens at `Workspace.endpoint`
/// (a Unix socket on this host) or throws; `destroy` is idempotent and leaves nothing behind;
/// `discover` lists what exists on the host *that this provider created* (by its own marker), so
/// the reconciler can adopt it or remove it and never touches anything else.
public protocol WorkspaceProvider: Sendable {
    /// The name classes use in `provider = "..."`.
    var name: String { get }

    /// What the daemon may count on in this provider's workspaces: it asks these, never the name.
    var capabilities: ProviderCapabilities { get }

    /// What an admin should know of the provider on this host (mechanisms found), for the log.
    var details: [String: String] { get }

    /// Refuses a class this provider cannot make workspaces of, with what to change; called for
    /// every class of the provider when the config is loaded or reloaded. Default: accepts all.
    func validate(_ workspaceClass: WorkspaceClass) throws

    /// Creates and starts a workspace of `workspaceClass` with the given id. Its `imageDigest`
    /// names what it was actually made from (hashed from the files used, not looked up), so a
    /// file changed meanwhile cannot give it another workspace's label.
    func create(id: String, workspaceClass: WorkspaceClass) async throws -> Workspace

    /// The content digest of the image a workspace of this class would be made from now (see
    /// `ImageDigest`); its workspaces of another digest are outdated. Reads files: called off the
    /// scheduler. Default: one digest per provider (classes without an image never roll out).
    func imageDigest(of workspaceClass: WorkspaceClass) async throws -> String

    /// Makes "the job's own VM": a workspace of one slot for a job that is a virtual machine
    /// (`JobSpec.vm`). Its endpoint speaks the agent protocol from this host (no agent runs in
    /// the user's guest): the run request boots the job's disks, the guest's power-off ends the
    /// run, and the workspace is destroyed with the job. Only providers with `.runsJobVMs`.
    func createJobVM(id: String, workspaceClass: WorkspaceClass) async throws -> Workspace

    /// Refuses, at submit, a VM job that `workspaceClass` cannot run (its type, memory or vCPUs),
    /// with what to change. Default: refuses all (the provider runs no job VMs).
    func validate(_ vm: VMDescription, in workspaceClass: WorkspaceClass) throws

    /// Stops and removes a workspace; no error if it is already gone.
    func destroy(_ workspace: Workspace) async throws

    /// Whether the workspace's host-side process or machine is still there.
    func isAlive(_ workspace: Workspace) async -> Bool

    /// Ids of the workspaces of this provider that exist on the host now.
    func discover() async throws -> [String]

    /// Parks an idle workspace (`.paused` or `.saved`) until `unpark`.
    func park(_ workspace: Workspace, as mode: WarmMode) async throws

    /// Brings a parked workspace back; returns when its agent listens again.
    func unpark(_ workspace: Workspace, from mode: WarmMode) async throws

    /// Stops a `park` still in progress, which then throws; the workspace goes on running as it
    /// was. False if it cannot (the park ended first, or it cannot be stopped). Default: false.
    func cancelPark(_ workspace: Workspace) async -> Bool

    /// Called for each live workspace this process takes over (a daemon restart): makes its
    /// `endpoint` connectable again where this process must serve it (a channel forwarded from
    /// another host). Default: nothing to do.
    func adopt(_ workspace: Workspace) async throws

    /// The daemon stops, and none of its workspaces is left (none is being made either): the
    /// provider removes what its workspaces had in common on the host (empty cgroup
    /// directories). Default: nothing to do.
    func daemonStoppedWithNoWorkspaces() async

    /// The machine the workspace runs on when that is not the daemon's own (a guest on a
    /// remote hypervisor host), as the admin named it. Default: `nil`, this host.
    func remoteHost(of workspace: Workspace) -> String?

    /// Says, before anything is touched, which changes from `from` to `to` can be made to the
    /// running workspace and why the others cannot (reading what it must of the host: a
    /// cgroup's memory in use, the guest's defined maximum). Default: every change refused.
    func planRetune(_ workspace: Workspace, of workspaceClass: WorkspaceClass, from: ResourceAllocation,
                    to: ResourceAllocation) async -> RetunePlan

    /// Applies a live plan whole, or throws `RetuneError` with what was set back; returns the
    /// workspace's enforcement as it now is.
    func retune(_ workspace: Workspace, of workspaceClass: WorkspaceClass, plan: RetunePlan) async throws(RetuneError) -> [Enforcement]

    /// The hypervisor hosts this provider has tried to reach, named as `remoteHost` names them
    /// (nil: this host), and whether the last try succeeded. Default: none.
    func hostReachability() async -> [(host: String?, reachable: Bool)]

    /// The hosts this provider places the workspaces of `classes` on (libvirt URIs), with its
    /// workspaces on each. Default: none (the workspaces are on the daemon's own host).
    func hosts(for classes: [WorkspaceClass]) async -> [ProviderHost]

    /// The same hosts by name, with the classes naming each, without asking them anything.
    func hostNames(for classes: [WorkspaceClass]) -> [(uri: String, classes: [String])]

    /// The host of `hosts()` a workspace is on; `nil` for the daemon's own host.
    func host(of workspace: Workspace) -> String?

    /// Hosts that take no new workspace (drained); the others of a class take them.
    func setDrained(_ hosts: Set<String>)

    /// The workspace as found on another host than its record names (a move that the daemon
    /// died before recording), or `nil`. Default: `nil`.
    func relocated(_ workspace: Workspace) async -> Workspace?

    /// Moves a running workspace, live, to another host of its class that is not drained; its
    /// jobs keep running and its endpoint stays. Returns the record as it now is (its handle
    /// names the new host). On a failure the workspace runs where it was. Default: refused.
    func migrate(_ workspace: Workspace, of workspaceClass: WorkspaceClass) async throws -> WorkspaceMigration
}

/// A host a provider places workspaces on, as it answers now.
public struct ProviderHost: Sendable {
    public var uri: String
    /// The classes that name it.
    public var classes: [String]
    /// Why it did not answer; `nil` if it did.
    public var unreachable: String?
    /// Our workspaces found on it (ids).
    public var workspaces: [String]
    /// Domains there that are not ours.
    public var foreign: Int

    public init(uri: String, classes: [String], unreachable: String?, workspaces: [String], foreign: Int) {
        self.uri = uri
        self.classes = classes
        self.unreachable = unreachable
        self.workspaces = workspaces
        self.foreign = foreign
    }
}

/// A workspace moved to another host.
public struct WorkspaceMigration: Sendable {
    public var workspace: Workspace
    public var from: String
    public var to: String
    /// How long the move took (the hypervisor's part, from start to the guest running there).
    public var seconds: Double

    public init(workspace: Workspace, from: String, to: String, seconds: Double) {
        self.workspace = workspace
        self.from = from
        self.to = to
        self.seconds = seconds
    }
}

public extension WorkspaceProvider {
    var details: [String: String] { [:] }

    func remoteHost(of workspace: Workspace) -> String? { nil }

    func validate(_ workspaceClass: WorkspaceClass) throws {}

    func imageDigest(of workspaceClass: WorkspaceClass) async throws -> String {
        ImageDigest.combine([("provider", name)])
    }

    func adopt(_ workspace: Workspace) async throws {}

    func createJobVM(id: String, workspaceClass: WorkspaceClass) async throws -> Workspace {
        throw ProviderError(provider: name, message: "this provider does not run jobs that are virtual machines")
    }

    func validate(_ vm: VMDescription, in workspaceClass: WorkspaceClass) throws {
        throw ProviderError(provider: name, message: "class \(workspaceClass.name) (provider \(name)) cannot run a job that is a virtual machine; choose a libvirt class")
    }

    func daemonStoppedWithNoWorkspaces() async {}

    func park(_ workspace: Workspace, as mode: WarmMode) async throws {
        throw ProviderError(provider: name, message: "workspaces cannot be \(mode.rawValue) (warm_mode = \"running\" only)")
    }

    func unpark(_ workspace: Workspace, from mode: WarmMode) async throws {
        throw ProviderError(provider: name, message: "workspaces cannot be \(mode.rawValue)")
    }

    func cancelPark(_ workspace: Workspace) async -> Bool { false }

    func hostReachability() async -> [(host: String?, reachable: Bool)] { [] }

    func hosts(for classes: [WorkspaceClass]) async -> [ProviderHost] { [] }

    func hostNames(for classes: [WorkspaceClass]) -> [(uri: String, classes: [String])] { [] }

    func host(of workspace: Workspace) -> String? { nil }

    func setDrained(_ hosts: Set<String>) {}

    func relocated(_ workspace: Workspace) async -> Workspace? { nil }

    func migrate(_ workspace: Workspace, of workspaceClass: WorkspaceClass) async throws -> WorkspaceMigration {
        throw ProviderError(provider: name, message: "workspaces of the \(name) provider cannot move to another host")
    }

    func planRetune(_ workspace: Workspace, of workspaceClass: WorkspaceClass, from: ResourceAllocation,
                    to: ResourceAllocation) async -> RetunePlan {
        RetunePlan(from: from, to: to) { _ in "the \(name) provider cannot change a running workspace" }
    }

    func retune(_ workspace: Workspace, of workspaceClass: WorkspaceClass, plan: RetunePlan) async throws(RetuneError) -> [Enforcement] {
        try await RetuneTransaction.apply(plan) { control, _ in
            throw ProviderError(provider: name, message: "cannot change \(control.rawValue) of a running workspace")
        }
        return workspace.enforcement
    }
}

/// What a provider's workspaces share with the daemon's host and what can be done with them.
public struct ProviderCapabilities: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Jobs see the host's files at the same paths: no staging of stdin or outputs.
    public static let sharesHostFileSystem = Self(rawValue: 1 << 0)
    /// Times the agent reports are on the host's clock: no offset to measure.
    public static let sharesHostClock = Self(rawValue: 1 << 1)
    /// `park(_, as: .paused)` and back.
    public static let canPause = Self(rawValue: 1 << 2)
    /// `park(_, as: .saved)` and back.
    public static let canSave = Self(rawValue: 1 << 3)
    /// A running workspace can move to another host.
    public static let canMigrate = Self(rawValue: 1 << 4)
    /// `createJobVM`: jobs that are virtual machines of their own (HTCondor `universe = vm`).
    public static let runsJobVMs = Self(rawValue: 1 << 5)
}

/// A provider failure, with what the admin should look at.
public struct ProviderError: Error, Sendable, CustomStringConvertible {
    public var provider: String
    public var message: String
    public init(provider: String, message: String) {
        self.provider = provider
        self.message = message
    }
    public var description: String { "\(provider) provider: \(message)" }
}
