import KafkaProtocol
import KafkaWire
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// A connection to one Kafka cluster: bootstrap, metadata, one pipelined connection per broker
/// (plus one per broker for long-polling Fetch), version negotiation, routing and retries.
/// Cheap to create; no I/O happens until the first request.
public final class KafkaClient: Sendable {
    public let config: KafkaClientConfig
    public let logger: Logger
    public let counters = RequestCounters()
    let pool: ConnectionPool

    /// `clock` decides metadata age and reconnect backoff; tests inject one (KafkaClientClock.manual).
    public init(config: KafkaClientConfig, eventLoopGroup: (any EventLoopGroup)? = nil,
                logger: Logger = Logger(label: "kafscope.client"), clock: KafkaClientClock = .system) {
        self.config = config
        self.logger = logger
        self.pool = ConnectionPool(config: config, group: eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton,
                                   counters: counters, logger: logger, clock: clock)
    }

    /// Closes every connection. Requests in flight fail with `.shutdown`/`.connectionClosed`.
    public func shutdown() async { await pool.shutdown() }

    // MARK: Metadata

    /// Cluster metadata for all topics; cached for `metadataMaxAge` unless `refresh`.
    public func metadata(refresh: Bool = false) async throws -> ClusterMetadata {
        try await pool.metadata(refresh: refresh)
    }

    /// Marks the cached metadata stale (after NOT_LEADER, UNKNOWN_TOPIC, leader epoch errors, ...).
    public func invalidateMetadata() async { await pool.invalidateMetadata() }

    /// Fresh metadata for these topics only (never cached): what a retry after NOT_LEADER needs,
    /// without re-reading every topic of a large cluster.
    public func metadata(topics: [String]) async throws -> ClusterMetadata {
        try await pool.metadata(topics: topics)
    }

    // MARK: Connections and requests

    /// A ready connection to broker `id` (by its advertised address, through the alias map).
    public func connection(for broker: Int32, purpose: ConnectionPurpose = .admin) async throws -> BrokerConnection {
        try await pool.connection(for: broker, purpose: purpose)
    }

    /// Any ready connection: an open one if there is one, else the first broker that answers.
    public func anyConnection() async throws -> BrokerConnection { try await pool.anyConnection() }

    /// Sends to broker `id`; retries once on a fresh connection if the old one broke.
    public func send<R: KafkaRequestMessage>(_ request: R, to broker: Int32, version: Int16? = nil,
                                             timeout: Duration? = nil) async throws -> R.Response {
        do {
            let conn = try await pool.connection(for: broker, purpose: .admin)
            return try await conn.send(request, version: version, timeout: timeout)
        } catch let e as KafkaClientError where e.isRetriableAfterReconnect {
            await pool.dropConnection(for: broker, purpose: .admin)
            let conn = try await pool.connection(for: broker, purpose: .admin)
            return try await conn.send(request, version: version, timeout: timeout)
        }
    }

    /// Sends to any broker (Metadata, DescribeCluster, FindCoordinator, ...).
    public func sendToAny<R: KafkaRequestMessage>(_ request: R, timeout: Duration? = nil) async throws -> R.Response {
        var lastError: (any Error)?
        for _ in 0..<2 {
            do {
                let conn = try await pool.anyConnection()
                return try await conn.send(request, timeout: timeout)
            } catch let e as KafkaClientError where e.isRetriableAfterReconnect {
                lastError = e
                if let ep = e.endpoint { await pool.dropConnection(endpoint: ep) }
            }
        }
        throw lastError!
    }

    /// Runs `body` on a connection to `broker` (nil: any broker); if the connection dies under it,
    /// retries once on a fresh one. For idempotent reads that need the connection's versions.
    public func withConnection<T: Sendable>(to broker: Int32?, purpose: ConnectionPurpose = .admin,
                                            _ body: (BrokerConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            let conn: BrokerConnection
            if let broker { conn = try await pool.connection(for: broker, purpose: purpose) } else { conn = try await pool.anyConnection() }
            do {
                return try await body(conn)
            } catch let e as KafkaClientError where e.isRetriableAfterReconnect && attempt == 0 {
                attempt += 1
                await pool.dropConnection(endpoint: conn.endpoint)
            }
        }
    }

