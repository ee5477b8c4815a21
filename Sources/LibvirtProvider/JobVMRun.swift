import AgentProtocol
import Foundation
import WorkspaceBridge

/// What a job VM's endpoint keeps on disk, in the workspace's instance directory: which
/// workspace it is, and its one run. A restarted daemon reads it back, so a VM that is running
/// is adopted (never booted twice) and one that powered off meanwhile still ends its job once.
struct JobVMRecord: Codable, Sendable, Equatable {
    var workspaceID: String
    var className: String
    /// The class as it was when the workspace was made: the guest kind, machine and network.
    var workspaceClass: WorkspaceClass
    var uri: String
    var domainName: String
    /// The run, once a run request came; `nil` while the workspace waits for its job.
    var run: AgentRunRecord?
    /// Staged images that come back after the run: file in the instance directory → output name.
    var returned: [String: String] = [:]
    var maxOutputBytes: Int = RunStaging.maxOutputBytes

    static let fileName = "jobvm.json"

    static func load(from directory: String) -> JobVMRecord? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(JobVMRecord.self, from: data)
    }

    /// Written whole and renamed into place: a crash leaves the old record or the new one.
    func save(in directory: String) throws {
        let temp = directory + "/." + Self.fileName
        try JSONEncoder().encode(self).write(to: URL(fileURLWithPath: temp))
        guard rename(temp, directory + "/" + Self.fileName) == 0 else {
            throw LibvirtProviderError.image("cannot write \(directory)/\(Self.fileName): \(String(cString: strerror(errno)))")
        }
    }
}

/// How a job VM's domain stopping ends its run, as HTCondor's VM universe has it: a guest that
/// powered itself off completed (exit code 0); anything else failed, with what libvirt says.
enum JobVMExit {
    static func of(_ state: DomainState) -> (exit: ExitStatus, reason: String?) {
        if state.kind == .crashed { return (.signaled(9), "the VM crashed") }
        switch state.reason {
        case 1: return (.exited(0), nil) // VIR_DOMAIN_SHUTOFF_SHUTDOWN: the guest powered off
        case 2: return (.signaled(9), "the VM was destroyed")
        case 3: return (.signaled(9), "the VM crashed")
        case 6: return (.signaled(9), "the VM failed to start or its hypervisor failed")
        default: return (.signaled(9), "the VM stopped (\(state))")
        }
    }
}
