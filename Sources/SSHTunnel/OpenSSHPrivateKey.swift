import Crypto
import _CryptoExtras
import Foundation
import NIOSSH

/// A private key file in OpenSSH's format ("-----BEGIN OPENSSH PRIVATE KEY-----", openssh-key-v1):
/// ed25519 and ECDSA (P-256/384/521) keys become NIOSSH keys; the file may be protected by a
/// passphrase (bcrypt KDF + aes256-ctr/aes128-ctr/aes256-gcm, what ssh-keygen writes).
/// RSA keys parse but cannot be used: swift-nio-ssh 0.15.1 signs with ed25519 and ECDSA only.
public enum OpenSSHPrivateKey {
    public enum LoadError: Error, CustomStringConvertible, Equatable {
        case notOpenSSHFormat(String)
        case needsPassphrase
        case wrongPassphrase
        case unsupportedKeyType(String)
        case unsupportedCipher(String)
        case malformed(String)

        public var description: String {
            switch self {
            case .notOpenSSHFormat(let what):
                return "not an OpenSSH private key (\(what)); convert it with `ssh-keygen -p -f FILE` (which rewrites it in OpenSSH format)"
            case .needsPassphrase: return "the key is protected by a passphrase and none was given"
            case .wrongPassphrase: return "wrong passphrase"
            case .unsupportedKeyType(let t):
                if t == "ssh-rsa" {
                    return "RSA keys are not supported (swift-nio-ssh 0.15.1 signs with ed25519 and ECDSA keys only); use an ed25519 or ECDSA key"
                }
                return "key type \(t) is not supported (ed25519 and ECDSA are)"
            case .unsupportedCipher(let c): return "the key is encrypted with \(c), which kafscope cannot decrypt (aes256-ctr, aes128-ctr and aes256-gcm@openssh.com are supported)"
            case .malformed(let why): return "malformed key file (\(why))"
            }
        }
    }

    /// The key type written in the file's public part, readable without the passphrase.
    public static func publicKeyType(pem: String) throws -> (type: String, encrypted: Bool) {
        let blob = try decodePEM(pem)
        var r = SSHWireReader(blob)
        do {
            _ = try r.take(magic.count)
            let cipher = try r.text()
            _ = try r.text(); _ = try r.string()
            guard try r.uint32() >= 1 else { throw LoadError.malformed("no keys") }
            var pub = SSHWireReader(try r.string())
            return (try pub.text(), cipher != "none")
        } catch is SSHWireReader.Truncated {
            throw LoadError.malformed("truncated")
        }
    }

    /// Parses (and decrypts) the first key in the file.
    public static func load(pem: String, passphrase: String?) throws -> NIOSSHPrivateKey {
        let blob = try decodePEM(pem)
        do {
            var r = SSHWireReader(blob)
            _ = try r.take(magic.count)
            let cipher = try r.text()
            let kdf = try r.text()
            let kdfOptions = try r.string()
            let count = try r.uint32()
            guard count >= 1 else { throw LoadError.malformed("no keys") }
            for _ in 0..<count { _ = try r.string() }  // public keys
            var privateSection = try r.string()
            if cipher != "none" {
                guard kdf == "bcrypt" else { throw LoadError.unsupportedCipher("KDF \(kdf)") }
                guard let passphrase, !passphrase.isEmpty else { throw LoadError.needsPassphrase }
                var o = SSHWireReader(kdfOptions)
                let salt = try o.string()
                let rounds = Int(try o.uint32())
                guard rounds >= 1, rounds <= 1 << 20 else { throw LoadError.malformed("KDF rounds \(rounds)") }
                privateSection = try decrypt(privateSection, cipher: cipher, passphrase: Array(passphrase.utf8),
                                             salt: salt, rounds: rounds, tag: r.rest)
            }
            var p = SSHWireReader(privateSection)
            let check1 = try p.uint32(), check2 = try p.uint32()
            guard check1 == check2 else {
                throw cipher == "none" ? LoadError.malformed("check words differ") : LoadError.wrongPassphrase
            }
            let type = try p.text()
            switch type {
            case "ssh-ed25519":
                _ = try p.string()
                let secret = try p.string()
                guard secret.count == 64 else { throw LoadError.malformed("ed25519 key of \(secret.count) bytes") }
                return NIOSSHPrivateKey(ed25519Key: try Curve25519.Signing.PrivateKey(rawRepresentation: secret[0..<32]))
            case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521":
                _ = try p.text()  // curve name
                _ = try p.string()  // public point
                let d = try p.mpint()
                switch type {
                case "ecdsa-sha2-nistp256": return NIOSSHPrivateKey(p256Key: try .init(rawRepresentation: pad(d, 32)))
                case "ecdsa-sha2-nistp384": return NIOSSHPrivateKey(p384Key: try .init(rawRepresentation: pad(d, 48)))
                default: return NIOSSHPrivateKey(p521Key: try .init(rawRepresentation: pad(d, 66)))
                }
            default:
                throw LoadError.unsupportedKeyType(type)
            }
        } catch is SSHWireReader.Truncated {
            throw LoadError.malformed("truncated")
        } catch let e as LoadError {
            throw e
        } catch {
            throw LoadError.malformed("invalid key material")
        }
    }

