import AgentProtocol
import CMunge
import Foundation

/// A MUNGE credential that proves a caller's uid and gid to the daemon's network API, bound to
/// one request: its payload names the method, the target and the body's SHA-256, so it cannot be
/// moved to another request, and munged refuses to decode it twice (its replay cache), so it
/// cannot be sent again. Every host shares one MUNGE key and the same uids, as Slurm requires.
public enum MungeCredential {
    /// The HTTP header that carries it: `Authorization: MUNGE <credential>`.
    public static let scheme = "MUNGE"

    /// What the credential's payload says about the request it was made for.
    public static func binding(method: String, target: String, body: Data) -> Data {
        Data("wsbridge-api/1\n\(method) \(target)\n\(SHA256.hex(of: body))".utf8)
    }

    /// Makes a credential for one request, through the local munged (as the calling user).
    public static func encode(method: String, target: String, body: Data, socket: String? = nil) throws(MungeError) -> String {
        let payload = binding(method: method, target: target, body: body)
        var cred: UnsafeMutablePointer<CChar>?
        var error: UnsafePointer<CChar>?
        let rc = payload.withUnsafeBytes { raw in
            wsb_munge_encode(socket, raw.baseAddress, Int32(raw.count), &cred, &error)
        }
        guard rc == 0, let cred else { throw MungeError(code: Int(rc), message: error.map { String(cString: $0) } ?? "unknown") }
        defer { free(cred) }
        return String(cString: cred)
    }

    /// Who made a valid credential for this request, as the daemon's `decoder` (its own uid).
    public struct Caller: Sendable, Equatable {
        public var uid: UInt32
        public var gid: UInt32
    }

    /// Checks a credential for `method target body`; the caller it proves, or why it proves
    /// nothing. A credential restricted to another decoder (`munge -U`, `-G`) is refused: root
    /// can decode every credential, but one made for someone else was not made for us.
    public static func decode(_ credential: String, method: String, target: String, body: Data,
                              decoderUID: UInt32, decoderGID: UInt32, socket: String? = nil) throws(MungeError) -> Caller {
        // A credential is base64 text of a few hundred bytes; anything else is not one.
        guard credential.utf8.count <= 8192, credential.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw MungeError(code: 8, message: "not a MUNGE credential")
        }
        var identity = wsb_munge_identity()
        var payload: UnsafeMutableRawPointer?
        var length: Int32 = 0
        var error: UnsafePointer<CChar>?
        let rc = wsb_munge_decode(socket, credential, &identity, &payload, &length, &error)
        guard rc == 0 else { throw MungeError(code: Int(rc), message: error.map { String(cString: $0) } ?? "unknown") }
        let bound = payload.map { Data(bytes: $0, count: Int(length)) } ?? Data()
        free(payload)
        let anyone = UInt32.max
        guard identity.uid_restriction == anyone || identity.uid_restriction == decoderUID,
              identity.gid_restriction == anyone || identity.gid_restriction == decoderGID else {
            throw MungeError(code: 18, message: "the credential was made for uid \(identity.uid_restriction), not for this daemon")
        }
        guard bound == binding(method: method, target: target, body: body) else {
            throw MungeError(code: 14, message: "the credential was made for another request")
        }
        return Caller(uid: identity.uid, gid: identity.gid)
    }
}

/// A MUNGE failure: munge's error number (`munge.h`: 14 invalid, 15 expired, 17 replayed, 18
/// unauthorized, ...) and its message.
public struct MungeError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var description: String { "MUNGE: \(message)" }
}
