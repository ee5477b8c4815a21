import WorkspaceBridge
import WorkspaceProviders

/// What a submit of a job that is a virtual machine (`JobSpec.vm`) must pass: a class whose
/// provider runs job VMs, limits that hold the VM, and disk images the owner can read.
extension SubmitValidator {
    /// The class a VM job goes to: the named one, or the first class whose provider runs job VMs.
    static func chooseVMClass(_ spec: JobSpec, _ vm: VMDescription, config: BridgeConfig,
                              runsVMs: (WorkspaceClass) -> Bool) throws(SubmitError) -> WorkspaceClass {
        let cls: WorkspaceClass
        switch spec.workspace {
        case .named(let name):
            guard let c = config.workspaceClass(named: name) else { throw .unknownClass(name, known: config.classes.map(\.name)) }
            guard runsVMs(c) else {
                throw .noFittingClass("class \(name) (provider \(c.provider)) cannot run a job that is a virtual machine; name a libvirt class")
            }
            cls = c
        case .any, .requirements:
            guard let c = config.classes.first(where: runsVMs) else {
                throw .noFittingClass("no workspace class can run a job that is a virtual machine (universe = vm needs a class with provider = \"libvirt\")")
            }
            cls = c
        }
        if vm.memoryMB > cls.memoryMB {
            throw .noFittingClass("vm_memory \(vm.memoryMB) MiB is more than class \(cls.name) allows (memory_mb = \(cls.memoryMB)); ask for at most \(cls.memoryMB)")
        }
        if vm.vcpus > cls.cpus {
            throw .noFittingClass("\(vm.vcpus) vCPUs are more than class \(cls.name) allows (cpus = \(cls.cpus)); ask for at most \(cls.cpus)")
        }
        return cls
    }

    /// The owner must be able to read every disk image, kernel and initrd now (they are read
    /// again, as the owner, when the VM boots).
    func checkVMFiles(_ vm: VMDescription) throws(SubmitError) {
        for path in vm.disks.map(\.file) + [vm.kernel, vm.initrd].compactMap({ $0 }) {
            guard access.isRegularFile(path), access.can(.read, path) else {
                throw .badInput("VM image \(path) does not exist, is not a plain file, or is not readable by \(access.identity.name)")
            }
        }
    }
}
