import Foundation
import KafkaTestSupport
import Testing

/// kafscope outside, brokers inside a network namespace reachable only through the lab's sshd.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct TunnelClusterTests {
    @Test func metadataTopicsAndDoctorThroughTheJumpHost() async throws {
        try await withLabCluster { lab, cluster in
            try await cluster.createTopic("through-ssh", partitions: 3, replicationFactor: 2)
            // The brokers' names do not resolve here, and their addresses are the namespace's loopback.
            #expect(!JumpHostLab.canConnectForTests(cluster.brokers[0].port))
            let k = try Kafscope(lab: lab, bootstrap: cluster.labBootstrap)
            try k.trust(lab)

            let topics = try await k.run(["get", "topics", "-o", "json"])
            #expect(topics.status == 0, "\(topics.err)")
            let t = jsonArray(topics.out).first { $0["name"] as? String == "through-ssh" }
            #expect(t?["partitions"] as? Int == 3)

            let brokers = try await k.run(["get", "brokers", "-o", "json"])
            #expect(brokers.status == 0, "\(brokers.err)")
            #expect(Set(jsonArray(brokers.out).compactMap { $0["host"] as? String }) == ["kafka-1", "kafka-2", "kafka-3"])

            let doctor = try await k.run(["doctor"])
            #expect(doctor.status == 0, "\(doctor.out)\(doctor.err)")
            #expect(doctor.out.contains("OK   ssh root@\(lab.sshAddress):\(lab.sshPort)"), "\(doctor.out)")
            #expect(doctor.out.contains("host key     ssh-ed25519 SHA256:"), "\(doctor.out)")
            #expect(doctor.out.contains("verified     matches \(k.knownHosts.path) line 1"), "\(doctor.out)")
            #expect(doctor.out.contains("auth         publickey: key \(lab.clientKey.path)"), "\(doctor.out)")
            for id in 1...3 { #expect(doctor.out.contains("OK   broker \(id) kafka-\(id):"), "\(doctor.out)") }
        }
    }

    @Test func aBrokerTheJumpHostCannotReachIsNamedWithTheFarSideReason() async throws {
        try await withLabCluster { lab, cluster in
            try await cluster.createTopic("t", partitions: 1, replicationFactor: 1)
            // Broker 3 advertises a port nothing listens on inside the namespace.
            try await cluster.advertise(3, host: "kafka-3", port: 1)
            let k = try Kafscope(lab: lab, bootstrap: cluster.labBootstrap)
            try k.trust(lab)
            let doctor = try await k.run(["doctor"])
            #expect(doctor.status == 1)
            #expect(doctor.out.contains("OK   ssh "), "\(doctor.out)")
            #expect(doctor.out.contains("FAIL broker 3 kafka-3:1"), "\(doctor.out)")
            #expect(doctor.out.contains("[jump host connect]"), "\(doctor.out)")
            #expect(doctor.out.contains("connect failed on the jump host"), "\(doctor.out)")
            #expect(doctor.out.contains("OK   broker 1 kafka-1:"), "\(doctor.out)")
        }
    }
}

extension JumpHostLab {
    /// Whether this (outer) namespace reaches 127.0.0.1:port: it must not reach the lab's brokers.
    static func canConnectForTests(_ port: Int) -> Bool { canConnect("127.0.0.1", port) }
}
