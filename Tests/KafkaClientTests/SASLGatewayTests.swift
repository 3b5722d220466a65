import ClusterModel
import KafkaAdmin
import KafkaClient
import KafkaTestSupport
import Testing

/// kafscope's own SASL login (PLAIN, SCRAM-SHA-256/512) and SASL over TLS succeeding over the network,
/// against the gateway (Tests/Peers/gateway.py, its own SCRAM server) in front of the librdkafka mock.
/// The gateway closes a connection that sends anything but SaslHandshake/SaslAuthenticate/ApiVersions
/// before a successful login, so every answered request below proves the login on that connection.
@Suite struct SASLGatewayTests {
    static let password = "gateway-s3cr3t"

    static func exercise(_ cluster: MockCluster, mechanism: SASLMechanism, password: String,
                         tls: TLSSettings? = nil) async throws -> (Partial<[TopicSummary]>, KafkaClient) {
        let config = try TestClients.config(bootstrap: cluster.bootstrap, tls: tls,
                                            sasl: SASLSettings(mechanism: mechanism, username: "alice", password: Secret(password)))
        let client = TestClients.client(config)
        do {
            let topics = try await KafkaAdminService(client: client).topics()
            return (topics, client)
        } catch {
            await client.shutdown()
            throw error
        }
    }

    @Test(arguments: [SASLMechanism.scramSHA256, .scramSHA512, .plain])
    func loginSucceedsOnEveryBroker(mechanism: SASLMechanism) async throws {
        try await MockCluster.with(brokers: 2, security: .sasl([mechanism.rawValue], users: ["alice": Self.password])) { cluster in
            #expect(cluster.security?.securityProtocol == "SASL_PLAINTEXT")
            try await cluster.createTopic("secured", partitions: 2)
            try await cluster.setLeader(topic: "secured", partition: 0, broker: 1)
            try await cluster.setLeader(topic: "secured", partition: 1, broker: 2)
            _ = try await cluster.produce(topic: "secured", records: [.init(key: "k", value: "v", partition: 1)])
            let (topics, client) = try await Self.exercise(cluster, mechanism: mechanism, password: Self.password)
            let counts = client.counterSnapshot()
            await client.shutdown()
            #expect(topics.errors.isEmpty, "\(topics.errors)")
            // ListOffsets answered by both leaders, each behind its own gateway connection.
            #expect(topics.value.first { $0.name == "secured" }?.messages == 1, "\(topics.value)")
            #expect(counts.perBroker[1]?["ListOffsets"] != nil && counts.perBroker[2]?["ListOffsets"] != nil, "\(counts.perBroker)")
        }
    }

    @Test(arguments: [SASLMechanism.scramSHA256, .scramSHA512])
    func wrongPasswordIsASASLErrorWithoutThePassword(mechanism: SASLMechanism) async throws {
        try await MockCluster.with(brokers: 1, security: .sasl([mechanism.rawValue], users: ["alice": Self.password])) { cluster in
            do {
                let (_, client) = try await Self.exercise(cluster, mechanism: mechanism, password: "not-the-password")
                await client.shutdown()
                Issue.record("a wrong password logged in")
            } catch {
                let text = "\(error)"
                #expect(text.contains("SASL") && text.contains("authentication"), "\(text)")
                #expect(!text.contains("not-the-password") && !text.contains(Self.password), "\(text)")
            }
        }
    }

    @Test func scramOverTLS() async throws {
        let security = MockCluster.Security.sasl(["SCRAM-SHA-512"], users: ["alice": Self.password], tls: true)
        try await MockCluster.with(brokers: 2, security: security) { cluster in
            let info = try #require(cluster.security)
            #expect(info.securityProtocol == "SASL_SSL")
            try await cluster.createTopic("tls-secured", partitions: 2)
            let (topics, client) = try await Self.exercise(cluster, mechanism: .scramSHA512, password: Self.password,
                                                           tls: TLSSettings(caFile: try #require(info.caFile)))
            await client.shutdown()
            #expect(topics.errors.isEmpty, "\(topics.errors)")
            #expect(topics.value.first { $0.name == "tls-secured" }?.partitions == 2)
            // The same login without TLS against the TLS listener fails at TLS, not later.
            do {
                let (_, c) = try await Self.exercise(cluster, mechanism: .scramSHA512, password: Self.password)
                await c.shutdown()
                Issue.record("plaintext reached a SASL_SSL listener")
            } catch {
                #expect("\(error)".contains("TLS"), "\(error)")
            }
        }
    }
}
