import Foundation
import WorkspaceBridge

/// How a class's guests boot: firmware, CPU features and kernel arguments that trade checks for
/// boot time. Read from the class settings (see `LibvirtClassSettings`):
///
/// - `quick_boot` (default `true`): skips boot steps that only cost time in a virtual machine of
///   ours: the crypto self-tests (`cryptomgr.notests`; a kernel in FIPS mode runs them anyway),
///   the TSC stability watchdog and the IO-APIC timer check (`tsc=reliable no_timer_check`, the
///   defaults of Kata Containers' guests), and probing UARTs the domain does not have
///   (`8250.nr_uarts=1`: it has one serial port). None of them changes what a job may do.
/// - `lpj` (none): the kernel's loops per jiffy, skipping the delay-loop calibration; take the
///   value from a guest's boot log (`lpj=`) on the same hosts. Wrong values make `udelay` wrong.
///   It saves nothing where the kernel derives it from a known TSC frequency (Debian's cloud
///   kernel under QEMU logs "Calibrating delay loop (skipped)").
/// - `kernel_audit` (default `true`): `false` adds `audit=0`, which keeps an image's auditd from
///   ever turning the kernel's audit on: a site's policy decides.
/// - `mitigations` (default `true`): `false` adds `mitigations=off`, turning off the kernel's
///   defences against CPU side channels (Spectre, Meltdown, ...) inside the guest.
/// - `trust_cpu_rng` (default `false`): `true` requires RDRAND on the guest CPU and credits it
///   as entropy (`random.trust_cpu=on`), so the guest's RNG is ready at once; that trusts the
///   CPU maker's generator for the guest's keys.
/// - `firmware` (QEMU/KVM only): `qboot`, QEMU's minimal firmware for direct kernel boot (the
///   file Debian's `qemu-system-data` ships; it starts the kernel about a second sooner than
///   SeaBIOS under TCG), `bios` (libvirt's SeaBIOS), or the path of another ROM. Unset: qboot
///   where this host has it and every URI of the class is on this host (a remote host's files
///   are not known here), else `bios`.
public struct GuestBootOptions: Sendable, Equatable {
    public enum Firmware: Sendable, Equatable {
        /// The hypervisor's default firmware (SeaBIOS for QEMU/KVM, hvmloader for Xen HVM).
        case standard
        /// A ROM image loaded in place of the BIOS (`<loader type='rom'>`).
        case rom(String)
    }

    /// Where Debian's QEMU keeps qboot.
    public static let qbootPath = "/usr/share/qemu/qboot.rom"

    public var quickBoot = true
    public var loopsPerJiffy: Int?
    public var kernelAudit = true
    public var mitigations = true
    public var trustCPURandom = false
    public var firmware = Firmware.standard

    public init(quickBoot: Bool = true, loopsPerJiffy: Int? = nil, kernelAudit: Bool = true, mitigations: Bool = true,
                trustCPURandom: Bool = false, firmware: Firmware = .standard) {
        self.quickBoot = quickBoot
        self.loopsPerJiffy = loopsPerJiffy
        self.kernelAudit = kernelAudit
        self.mitigations = mitigations
        self.trustCPURandom = trustCPURandom
        self.firmware = firmware
    }

    /// Reads the settings; `key` prefixes error messages (`class vm: settings`). `remote`: the
    /// class's guests run on other hosts, whose files are not known here.
    init(settings s: [String: String], kind: GuestKind, remote: Bool, key: String) throws(ConfigError) {
        func flag(_ name: String) throws(ConfigError) -> Bool? {
            guard let raw = s[name]?.trimmingCharacters(in: .whitespaces) else { return nil }
            switch raw.lowercased() {
            case "true", "yes", "on", "1": return true
            case "false", "no", "off", "0": return false
            default: throw ConfigError(key: "\(key).\(name)", message: "must be true or false, not \"\(raw)\"")
            }
        }
        quickBoot = try flag("quick_boot") ?? true
        kernelAudit = try flag("kernel_audit") ?? true
        mitigations = try flag("mitigations") ?? true
        trustCPURandom = try flag("trust_cpu_rng") ?? false
        if let raw = s["lpj"]?.trimmingCharacters(in: .whitespaces) {
            guard let v = Int(raw), v > 0 else {
                throw ConfigError(key: "\(key).lpj", message: "must be a positive integer (a guest's boot log says lpj=...), not \"\(raw)\"")
            }
            loopsPerJiffy = v
        }
        switch s["firmware"]?.trimmingCharacters(in: .whitespaces) {
        case nil, "":
            let qboot = !kind.isXen && !remote && FileManager.default.fileExists(atPath: Self.qbootPath)
            firmware = qboot ? .rom(Self.qbootPath) : .standard
        case "bios", "default": firmware = .standard
        case let f? where kind.isXen:
            throw ConfigError(key: "\(key).firmware", message: "\"\(f)\" is for QEMU/KVM guests; Xen guests boot with Xen's own loader")
        case "qboot": firmware = .rom(Self.qbootPath)
        case let path? where path.hasPrefix("/"): firmware = .rom(path)
        case let other?:
            throw ConfigError(key: "\(key).firmware", message: "\"\(other)\" is not bios, qboot or the absolute path of a firmware ROM")
        }
    }

    /// The kernel arguments, for a guest of `kind`: on a Xen PV guest only those that apply
    /// there (it has no TSC watchdog to skip, no IO-APIC timer, no UART).
    public func kernelArguments(for kind: GuestKind) -> [String] {
        var a: [String] = []
        if quickBoot {
            a.append("cryptomgr.notests")
            if kind != .xenPV { a += ["tsc=reliable", "no_timer_check", "8250.nr_uarts=1"] }
        }
        if let lpj = loopsPerJiffy, kind != .xenPV { a.append("lpj=\(lpj)") }
        if !kernelAudit { a.append("audit=0") }
        if !mitigations { a.append("mitigations=off") }
        if trustCPURandom { a.append("random.trust_cpu=on") }
        return a
    }

    /// CPU features the guest must have. Under Xen the CPU's own RDRAND reaches the guest
    /// unless the toolstack hides it; libvirt's libxl driver takes no feature list here.
    public func requiredCPUFeatures(for kind: GuestKind) -> [String] {
        trustCPURandom && !kind.isXen ? ["rdrand"] : []
    }

    /// The ROM to load instead of the standard firmware (QEMU/KVM only).
    public var firmwareROM: String? {
        if case .rom(let path) = firmware { return path }
        return nil
    }
}
