import Foundation
import KafkaTestSupport
@testable import SSHTunnel
import Testing

/// known_hosts host fields as sshd(8) defines them: comma-separated patterns, `*` and `?`, and a
/// `!pattern` that rejects the line for a matching name even when another pattern on it matches.
/// OpenSSHPattern is shared with ssh_config; these cases pin it down as KnownHosts uses it, and the
/// real `ssh-keygen -F` (OpenSSH's own matcher) is asked the same questions.
@Suite struct KnownHostsPatternTests {
    /// (host field, the name known_hosts compares: `host` or `[host]:port`, whether the line applies)
    static let cases: [(field: String, name: String, applies: Bool)] = [
        ("*.example.com,!gw.example.com", "db.example.com", true),
        ("*.example.com,!gw.example.com", "gw.example.com", false),
        // Order does not matter: a negated match anywhere on the line rejects it.
        ("!gw.example.com,*.example.com", "gw.example.com", false),
        ("gw.example.com,!gw.example.com", "gw.example.com", false),
        // Only negations: nothing positive matched, so the line applies to no one.
        ("!gw.example.com", "db.example.com", false),
        ("!gw.example.com", "gw.example.com", false),
        // Negated wildcards.
        ("10.0.0.*,!10.0.0.1?", "10.0.0.5", true),
        ("10.0.0.*,!10.0.0.1?", "10.0.0.12", false),
        ("10.0.0.*,!10.0.0.1?", "10.0.0.123", true),
        ("*,!*.internal", "kafka-1.internal", false),
        ("*,!*.internal", "kafka-1.example.com", true),
        // Ports other than 22 are part of the name: a negation for one port leaves the others alone.
        ("[*.example.com]:2222,![gw.example.com]:2222", "[gw.example.com]:2222", false),
        ("[*.example.com]:2222,![gw.example.com]:2222", "[db.example.com]:2222", true),
        ("*.example.com,![gw.example.com]:2222", "gw.example.com", true),
        ("[*.example.com]:2222,![gw.example.com]:2222", "db.example.com", false),
        // Patterns compare case-insensitively (the name is lowercased by KnownHosts.hostName).
        ("*.EXAMPLE.com,!GW.example.COM", "gw.example.com", false),
        ("*.EXAMPLE.com,!GW.example.COM", "db.example.com", true),
    ]

    @Test func negatedPatternsRejectTheLine() {
        for c in Self.cases {
            #expect(KnownHosts.matches(hostField: c.field, name: c.name) == c.applies, "\(c.field) for \(c.name)")
        }
    }

