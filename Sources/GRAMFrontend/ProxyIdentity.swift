import Foundation

/// The grid identity of an X.509 proxy file (what `grid-proxy-info -identity` prints): the
/// subject of the end-entity certificate behind the proxies, in OpenSSL's one-line form
/// (`/DC=org/DC=example/CN=Some User`), as APEL and the BLAH accounting log carry it.
///
/// A proxy's subject is its issuer's subject with one more `CN` (RFC 3820: a number; older
/// proxies: `proxy`, `limited proxy`); the file holds the proxy, its key, and the chain up to the
/// user's certificate. Only the certificates' names are read: nothing here checks a signature
/// (the gatekeeper authenticated the user; this names them for accounting).
public enum ProxyIdentity {
    /// The identity of the proxy at `path`, or nil if it cannot be read or holds no certificate.
    public static func identity(ofProxyAt path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        // A proxy file is a few kilobytes; more is not one.
        guard let data = try? handle.read(upToCount: 1 << 16) else { return nil }
        return identity(pem: String(decoding: data, as: UTF8.self))
    }

    public static func identity(pem: String) -> String? {
        let certificates = pemBlocks(pem, label: "CERTIFICATE").compactMap(names(ofCertificate:))
        guard var current = certificates.first else { return nil }
        // Up the chain while the certificate is a proxy of the next one.
        for _ in 0..<certificates.count {
            guard current.subject.count == current.issuer.count + 1, current.subject.dropLast().elementsEqual(current.issuer),
                  current.subject.last?.hasPrefix("CN=") == true else { break }
            guard let issuer = certificates.first(where: { $0.subject == current.issuer }) else {
                return "/" + current.issuer.joined(separator: "/")
            }
            current = issuer
        }
        return "/" + current.subject.joined(separator: "/")
    }

    /// The DER of each `-----BEGIN LABEL-----` block.
    static func pemBlocks(_ text: String, label: String) -> [[UInt8]] {
        var blocks: [[UInt8]] = []
        var body: String?
        for line in text.split(whereSeparator: \.isNewline) {
            let l = line.trimmingCharacters(in: .whitespaces)
            if l == "-----BEGIN \(label)-----" { body = "" } else if l == "-----END \(label)-----" {
                if let b = body, let der = Data(base64Encoded: b) { blocks.append(Array(der)) }
                body = nil
            } else if body != nil {
                body! += l
            }
        }
        return blocks
    }

    /// The issuer's and subject's names of a DER certificate, each as `KEY=value` parts.
    static func names(ofCertificate der: [UInt8]) -> (issuer: [String], subject: [String])? {
        guard let cert = DER.element(der[...]), cert.tag == 0x30, let tbs = DER.element(cert.content), tbs.tag == 0x30 else { return nil }
        var fields: [DER.Element] = []
        var rest = tbs.content
        while !rest.isEmpty, fields.count < 7, let e = DER.element(rest) {
            fields.append(e)
            rest = e.rest
        }
        // version [0] is optional; then serial, signature algorithm, issuer, validity, subject.
        let start = fields.first?.tag == 0xA0 ? 1 : 0
        guard fields.count >= start + 5, let issuer = name(fields[start + 2]), let subject = name(fields[start + 4]) else { return nil }
        return (issuer, subject)
    }

    /// A Name: a sequence of sets of (type, value).
    static func name(_ e: DER.Element) -> [String]? {
        guard e.tag == 0x30 else { return nil }
        var parts: [String] = []
        var sets = e.content
        while !sets.isEmpty {
            guard let set = DER.element(sets), set.tag == 0x31 else { return nil }
            sets = set.rest
            var pairs = set.content
            while !pairs.isEmpty {
                guard let pair = DER.element(pairs), pair.tag == 0x30, let oid = DER.element(pair.content), oid.tag == 0x06,
                      let value = DER.element(oid.rest) else { return nil }
                pairs = pair.rest
                parts.append("\(shortName(DER.oid(oid.content)))=\(DER.string(value))")
            }
        }
        return parts
    }

    /// OpenSSL's short names for the attributes grid certificates use.
    static func shortName(_ oid: String) -> String {
        [
            "2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
            "2.5.4.5": "serialNumber", "2.5.4.4": "SN", "2.5.4.42": "GN", "2.5.4.12": "title",
            "0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID", "1.2.840.113549.1.9.1": "emailAddress",
        ][oid] ?? oid
    }
}

/// Just enough DER to read names: bounded, never trapping on bad input.
enum DER {
    struct Element {
        var tag: UInt8
        var content: ArraySlice<UInt8>
        var rest: ArraySlice<UInt8>
    }

    static func element(_ bytes: ArraySlice<UInt8>) -> Element? {
        var i = bytes.startIndex
        guard i < bytes.endIndex else { return nil }
        let tag = bytes[i]
        i += 1
        guard i < bytes.endIndex else { return nil }
        var length = Int(bytes[i])
        i += 1
        if length & 0x80 != 0 {
            let n = length & 0x7F
            guard (1...3).contains(n), bytes.endIndex - i >= n else { return nil }
            length = 0
            for _ in 0..<n {
                length = length << 8 | Int(bytes[i])
                i += 1
            }
        }
        guard bytes.endIndex - i >= length else { return nil }
        return Element(tag: tag, content: bytes[i..<i + length], rest: bytes[(i + length)...])
    }

    static func oid(_ bytes: ArraySlice<UInt8>) -> String {
        guard let first = bytes.first else { return "" }
        var parts = [String(min(Int(first) / 40, 2)), String(Int(first) - min(Int(first) / 40, 2) * 40)]
        var value = 0
        for b in bytes.dropFirst() {
            guard value < 1 << 40 else { return parts.joined(separator: ".") + ".?" }
            value = value << 7 | Int(b & 0x7F)
            if b & 0x80 == 0 {
                parts.append(String(value))
                value = 0
            }
        }
        return parts.joined(separator: ".")
    }

    /// A directory string: UTF-8, printable, IA5, T61 (as Latin-1) or BMP (UTF-16).
    static func string(_ e: Element) -> String {
        switch e.tag {
        case 0x1E:
            let units = stride(from: e.content.startIndex, to: e.content.endIndex - 1, by: 2).map {
                UInt16(e.content[$0]) << 8 | UInt16(e.content[$0 + 1])
            }
            return String(decoding: units, as: UTF16.self)
        case 0x14: return String(e.content.map { Character(Unicode.Scalar($0)) })
        default: return String(decoding: e.content, as: UTF8.self)
        }
    }
}
