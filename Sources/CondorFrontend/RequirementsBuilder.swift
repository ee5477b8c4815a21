/// `SubmitHash::SetRequirements`: the user's `requirements` in parentheses, then the clauses
/// condor_submit adds unless the user already refers to the machine attribute in question
/// (Arch, OpSys, Disk, Memory, Cpus, custom resources, file transfer / file system domain).
extension JobAdBuilder {
    /// Sets `Requirements` and returns the user's own requirements text, if any.
    mutating func setRequirements() throws(SubmitError) -> String? {
        let orig = try param("requirements")
        // `+Requirements` / `MY.Requirements` replace the generated expression altogether.
        if (try param("MY.Requirements")) != nil {
            if orig != nil {
                warnings.append(SubmitWarning(file: file, line: nil, message: "Use of MY.Requirements or +Requirements  overrides requirements. You should remove one of these statements from your submit file."))
            }
            return orig
        }
        var answer = orig.map { "(\($0))" } ?? ""
        if universe == 9 && gridType.lowercased() != "condor" {
            try assignExpr("Requirements", answer.isEmpty ? "TRUE" : answer)
            return orig
        }
        var machineRefs = Set<String>()
        if !answer.isEmpty {
            guard let tree = try? ClassAdParser.parseSubmitExpression(answer) else {
                throw fail("Parse error in expression: \n\tRequirements = \(answer)")
            }
            let refs = tree.references()
            machineRefs = refs.target.union(refs.bare.subtracting(["requestmemory", "vm_ckptmac"]))
        }
        let checksArch = machineRefs.contains("arch")
        let checksOpSys = !machineRefs.isDisjoint(with: ["opsys", "opsysandver", "opsyslongname", "opsysshortname", "opsysname", "opsyslegacy"])
        let mightTransfer = [5, 11, 10, 13].contains(universe)

        if universe == 10 {
            answer += answer.isEmpty ? "TARGET.HasJava" : " && TARGET.HasJava"
        } else {
            if !checksArch {
                answer += (answer.isEmpty ? "" : " && ") + "(TARGET.Arch == \"X86_64\")"
            }
            if !checksOpSys {
                answer += " && (TARGET.OpSys == \"LINUX\")"
            }
        }
        func literalNumber(_ attr: String) -> Double? {
            switch ad[attr] {
            case .literal(.int(let i))?: Double(i)
            case .literal(.real(let r))?: r
            default: nil
            }
        }
        if ad["RequestDisk"] != nil {
            if machineRefs.contains("disk") || (literalNumber("RequestDisk").map { $0 > 0 } ?? true) {
                answer += " && (TARGET.Disk >= RequestDisk)"
            }
        } else if !machineRefs.contains("disk") {
            answer += " && (TARGET.Disk >= DiskUsage)"
        }
        if ad["RequestMemory"] != nil, literalNumber("RequestMemory").map({ $0 > 1 }) ?? true {
            answer += " && (TARGET.Memory >= RequestMemory)"
        }
        if universe != 9, !machineRefs.contains("cpus"), ad["RequestCpus"] != nil,
           literalNumber("RequestCpus").map({ $0 > 1 }) ?? true {
            answer += " && (TARGET.Cpus >= RequestCpus)"
        }
        // Custom resources, in the case-insensitive order of a classad::References set.
        let tags = ad.names.filter {
            $0.count >= 9 && $0.lowercased().hasPrefix("request") && !Array($0)[7...].starts(with: "_")
                && !["requestcpus", "requestdisk", "requestmemory"].contains($0.lowercased())
        }.sorted { $0.lowercased() < $1.lowercased() }
        for attr in tags {
            let tag = String(attr.dropFirst(7))
            if machineRefs.contains(tag.lowercased()) { continue }
            let value = ad.evaluate(attr)
            switch value {
            case .int, .real, .undefined:
                if let n = value.number, n <= 0 { continue }
                let requireAttr = "Require" + tag
                if ad[requireAttr] != nil {
                    answer += " && (countMatches(MY.\(requireAttr),TARGET.Available\(tag)) >= \(attr))"
                } else {
                    answer += " && (TARGET.\(tag == "GPUs" ? "GPUs" : tag) >= \(attr))"
                }
            case .string(let s) where !s.isEmpty:
                answer += " && regexp(\(attr), TARGET.\(tag))"
            default: break
            }
        }
        if mightTransfer {
            let should = (ad["ShouldTransferFiles"].flatMap { if case .literal(.string(let s)) = $0 { s } else { nil } }) ?? "IF_NEEDED"
            let checksFS = machineRefs.contains("filesystemdomain")
            let checksFT = machineRefs.contains("hasfiletransfer") || machineRefs.contains("hasjobtransferplugins")
            let domain = "(TARGET.FileSystemDomain == MY.FileSystemDomain)"
            if should == "NO" {
                if !checksFS { answer += " && " + domain }
            } else if !checksFT {
                var join = " && (", close = ")"
                if should == "IF_NEEDED" && !checksFS {
                    answer += join + domain
                    join = " || ("
                    close = "))"
                }
                answer += join + "TARGET.HasFileTransfer"
                var when = ""
                if case .literal(.string(let w))? = ad["WhenToTransferOutput"] { when = w }
                if when == "ON_SUCCESS" || ad["TransferCheckpoint"] != nil || ad.evaluate("PreserveRelativePaths") == .bool(true) {
                    answer += " && versioncmp( split(TARGET.CondorVersion)[1], \"8.9.7\" ) >= 0"
                }
                let methods = transferPluginMethods
                for m in methods where !machineRefs.contains("hasfiletransferpluginmethods") {
                    answer += " && stringListIMember(\"\(m)\",TARGET.HasFileTransferPluginMethods)"
                }
                if !methods.isEmpty { ad.assign("WantTransferPluginMethods", methods.joined(separator: ",")) }
                answer += close
            }
        }
        try assignExpr("Requirements", answer)
        return orig
    }
}
