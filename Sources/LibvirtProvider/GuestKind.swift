/// The kind of guest a class asks for; decides the domain type, boot ABI and device buses.
public enum GuestKind: String, Sendable, CaseIterable, Codable {
    /// Xen paravirtual guest under libxl: host kernel, `xvd*` disks, hvc console, Xen PV channel.
    case xenPV = "xen"
    /// Xen fully virtualised guest under libxl (direct kernel boot through QEMU in dom0).
    case xenHVM = "xen-hvm"
    /// QEMU with KVM acceleration.
    case kvm
    /// QEMU with TCG emulation: slow but needs no hardware virtualisation (CI, nested hosts).
    case qemu

    /// The `<domain type='...'>` value.
    public var domainType: String {
        switch self {
        case .xenPV, .xenHVM: return "xen"
        case .kvm: return "kvm"
        case .qemu: return "qemu"
        }
    }

    public var isXen: Bool { self == .xenPV || self == .xenHVM }

    /// Parses the class setting; accepts a few spellings admins use.
    public init?(setting: String) {
        switch setting.lowercased() {
        case "xen", "xen-pv", "xenpv", "pv": self = .xenPV
        case "xen-hvm", "xenhvm", "xenfv", "hvm": self = .xenHVM
        case "kvm": self = .kvm
        case "qemu", "tcg": self = .qemu
        default: return nil
        }
    }

    /// The kernel console device the guest should log to.
    public var consoleDevice: String { self == .xenPV ? "hvc0" : "ttyS0" }
}
