/// File transfer commands (`SubmitHash::SetTransferFiles`): `should_transfer_files`,
/// `when_to_transfer_output`, `transfer_input_files`, `transfer_output_files`, remaps.
extension JobAdBuilder {
    enum ShouldTransfer: String { case yes = "YES", no = "NO", ifNeeded = "IF_NEEDED" }

    mutating func setTransferFiles() throws(SubmitError) {
        var inputs: [String] = []
        if let v = try param("transfer_input_files", "TransferInput") {
            inputs = v == "\"\"" ? [] : v.split(separator: ",").map { SubmitLexer.trim(String($0)) }.filter { !$0.isEmpty }
        }
        var outputs: [String]?
        if let v = try param("transfer_output_files", "TransferOutput") {
            outputs = v == "\"\"" ? [] : v.split(separator: ",").map { SubmitLexer.trim(String($0)) }.filter { !$0.isEmpty }
        }
        let shouldText = try param("ShouldTransferFiles", "should_transfer_files")
        var should = ShouldTransfer.ifNeeded
        if let shouldText {
            guard let s = ShouldTransfer(rawValue: shouldText.uppercased()) else {
                throw fail("invalid value (\(shouldText)) for ShouldTransferFiles.  Please either specify YES, NO, or IF_NEEDED and try again.")
            }
            should = s
        }
        if should == .no && (!inputs.isEmpty || !(outputs ?? []).isEmpty) {
            throw fail("you specified files you want Condor to transfer via \"transfer_input_files\", but you disabled should_transfer_files.")
        }
        let whenText = try param("WhenToTransferOutput", "when_to_transfer_output")
        var when = "ON_EXIT"
        if let whenText {
            let w = whenText.uppercased()
            guard ["ON_EXIT", "ON_EXIT_OR_EVICT", "ON_SUCCESS", "NEVER"].contains(w) else {
                throw fail("invalid value (\(whenText)) for WhenToTransferOutput.  Please either specify ON_EXIT, or ON_EXIT_OR_EVICT and try again.")
            }
            when = w
        } else if shouldText != nil && should == .no {
            when = "NEVER"
        }
        if shouldText == nil && when == "ON_EXIT_OR_EVICT" { should = .yes }
        if (should == .no) != (when == "NEVER") {
            throw fail("WhenToTransferOutput specified as \(when) yet ShouldTransferFiles defined as \(should.rawValue).  Please remove this contradiction from your submit file and try again.")
        }
        if when == "ON_EXIT_OR_EVICT" && should == .ifNeeded {
            throw fail("\"when_to_transfer_output = ON_EXIT_OR_EVICT\" and \"should_transfer_files = IF_NEEDED\" are incompatible.")
        }
        ad.assign("ShouldTransferFiles", should.rawValue)
        if should != .no {
            ad.assign("WhenToTransferOutput", when)
            if !inputs.isEmpty { ad.assign("TransferInput", inputs.joined(separator: ",")) }
            if let outputs { ad.assign("TransferOutput", outputs.joined(separator: ",")) }
        }
        if let remaps = try param("transfer_output_remaps", "TransferOutputRemaps") {
            guard remaps.count >= 2, remaps.hasPrefix("\""), remaps.hasSuffix("\"") else {
                throw fail("transfer_output_remaps must be a quoted string, not: \(remaps)")
            }
            ad.assign("TransferOutputRemaps", String(remaps.dropFirst().dropLast()))
        }
    }

    /// URL schemes of the input files, for `stringListIMember(..., HasFileTransferPluginMethods)`.
    var transferPluginMethods: [String] {
        guard case .literal(.string(let list))? = ad["TransferInput"] else { return [] }
        var methods = Set<String>()
        for f in list.split(separator: ",") {
            if let r = f.range(of: "://"), f.startIndex < r.lowerBound {
                let scheme = f[..<r.lowerBound]
                if scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }) {
                    methods.insert(scheme.lowercased())
                }
            }
        }
        return methods.sorted()
    }
}
