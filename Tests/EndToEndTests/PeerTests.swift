import Foundation
import KafkaTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

// The test peers checked against an independent client (kcat), so that tests built on them
// rest on peers that behave like Kafka.

private func metadata(_ bootstrap: String, librdkafka: Kcat.Librdkafka = .system) async throws -> [String: Any] {
    let values = try await Kcat.json(["-L", "-J", "-m", "15", "-b", bootstrap], librdkafka: librdkafka)
    return try #require(values.first as? [String: Any])
}

private func brokerNames(_ md: [String: Any]) -> [Int: String] {
    var out: [Int: String] = [:]
    for b in md["brokers"] as? [[String: Any]] ?? [] {
        if let id = b["id"] as? Int, let name = b["name"] as? String { out[id] = name }
    }
    return out
}

private func topicPartitions(_ md: [String: Any]) -> [String: [[String: Any]]] {
    var out: [String: [[String: Any]]] = [:]
    for t in md["topics"] as? [[String: Any]] ?? [] {
        if let name = t["topic"] as? String { out[name] = t["partitions"] as? [[String: Any]] ?? [] }
    }
    return out
}

/// Reads a whole partition with kcat (-e: exit at the end), one JSON object per record.
private func consume(_ bootstrap: String, topic: String, partition: Int32, librdkafka: Kcat.Librdkafka = .system,
                     extra: [String] = []) async throws -> [[String: Any]] {
    let values = try await Kcat.json(["-C", "-e", "-J", "-q", "-b", bootstrap, "-t", topic, "-p", String(partition),
                                      "-o", "beginning"] + extra, librdkafka: librdkafka)
    return values.compactMap { $0 as? [String: Any] }
}

private func processExists(_ pid: Int32) -> Bool {
    kill(pid, 0) == 0 || errno == EPERM
}

@Suite("Test peers", .serialized)
struct PeerTests {
    @Test("mock cluster: brokers advertise unresolvable names, kcat sees them and the topics")
    func mockClusterMetadata() async throws {
        try await MockCluster.with(brokers: 3) { cluster in
            #expect(cluster.brokers.map(\.id) == [1, 2, 3])
            #expect(Set(cluster.brokers.map(\.port)).count == 3)

            try await cluster.createTopic("orders", partitions: 12, replicationFactor: 3)
            try await cluster.createTopic("audit-log", partitions: 3, replicationFactor: 1)
            let slave1 = cluster.brokers[1]
            try await cluster.advertise(2, host: "srv-prod-kafka-slave1")
            try await cluster.advertise(3, host: "kafka-3.invalid", port: 19093)

            let md = try await metadata(try cluster.address(of: 1))
            let names = brokerNames(md)
            #expect(names[1] == "127.0.0.1:\(cluster.brokers[0].port)")
            #expect(names[2] == "srv-prod-kafka-slave1:\(slave1.port)")
            #expect(names[3] == "kafka-3.invalid:19093")

            let topics = topicPartitions(md)
            #expect(topics["orders"]?.count == 12)
            #expect(topics["audit-log"]?.count == 3)
            let replicas = (topics["orders"]?.first?["replicas"] as? [[String: Any]])?.compactMap { $0["id"] as? Int }
            #expect(replicas?.count == 3)

            // Advertising moves nothing: broker 2 still answers on its real port.
            let direct = try await metadata(slave1.address)
            #expect(brokerNames(direct)[2] == "srv-prod-kafka-slave1:\(slave1.port)")
        }
    }

    @Test("mock cluster: records produced with each codec read back with kcat", arguments: MockCluster.Compression.allCases)
    func mockClusterCodecs(codec: MockCluster.Compression) async throws {
        try await MockCluster.with(brokers: 1) { cluster in
            let topic = "codec-\(codec.rawValue)"
            try await cluster.createTopic(topic, partitions: 2)
            let value = String(repeating: "{\"amount\":42,\"currency\":\"EUR\"}", count: 20)
            let records = (0..<3).map { i in
                MockCluster.Record(key: "key-\(i)", value: "\(i):\(value)",
                                   headers: [.init("trace-id", "t\(i)"), .init("source", "peer-test")])
            }
            let deliveries = try await cluster.produce(topic: topic, records: records, partition: 1, compression: codec)
            #expect(deliveries == [.init(partition: 1, offset: 0), .init(partition: 1, offset: 1), .init(partition: 1, offset: 2)])

            let read = try await consume(cluster.bootstrap, topic: topic, partition: 1)
            #expect(read.count == 3)
            for (i, rec) in read.enumerated() {
                #expect(rec["offset"] as? Int == i)
                #expect(rec["key"] as? String == "key-\(i)")
                #expect(rec["payload"] as? String == "\(i):\(value)")
                #expect(rec["headers"] as? [String] == ["trace-id", "t\(i)", "source", "peer-test"])
            }
            #expect(try await consume(cluster.bootstrap, topic: topic, partition: 0).isEmpty)
        }
    }

