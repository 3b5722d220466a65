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
            try await lab.expectOnlyInside(cluster.brokers[0].port, "broker 1")
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

    /// Every record once, none twice: 3,000 records over 3 partitions read back through the tunnel.
    @Test func tailReadsEveryRecordThroughTheJumpHost() async throws {
        try await withLabCluster { lab, cluster in
            try await cluster.createTopic("orders", partitions: 3, replicationFactor: 1)
            var sent: Set<String> = []
            for batch in 0..<3 {
                let records = (0..<1000).map { i -> MockCluster.Record in
                    let v = "order-\(batch * 1000 + i)"
                    sent.insert(v)
                    return MockCluster.Record(key: "k\(i)", value: v, partition: Int32(i % 3))
                }
                try await cluster.produce(topic: "orders", records: records)
            }
            let k = try Kafscope(lab: lab, bootstrap: cluster.labBootstrap)
            try k.trust(lab)
            let tail = try await k.run(["tail", "orders", "--from", "beginning", "--exit-at-end", "-o", "json"])
            #expect(tail.status == 0, "\(tail.err)")
            let records = jsonLines(tail.out)
            #expect(records.count == 3000)
            let positions = records.compactMap { r -> String? in
                guard let p = r["partition"] as? Int, let o = r["offset"] as? Int else { return nil }
                return "\(p)/\(o)"
            }
            #expect(Set(positions).count == 3000, "duplicate or unplaced records")
            #expect(Set(records.compactMap { $0["value"] as? String }) == sent)
        }
    }

    /// A Connect REST endpoint whose name resolves only on the jump host, reached through a loopback
    /// forwarder over the tunnel: listing, then a confirmed (--yes) pause that really lands.
    @Test func aConnectActionGoesThroughTheJumpHost() async throws {
        try await withLabCluster(brokers: 1) { lab, cluster in
            let sim = try await lab.startConnectSimulator()
            let k = try Kafscope(lab: lab, bootstrap: cluster.labBootstrap, connect: ["qa": "http://connect-qa:\(sim.port)"])
            try k.trust(lab)
            // Nothing outside reaches the simulator: it listens on the namespace's loopback.
            try await lab.expectOnlyInside(sim.port, "the Connect simulator")
            let before = try await k.run(["get", "connectors", "-o", "json"])
            #expect(before.status == 0, "\(before.err)")
            let state = { (out: String) in jsonArray(out).first { $0["name"] as? String == "orders-source" }?["state"] as? String }
            #expect(state(before.out) == "RUNNING", "\(before.out)")

            let pause = try await k.run(["connector", "pause", "orders-source", "--connect", "qa", "--yes"])
            #expect(pause.status == 0, "\(pause.out)\(pause.err)")
            let after = try await k.run(["get", "connectors", "-o", "json"])
            #expect(state(after.out) == "PAUSED", "\(after.out)")
            let requests = try await sim.requests()
            #expect(requests.contains("/connectors/orders-source/pause"), "\(requests)")
            await sim.process.stop()
        }
    }

    /// A Connect worker and a registry the jump host cannot reach (nothing listens on their port
    /// inside): the error names the jump host's own reason, which the SOCKS reply cannot carry.
    @Test func anUnreachableConnectOrRegistryEndpointShowsTheJumpHostsReason() async throws {
        try await withLabCluster(brokers: 1) { lab, cluster in
            let k = try Kafscope(lab: lab, bootstrap: cluster.labBootstrap, extra: """
                connect = { qa = { url = "http://connect-qa:1" } }
                schema_registry = { url = "http://registry:1" }
                """)
            try k.trust(lab)
            let jumpHost = "root@\(lab.sshAddress):\(lab.sshPort)"
            let connectors = try await k.run(["get", "connectors"])
            #expect(connectors.status != 0, "\(connectors.out)\(connectors.err)")
            #expect(connectors.err.contains("Connect cluster qa (http://connect-qa:1) is unreachable: the jump host \(jumpHost) could not open "
                                            + "a connection to connect-qa:1: connect failed on the jump host (Connection refused)"),
                    "\(connectors.err)")
            let subjects = try await k.run(["get", "subjects"])
            #expect(subjects.status != 0, "\(subjects.out)\(subjects.err)")
            #expect(subjects.err.contains("is unreachable: the jump host \(jumpHost) could not open a connection to registry:1: "
                                          + "connect failed on the jump host (Connection refused)"), "\(subjects.err)")
        }
    }

    /// Groups (ListGroups/DescribeGroups/OffsetFetch) from the independent fake broker inside the
    /// namespace; its brokers advertise 127.0.0.1, which the jump host resolves to its own loopback.
    @Test func groupsThroughTheJumpHost() async throws {
        let lab = try await JumpHostLab.start()
        do {
            let fake = try await IndependentBroker.start(brokers: 3, scenario: groupScenario, environment: try await lab.peerEnvironment())
            do {
                try await lab.expectOnlyInside(fake.brokers[0].port, "the fake broker")
                let k = try Kafscope(lab: lab, bootstrap: fake.bootstrap)
                try k.trust(lab)
                let groups = try await k.run(["get", "groups", "-o", "json"])
                #expect(groups.status == 0, "\(groups.err)")
                #expect(Set(jsonArray(groups.out).compactMap { $0["group"] as? String ?? $0["name"] as? String }) == ["billing"], "\(groups.out)")
                let billing = try await k.run(["describe", "group", "billing", "-o", "json"])
                #expect(billing.status == 0, "\(billing.err)")
                #expect(billing.out.contains("m-big") && billing.out.contains("c-small"), "\(billing.out)")
            } catch {
                fake.stop()
                throw error
            }
            fake.stop()
        } catch {
            await lab.stop()
            throw error
        }
        await lab.stop()
    }

    var groupScenario: [String: Any] {
        [
            "topics": ["orders": ["partitions": [
                ["leader": 1, "replicas": [1], "isr": [1], "end": 100],
                ["leader": 2, "replicas": [2], "isr": [2], "end": 60],
                ["leader": 3, "replicas": [3], "isr": [3], "end": 5],
            ]]],
            "groups": ["billing": [
                "type": "classic", "state": "Stable", "coordinator": 2, "protocol": "range",
                "members": [
                    ["member_id": "m-small", "client_id": "c-small", "host": "/10.0.0.2", "assignment": ["orders": [2]]],
                    ["member_id": "m-big", "client_id": "c-big", "host": "/10.0.0.1", "assignment": ["orders": [1, 0]]],
                ],
                "committed": ["orders": ["0": 90, "1": 60, "2": 5]],
            ]],
        ]
    }
}

