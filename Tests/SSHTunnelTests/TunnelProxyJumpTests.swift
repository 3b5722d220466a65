import Foundation
import KafkaTestSupport
import Testing

/// Two jump hosts chained by ~/.ssh/config's ProxyJump: jump1 is reachable from here, jump2 only from
/// jump1 (its namespace hangs off jump1's), the brokers only from jump2 (its loopback).
@Suite(.serialized, .timeLimit(.minutes(5)))
struct TunnelProxyJumpTests {
    @Test func aHostEntryWithProxyJumpReachesBrokersBehindTwoJumpHosts() async throws {
        let jump1 = try await JumpHostLab.start()
        do {
            let jump2 = try await JumpHostLab.start(hosts: ["kafka-1"], behind: jump1)
            do {
                try jump2.authorize(publicKeyFile: jump1.clientKey.appendingPathExtension("pub"))
                let cluster = try await MockCluster.start(brokers: 1, environment: try await jump2.peerEnvironment())
                do {
                    try await cluster.advertise(cluster.brokers[0].id, host: "kafka-1", port: cluster.brokers[0].port)
                    try await cluster.createTopic("two-hops-away", partitions: 2, replicationFactor: 1)
                    // From here: jump1's sshd only; not jump2's (its subnet is unreachable here), not the brokers.
                    #expect(JumpHostLab.canConnect(jump1.sshAddress, jump1.sshPort))
                    #expect(!JumpHostLab.canConnect(jump2.sshAddress, jump2.sshPort))
                    #expect(try await jump1.inside("python3", "-c", """
                        import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 5); print("reached")
                        """, jump2.sshAddress, String(jump2.sshPort)).contains("reached"))
                    try await jump2.expectOnlyInside(cluster.brokers[0].port, "broker 1")

                    // The context names only the Host alias; everything else comes from ~/.ssh/config.
                    let k = try Kafscope(lab: jump1, bootstrap: "kafka-1:\(cluster.brokers[0].port)",
                                         sshTable: ["host": "inner", "identity_file": ""])
                    try """
                        # kafscope test: two hops
                        Host outer
                            HostName \(jump1.sshAddress)
                            Port \(jump1.sshPort)
                            User root
                        Host inner
                            HostName=\(jump2.sshAddress)
                            Port \(jump2.sshPort)
                            User root
                            ProxyJump outer
                        Host *
                            User nobody-should-win-over-the-entries-above
                            IdentityFile "\(jump1.clientKey.path)"
                        """.write(to: k.home.appendingPathComponent(".ssh/config"), atomically: true, encoding: .utf8)
                    try (jump1.knownHostsLine() + "\n" + jump2.knownHostsLine() + "\n")
                        .write(to: k.knownHosts, atomically: true, encoding: .utf8)

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
}
