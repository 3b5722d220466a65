import Crypto
import _CryptoExtras
import Foundation

/// Why authentication failed, in words safe to show (never the password).
public struct SASLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// PLAIN (RFC 4616): one message, `authzid NUL user NUL password`, empty authzid.
public enum PlainSASL {
    public static func initialResponse(username: String, password: Secret) -> [UInt8] {
        [0] + Array(username.utf8) + [0] + Array(password.reveal().utf8)
    }
}

/// SCRAM-SHA-256/512 client (RFC 5802 as Kafka runs it: no SASLprep, no channel binding).
/// A value type: feed it the server messages, it returns what to send next.
public struct ScramClient: Sendable {
    public enum Hash: Sendable {
        case sha256, sha512
    }

    enum State: Sendable {
        case initial
        case sentClientFirst
        case sentClientFinal(serverSignature: [UInt8])
        case done
        case failed
    }

    public let hash: Hash
    let username: String
    let password: Secret
    let clientNonce: String
    private var state: State = .initial
    private var clientFirstBare: String = ""

    /// Kafka rejects fewer iterations than this (ScramMechanism minIterations).
    public static let minIterations = 4096
    /// Above this a hostile server could make us spin; Kafka's own maximum is 16384.
    public static let maxIterations = 1_000_000

    public init(hash: Hash, username: String, password: Secret, nonce: String? = nil) {
        self.hash = hash
        self.username = username
        self.password = password
        self.clientNonce = nonce ?? ScramClient.makeNonce()
    }

    public var isComplete: Bool { if case .done = state { return true }; return false }

    /// `n,,n=<user>,r=<cnonce>`.
    public mutating func clientFirstMessage() -> [UInt8] {
        let escaped = username.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: ",", with: "=2C")
        clientFirstBare = "n=\(escaped),r=\(clientNonce)"
        state = .sentClientFirst
        return Array(("n,," + clientFirstBare).utf8)
    }

    /// Takes server-first, returns client-final with the proof.
    public mutating func handleServerFirst(_ bytes: [UInt8]) throws -> [UInt8] {
        guard case .sentClientFirst = state else { throw fail("unexpected SCRAM server-first message") }
        guard let serverFirst = String(bytes: bytes, encoding: .utf8) else { throw fail("server-first is not UTF-8") }
        let attrs = Self.attributes(serverFirst)
        if let e = attrs["e"] { throw fail("server refused authentication: \(e)") }
        guard let nonce = attrs["r"], let saltB64 = attrs["s"], let iterText = attrs["i"] else {
            throw fail("malformed SCRAM server-first message")
        }
        guard nonce.hasPrefix(clientNonce), nonce.count > clientNonce.count else {
            throw fail("server nonce does not extend the client nonce")
        }
        guard let iterations = Int(iterText), iterations >= Self.minIterations, iterations <= Self.maxIterations else {
            throw fail("server asked for \(iterText) SCRAM iterations (allowed \(Self.minIterations)...\(Self.maxIterations))")
        }
        guard let salt = Data(base64Encoded: saltB64) else { throw fail("SCRAM salt is not base64") }

        let salted: [UInt8]
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(password.reveal().utf8), salt: salt,
                using: hash == .sha256 ? .sha256 : .sha512,
                outputByteCount: hash == .sha256 ? 32 : 64,
                unsafeUncheckedRounds: iterations)
            salted = key.withUnsafeBytes { Array($0) }
        } catch {
            throw fail("PBKDF2 failed")
        }
        let withoutProof = "c=biws,r=\(nonce)"
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        let clientKey = hmac(key: salted, Array("Client Key".utf8))
        let storedKey = digest(clientKey)
        let clientSignature = hmac(key: storedKey, authMessage)
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = hmac(key: salted, Array("Server Key".utf8))
        let serverSignature = hmac(key: serverKey, authMessage)
        state = .sentClientFinal(serverSignature: serverSignature)
        return Array("\(withoutProof),p=\(Data(proof).base64EncodedString())".utf8)
    }

    /// Checks server-final (`v=` signature, compared in constant time).
    public mutating func handleServerFinal(_ bytes: [UInt8]) throws {
        guard case .sentClientFinal(let expected) = state else { throw fail("unexpected SCRAM server-final message") }
        guard let text = String(bytes: bytes, encoding: .utf8) else { throw fail("server-final is not UTF-8") }
        let attrs = Self.attributes(text)
        if let e = attrs["e"] { throw fail("server refused authentication: \(e)") }
        guard let v = attrs["v"], let sig = Data(base64Encoded: v) else { throw fail("malformed SCRAM server-final message") }
        let got = Array(sig)
        var diff: UInt8 = got.count == expected.count ? 0 : 1
        for i in 0..<min(got.count, expected.count) { diff |= got[i] ^ expected[i] }
        guard diff == 0 else { throw fail("server signature mismatch (the server does not know this password)") }
        state = .done
    }

    private mutating func fail(_ m: String) -> SASLError {
        state = .failed
        return SASLError(m)
    }

    private func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        let k = SymmetricKey(data: key)
        switch hash {
        case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: data, using: k))
        case .sha512: return Array(HMAC<SHA512>.authenticationCode(for: data, using: k))
        }
    }

    private func digest(_ data: [UInt8]) -> [UInt8] {
        switch hash {
        case .sha256: return Array(SHA256.hash(data: data))
        case .sha512: return Array(SHA512.hash(data: data))
        }
    }

    /// Splits `a=x,b=y` on the first '=' of each comma-separated part.
    static func attributes(_ s: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in s.split(separator: ",", omittingEmptySubsequences: true) {
            guard let eq = part.firstIndex(of: "=") else { continue }
            let k = String(part[..<eq])
            if out[k] == nil { out[k] = String(part[part.index(after: eq)...]) }
        }
        return out
    }

    static func makeNonce() -> String {
        // Printable, no commas: base64 of 24 random bytes.
        var g = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: 0...255, using: &g) }
        return Data(bytes).base64EncodedString()
    }
}
