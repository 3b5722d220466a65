import Foundation

/// A librdkafka mock cluster (Tests/Peers/mock_cluster.py) running as a child process.
///
/// Its brokers are real Kafka protocol listeners on 127.0.0.1. The mock supports Metadata, Produce,
/// Fetch, ListOffsets, FindCoordinator, OffsetCommit/OffsetFetch and transactions, but not
/// ListGroups, DescribeGroups, DescribeConfigs or DescribeCluster; it trims old log segments.
/// `advertise` changes only the advertised address: a broker keeps listening on its real port.
public actor MockCluster {
    public struct Broker: Sendable, Hashable {
        public let id: Int32
        public let host: String
        /// The port the broker really listens on (127.0.0.1), plaintext.
        public let port: Int
        /// With `Security`: the port of its TLS/SASL gateway, which the broker advertises.
        public let securePort: Int?
        public var address: String { "\(host):\(port)" }
    }

    /// TLS and/or SASL in front of every broker (Tests/Peers/gateway.py): the mock has neither itself.
    public struct Security: Sendable, Hashable {
        public var tls: Bool
        /// The TLS listener requires a client certificate signed by the test CA.
        public var clientAuth: Bool
        /// "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512".
        public var saslMechanisms: [String]
        public var users: [String: String]

        public init(tls: Bool = false, clientAuth: Bool = false, saslMechanisms: [String] = [], users: [String: String] = [:]) {
            self.tls = tls
            self.clientAuth = clientAuth
            self.saslMechanisms = saslMechanisms
            self.users = users
        }

        public static func tls(clientAuth: Bool = false) -> Security { Security(tls: true, clientAuth: clientAuth) }

        public static func sasl(_ mechanisms: [String], users: [String: String], tls: Bool = false) -> Security {
            Security(tls: tls, saslMechanisms: mechanisms, users: users)
        }
    }

    /// What a client needs to reach a secured cluster.
    public struct SecurityInfo: Sendable, Hashable {
        /// Kafka's security.protocol: SSL, SASL_PLAINTEXT or SASL_SSL.
        public let securityProtocol: String
        public let saslMechanisms: [String]
        /// PEM files of the test CA and (with clientAuth) the client certificate and key.
        public let caFile: String?
        public let clientCertFile: String?
        public let clientKeyFile: String?
    }

    public enum Compression: String, Sendable, CaseIterable {
        case none, gzip, snappy, lz4, zstd
    }

    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: [UInt8]?
        public init(_ name: String, _ value: [UInt8]?) { self.name = name; self.value = value }
        public init(_ name: String, _ value: String) { self.init(name, Array(value.utf8)) }
    }

    public struct Record: Sendable, Hashable {
        public var key: [UInt8]?
        public var value: [UInt8]?
        public var headers: [Header]
        /// nil: the producer's partitioner chooses (or the produce call's partition).
        public var partition: Int32?
        /// Milliseconds since the epoch; nil: the producer stamps it.
        public var timestamp: Int64?

        public init(key: [UInt8]?, value: [UInt8]?, headers: [Header] = [], partition: Int32? = nil,
                    timestamp: Int64? = nil) {
            self.key = key
            self.value = value
            self.headers = headers
            self.partition = partition
            self.timestamp = timestamp
        }

        public init(key: String?, value: String?, headers: [Header] = [], partition: Int32? = nil,
                    timestamp: Int64? = nil) {
            self.init(key: key.map { Array($0.utf8) }, value: value.map { Array($0.utf8) }, headers: headers,
                      partition: partition, timestamp: timestamp)
        }
    }

    /// Where one produced record landed.
    public struct Delivery: Sendable, Hashable {
        public let partition: Int32
        public let offset: Int64
        public init(partition: Int32, offset: Int64) { self.partition = partition; self.offset = offset }
    }

    /// Bootstrap list; with `Security`, the gateways.
    public nonisolated let bootstrap: String
    /// The brokers' own plaintext listeners (reachable also when secured).
    public nonisolated let plaintextBootstrap: String
    public nonisolated let security: SecurityInfo?
    public nonisolated let brokers: [Broker]
    public nonisolated let librdkafkaVersion: String
    /// The peer process (the mock brokers run inside it).
    public nonisolated let pid: Int32
    private let process: PeerProcess

    private init(process: PeerProcess, bootstrap: String, plaintextBootstrap: String, security: SecurityInfo?,
                 brokers: [Broker], version: String) {
        self.process = process
        self.pid = process.processIdentifier
        self.bootstrap = bootstrap
        self.plaintextBootstrap = plaintextBootstrap
        self.security = security
        self.brokers = brokers
        self.librdkafkaVersion = version
    }

    deinit { process.terminate() }

    /// Starts a mock cluster with `brokers` brokers (ids 1...brokers).
    public static func start(brokers count: Int = 3, security: Security? = nil, environment: PeerEnvironment? = nil,
                             timeout: Duration = .seconds(60)) async throws -> MockCluster {
        let env = try environment ?? PeerEnvironment.locate()
        let script = try env.script("mock_cluster.py")
        var args = ["-u", script.path, "--brokers", String(count)]
        var childEnv = ProcessInfo.processInfo.environment
        if let security {
            if security.tls { args.append("--tls") }
            if security.clientAuth { args.append("--tls-client-auth") }
            if !security.saslMechanisms.isEmpty { args += ["--sasl", security.saslMechanisms.joined(separator: ",")] }
            // Through the environment, not argv, so that test passwords stay out of `ps`.
            let users = try JSONSerialization.data(withJSONObject: security.users)
            childEnv["KAFSCOPE_MOCK_USERS"] = String(decoding: users, as: UTF8.self)
        }
        let process = try PeerProcess(name: "mock cluster", executable: env.python, arguments: args,
                                      environment: childEnv)
        do {
            let line = try await process.awaitReady(timeout: timeout)
            guard let ready = PeerProcess.decode(line),
                  let bootstrap = ready["bootstraps"] as? String,
                  let list = ready["brokers"] as? [[String: Any]] else {
                throw PeerError("mock cluster: malformed ready line: \(line.prefix(500))")
            }
            let brokers = try list.map { item -> Broker in
                guard let id = item["id"] as? Int, let host = item["host"] as? String, let port = item["port"] as? Int else {
                    throw PeerError("mock cluster: malformed broker entry in \(line.prefix(500))")
                }
                return Broker(id: Int32(id), host: host, port: port, securePort: item["secure_port"] as? Int)
            }
            var info: SecurityInfo?
            if let sec = ready["security"] as? [String: Any], let proto = sec["protocol"] as? String {
                info = SecurityInfo(securityProtocol: proto, saslMechanisms: sec["mechanisms"] as? [String] ?? [],
                                    caFile: sec["ca"] as? String, clientCertFile: sec["client_cert"] as? String,
                                    clientKeyFile: sec["client_key"] as? String)
            }
            return MockCluster(process: process, bootstrap: bootstrap,
                               plaintextBootstrap: ready["plaintext_bootstraps"] as? String ?? bootstrap,
                               security: info, brokers: brokers, version: ready["librdkafka"] as? String ?? "?")
        } catch {
            process.terminate()
            throw error
        }
    }

    /// Runs `body` with a fresh cluster and stops it afterwards, also when `body` throws.
    public static func with<T: Sendable>(brokers: Int = 3, security: Security? = nil,
                                         _ body: (MockCluster) async throws -> T) async throws -> T {
        let cluster = try await start(brokers: brokers, security: security)
        do {
            let result = try await body(cluster)
            await cluster.stop()
            return result
        } catch {
            await cluster.stop()
            throw error
        }
    }

    /// The real listening address of broker `id`.
    public nonisolated func address(of id: Int32) throws -> String {
        guard let broker = brokers.first(where: { $0.id == id }) else { throw PeerError("mock cluster: no broker \(id)") }
        return broker.address
    }

    @discardableResult
    private func send(_ object: [String: Any], timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        let json = try PeerProcess.encode(object)
        let line = try await process.command(json, timeout: timeout)
        return PeerProcess.decode(line) ?? [:]
    }

    public func createTopic(_ name: String, partitions: Int = 1, replicationFactor: Int = 1) async throws {
        try await send(["cmd": "create_topic", "name": name, "partitions": partitions,
                        "replication_factor": replicationFactor])
    }

    /// Disconnects the broker and refuses new connections (no leader change).
    public func setBrokerDown(_ id: Int32) async throws { try await send(["cmd": "set_broker_down", "broker": id]) }

    public func setBrokerUp(_ id: Int32) async throws { try await send(["cmd": "set_broker_up", "broker": id]) }

    /// Makes broker `id` advertise `host:port` in Metadata (port nil: its real port).
    /// The broker keeps listening on its real port; names need not resolve.
    public func advertise(_ id: Int32, host: String, port: Int? = nil) async throws {
        var cmd: [String: Any] = ["cmd": "advertise", "broker": id, "host": host]
        if let port { cmd["port"] = port }
        try await send(cmd)
    }

    public func setLeader(topic: String, partition: Int32, broker: Int32) async throws {
        try await send(["cmd": "set_leader", "topic": topic, "partition": partition, "broker": broker])
    }

    public func setFollower(topic: String, partition: Int32, broker: Int32) async throws {
        try await send(["cmd": "set_follower", "topic": topic, "partition": partition, "broker": broker])
    }

    /// Delays every response of broker `id` (-1: all brokers) by `milliseconds`.
    public func setRTT(broker: Int32, milliseconds: Int) async throws {
        try await send(["cmd": "set_rtt", "broker": broker, "ms": milliseconds])
    }

    public func setRack(broker: Int32, rack: String) async throws {
        try await send(["cmd": "set_rack", "broker": broker, "rack": rack])
    }

    /// The next `codes.count` requests with `apiKey` (any broker) fail with these error codes in order.
    public func pushRequestErrors(apiKey: Int16, codes: [Int16]) async throws {
        try await send(["cmd": "push_request_errors", "api_key": apiKey, "codes": codes.map(Int.init)])
    }

    /// The next requests with `apiKey` on broker `broker` answer with (error code, delay ms) in order.
    public func pushBrokerRequestErrors(broker: Int32, apiKey: Int16, errors: [(code: Int16, rttMilliseconds: Int)]) async throws {
        try await send(["cmd": "push_broker_request_error_rtts", "broker": broker, "api_key": apiKey,
                        "errors": errors.map { [Int($0.code), $0.rttMilliseconds] }])
    }

    public func clearRequestErrors(apiKey: Int16) async throws {
        try await send(["cmd": "clear_request_errors", "api_key": apiKey])
    }

    /// Pins the coordinator of a group ("group") or transactional id ("transaction").
    public func setCoordinator(keyType: String = "group", key: String, broker: Int32) async throws {
        try await send(["cmd": "set_coordinator", "key_type": keyType, "key": key, "broker": broker])
    }

    /// Produces records with a real librdkafka producer; returns where each landed, in order.
    /// `transactional` wraps them in a transaction that commits, or aborts when `abort` is set.
    @discardableResult
    public func produce(topic: String, records: [Record], partition: Int32? = nil, compression: Compression = .none,
                        transactional: Bool = false, abort: Bool = false) async throws -> [Delivery] {
        var cmd: [String: Any] = [
            "cmd": "produce", "topic": topic, "compression": compression.rawValue, "encoding": "base64",
            "transactional": transactional, "abort": abort,
            "records": records.map(Self.encode),
        ]
        if let partition { cmd["partition"] = partition }
        let reply = try await send(cmd)
        guard let list = reply["records"] as? [[String: Any]], list.count == records.count else {
            throw PeerError("mock cluster: produce answered without one delivery per record: \(reply)")
        }
        return try list.map { item in
            guard let p = item["partition"] as? Int, let o = item["offset"] as? Int else {
                throw PeerError("mock cluster: malformed delivery \(item)")
            }
            return Delivery(partition: Int32(p), offset: Int64(o))
        }
    }

    private static func encode(_ record: Record) -> [String: Any] {
        var out: [String: Any] = [
            "key": record.key.map { Data($0).base64EncodedString() } as Any? ?? NSNull(),
            "value": record.value.map { Data($0).base64EncodedString() } as Any? ?? NSNull(),
            "headers": record.headers.map { [$0.name, $0.value.map { Data($0).base64EncodedString() } as Any? ?? NSNull()] },
        ]
        if let p = record.partition { out["partition"] = p }
        if let t = record.timestamp { out["timestamp"] = t }
        return out
    }

    /// Commits offsets for `group` with a librdkafka consumer (OffsetCommit via the group coordinator).
    public func commitOffsets(group: String, topic: String, offsets: [Int32: Int64]) async throws {
        var map: [String: Int64] = [:]
        for (p, o) in offsets { map[String(p)] = o }
        try await send(["cmd": "commit_offsets", "group": group, "topic": topic, "offsets": map])
    }

    /// Stops the cluster and waits for the process to exit.
    public func stop() {
        process.terminate()
    }
}
