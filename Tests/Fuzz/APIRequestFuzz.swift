// libFuzzer entry for the API's request path (see run-api-request-fuzz.sh): what the router does
// with a request before it reaches the scheduler. The input is "METHOD\nURI\nBODY". Every query
// accessor the router uses, job ids as it reads them, and the JSON body as a submit and as one
// spec, then each spec's validation: anything may be refused, nothing may trap.
import BridgeAPI
import Foundation
import WorkspaceBridge

@_cdecl("LLVMFuzzerTestOneInput")
public func apiRequestFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let lines = bytes.split(separator: 10, maxSplits: 2, omittingEmptySubsequences: false)
    let method = String(decoding: lines.first ?? [], as: UTF8.self)
    let uri = lines.count > 1 ? String(decoding: lines[1], as: UTF8.self) : "/v1/jobs"
    let body = lines.count > 2 ? Data(lines[2]) : Data()
    let r = APIRequest(method: method, uri: uri, body: body)
    _ = r.path.map(String.init)
    _ = try? r.seconds("timeout", default: 30, max: 300)
    _ = try? r.seconds("wait", default: 0, max: 60)
    _ = try? r.integer("limit", default: 10_000, in: 1...10_000).description
    _ = try? r.integer("before", default: 0, in: 1...Int64.max)
    _ = try? r.integer("after", default: 0, in: 0...Int64.max)
    for key in ["ids", "job"] {
        for text in r.query[key]?.split(separator: ",") ?? [] {
            if let id = JobID(String(text)) { _ = id > 0 }
        }
    }
    if let submit = try? JSONDecoder().decode(SubmitRequest.self, from: body) {
        for spec in submit.specs { _ = try? spec.validate() }
        _ = submit.idempotencyKey?.count
    }
    if let spec = try? JSONDecoder().decode(JobSpec.self, from: body) {
        if (try? spec.validate()) != nil {
            // A valid spec survives its own encoding: what the store writes, it can read back.
            guard let text = try? JSONEncoder().encode(spec), let again = try? JSONDecoder().decode(JobSpec.self, from: text),
                  again == spec else { fatalError("a valid spec does not survive encoding") }
        }
    }
    return 0
}