    static let magic = Array("openssh-key-v1\0".utf8)

    static func decodePEM(_ pem: String) throws -> [UInt8] {
        let begin = "-----BEGIN OPENSSH PRIVATE KEY-----", end = "-----END OPENSSH PRIVATE KEY-----"
        guard let b = pem.range(of: begin), let e = pem.range(of: end), b.upperBound <= e.lowerBound else {
            if pem.contains("-----BEGIN RSA PRIVATE KEY-----") { throw LoadError.notOpenSSHFormat("PEM RSA key") }
            if pem.contains("-----BEGIN EC PRIVATE KEY-----") { throw LoadError.notOpenSSHFormat("PEM EC key") }
            if pem.contains("-----BEGIN PRIVATE KEY-----") { throw LoadError.notOpenSSHFormat("PKCS#8 key") }
            throw LoadError.notOpenSSHFormat("no BEGIN OPENSSH PRIVATE KEY line")
        }
        let body = pem[b.upperBound..<e.lowerBound].filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: String(body)) else { throw LoadError.malformed("bad base64") }
        let bytes = Array(data)
        guard bytes.starts(with: magic) else { throw LoadError.malformed("missing openssh-key-v1 header") }
        return bytes
    }

    static func pad(_ b: [UInt8], _ n: Int) throws -> [UInt8] {
        guard b.count <= n else { throw LoadError.malformed("private scalar too long") }
        return [UInt8](repeating: 0, count: n - b.count) + b
    }

    static func decrypt(_ data: [UInt8], cipher: String, passphrase: [UInt8], salt: [UInt8], rounds: Int,
                        tag: [UInt8]) throws -> [UInt8] {
        let keyLength: Int, ivLength: Int
        switch cipher {
        case "aes256-ctr": (keyLength, ivLength) = (32, 16)
        case "aes128-ctr": (keyLength, ivLength) = (16, 16)
        case "aes256-gcm@openssh.com": (keyLength, ivLength) = (32, 12)
        default: throw LoadError.unsupportedCipher(cipher)
        }
        let material = BcryptPBKDF.derive(passphrase: passphrase, salt: salt, rounds: rounds, keyLength: keyLength + ivLength)
        let key = SymmetricKey(data: material[0..<keyLength])
        let iv = Array(material[keyLength...])
        if cipher.hasPrefix("aes256-gcm") {
            guard tag.count >= 16 else { throw LoadError.malformed("missing GCM tag") }
            do {
                let box = try AES.GCM.SealedBox(nonce: try AES.GCM.Nonce(data: iv), ciphertext: data, tag: tag[0..<16])
                return Array(try AES.GCM.open(box, using: key))
            } catch {
                throw LoadError.wrongPassphrase
            }
        }
        return Array(try AES._CTR.decrypt(data, using: key, nonce: try AES._CTR.Nonce(nonceBytes: iv)))
    }
}
