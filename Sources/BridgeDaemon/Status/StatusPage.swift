import Foundation

/// The status page: plain HTML rendered here, refreshed by the browser itself (meta refresh),
/// readable without scripts. Every value from a job or a user is escaped; no job's arguments
/// or environment is in the snapshot it is made from.
enum StatusPage {
    static func render(_ s: StatusSnapshot) -> String {
        func name(_ uid: UInt32) -> String { s.names[uid] ?? "uid \(uid)" }
        let queued = s.queues.reduce(0) { $0 + $1.queued }, held = s.queues.reduce(0) { $0 + $1.held }
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="refresh" content="\(s.refreshSeconds)">
            <title>wsbridge status</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
            h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.4em 0 .4em}
            table{border-collapse:collapse}td,th{padding:.2em .7em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
            th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}
            .totals{display:flex;gap:2em;margin:.8em 0}.totals div{font-size:1.6em}.totals span{display:block;font-size:.55em;color:#666}
            .charts{display:flex;gap:1.5em;flex-wrap:wrap}.muted{color:#777}.bar{background:#eee;width:8em;height:.7em;display:inline-block}
            .bar i{display:block;height:100%;background:#4a7}.full i{background:#c54}
            </style></head><body>
            <h1>wsbridge</h1>
            <div class="muted">as of \(time(s.at)) · refreshes every \(s.refreshSeconds) s</div>
            <div class="totals">
            <div id="total-running">\(s.running.count)<span>running</span></div>
            <div id="total-queued">\(queued)<span>queued</span></div>
            <div id="total-held">\(held)<span>held</span></div>
            <div id="total-workspaces">\(s.workspaces.count)<span>workspaces</span></div>
            <div id="total-failures">\(s.failures.count)<span>recent failures</span></div>
            </div>

            """
        h += "<h2>Last hour</h2><div class=\"charts\" id=\"charts\">"
        h += StatusCharts.chart(id: "chart-running", title: "jobs running", s.history.map { ($0.at, Double($0.running)) }, now: s.at)
        h += StatusCharts.chart(id: "chart-queued", title: "jobs queued", s.history.map { ($0.at, Double($0.queued)) }, now: s.at)
        h += StatusCharts.chart(id: "chart-starts", title: "starts per minute", s.history.map { ($0.at, $0.startsPerMinute) }, now: s.at)
        h += "</div>\n"

        h += table("queues", "Queues by owner and class", ["owner", "class", "queued", "held", "running"], s.queues.map { q in
            [esc(name(q.owner)), esc(q.className), num(q.queued), num(q.held), num(q.running)]
        })
        h += table("waiting", "Oldest queued jobs: why they wait", ["job", "owner", "class", "queued for", "reason"], s.waiting.map { w in
            [String(w.job), esc(name(w.owner)), esc(w.className), duration(s.at - w.submittedAt), esc(w.reason)]
        })
        h += table("running", "Running jobs", ["job", "owner", "class", "workspace", "state", "for"], s.running.map { r in
            [String(r.job), esc(name(r.owner)), esc(r.className), esc(r.workspace), r.state.rawValue, duration(s.at - r.since)]
        })
        h += table("workspaces", "Workspaces", ["workspace", "class", "provider", "host", "state", "slots used", "lease left", "enforcement"],
                   s.workspaces.map { w in
            [esc(w.id), esc(w.className), esc(w.provider), esc(w.host), esc(w.state), "\(w.runs) / \(w.slots)",
             duration(w.leaseExpiresAt - s.at), esc(w.enforcement)]
        })
        h += table("limits", "Throttle limits", ["limit", "in use", "of", ""], s.limits.map { l in
            let share = l.limit > 0 ? min(1, l.used / l.limit) : 1
            return [esc(l.name), number(l.used), number(l.limit),
                    "<span class=\"bar\(share >= 1 ? " full" : "")\"><i style=\"width:\(Int(share * 100))%\"></i></span>"]
        })
        h += table("failures", "Recent failures", ["job", "owner", "class", "when", "reason"], s.failures.map { f in
            [String(f.job), esc(name(f.owner)), esc(f.className), time(f.at), esc(f.reason)]
        })
        h += "<p class=\"muted\">Job arguments and environments are not shown here; ask the daemon's socket "
            + "(<code>wsbridge status JOB</code>) as the job's owner or an admin. Metrics: <a href=\"/metrics\">/metrics</a>.</p>"
        h += "</body></html>\n"
        return h
    }

    static func table(_ id: String, _ title: String, _ columns: [String], _ rows: [[String]]) -> String {
        var t = "<h2>\(title)</h2>\n"
        guard !rows.isEmpty else { return t + "<p class=\"muted\" id=\"\(id)\">none</p>\n" }
        t += "<table id=\"\(id)\"><thead><tr>" + columns.map { "<th>\($0)</th>" }.joined() + "</tr></thead><tbody>\n"
        for r in rows { t += "<tr>" + r.map { "<td>\($0)</td>" }.joined() + "</tr>\n" }
        return t + "</tbody></table>\n"
    }

    static func num(_ n: Int) -> String { String(n) }

    static func number(_ x: Double) -> String {
        x.rounded() == x && abs(x) < 1e15 ? String(Int64(x)) : String(format: "%.2f", x)
    }

    /// HTML-escapes text (element content and quoted attribute values).
    static func esc(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c.properties.generalCategory == .control && c != "\t" ? "\u{FFFD}" : c)
            }
        }
        return out
    }

    static func time(_ t: Double) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: t)) + " UTC"
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        let s = Int(max(0, min(seconds, 1e9)))
        if s < 120 { return "\(s) s" }
        if s < 7200 { return "\(s / 60) min" }
        if s < 172_800 { return "\(s / 3600) h" }
        return "\(s / 86_400) d"
    }
}

/// Small line charts as inline SVG, drawn on the server.
enum StatusCharts {
    static let width = 300.0, height = 90.0

    static func chart(id: String, title: String, _ points: [(at: Double, value: Double)], now: Double) -> String {
        let top = max(1, points.map(\.value).max() ?? 0)
        let start = now - StatusHistory.span
        func x(_ t: Double) -> Double { max(0, min(width, (t - start) / StatusHistory.span * width)) }
        func y(_ v: Double) -> Double { height - v / top * (height - 10) }
        let path = points.map { String(format: "%.1f,%.1f", x($0.at), y($0.value)) }.joined(separator: " ")
        // The area under the line, closed along the bottom.
        let area = points.isEmpty ? "" : String(format: "%.1f,%.1f ", x(points[0].at), height) + path
            + String(format: " %.1f,%.1f", x(points[points.count - 1].at), height)
        let last = points.last.map { StatusPage.number(($0.value * 10).rounded() / 10) } ?? "0"
        return """
            <figure style="margin:0"><figcaption>\(StatusPage.esc(title)): <b>\(last)</b> <span class="muted">(max \(StatusPage.number(top)))</span></figcaption>
            <svg id="\(id)" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="\(StatusPage.esc(title)) over the last hour" style="background:#fafafa;border:1px solid #ddd">
            <line x1="0" y1="\(height - 0.5)" x2="\(width)" y2="\(height - 0.5)" stroke="#bbb"/>
            <polygon fill="#2a6" fill-opacity="0.15" stroke="none" points="\(area)"/>
            <polyline fill="none" stroke="#2a6" stroke-width="2" points="\(path)"/>
            <text x="3" y="11" font-size="10" fill="#888">1 h ago</text><text x="\(Int(width) - 3)" y="11" font-size="10" fill="#888" text-anchor="end">now</text>
            </svg></figure>

            """
    }
}
