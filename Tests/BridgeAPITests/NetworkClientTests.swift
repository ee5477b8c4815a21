import AgentProtocol
@testable import BridgeAPI
import Foundation
import Testing
import WorkspaceBridge

/// The pieces of the network API that need no munged: what a credential binds, how servers are
/// named, and how a client fails over (the credentials themselves: `Tests/munge/run.sh`).
@Suite struct NetworkClientTests {
    @Test func aCredentialBindsMethodTargetAndBody() {
        let body = Data(#"{"spec":{}}"#.utf8)
        let binding = String(decoding: MungeCredential.binding(method: "POST", target: "/v1/jobs", body: body), as: UTF8.self)
        #expect(binding == "wsbridge-api/1\nPOST /v1/jobs\n\(SHA256.hex(of: body))")
        #expect(MungeCredential.binding(method: "POST", target: "/v1/jobs", body: Data("{}".utf8))
            != MungeCredential.binding(method: "POST", target: "/v1/jobs", body: body))
        #expect(MungeCredential.binding(method: "GET", target: "/v1/jobs/1", body: Data())
            != MungeCredential.binding(method: "GET", target: "/v1/jobs/2", body: Data()))
    }

    @Test func serversAreHostAndPort() throws {
        #expect(try TCPConnection.split("bridge1.example.org:7301") == ("bridge1.example.org", "7301"))
        #expect(try TCPConnection.split("10.0.0.1:1") == ("10.0.0.1", "1"))
        #expect(try TCPConnection.split("[::1]:7301") == ("::1", "7301"))
        for bad in ["bridge", "bridge:", ":7301", "bridge:0", "bridge:65536", "bridge:-1", "[::1]7301", "bridge:99999999999999999999"] {
            #expect(throws: TCPConnection.Failure.self, "\(bad)") { try TCPConnection.split(bad) }
        }
    }

    /// A credential that cannot be made (munged is not at that socket) stops at the first server
    /// that accepted: the request is never sent without one. A server that refuses is passed over.
    @Test func aRefusedServerIsPassedOverInOrder() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { p in
            try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                try #require(bind(listener, sa, length) == 0 && listen(listener, 4) == 0)
                try #require(getsockname(listener, sa, &length) == 0)
            }
        }
        let live = "127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
        // A port nobody listens on: the closed socket's own, from a second socket just released.
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var dead = sockaddr_in()
        dead.sin_family = sa_family_t(AF_INET)
        dead.sin_addr.s_addr = inet_addr("127.0.0.1")
        var deadLength = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &dead) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                _ = bind(probe, sa, deadLength)
                _ = getsockname(probe, sa, &deadLength)
            }
        }
        close(probe)
        let refused = "127.0.0.1:\(UInt16(bigEndian: dead.sin_port))"

        let client = BridgeClient(servers: [refused, live], mungeSocket: "/nonexistent/munge.socket")
        #expect {
            _ = try client.request("GET", "/v1/health", body: nil)
        } throws: { error in
            // It got past the refused server to the live one, where it needed a credential.
            "\(error)".contains("MUNGE")
        }
        let alone = BridgeClient(servers: [refused], mungeSocket: "/nonexistent/munge.socket")
        #expect {
            _ = try alone.request("GET", "/v1/health", body: nil)
        } throws: { error in
            "\(error)".contains("cannot reach a wsbridge daemon at \(refused)") && "\(error)".contains("refused")
        }
    }
}
