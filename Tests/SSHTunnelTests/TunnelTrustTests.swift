import Foundation
import KafkaTestSupport
import Testing

/// Host keys and logins against the lab's real OpenSSH server, through the CLI as users run it.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct TunnelTrustTests {
    /// "SHA256:..." of a public key file, as ssh-keygen prints it (an independent fingerprint).
    static func fingerprint(_ pub: URL) async throws -> String {
        let out = try await ChildProcess.check(["/usr/bin/ssh-keygen", "-l", "-E", "sha256", "-f", pub.path])
        return String(out.split(separator: " ")[1])
    }

    @Test func anUnknownHostKeyIsRefusedWithItsFingerprintAndTheLineToAdd() async throws {
        try await withLabCluster(brokers: 1) { lab, cluster in
            let k = try Kafscope(lab: lab, bootstrap: cluster.labBootstrap)
            let fp = try await Self.fingerprint(lab.dir.appendingPathComponent("host_ed25519.pub"))
            let r = try await k.run(["get", "topics"])
            #expect(r.status != 0)
            #expect(r.err.contains("not in known_hosts (ssh-ed25519 \(fp))"), "\(r.err)")
            #expect(r.err.contains("add this line to \(k.knownHosts.path):\n  \(lab.knownHostsLine())"), "\(r.err)")
            #expect(r.err.contains("--ssh-accept-new"), "\(r.err)")
            #expect(!FileManager.default.fileExists(atPath: k.knownHosts.path), "refusing must not write known_hosts")
        }
    }

    @Test func acceptNewRecordsTheKeyOnceAndTrustsItAfterwards() async throws {
        try await withLabCluster(brokers: 1) { lab, cluster in
            let k = try Kafscope(lab: lab, bootstrap: cluster.labBootstrap)
            let first = try await k.run(["doctor", "--ssh-accept-new"])
            #expect(first.status == 0, "\(first.out)\(first.err)")
            #expect(first.out.contains("verified     new; added to \(k.knownHosts.path) (--ssh-accept-new)"), "\(first.out)")
            let recorded = try String(contentsOf: k.knownHosts, encoding: .utf8)
            #expect(recorded == lab.knownHostsLine() + "\n", "\(recorded)")
            // Without the flag now: trusted from the recorded line, nothing appended.
            let second = try await k.run(["doctor"])
            #expect(second.status == 0, "\(second.out)\(second.err)")
            #expect(second.out.contains("verified     matches \(k.knownHosts.path) line 1"), "\(second.out)")
            #expect(try String(contentsOf: k.knownHosts, encoding: .utf8) == recorded)
        }
    }

    @Test func aChangedHostKeyIsRefusedEvenWithAcceptNew() async throws {
        try await withLabCluster(brokers: 1) { lab, cluster in
            let k = try Kafscope(lab: lab, bootstrap: cluster.labBootstrap)
            try k.trust(lab)
            let trusted = try String(contentsOf: k.knownHosts, encoding: .utf8)
            // The jump host comes back with another key (reinstalled, or someone in the middle).
            await lab.killSSHD()
            try await lab.regenerateHostKey()
            try await lab.startSSHD()
            let fp = try await Self.fingerprint(lab.dir.appendingPathComponent("host_ed25519.pub"))
            let r = try await k.run(["get", "topics", "--ssh-accept-new"])
            #expect(r.status != 0)
            #expect(r.err.contains("REFUSED: the SSH host key of [\(lab.sshAddress)]:\(lab.sshPort) has CHANGED (now ssh-ed25519 \(fp))"), "\(r.err)")
            #expect(r.err.contains("\(k.knownHosts.path) line 1 holds another key"), "\(r.err)")
            #expect(try String(contentsOf: k.knownHosts, encoding: .utf8) == trusted, "a changed key must never be written")
        }
    }

    @Test func aPassphraseKeyFromTheEnvironmentAndAnECDSAKeyLogIn() async throws {
        try await withLabCluster(brokers: 1) { lab, cluster in
            // 4 bcrypt rounds instead of ssh-keygen's 16: the debug build's Blowfish is slow, and the
            // round count is read from the file (KeyFileAndKnownHostsTests cover the KDF itself).
            let locked = try await lab.makeKey(type: "ed25519", passphrase: "correct horse", kdfRounds: 4)
            let k = try Kafscope(lab: lab, bootstrap: cluster.labBootstrap,
                                 sshTable: ["identity_file": locked.path, "passphrase_env": "LAB_KEY_PASSPHRASE"])
            try k.trust(lab)
            let ok = try await k.run(["doctor"], env: ["LAB_KEY_PASSPHRASE": "correct horse"])
            #expect(ok.status == 0, "\(ok.out)\(ok.err)")
            let fp = try await Self.fingerprint(locked.appendingPathExtension("pub"))
            #expect(ok.out.contains("auth         publickey: key \(locked.path) (ssh-ed25519 \(fp))"), "\(ok.out)")

            let wrong = try await k.run(["get", "topics"], env: ["LAB_KEY_PASSPHRASE": "wrong"])
            #expect(wrong.status != 0)
            #expect(wrong.err.contains("key \(locked.path): wrong passphrase"), "\(wrong.err)")
            #expect(!wrong.err.contains("correct horse"), "a passphrase must never be echoed")
            // doctor names the login failure, not a connect timeout (the handshake used to sit until
            // its timer after the last refused offer, and doctor reported "not connected within 15 s").
            let unset = try await k.run(["doctor"])
            #expect(unset.status != 0)
            #expect(unset.out.contains("SSH authentication to root@\(lab.sshAddress):\(lab.sshPort) failed; tried:"), "\(unset.out)")
            #expect(unset.out.contains("key \(locked.path): the key is protected by a passphrase and none was given"), "\(unset.out)")

            let ecdsa = try await lab.makeKey(type: "ecdsa", bits: 256)
            let e = try Kafscope(lab: lab, bootstrap: cluster.labBootstrap, sshTable: ["identity_file": ecdsa.path])
            try e.trust(lab)
            let r = try await e.run(["doctor"])
            #expect(r.status == 0, "\(r.out)\(r.err)")
            #expect(r.out.contains("auth         publickey: key \(ecdsa.path) (ecdsa-sha2-nistp256 "), "\(r.out)")
        }
    }

    /// An unauthorized key, an RSA key and an ssh-agent holding the authorized key: nothing logs in,
    /// and the message says what each was and why it failed (the agent cannot sign for kafscope:
    /// swift-nio-ssh 0.15.1 signs only with keys it holds itself).
    @Test func whenNothingLogsInTheMessageListsWhatWasTried() async throws {
        try await withLabCluster(brokers: 1) { lab, cluster in
            let stranger = try await lab.makeKey(type: "ed25519", authorize: false)
            let rsa = try await lab.makeKey(type: "rsa", bits: 2048)
            let agentSocket = lab.dir.appendingPathComponent("agent.sock").path
            let agent = try ChildProcess.spawn(["/usr/bin/ssh-agent", "-D", "-a", agentSocket],
                                               stdout: lab.dir.appendingPathComponent("agent.log").path,
                                               stderr: lab.dir.appendingPathComponent("agent.log").path)
            do {
                let clock = ContinuousClock()
                let deadline = clock.now.advanced(by: .seconds(30))
                while !FileManager.default.fileExists(atPath: agentSocket) && clock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                var env = ProcessInfo.processInfo.environment
                env["SSH_AUTH_SOCK"] = agentSocket
                let add = try await ChildProcess.run(["/usr/bin/ssh-add", lab.clientKey.path], environment: env)
                #expect(add.status == 0, "\(add.stderr)")
                let k = try Kafscope(lab: lab, bootstrap: cluster.labBootstrap)
                try k.trust(lab)
                // identity_file as an array: both files are tried in order.
                try String(contentsOf: k.config, encoding: .utf8)
                    .replacingOccurrences(of: "identity_file = \"\(lab.clientKey.path)\"",
                                          with: "identity_file = [\"\(stranger.path)\", \"\(rsa.path)\"]")
                    .write(to: k.config, atomically: true, encoding: .utf8)
                let r = try await k.run(["get", "topics"], env: ["SSH_AUTH_SOCK": agentSocket])
                #expect(r.status != 0)
                let fpStranger = try await Self.fingerprint(stranger.appendingPathExtension("pub"))
                let fpAgent = try await Self.fingerprint(lab.clientKey.appendingPathExtension("pub"))
                #expect(r.err.contains("SSH authentication to root@\(lab.sshAddress):\(lab.sshPort) failed; tried:"), "\(r.err)")
                #expect(r.err.contains("- key \(stranger.path) (ssh-ed25519 \(fpStranger)): refused by the server"), "\(r.err)")
                #expect(r.err.contains("- key \(rsa.path): RSA keys are not supported"), "\(r.err)")
                #expect(r.err.contains("- ssh-agent (\(agentSocket)): holds ssh-ed25519 \(fpAgent)"), "\(r.err)")
                #expect(r.err.contains("kafscope cannot sign with agent keys"), "\(r.err)")
                #expect(r.err.contains("- the server accepts: publickey"), "\(r.err)")
            } catch {
                await agent.stop()
                throw error
            }
            await agent.stop()
        }
    }
}
