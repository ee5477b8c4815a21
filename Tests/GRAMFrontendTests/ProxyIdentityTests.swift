import Foundation
import GRAMFrontend
import Testing

/// The identity of a proxy file, from real certificates made by openssl, against what the Grid
/// Community Toolkit's `grid-proxy-info -identity` says of the same file where it is installed.
@Suite struct ProxyIdentityTests {
    static let openssl = "/usr/bin/openssl"
    static let gridProxyInfo = "/usr/bin/grid-proxy-info"

    /// A user certificate and a chain of `depth` RFC 3820 proxies; returns the proxy file's path.
    func makeProxy(in dir: String, subject: String, depth: Int) throws -> String {
        func run(_ args: [String]) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Self.openssl)
            p.arguments = args
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            p.currentDirectoryURL = URL(fileURLWithPath: dir)
            try p.run()
            p.waitUntilExit()
            try #require(p.terminationStatus == 0, "openssl \(args)")
        }
        try "proxyCertInfo=critical,language:id-ppl-inheritAll\n".write(toFile: dir + "/ext.cnf", atomically: true, encoding: .utf8)
        try run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "c0.key", "-out", "c0.pem", "-days", "2", "-subj", subject])
        var name = subject
        for level in 1...depth {
            name += "/CN=\(1_000_000 + level)"
            try run(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "c\(level).key", "-out", "c\(level).csr", "-subj", name])
            try run(["x509", "-req", "-in", "c\(level).csr", "-CA", "c\(level - 1).pem", "-CAkey", "c\(level - 1).key",
                     "-set_serial", "\(1_000_000 + level)", "-days", "1", "-extfile", "ext.cnf", "-out", "c\(level).pem"])
        }
        // As grid-proxy-init writes it: the proxy, its key, then the chain up to the user's certificate.
        var file = try String(contentsOfFile: "\(dir)/c\(depth).pem", encoding: .utf8)
            + String(contentsOfFile: "\(dir)/c\(depth).key", encoding: .utf8)
        for level in stride(from: depth - 1, through: 0, by: -1) { file += try String(contentsOfFile: "\(dir)/c\(level).pem", encoding: .utf8) }
        let path = dir + "/x509up"
        try file.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
        return path
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: openssl)), arguments: [1, 2])
    func theIdentityIsTheUsersCertificatesSubject(depth: Int) throws {
        let dir = NSTemporaryDirectory() + "wsb-proxy-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let subject = "/DC=org/DC=example/O=Test Org/OU=Physics/CN=Test User"
        let path = try makeProxy(in: dir, subject: subject, depth: depth)
        #expect(ProxyIdentity.identity(ofProxyAt: path) == subject)
        if FileManager.default.isExecutableFile(atPath: Self.gridProxyInfo) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Self.gridProxyInfo)
            p.arguments = ["-file", path, "-identity"]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == subject, "grid-proxy-info says \(text)")
        }
    }

    @Test func whatIsNoProxyHasNoIdentityAndNeverTraps() throws {
        #expect(ProxyIdentity.identity(pem: "") == nil)
        #expect(ProxyIdentity.identity(pem: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n") == nil)
        #expect(ProxyIdentity.identity(ofProxyAt: "/nonexistent/x509up") == nil)
        // Every truncation and a run of byte flips of a real certificate: an identity or nil.
        let der: [UInt8] = [0x30, 0x82, 0x01, 0x00, 0x30, 0x81, 0x90, 0xA0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01,
                            0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B, 0x05, 0x00,
                            0x30, 0x10, 0x31, 0x0E, 0x30, 0x0C, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0C, 0x05, 0x41, 0x6C, 0x69, 0x63, 0x65]
        var generator = SystemRandomNumberGenerator()
        for n in 0...der.count {
            var bytes = Array(der.prefix(n))
            _ = ProxyIdentity.identity(pem: "-----BEGIN CERTIFICATE-----\n\(Data(bytes).base64EncodedString())\n-----END CERTIFICATE-----\n")
            if !bytes.isEmpty {
                for _ in 0..<20 {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                    _ = ProxyIdentity.identity(pem: "-----BEGIN CERTIFICATE-----\n\(Data(bytes).base64EncodedString())\n-----END CERTIFICATE-----\n")
                }
            }
        }
    }
}
