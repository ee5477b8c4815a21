import Foundation
import WorkspaceBridge

/// One HTTP request as the router sees it.
struct APIRequest: Sendable {
    var method: String
    var path: [Substring]
    var query: [String: String]
    var body: Data

    init(method: String, uri: String, body: Data) {
        self.method = method
        let parts = uri.split(separator: "?", maxSplits: 1)
        path = (parts.first ?? "").split(separator: "/")
        var q: [String: String] = [:]
        if parts.count > 1 {
            // `split` drops empty pieces, so "?=" or "?&" yields an empty key, never a missing one.
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let value = kv.count > 1 ? String(kv[1]) : ""
                q[String(kv[0])] = value.removingPercentEncoding ?? value
            }
        }
        query = q
        self.body = body
    }
}

extension APIRequest {
    /// A duration from the query, in `0...max` seconds; anything else (negative, not a number,
    /// infinite) is refused with the parameter's name rather than reaching a conversion that traps.
    func seconds(_ name: String, default value: Double, max: Double) throws(CommandError) -> Double {
        guard let text = query[name] else { return value }
        guard let v = Double(text), v.isFinite, v >= 0, v <= max else {
            throw CommandError(description: "\(name) must be a number of seconds from 0 to \(Int(max)), not \"\(text)\"",
                               code: "bad-request")
        }
        return v
    }

    /// An integer from the query, within `range`.
    func integer(_ name: String, default value: Int64, in range: ClosedRange<Int64>) throws(CommandError) -> Int64 {
        guard let text = query[name] else { return value }
        guard let v = Int64(text), range.contains(v) else {
            throw CommandError(description: "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), not \"\(text)\"",
                               code: "bad-request")
        }
        return v
    }
}
