import Foundation
import NIOSSH
@testable import SSHTunnel
import Testing

/// Key files written by the real ssh-keygen, read by our parser (bcrypt_pbkdf, Blowfish from
/// computed pi digits, AES-CTR); known_hosts lines, hashed by ssh-keygen -H, matched by ours.
@Suite struct KeyFileAndKnownHostsTests {
    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-keys-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func keygen(_ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-keygen")
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    func makeKey(_ name: String, type: [String], passphrase: String = "") throws -> (pem: String, pub: String) {
        let path = dir.appendingPathComponent(name).path
        try keygen(["-q"] + type + ["-N", passphrase, "-C", "test", "-f", path])
        let pub = try String(contentsOfFile: path + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        return (try String(contentsOfFile: path, encoding: .utf8), pub)
    }

    @Test func unencryptedEd25519AndECDSAKeysLoad() throws {
        for type in [["-t", "ed25519"], ["-t", "ecdsa", "-b", "256"], ["-t", "ecdsa", "-b", "384"], ["-t", "ecdsa", "-b", "521"]] {
            let (pem, pub) = try makeKey("k\(type.joined())", type: type)
            let key = try OpenSSHPrivateKey.load(pem: pem, passphrase: nil)
            #expect(String(openSSHPublicKey: key.publicKey) == pub, "\(type)")
        }
    }

    @Test func passphraseProtectedKeyDecryptsWithTheRightPassphraseOnly() throws {
        let (pem, pub) = try makeKey("enc", type: ["-t", "ed25519"], passphrase: "correct horse")
        #expect(try OpenSSHPrivateKey.publicKeyType(pem: pem) == ("ssh-ed25519", true))
        let key = try OpenSSHPrivateKey.load(pem: pem, passphrase: "correct horse")
        #expect(String(openSSHPublicKey: key.publicKey) == pub)
        #expect(throws: OpenSSHPrivateKey.LoadError.wrongPassphrase) { try OpenSSHPrivateKey.load(pem: pem, passphrase: "wrong") }
        #expect(throws: OpenSSHPrivateKey.LoadError.needsPassphrase) { try OpenSSHPrivateKey.load(pem: pem, passphrase: nil) }
        let (ecPem, ecPub) = try makeKey("enc-ec", type: ["-t", "ecdsa", "-b", "256"], passphrase: "pw")
        #expect(String(openSSHPublicKey: try OpenSSHPrivateKey.load(pem: ecPem, passphrase: "pw").publicKey) == ecPub)
    }

    @Test func rsaKeysAreRefusedSayingWhy() throws {
        let (pem, _) = try makeKey("rsa", type: ["-t", "rsa", "-b", "2048"])
        #expect(throws: OpenSSHPrivateKey.LoadError.unsupportedKeyType("ssh-rsa")) { try OpenSSHPrivateKey.load(pem: pem, passphrase: nil) }
        #expect(OpenSSHPrivateKey.LoadError.unsupportedKeyType("ssh-rsa").description.contains("RSA keys are not supported"))
        #expect(throws: OpenSSHPrivateKey.LoadError.self) { try OpenSSHPrivateKey.load(pem: "garbage", passphrase: nil) }
        var truncated = pem
        truncated.removeSubrange(truncated.index(truncated.startIndex, offsetBy: 200)..<truncated.index(truncated.endIndex, offsetBy: -40))
        #expect(throws: OpenSSHPrivateKey.LoadError.self) { try OpenSSHPrivateKey.load(pem: truncated, passphrase: nil) }
    }

    @Test func piDigitsStartTheBlowfishTables() {
        let w = Blowfish.initial
        #expect(w[0] == 0x243F_6A88 && w[1] == 0x85A3_08D3 && w[17] == 0x8979_FB1B)
        #expect(w[18] == 0xD131_0BA6)  // first word of the first S-box
    }

    @Test func knownHostsPlainHashedChangedAndUnknown() throws {
        let (_, hostKey) = try makeKey("host", type: ["-t", "ed25519"])
        let (_, otherKey) = try makeKey("other", type: ["-t", "ed25519"])
        let file = dir.appendingPathComponent("known_hosts")
        try "# comment\n[bastion.example]:2222 \(hostKey)\nplain.example,*.wild.example \(hostKey)\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let files = [file.path]
        guard case .trusted(let e) = KnownHosts.check(host: "bastion.example", port: 2222, key: hostKey, files: files) else {
            Issue.record("port entry not trusted"); return
        }
        #expect(e.line == 2)
        guard case .trusted = KnownHosts.check(host: "x.wild.example", port: 22, key: hostKey, files: files) else {
            Issue.record("wildcard not matched"); return
        }
        guard case .unknown = KnownHosts.check(host: "bastion.example", port: 22, key: hostKey, files: files) else {
            Issue.record("port 22 must not match the [host]:2222 entry"); return
        }
        guard case .changed(let c) = KnownHosts.check(host: "bastion.example", port: 2222, key: otherKey, files: files) else {
            Issue.record("a different key must be reported as changed"); return
        }
        #expect(c.line == 2)

        // ssh-keygen -H hashes every name (|1|salt|HMAC-SHA1).
        try keygen(["-H", "-f", file.path])
        let hashed = try String(contentsOf: file, encoding: .utf8)
        #expect(!hashed.contains("bastion.example") && hashed.contains("|1|"))
        guard case .trusted = KnownHosts.check(host: "bastion.example", port: 2222, key: hostKey, files: files) else {
            Issue.record("hashed entry not matched"); return
        }
        guard case .changed = KnownHosts.check(host: "plain.example", port: 22, key: otherKey, files: files) else {
            Issue.record("hashed entry: changed key not detected"); return
        }
        guard case .unknown = KnownHosts.check(host: "elsewhere.example", port: 22, key: hostKey, files: files) else {
            Issue.record("unlisted host must be unknown"); return
        }

        // accept-new appends a line that then matches; @revoked refuses.
        try KnownHosts.append(host: "new.example", port: 22, key: otherKey, to: file.path)
        guard case .trusted = KnownHosts.check(host: "new.example", port: 22, key: otherKey, files: files) else {
            Issue.record("appended line not matched"); return
        }
        try "@revoked * \(otherKey)\n".write(to: file, atomically: true, encoding: .utf8)
        guard case .revoked = KnownHosts.check(host: "any.example", port: 22, key: otherKey, files: files) else {
            Issue.record("revoked key accepted"); return
        }
        #expect(KnownHosts.fingerprint(key: hostKey).hasPrefix("SHA256:"))
    }
}