    /// OpenSSH's own answer for every case above: `ssh-keygen -F NAME -f FILE` lists the lines that
    /// apply to NAME (exit 1 when none does).
    @Test func ourAnswersAreOpenSSHsAnswers() async throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = try await Self.publicKey(in: dir, "k")
        for (i, c) in Self.cases.enumerated() {
            let file = dir.appendingPathComponent("known_hosts-\(i)")
            try "\(c.field) \(key)\n".write(to: file, atomically: true, encoding: .utf8)
            let r = try await ChildProcess.run(["/usr/bin/ssh-keygen", "-F", c.name, "-f", file.path])
            let openSSH = r.status == 0 && r.stdout.contains(key)
            #expect(openSSH == c.applies, "ssh-keygen -F \(c.name) on `\(c.field)`: \(r.status) \(r.stdout)\(r.stderr)")
            #expect(KnownHosts.matches(hostField: c.field, name: c.name) == openSSH, "\(c.field) for \(c.name)")
        }
    }

    /// What a negated line means for the verdict: it neither trusts the host nor counts as a line
    /// holding "another key" for it (which would be reported as a CHANGED key).
    @Test func aLineThatExcludesTheHostNeitherTrustsItNorCallsItsKeyChanged() async throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wildcardKey = try await Self.publicKey(in: dir, "wild")
        let gatewayKey = try await Self.publicKey(in: dir, "gw")
        let file = dir.appendingPathComponent("known_hosts")
        try "*.example.com,!gw.example.com \(wildcardKey)\n".write(to: file, atomically: true, encoding: .utf8)
        let files = [file.path]

        // The wildcard's key presented by the excluded host: not trusted by that line.
        #expect(KnownHosts.check(host: "gw.example.com", port: 22, key: wildcardKey, files: files) == .unknown(knownTypes: []))
        // Its own key: unknown (the user is asked to add it), not "changed".
        #expect(KnownHosts.check(host: "gw.example.com", port: 22, key: gatewayKey, files: files) == .unknown(knownTypes: []))
        // Every other host under the wildcard is trusted by line 1, and a different key there is a change.
        guard case .trusted(let e) = KnownHosts.check(host: "db.example.com", port: 22, key: wildcardKey, files: files) else {
            Issue.record("db.example.com must be trusted by the wildcard line"); return
        }
        #expect(e.line == 1)
        guard case .changed = KnownHosts.check(host: "db.example.com", port: 22, key: gatewayKey, files: files) else {
            Issue.record("another key for db.example.com must be reported as changed"); return
        }

        // With the gateway's own line after it, the gateway is trusted by that line only.
        try "*.example.com,!gw.example.com \(wildcardKey)\ngw.example.com \(gatewayKey)\n".write(to: file, atomically: true, encoding: .utf8)
        guard case .trusted(let g) = KnownHosts.check(host: "gw.example.com", port: 22, key: gatewayKey, files: files) else {
            Issue.record("gw.example.com must be trusted by its own line"); return
        }
        #expect(g.line == 2)
        guard case .changed(let c) = KnownHosts.check(host: "gw.example.com", port: 22, key: wildcardKey, files: files) else {
            Issue.record("the wildcard's key presented by gw.example.com must be a change against line 2"); return
        }
        #expect(c.line == 2)
    }

    /// `ssh-keygen -H` hashes plain names but cannot hash patterns: it leaves a negated line as it
    /// is, next to hashed ones, and both kinds keep working together.
    @Test func negatedLinesNextToHashedOnesAfterSshKeygenH() async throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wildcardKey = try await Self.publicKey(in: dir, "wild")
        let gatewayKey = try await Self.publicKey(in: dir, "gw")
        let file = dir.appendingPathComponent("known_hosts")
        try "*.example.com,!gw.example.com \(wildcardKey)\n[gw.example.com]:2222 \(gatewayKey)\n"
            .write(to: file, atomically: true, encoding: .utf8)
        _ = try await ChildProcess.run(["/usr/bin/ssh-keygen", "-H", "-f", file.path])
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("*.example.com,!gw.example.com"), "the pattern line must stay plain: \(text)")
        #expect(!text.contains("[gw.example.com]:2222") && text.contains("|1|"), "the plain name must be hashed: \(text)")
        let files = [file.path]

        guard case .trusted(let g) = KnownHosts.check(host: "gw.example.com", port: 2222, key: gatewayKey, files: files) else {
            Issue.record("the hashed [gw.example.com]:2222 line must trust its key"); return
        }
        #expect(g.line == 2)
        #expect(KnownHosts.check(host: "gw.example.com", port: 22, key: wildcardKey, files: files) == .unknown(knownTypes: []))
        guard case .trusted = KnownHosts.check(host: "db.example.com", port: 22, key: wildcardKey, files: files) else {
            Issue.record("the wildcard line must still trust db.example.com"); return
        }
    }

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-kh-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// "ssh-ed25519 AAAA..." of a fresh key made by ssh-keygen.
    static func publicKey(in dir: URL, _ name: String) async throws -> String {
        let path = dir.appendingPathComponent(name).path
        try await ChildProcess.check(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path])
        return try String(contentsOfFile: path + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
    }
}