    @Test("mock cluster: binary and null keys/values, explicit timestamps")
    func mockClusterBinary() async throws {
        try await MockCluster.with(brokers: 1) { cluster in
            try await cluster.createTopic("bin", partitions: 1)
            // NUL, ESC[31m and a two-byte UTF-8 character: bytes a viewer must sanitise (kcat -J needs valid UTF-8).
            let bytes: [UInt8] = [0x00, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xc3, 0xa9]
            try await cluster.produce(topic: "bin", records: [
                .init(key: nil, value: bytes, timestamp: 1_700_000_000_123),
                .init(key: [0x01, 0x02], value: nil, headers: [.init("empty", nil)]),
            ], compression: .lz4)
            let read = try await consume(cluster.bootstrap, topic: "bin", partition: 0)
            #expect(read.count == 2)
            #expect(read.first?["ts"] as? Int == 1_700_000_000_123)
            #expect(read.first?["key"] is NSNull)
            #expect(read.first?["payload"] as? String == "\u{0}\u{1b}[31m\u{e9}")
            #expect(read.last?["key"] as? String == "\u{1}\u{2}")
            #expect((read.last?["headers"] as? [Any])?.count == 2)
            #expect(read.last?["payload"] is NSNull)
        }
    }

    @Test("mock cluster: transactions write control markers that consumers skip")
    func mockClusterTransactions() async throws {
        try await MockCluster.with(brokers: 3) { cluster in
            try await cluster.createTopic("payments", partitions: 1, replicationFactor: 3)
            var offsets: [Int64] = []
            offsets += try await cluster.produce(topic: "payments", records: [.init(key: "a", value: "committed-1")],
                                                 transactional: true).map(\.offset)
            offsets += try await cluster.produce(topic: "payments", records: [.init(key: "b", value: "aborted")],
                                                 transactional: true, abort: true).map(\.offset)
            offsets += try await cluster.produce(topic: "payments", records: [.init(key: "c", value: "committed-2")],
                                                 transactional: true).map(\.offset)
            // Each commit/abort marker takes an offset: data at 0, 2, 4; markers at 1, 3, 5.
            #expect(offsets == [0, 2, 4])
            let read = try await consume(cluster.bootstrap, topic: "payments", partition: 0,
                                         extra: ["-X", "isolation.level=read_uncommitted"])
            #expect(read.compactMap { $0["offset"] as? Int } == [0, 2, 4])
            // The mock returns no aborted-transaction list in Fetch, so even read_committed shows "aborted".
            #expect(read.compactMap { $0["payload"] as? String } == ["committed-1", "aborted", "committed-2"])
            let end = try await Kcat.run(["-Q", "-b", cluster.bootstrap, "-t", "payments:0:-1"])
            #expect(end.stdout.contains("payments [0] offset 6"))
        }
    }

    @Test("mock cluster: committed offsets are where a group member resumes")
    func mockClusterCommittedOffsets() async throws {
        try await MockCluster.with(brokers: 3) { cluster in
            try await cluster.createTopic("clicks", partitions: 1, replicationFactor: 3)
            try await cluster.produce(topic: "clicks", records: (0..<5).map { .init(key: "k\($0)", value: "v\($0)") },
                                      partition: 0)
            // Brokers advertise names that do not resolve: the peer's own consumer must still commit.
            try await cluster.advertise(1, host: "srv-prod-kafka-master")
            try await cluster.advertise(2, host: "srv-prod-kafka-slave1")
            try await cluster.advertise(3, host: "srv-prod-kafka-slave2")
            try await cluster.commitOffsets(group: "orders-processor", topic: "clicks", offsets: [0: 3])
            try await cluster.advertise(1, host: "127.0.0.1")
            try await cluster.advertise(2, host: "127.0.0.1")
            try await cluster.advertise(3, host: "127.0.0.1")

            // kcat in balanced-consumer mode starts from the group's committed offset.
            let values = try await Kcat.json(["-C", "-e", "-J", "-q", "-b", cluster.bootstrap, "-G", "orders-processor",
                                              "-X", "enable.auto.commit=false", "-X", "auto.offset.reset=earliest",
                                              "clicks"], timeout: .seconds(90))
            let payloads = values.compactMap { ($0 as? [String: Any])?["payload"] as? String }
            #expect(payloads == ["v3", "v4"])
        }
    }