    /// Negotiated version of an API on broker `id` (connecting if needed); nil = not supported.
    public func negotiatedVersion<R: KafkaRequestMessage>(_ type: R.Type, broker: Int32) async throws -> Int16? {
        try await pool.connection(for: broker, purpose: .admin).negotiatedVersion(type)
    }

    // MARK: Broker status

    /// Last connection failure per broker id (kept until a connection succeeds).
    public func brokerErrors() async -> [Int32: KafkaClientError] { await pool.brokerErrors() }

    /// Where broker `id` is dialled after aliases.
    public func endpoint(for broker: BrokerMetadata) -> BrokerEndpoint {
        BrokerEndpoint(nodeId: broker.nodeId, advertised: broker.advertised,
                       dialed: config.aliases.resolve(broker.advertised))
    }

    public func counterSnapshot() -> RequestCountSnapshot { counters.snapshot() }
    public func resetCounters() { counters.reset() }
}

extension KafkaClientError {
    /// A dead connection: worth one retry on a new one.
    var isRetriableAfterReconnect: Bool {
        switch self {
        case .connectionClosed: return true
        default: return false
        }
    }
}

/// Owns every connection of a client, the metadata cache and reconnect backoff.
actor ConnectionPool {
    struct Key: Hashable {
        var nodeId: Int32
        var purpose: ConnectionPurpose
    }

    private enum Entry {
        case connecting(Task<BrokerConnection, any Error>, BrokerEndpoint)
        case ready(BrokerConnection)
    }

    private struct FailureRecord {
        var count: Int
        var error: KafkaClientError
        var retryAtNanos: UInt64
        var endpoint: BrokerEndpoint
    }

    let config: KafkaClientConfig
    private let context: ConnectionContext?
    private let contextError: KafkaClientError?
    private var entries: [Key: Entry] = [:]
    private var failures: [Key: FailureRecord] = [:]
    private var bootstrapConnection: BrokerConnection?
    private var cachedMetadata: ClusterMetadata?
    private var metadataTask: Task<ClusterMetadata, any Error>?
    private var isShutdown = false
    private let backoff: Backoff
    private let logger: Logger
    private let clock: KafkaClientClock

    init(config: KafkaClientConfig, group: any EventLoopGroup, counters: RequestCounters, logger: Logger,
         clock: KafkaClientClock) {
        self.config = config
        self.logger = logger
        self.clock = clock
        self.backoff = Backoff(cap: config.maxReconnectBackoff)
        var ssl: NIOSSLContext?
        var err: KafkaClientError?
        if let tls = config.tls {
            do { ssl = try Dialer.makeSSLContext(tls) } catch let e as KafkaClientError { err = e } catch {
                err = .invalidConfig("\(error)")
            }
        }
        if let err {
            self.context = nil
            self.contextError = err
        } else {
            self.context = ConnectionContext(config: config, sslContext: ssl, group: group, counters: counters,
                                             logger: logger)
            self.contextError = nil
        }
    }

    private func requireContext() throws -> ConnectionContext {
        if isShutdown { throw KafkaClientError.shutdown }
        if let contextError { throw contextError }
        return context!
    }

    // MARK: Metadata

    func invalidateMetadata() { cachedMetadata = nil }

    func metadata(refresh: Bool) async throws -> ClusterMetadata {
        if !refresh, let m = cachedMetadata,
           clock.nowNanos() - m.fetchedAtNanos < UInt64(BrokerConnection.nanos(config.metadataMaxAge)) {
            return m
        }
        if let t = metadataTask { return try await t.value }
        let task = Task { try await self.fetchMetadata() }
        metadataTask = task
        defer { metadataTask = nil }
        var m = try await task.value
        m.fetchedAtNanos = clock.nowNanos()  // its age runs on the client's clock
        cachedMetadata = m
        return m
    }

    func metadata(topics: [String]) async throws -> ClusterMetadata {
        try await fetchMetadata(topics: topics)
    }

    private func fetchMetadata(topics: [String]? = nil) async throws -> ClusterMetadata {
        var lastError: (any Error)?
        for _ in 0..<2 {
            let conn = try await anyConnection()
            do {
                return try await Self.requestMetadata(on: conn, topics: topics)
            } catch let e as KafkaClientError where e.isRetriableAfterReconnect {
                lastError = e
                dropConnection(endpoint: conn.endpoint)
            }
        }
        throw lastError!
    }

    /// `topics` nil: every topic (v1+).
    static func requestMetadata(on conn: BrokerConnection, topics: [String]? = nil) async throws -> ClusterMetadata {
        guard let v = conn.negotiatedVersion(MetadataRequest.self) else {
            throw KafkaClientError.unsupported(conn.endpoint, api: "Metadata")
        }
        var req = MetadataRequest()
        req.topics = topics.map { $0.map { MetadataRequest.MetadataRequestTopic(name: $0) } }
        if v >= 4 { req.allowAutoTopicCreation = false }
        let resp = try await conn.send(req, version: v)
        return ClusterMetadata(resp, answeredBy: conn.endpoint.nodeId)
    }

    // MARK: Connections

    func connection(for nodeId: Int32, purpose: ConnectionPurpose) async throws -> BrokerConnection {
        let ctx = try requireContext()
        var meta = try await metadata(refresh: false)
        if meta.brokers[nodeId] == nil {
            meta = try await metadata(refresh: true)
        }
        guard let broker = meta.brokers[nodeId] else { throw KafkaClientError.unknownBroker(nodeId) }
        return try await connection(broker: broker, purpose: purpose, context: ctx)
    }

    /// Never consults metadata itself, so metadata fetching can use it without waiting on itself.
    private func connection(broker: BrokerMetadata, purpose: ConnectionPurpose,
                            context ctx: ConnectionContext) async throws -> BrokerConnection {
        let endpoint = BrokerEndpoint(nodeId: broker.nodeId, advertised: broker.advertised,
                                      dialed: config.aliases.resolve(broker.advertised))
        return try await connection(key: Key(nodeId: broker.nodeId, purpose: purpose), endpoint: endpoint, context: ctx)
    }

    private func connection(key: Key, endpoint: BrokerEndpoint, context ctx: ConnectionContext) async throws -> BrokerConnection {
        switch entries[key] {
        case .ready(let c) where c.isUsable && c.endpoint == endpoint:
            return c
        case .ready(let c):
            entries[key] = nil
            Task { await c.close() }
        case .connecting(let t, let ep) where ep == endpoint:
            return try await t.value
        case .connecting:
            entries[key] = nil
        case nil:
            break
        }
        if let f = failures[key], f.endpoint == endpoint, clock.nowNanos() < f.retryAtNanos {
            throw f.error
        }
        let purpose = key.purpose
        let task = Task { try await Dialer.connect(endpoint: endpoint, purpose: purpose, context: ctx) }
        entries[key] = .connecting(task, endpoint)
        do {
            let c = try await task.value
            if case .connecting(let t, _) = entries[key], t == task { entries[key] = .ready(c) }
            failures[key] = nil
            return c
        } catch {
            if case .connecting(let t, _) = entries[key], t == task { entries[key] = nil }
            let e = (error as? KafkaClientError) ?? .connect(endpoint, stage: .network, detail: "\(error)")
            let n = (failures[key]?.count ?? 0) + 1
            failures[key] = FailureRecord(count: n, error: e,
                                          retryAtNanos: clock.nowNanos() + UInt64(BrokerConnection.nanos(backoff.delay(afterFailures: n))),
                                          endpoint: endpoint)
            logger.debug("connect failed", metadata: ["endpoint": "\(endpoint)", "error": "\(e)"])
            throw e
        }
    }

    /// Prefers an open admin connection; then brokers from metadata; then the bootstrap list.
    func anyConnection() async throws -> BrokerConnection {
        let ctx = try requireContext()
        for (key, entry) in entries.sorted(by: { $0.key.nodeId < $1.key.nodeId }) where key.purpose == .admin {
            if case .ready(let c) = entry, c.isUsable { return c }
        }
        if let b = bootstrapConnection, b.isUsable { return b }
        var errors: [KafkaClientError] = []
        if let meta = cachedMetadata {
            for broker in meta.sortedBrokers {
                do { return try await connection(broker: broker, purpose: .admin, context: ctx) } catch let e as KafkaClientError {
                    errors.append(e)
                }
            }
        }
        for address in config.bootstrap {
            let ep = BrokerEndpoint(nodeId: nil, advertised: address, dialed: config.aliases.resolve(address))
            do {
                let c = try await Dialer.connect(endpoint: ep, purpose: .admin, context: ctx)
                if let old = bootstrapConnection { Task { await old.close() } }
                bootstrapConnection = c
                return c
            } catch let e as KafkaClientError {
                errors.append(e)
            }
        }
        throw KafkaClientError.noBrokerAvailable(errors)
    }

    func dropConnection(for nodeId: Int32, purpose: ConnectionPurpose) {
        let key = Key(nodeId: nodeId, purpose: purpose)
        if case .ready(let c) = entries[key] { Task { await c.close() } }
        entries[key] = nil
        cachedMetadata = nil
    }

    func dropConnection(endpoint: BrokerEndpoint) {
        if let id = endpoint.nodeId {
            for p in [ConnectionPurpose.admin, .fetch] {
                if case .ready(let c) = entries[Key(nodeId: id, purpose: p)], c.endpoint == endpoint, !c.isUsable {
                    entries[Key(nodeId: id, purpose: p)] = nil
                }
            }
            dropConnection(for: id, purpose: .admin)
        } else if let b = bootstrapConnection, b.endpoint == endpoint {
            bootstrapConnection = nil
            Task { await b.close() }
        }
    }

    func brokerErrors() -> [Int32: KafkaClientError] {
        var out: [Int32: KafkaClientError] = [:]
        for (k, f) in failures where k.purpose == .admin { out[k.nodeId] = f.error }
        return out
    }

    func shutdown() async {
        isShutdown = true
        var all: [BrokerConnection] = []
        for (_, e) in entries {
            switch e {
            case .ready(let c): all.append(c)
            case .connecting(let t, _): t.cancel(); if let c = try? await t.value { all.append(c) }
            }
        }
        entries = [:]
        if let b = bootstrapConnection { all.append(b) }
        bootstrapConnection = nil
        for c in all { await c.close() }
    }
}

