import WorkspaceBridge

/// What an HTCondor or BLAH job's ad tells its accounting records: the job id on the submit
/// side (BLAH's client job id, else cluster.proc) and the proxy's subject and first FQAN (the
/// blahp passes the subject with `-u`; an ad may carry `x509UserProxyFirstFQAN`).
extension CondorJobObserver {
    public func gridJob(_ job: Job) -> GridJob? {
        guard let origin = condor(job) else { return nil }
        func string(_ name: String) -> String? {
            guard let text = origin.ad.first(where: { $0.key.lowercased() == name.lowercased() })?.value,
                  case .literal(.string(let s))? = try? ClassAdParser.parse(text), !s.isEmpty else { return nil }
            return s
        }
        let id = string("ClientJobId") ?? origin.cluster.map { "\($0).\(origin.proc ?? 0)" }
        let grid = GridJob(jobID: id, userDN: string("x509UserProxySubject"),
                           fqan: string("x509UserProxyFirstFQAN"))
        return grid.isEmpty ? nil : grid
    }
}