    @Test("mock cluster: a broker set down refuses connections until set up")
    func mockClusterBrokerDown() async throws {
        try await MockCluster.with(brokers: 2) { cluster in
            try await cluster.setBrokerDown(2)
            let down = try await Kcat.run(["-L", "-J", "-m", "3", "-b", try cluster.address(of: 2)])
            #expect(down.status != 0)
            try await cluster.setBrokerUp(2)
            let md = try await metadata(try cluster.address(of: 2))
            #expect(brokerNames(md).count == 2)
        }
    }

    @Test("mock cluster: a command the peer cannot carry out fails with its message; stop leaves no process")
    func mockClusterErrorsAndStop() async throws {
        let cluster = try await MockCluster.start(brokers: 1)
        try await cluster.createTopic("single", partitions: 1)
        let error = await #expect(throws: PeerError.self) {
            try await cluster.produce(topic: "single", records: [.init(key: "k", value: "v")], partition: 7)
        }
        #expect(error?.description.contains("produce failed") == true)
        // The peer still answers after a failed command.
        try await cluster.createTopic("after-error", partitions: 1)
        #expect(processExists(cluster.pid))
        await cluster.stop()
        #expect(!processExists(cluster.pid))
        #expect(try await Kcat.run(["-L", "-m", "2", "-b", cluster.bootstrap]).status != 0)
    }

    @Test("mock cluster behind TLS: kcat verifies the test CA; with client auth it needs the client certificate")
    func mockClusterTLS() async throws {
        try await MockCluster.with(brokers: 2, security: .tls(clientAuth: true)) { cluster in
            let info = try #require(cluster.security)
            #expect(info.securityProtocol == "SSL")
            let ca = try #require(info.caFile), cert = try #require(info.clientCertFile), key = try #require(info.clientKeyFile)
            try await cluster.createTopic("secure", partitions: 1)
            try await cluster.produce(topic: "secure", records: [.init(key: "k", value: "over tls")])

            let tls = ["-X", "security.protocol=SSL", "-X", "ssl.ca.location=\(ca)"]
            let mtls = tls + ["-X", "ssl.certificate.location=\(cert)", "-X", "ssl.key.location=\(key)"]
            let md = try #require(try await Kcat.json(["-L", "-J", "-m", "15", "-b", cluster.bootstrap] + mtls).first as? [String: Any])
            let expected = cluster.brokers.map { "localhost:\($0.securePort ?? -1)" }
            #expect(brokerNames(md).values.sorted() == expected.sorted())
            let read = try await consume(cluster.bootstrap, topic: "secure", partition: 0, extra: mtls)
            #expect(read.compactMap { $0["payload"] as? String } == ["over tls"])

            let noCert = try await Kcat.run(["-L", "-m", "2", "-b", cluster.bootstrap] + tls)
            #expect(noCert.status != 0)
            let wrongCA = try await Kcat.run(["-L", "-m", "2", "-b", cluster.bootstrap, "-X", "security.protocol=SSL",
                                              "-X", "ssl.ca.location=/etc/ssl/certs/ca-certificates.crt"])
            #expect(wrongCA.status != 0)
        }
    }

    @Test("mock cluster behind SASL: PLAIN and SCRAM-SHA-256/512 accept the right password and refuse others",
          arguments: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
    func mockClusterSASL(mechanism: String) async throws {
        let users = ["alice": "alice-secret", "b,o=b": "p@ss=word"]
        try await MockCluster.with(brokers: 2, security: .sasl(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"], users: users)) { cluster in
            #expect(cluster.security?.securityProtocol == "SASL_PLAINTEXT")
            try await cluster.createTopic("guarded", partitions: 1)
            try await cluster.produce(topic: "guarded", records: [.init(key: "k", value: "authenticated")])
            func login(_ user: String, _ password: String) -> [String] {
                ["-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanism=\(mechanism)",
                 "-X", "sasl.username=\(user)", "-X", "sasl.password=\(password)"]
            }
            // Debian's librdkafka 2.0.2 repeats the client nonce in SCRAM's final message, which Kafka
            // (and this gateway) refuse; the wheel's librdkafka does it right.
            for (user, password) in users {
                let read = try await consume(cluster.bootstrap, topic: "guarded", partition: 0, librdkafka: .bundled,
                                             extra: login(user, password))
                #expect(read.compactMap { $0["payload"] as? String } == ["authenticated"], "user \(user)")
            }
            let wrong = try await Kcat.run(["-L", "-m", "2", "-b", cluster.bootstrap] + login("alice", "wrong"),
                                           librdkafka: .bundled)
            #expect(wrong.status != 0)
            #expect(wrong.stderr.contains("Authentication failed"))
            let unknown = try await Kcat.run(["-L", "-m", "2", "-b", cluster.bootstrap] + login("mallory", "x"),
                                             librdkafka: .bundled)
            #expect(unknown.status != 0)
            let none = try await Kcat.run(["-L", "-m", "2", "-b", cluster.bootstrap])
            #expect(none.status != 0)
        }
    }

    @Test("mock cluster behind SASL_SSL: SCRAM-SHA-512 over TLS; a mechanism that is not enabled is refused")
    func mockClusterSASLSSL() async throws {
        try await MockCluster.with(brokers: 1, security: .sasl(["SCRAM-SHA-512"], users: ["svc": "s3cret"], tls: true)) { cluster in
            let info = try #require(cluster.security)
            #expect(info.securityProtocol == "SASL_SSL")
            let base = ["-X", "security.protocol=SASL_SSL", "-X", "ssl.ca.location=\(try #require(info.caFile))",
                        "-X", "sasl.username=svc", "-X", "sasl.password=s3cret"]
            let ok = try await Kcat.run(["-L", "-m", "10", "-b", cluster.bootstrap, "-X", "sasl.mechanism=SCRAM-SHA-512"] + base,
                                        librdkafka: .bundled)
            #expect(ok.status == 0, "\(ok.stderr)")
            let plain = try await Kcat.run(["-L", "-m", "2", "-b", cluster.bootstrap, "-X", "sasl.mechanism=PLAIN"] + base,
                                           librdkafka: .bundled)
            #expect(plain.status != 0)
        }
    }

    @Test("tmux session: the first command returns (the server does not hold our pipe), keys reach the program")
    func tmuxSession() async throws {
        let tmux = try TmuxSession(command: ["bash", "--norc", "-c", "read -r line; echo \"got:$line:$GREETING\"; sleep 60"],
                                   width: 80, height: 10, environment: ["GREETING": "hi"])
        try tmux.type("hello")
        try tmux.send("Enter")
        let screen = try await tmux.waitFor(timeout: .seconds(90)) { $0.contains("got:hello:hi") }
        #expect(screen.contains("got:hello:hi"))
        #expect(tmux.isAlive)
        tmux.kill()
        #expect(!tmux.isAlive)
    }

    @Test("tansu: kcat (with the wheel's librdkafka) sees the broker, topic and records")
    func tansuMetadataAndRecords() async throws {
        try await TansuBroker.with { tansu in
            try await tansu.createTopic("events", partitions: 2)
            let deliveries = try await tansu.produce(topic: "events", records: [
                .init(key: "a", value: "1"), .init(key: "b", value: "2", headers: [.init("h", "v")]),
            ], partition: 0)
            #expect(deliveries.map(\.offset) == [0, 1])

            let md = try await metadata(tansu.bootstrap, librdkafka: .bundled)
            #expect(Array(brokerNames(md).values) == [tansu.advertised])
            #expect(topicPartitions(md)["events"]?.count == 2)
            let read = try await consume(tansu.bootstrap, topic: "events", partition: 0, librdkafka: .bundled)
            #expect(read.compactMap { $0["payload"] as? String } == ["1", "2"])
            #expect(read.last?["headers"] as? [String] == ["h", "v"])
        }
    }

    @Test("tansu: advertised hostname shows in metadata")
    func tansuAdvertisedName() async throws {
        try await TansuBroker.with(advertisedHost: "tansu-broker.invalid") { tansu in
            #expect(tansu.advertised == "tansu-broker.invalid:\(tansu.port)")
            let md = try await metadata(tansu.bootstrap, librdkafka: .bundled)
            #expect(Array(brokerNames(md).values) == ["tansu-broker.invalid:\(tansu.port)"])
        }
    }

    @Test("tansu with authentication: SCRAM is offered and an unknown user is refused")
    func tansuScramRefusesUnknownUser() async throws {
        try await TansuBroker.with(authentication: true) { tansu in
            #expect(tansu.saslMechanisms.contains("SCRAM-SHA-256"))
            let out = try await Kcat.run(["-L", "-m", "5", "-b", tansu.bootstrap, "-X", "security.protocol=SASL_PLAINTEXT",
                                          "-X", "sasl.mechanism=SCRAM-SHA-256", "-X", "sasl.username=alice",
                                          "-X", "sasl.password=secret", "-X", "debug=security"],
                                         librdkafka: .bundled, timeout: .seconds(30))
            #expect(out.status != 0)
            #expect(out.stderr.contains("unknown-user"))
            #expect(!out.stderr.contains("secret"))
        }
    }

    @Test("tansu: stopping the launcher stops the broker process")
    func tansuStopLeavesNothing() async throws {
        let tansu = try await TansuBroker.start()
        _ = try await metadata(tansu.bootstrap, librdkafka: .bundled)
        #expect(processExists(tansu.brokerPID))
        await tansu.stop()
        #expect(!processExists(tansu.brokerPID))
        let out = try await Kcat.run(["-L", "-m", "2", "-b", tansu.bootstrap], librdkafka: .bundled)
        #expect(out.status != 0)
    }
}
