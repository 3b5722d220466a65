import Foundation
import KafkaTestSupport
import Testing

/// Two jump hosts chained by ~/.ssh/config's ProxyJump: jump1 is reachable from here, jump2 only from
/// jump1 (its namespace hangs off jump1's), the brokers only from jump2 (its loopback).
@Suite(.serialized, .timeLimit(.minutes(5)))
struct TunnelProxyJumpTests {
    @Test func aHostEntryWithProxyJumpReachesBrokersBehindTwoJumpHosts() async throws {
        try await Self.withTwoHops { jump1, jump2, cluster in
            try await cluster.createTopic("two-hops-away", partitions: 2, replicationFactor: 1)
            // From here: jump1's sshd only; not jump2's (its subnet is unreachable here), not the brokers.
            #expect(JumpHostLab.canConnect(jump1.sshAddress, jump1.sshPort))
            #expect(!JumpHostLab.canConnect(jump2.sshAddress, jump2.sshPort))
            #expect(try await jump1.inside("python3", "-c", """
                import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 5); print("reached")
                """, jump2.sshAddress, String(jump2.sshPort)).contains("reached"))
            try await jump2.expectOnlyInside(cluster.brokers[0].port, "broker 1")

            let k = try Self.kafscope(jump1, jump2, cluster)
            let topics = try await k.run(["get", "topics", "-o", "json"])
            #expect(topics.status == 0, "\(topics.out)\(topics.err)")
            #expect(jsonArray(topics.out).first { $0["name"] as? String == "two-hops-away" }?["partitions"] as? Int == 2,
                    "\(topics.out)\(topics.err)")

            let doctor = try await k.run(["doctor"])
            #expect(doctor.status == 0, "\(doctor.out)\(doctor.err)")
            #expect(doctor.out.contains("OK   ssh root@\(jump2.sshAddress):\(jump2.sshPort) (through root@\(jump1.sshAddress):\(jump1.sshPort))"),
                    "\(doctor.out)")
            #expect(doctor.out.contains("OK   broker 1 kafka-1:"), "\(doctor.out)")
            // jump2's sshd saw the login come from jump1's side of their link, not from here.
            #expect(jump2.sshdLog.contains("Accepted publickey for root from \(jump2.hostAddress)"), "\(jump2.sshdLog)")
        }
    }

    /// The second hop's port refuses (nothing listens there): jump1's sshd says so at once, and
    /// kafscope exits naming that hop and the reason, instead of retrying it forever (it once ran
    /// on after 90 s). The harness's 120 s only keeps a hang from blocking the suite.
    @Test func aRefusingSecondHopFailsNamingTheHop() async throws {
        try await Self.withTwoHops { jump1, jump2, cluster in
            let k = try Self.kafscope(jump1, jump2, cluster, innerPort: jump2.sshPort + 1)
            let hop = "root@\(jump2.sshAddress):\(jump2.sshPort + 1) (through root@\(jump1.sshAddress):\(jump1.sshPort))"

            let topics = try await k.run(["get", "topics", "-o", "json"], timeout: .seconds(120))
            #expect(topics.status != 0, "\(topics.out)\(topics.err)")
            #expect(topics.err.contains("cannot reach SSH jump host \(hop): root@\(jump1.sshAddress):\(jump1.sshPort) could not open a connection to it"),
                    "\(topics.err)")
            #expect(topics.err.contains("Connection refused"), "\(topics.err)")

            let doctor = try await k.run(["doctor"], timeout: .seconds(120))
            #expect(doctor.status != 0, "\(doctor.out)\(doctor.err)")
            #expect(doctor.out.contains("FAIL ssh \(hop)"), "\(doctor.out)\(doctor.err)")
            #expect(doctor.out.contains("Connection refused"), "\(doctor.out)\(doctor.err)")
        }
    }

    /// The second hop never answers (every packet to it is lost, as with an unroutable address or a
    /// dropping firewall): the attempt ends at that hop's own ConnectTimeout (2 s here, the
    /// first hop's is 40 s) and kafscope exits naming the hop; nothing here measures the time.
    @Test func aSilentSecondHopFailsAtItsOwnConnectTimeoutNamingTheHop() async throws {
        try await Self.withTwoHops { jump1, jump2, cluster in
            let k = try Self.kafscope(jump1, jump2, cluster, outerOptions: "ConnectTimeout 40", innerOptions: "ConnectTimeout 2")
            try await jump2.makeSilent()
            let hop = "root@\(jump2.sshAddress):\(jump2.sshPort) (through root@\(jump1.sshAddress):\(jump1.sshPort))"

            let topics = try await k.run(["get", "topics", "-o", "json"], timeout: .seconds(120))
            #expect(topics.status != 0, "\(topics.out)\(topics.err)")
            #expect(topics.err.contains("cannot reach SSH jump host \(hop): root@\(jump1.sshAddress):\(jump1.sshPort) got no answer from it within 2.0 s"),
                    "\(topics.err)")
        }
    }

    // MARK: The two-hop lab

    /// jump1 reachable from here, jump2 only from jump1, a one-broker cluster advertising kafka-1
    /// only on jump2's loopback; all stopped afterwards, also after a failure.
    static func withTwoHops(_ body: (JumpHostLab, JumpHostLab, MockCluster) async throws -> Void) async throws {
        let jump1 = try await JumpHostLab.start()
        do {
            let jump2 = try await JumpHostLab.start(hosts: ["kafka-1"], behind: jump1)
            do {
                try jump2.authorize(publicKeyFile: jump1.clientKey.appendingPathExtension("pub"))
                let cluster = try await MockCluster.start(brokers: 1, environment: try await jump2.peerEnvironment())
                do {
                    try await cluster.advertise(cluster.brokers[0].id, host: "kafka-1", port: cluster.brokers[0].port)
                    try await body(jump1, jump2, cluster)
                } catch {
                    await cluster.stop()
                    throw error
                }
                await cluster.stop()
            } catch {
                await jump2.stop()
                throw error
            }
            await jump2.stop()
        } catch {
            await jump1.stop()
            throw error
        }
        await jump1.stop()
    }

    /// kafscope whose context names only the Host alias `inner`; everything else comes from
    /// ~/.ssh/config (inner's port and extra options may be changed for the failure cases).
    static func kafscope(_ jump1: JumpHostLab, _ jump2: JumpHostLab, _ cluster: MockCluster, innerPort: Int? = nil,
                         outerOptions: String = "", innerOptions: String = "") throws -> Kafscope {
        let k = try Kafscope(lab: jump1, bootstrap: "kafka-1:\(cluster.brokers[0].port)", sshTable: ["host": "inner", "identity_file": ""])
        try """
            # kafscope test: two hops
            Host outer
                HostName \(jump1.sshAddress)
                Port \(jump1.sshPort)
                User root
                \(outerOptions)
            Host inner
                HostName=\(jump2.sshAddress)
                Port \(innerPort ?? jump2.sshPort)
                User root
                ProxyJump outer
                \(innerOptions)
            Host *
                User nobody-should-win-over-the-entries-above
                IdentityFile "\(jump1.clientKey.path)"
            """.write(to: k.home.appendingPathComponent(".ssh/config"), atomically: true, encoding: .utf8)
        // (The key of jump2 is listed under its real port: a refused port never gets as far as a key.)
        try (jump1.knownHostsLine() + "\n" + jump2.knownHostsLine() + "\n").write(to: k.knownHosts, atomically: true, encoding: .utf8)
        return k
    }
}
