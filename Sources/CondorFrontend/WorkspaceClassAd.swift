import WorkspaceBridge

extension WorkspaceClass {
    /// The class as a machine ClassAd for matchmaking: `Name`, `WorkspaceClass`, `OpSys`,
    /// `Arch`, `Memory` (MB), `Cpus`, `Disk` (KiB, as HTCondor slots advertise it), `Slots`,
    /// `Provider`, and every entry of `attributes` (each value read as a ClassAd expression
    /// when it parses, else as a string, so `HasDocker = true` is a boolean and
    /// `Site = CERN` a string).
    public var classAd: ClassAd {
        var ad = ClassAd()
        ad.assign("MyType", "Machine")
        ad.assign("Name", name)
        ad.assign("WorkspaceClass", name)
        ad.assign("OpSys", "LINUX")
        ad.assign("Arch", "X86_64")
        ad.assign("Memory", memoryMB)
        ad.assign("TotalMemory", memoryMB)
        ad.assign("Cpus", cpus)
        ad.assign("TotalCpus", cpus)
        if let diskMB {
            ad.assign("Disk", diskMB * 1024)
            ad.assign("TotalDisk", diskMB * 1024)
        }
        ad.assign("Slots", slots)
        ad.assign("Provider", provider)
        ad.assign("HasFileTransfer", true)
        ad.assign("Requirements", true)
        for key in attributes.keys.sorted() {
            let text = attributes[key]!
            if let e = try? ClassAdParser.parse(text), case .literal = e { ad[key] = e } else if let e = try? ClassAdParser.parse(text), case .list = e { ad[key] = e } else { ad.assign(key, text) }
        }
        return ad
    }
}