extension ClusterMetadata {
    init(_ resp: MetadataResponse, answeredBy: Int32?) {
        var brokers: [Int32: BrokerMetadata] = [:]
        for b in resp.brokers {
            brokers[b.nodeId] = BrokerMetadata(nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack)
        }
        var topics: [String: TopicMetadata] = [:]
        topics.reserveCapacity(resp.topics.count)
        for t in resp.topics {
            guard let name = t.name else { continue }
            let parts = t.partitions.map {
                PartitionMetadata(partition: $0.partitionIndex, errorCode: $0.errorCode, leader: $0.leaderId,
                                  leaderEpoch: $0.leaderEpoch, replicas: $0.replicaNodes, isr: $0.isrNodes,
                                  offlineReplicas: $0.offlineReplicas)
            }.sorted { $0.partition < $1.partition }
            topics[name] = TopicMetadata(name: name, topicId: t.topicId == .zero ? nil : t.topicId,
                                         isInternal: t.isInternal, errorCode: t.errorCode, partitions: parts)
        }
        self.init(clusterId: resp.clusterId, controllerId: resp.controllerId >= 0 ? resp.controllerId : nil,
                  brokers: brokers, topics: topics, answeredBy: answeredBy,
                  fetchedAtNanos: DispatchlessClock.nowNanos())
    }
}
