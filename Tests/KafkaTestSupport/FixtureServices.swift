import ClusterModel
import LagHealth
import Foundation

/// Which fixture call, for injected failures and gates.
public enum FixtureCall: String, Sendable, Hashable, CaseIterable {
    case overview, topics, topic, groups, group, connectors, connector, perform, tail
}

/// Failure injection and gates shared by the fixture services. A gated call waits
/// (cancellably) until the gate opens, which is how tests hold a load "in flight".
public final class FixtureControl: @unchecked Sendable {
    // @unchecked: all state is behind `lock`.
    private let lock = NSLock()
    private var failures: [FixtureCall: String] = [:]
    private var gates: Set<FixtureCall> = []
    private var started: [FixtureCall: Int] = [:]
    private var finished: [FixtureCall: Int] = [:]
    private var delays: [FixtureCall: Duration] = [:]

    public init() {}

    private func locked<T>(_ f: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return f()
    }

    /// Every later call of `call` throws `message` (nil: succeed again).
    public func fail(_ call: FixtureCall, _ message: String?) { locked { failures[call] = message } }
    public func close(_ call: FixtureCall) { _ = locked { gates.insert(call) } }
    public func open(_ call: FixtureCall) { _ = locked { gates.remove(call) } }
    public func delay(_ call: FixtureCall, _ d: Duration?) { locked { delays[call] = d } }
    public func startedCount(_ call: FixtureCall) -> Int { locked { started[call, default: 0] } }
    public func finishedCount(_ call: FixtureCall) -> Int { locked { finished[call, default: 0] } }

    /// Counts the call, waits at a closed gate, sleeps any delay, throws an injected failure.
    func enter(_ call: FixtureCall) async throws {
        locked { started[call, default: 0] += 1 }
        while locked({ gates.contains(call) }) {
            try await Task.sleep(for: .milliseconds(5))
        }
        if let d = locked({ delays[call] }) { try await Task.sleep(for: d) }
        if let message = locked({ failures[call] }) {
            locked { finished[call, default: 0] += 1 }
            throw UserFacingError(message)
        }
        locked { finished[call, default: 0] += 1 }
    }
}

/// A realistic small cluster: 3 KRaft brokers, topics with under-replicated, under-min-ISR
/// and offline partitions, groups with lag (one whose lag grows on every listing).
public final class FixtureClusterService: ClusterService, @unchecked Sendable {
    // @unchecked: `groupListings` is behind `lock`; everything else is immutable.
    public let control: FixtureControl
    /// Extra generated topics ("load-0000001" ...), for scale tests.
    public let extraTopics: Int
    private let lock = NSLock()
    private var groupListings = 0
    /// Offsets committed, deleted and groups deleted through the group-write fixture.
    public let groupWrites = FixtureGroupWrites()

    public init(control: FixtureControl = FixtureControl(), extraTopics: Int = 0) {
        self.control = control
        self.extraTopics = extraTopics
    }

    public static let brokers: [BrokerInfo] = [
        BrokerInfo(id: 1, host: "kafka-1.internal", port: 9092, rack: "eu-west-1a", isController: true,
                   leaderCount: 31, partitionCount: 80, dialed: "127.0.0.1:19092"),
        BrokerInfo(id: 2, host: "kafka-2.internal", port: 9092, rack: "eu-west-1b", leaderCount: 29,
                   partitionCount: 79, dialed: "127.0.0.1:19093"),
        BrokerInfo(id: 3, host: "kafka-3.internal", port: 9092, rack: "eu-west-1c", leaderCount: 9,
                   partitionCount: 70, dialed: "127.0.0.1:19094"),
    ]

    public static let quorum = QuorumInfo(
        leaderId: 1, leaderEpoch: 7, highWatermark: 482_113,
        voters: [
            QuorumReplica(replicaId: 1, logEndOffset: 482_113, lag: 0, lastFetchTimestamp: 1_763_730_000_000,
                          lastCaughtUpTimestamp: 1_763_730_000_000),
            QuorumReplica(replicaId: 2, logEndOffset: 482_110, lag: 3, lastFetchTimestamp: 1_763_729_999_500,
                          lastCaughtUpTimestamp: 1_763_729_999_500),
            QuorumReplica(replicaId: 3, logEndOffset: 479_900, lag: 2_213, lastFetchTimestamp: 1_763_729_990_000,
                          lastCaughtUpTimestamp: 1_763_729_940_000),
        ],
        observers: [])

    public static let topicSummaries: [TopicSummary] = [
        TopicSummary(name: "__consumer_offsets", isInternal: true, partitions: 50, replicationFactor: 3,
                     underMinIsr: 0, messages: 18_422, sizeBytes: 9_437_184),
        TopicSummary(name: "audit-log", partitions: 2, replicationFactor: 2, underReplicated: 1, underMinIsr: 0,
                     offline: 1, messages: 5_120, sizeBytes: 1_048_576),
        TopicSummary(name: "clickstream", partitions: 12, replicationFactor: 3, underReplicated: 1, underMinIsr: 1,
                     messages: 98_311_204, sizeBytes: 52_613_349_376),
        TopicSummary(name: "inventory.updates", partitions: 4, replicationFactor: 3, underMinIsr: 0,
                     messages: 774_001, sizeBytes: 402_653_184),
        TopicSummary(name: "orders", partitions: 6, replicationFactor: 3, underMinIsr: 0, messages: 1_234_567,
                     sizeBytes: 2_254_857_830),
        TopicSummary(name: "payments", partitions: 3, replicationFactor: 3, underReplicated: 1, underMinIsr: 0,
                     messages: 88_912, sizeBytes: 73_400_320),
        TopicSummary(name: "shipments", partitions: 3, replicationFactor: 3, underMinIsr: 0, messages: 0,
                     sizeBytes: 0),
        TopicSummary(name: "user-events", partitions: 8, replicationFactor: 3, underMinIsr: 0, messages: 5_500_000,
                     sizeBytes: nil),
    ]

    public func overview() async throws -> ClusterOverview {
        try await control.enter(.overview)
        return ClusterOverview(clusterId: "MkU3OEVBNTcwNTJENDM2Qg", controllerId: 1, brokers: Self.brokers,
                               quorum: .value(Self.quorum), topicCount: Self.topicSummaries.count + extraTopics,
                               partitionCount: 229, underReplicatedPartitions: 3, offlinePartitions: 1,
                               leaderImbalance: 0.18)
    }

    public func topics() async throws -> Partial<[TopicSummary]> {
        try await control.enter(.topics)
        var all = Self.topicSummaries
        if extraTopics > 0 {
            all += Self.generatedTopics(extraTopics)
        }
        return Partial(all)
    }

    /// Deterministic topics for scale: every 97th under-replicated, every 1,009th offline.
    public static func generatedTopics(_ count: Int) -> [TopicSummary] {
        (0..<count).map { i in
            var digits = String(i)
            while digits.count < 7 { digits = "0" + digits }
            return TopicSummary(name: "load-\(digits)", partitions: 1 + i % 24, replicationFactor: 3,
                                underReplicated: i % 97 == 0 ? 1 : 0, underMinIsr: 0, offline: i % 1_009 == 0 ? 1 : 0,
                                messages: Int64(i) * 7_919 % 10_000_000, sizeBytes: Int64(i) * 104_729 % 5_000_000_000)
        }
    }

    public func topic(named name: String) async throws -> TopicDetail {
        try await control.enter(.topic)
        guard let summary = Self.topicSummaries.first(where: { $0.name == name })
            ?? (name.hasPrefix("load-") ? Self.generatedTopics(extraTopics).first { $0.name == name } : nil) else {
            throw UserFacingError("topic \(name) does not exist (UNKNOWN_TOPIC_OR_PARTITION)")
        }
        var parts: [PartitionInfo] = []
        for p in 0..<summary.partitions {
            let leader = Int32(p % 3 + 1)
            let replicas = (0..<summary.replicationFactor).map { Int32((p + $0) % 3 + 1) }
            var isr = replicas
            var offline: [Int32] = []
            var lead = leader
            var error: String? = nil
            if name == "audit-log" && p == 1 {
                lead = -1
                isr = []
                offline = replicas
                error = "LEADER_NOT_AVAILABLE"
            } else if name == "audit-log" && p == 0 {
                isr = [replicas[0]]
            } else if name == "payments" && p == 2 {
                isr = Array(replicas.prefix(2))
            } else if name == "clickstream" && p == 7 {
                isr = [replicas[0]]
            }
            let earliest = Int64(p) * 1_000
            let latest = lead < 0 ? nil : earliest + Int64(summary.messages ?? 0) / Int64(max(1, summary.partitions))
            parts.append(PartitionInfo(partition: Int32(p), leader: lead, leaderEpoch: 4, replicas: replicas, isr: isr,
                                       offlineReplicas: offline, earliest: lead < 0 ? nil : earliest, latest: latest,
                                       error: error))
        }
        let configs: [ConfigEntry] = [
            ConfigEntry(name: "cleanup.policy", value: name == "__consumer_offsets" ? "compact" : "delete",
                        source: name == "__consumer_offsets" ? .topic : .defaultConfig),
            ConfigEntry(name: "compression.type", value: "producer", source: .defaultConfig),
            ConfigEntry(name: "max.message.bytes", value: "1048588", source: .defaultConfig),
            ConfigEntry(name: "min.insync.replicas", value: "2", source: name == "clickstream" ? .topic : .staticBroker),
            ConfigEntry(name: "retention.bytes", value: "-1", source: .defaultConfig),
            ConfigEntry(name: "retention.ms", value: name == "orders" ? "1209600000" : "604800000",
                        source: name == "orders" ? .topic : .defaultConfig),
            ConfigEntry(name: "segment.bytes", value: "1073741824", source: .dynamicDefaultBroker),
        ]
        let groups: [String] = switch name {
        case "orders": ["analytics-etl", "orders-processor"]
        case "payments": ["payments-service"]
        case "audit-log": ["audit-archiver"]
        default: []
        }
        var detail = TopicDetail(name: name, isInternal: summary.isInternal, topicId: "vV1bq3yHQ2W0T4n-0wZbXg",
                                 partitions: parts, configs: .value(configs), consumingGroups: .value(groups),
                                 sizeBytes: summary.sizeBytes)
        detail.consumerLag = Self.consumerLag(topic: name)
        if let d = try? fixtureGroup(named: "orders-processor"), name == "orders" {
            detail.consumerLag["orders-processor"] = d.summary(onTopic: name)
        }
        return detail
    }

    /// The consuming groups' lag on each fixture topic (orders-processor's comes from its detail).
    static func consumerLag(topic: String) -> [String: GroupSummary] {
        switch topic {
        case "orders":
            return ["analytics-etl": GroupSummary(
                group: "analytics-etl", type: "consumer", state: "Reconciling", protocolName: "uniform", members: 2,
                lag: 45_210, coordinator: 2,
                health: health("analytics-etl", .warning, "orders-3: lag grew from 40210 to 45210 over 10s while offsets advanced",
                               consume: 800, produce: 1_800), lagSeconds: 95)]
        case "payments":
            return ["payments-service": GroupSummary(
                group: "payments-service", type: "classic", state: "Stable", protocolName: "range", members: 1, lag: 0,
                coordinator: 2, health: health("payments-service", .ok, "caught up", consume: 40, produce: 40, eta: 0),
                lagSeconds: 0)]
        case "audit-log":
            return ["audit-archiver": GroupSummary(
                group: "audit-archiver", type: "classic", state: "Empty", members: 0, lag: 98_000, coordinator: 3,
                health: health("audit-archiver", .stopped, "audit-log-0: offset 0 has not moved for 3h and the group has no active member",
                               consume: 0, produce: 12), lagSeconds: 10_800)]
        default:
            return [:]
        }
    }

    /// How many times `groups()` has answered; lag of "analytics-etl" grows with it.
    public var groupListingCount: Int { lock.lock(); defer { lock.unlock() }; return groupListings }

    public func groups() async throws -> Partial<[GroupSummary]> {
        try await control.enter(.groups)
        let n: Int = { lock.lock(); defer { lock.unlock() }; groupListings += 1; return groupListings }()
        return Partial([
            GroupSummary(group: "analytics-etl", type: "consumer", state: "Reconciling", protocolName: "uniform",
                         members: 2, lag: 45_210 + Int64(n) * 5_000, coordinator: 2,
                         health: Self.health("analytics-etl", .warning, "clicks-3: lag grew from 40210 to 50210 over 10s while offsets advanced",
                                             consume: 800, produce: 1_800),
                         lagSeconds: 95),
            GroupSummary(group: "audit-archiver", type: "classic", state: "Empty", protocolName: nil, members: 0,
                         lag: 98_000, coordinator: 3,
                         health: Self.health("audit-archiver", .stopped, "audit-log-0: offset 0 has not moved for 3h and the group has no active member",
                                             consume: 0, produce: 12),
                         lagSeconds: 10_800),
            GroupSummary(group: "legacy-reporting", type: "classic", state: "Dead", members: 0, lag: nil, coordinator: 1),
            GroupSummary(group: "orders-processor", type: "consumer", state: "Stable", protocolName: "uniform",
                         members: 3, lag: 1_523, coordinator: 1, health: Self.ordersProcessorHealth, lagSeconds: 2),
            GroupSummary(group: "payments-service", type: "classic", state: "Stable", protocolName: "range",
                         members: 1, lag: 0, coordinator: 2,
                         health: Self.health("payments-service", .ok, "caught up", consume: 40, produce: 40, eta: 0),
                         lagSeconds: 0),
        ], errors: [])
    }

    /// A group verdict with one partition carrying it (display data for the screens).
    static func health(_ group: String, _ status: LagStatus, _ reason: String, consume: Double, produce: Double,
                       eta: Double? = nil) -> GroupHealth {
        let key = PartitionKey(topic: String(reason.split(separator: "-").first ?? "t"), partition: 0)
        let text = reason.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? reason
        let p = PartitionHealth(key: key, status: status, reason: text, lag: eta == 0 ? 0 : 1, consumeRate: consume,
                                produceRate: produce, etaSeconds: eta, fallingBehind: eta == nil && consume <= produce)
        return GroupHealth(group: group, partitions: [p])
    }

    /// orders-processor's partitions 0-4 (5 has no committed offset): catching up, two caught up.
    static let ordersProcessorHealth: GroupHealth = {
        let lags: [Int64] = [120, 0, 903, 500, 0]
        let parts = lags.enumerated().map { p, lag in
            PartitionHealth(key: PartitionKey(topic: "orders", partition: Int32(p)), status: .ok,
                            reason: lag == 0 ? "caught up" : "catching up", lag: lag, consumeRate: 62, produceRate: 50,
                            etaSeconds: Double(lag) / 12)
        }
        return GroupHealth(group: "orders-processor", partitions: parts)
    }()

    public func group(named name: String) async throws -> GroupDetail {
        try await control.enter(.group)
        return try groupWrites.applied(to: try fixtureGroup(named: name))
    }

    private func fixtureGroup(named name: String) throws -> GroupDetail {
        switch name {
        case "orders-processor":
            var members: [GroupMember] = []
            for i in 0..<3 {
                let first = Int32(i * 2)
                let tp = TopicPartitions(topic: "orders", partitions: [first, first + 1])
                let id: String = "orders-processor-\(i)-6f1c2d9e-0b7a-4e55-9a43-1c2d3e4f5a6\(i)"
                let host: String = "/10.20.0.\(11 + i)"
                members.append(GroupMember(memberId: id, clientId: "orders-processor-\(i)", host: host, assignments: [tp]))
            }
            let offsets: [GroupOffsetRow] = (0..<6).map { p in
                let m = members[p / 2]
                let end = Int64(p) * 1_000 + 205_761
                let committed: Int64? = p == 5 ? nil : end - Int64([120, 0, 903, 500, 0, 0][p])
                return GroupOffsetRow(topic: "orders", partition: Int32(p), committed: committed, end: end,
                                      lag: committed.map { end - $0 }, memberId: m.memberId, clientId: m.clientId,
                                      host: m.host)
            }
            let health = Self.ordersProcessorHealth
            var rows = offsets
            for i in rows.indices where i < health.partitions.count {
                rows[i].health = health.partitions[i]
                rows[i].lagSeconds = Double(rows[i].lag ?? 0) / 60
                // Twelve samples per partition: shrinking, flat at zero, growing, catching up, zero.
                let lag = rows[i].lag ?? 0
                rows[i].lagHistory = (0..<12).map { k -> Int64 in
                    switch i {
                    case 2: return max(0, lag - Int64(11 - k) * 40)
                    case 1, 4: return 0
                    default: return lag + Int64(11 - k) * 30
                    }
                }
            }
            var d = GroupDetail(group: name, type: "consumer", state: "Stable", protocolName: "uniform",
                                protocolType: "consumer", coordinator: 1, members: .value(members), offsets: rows,
                                lag: offsets.compactMap(\.lag).reduce(0, +))
            d.health = health
            d.lagSeconds = 15
            return d
        case "audit-archiver":
            let offsets = (0..<2).map { p in
                GroupOffsetRow(topic: "audit-log", partition: Int32(p), committed: 0, end: 49_000, lag: 49_000)
            }
            return GroupDetail(group: name, type: "classic", state: "Empty", protocolType: "consumer", coordinator: 3,
                               members: .value([]), offsets: offsets, lag: 98_000)
        case "analytics-etl", "payments-service", "legacy-reporting":
            return GroupDetail(group: name, type: "classic", state: "Stable", coordinator: 2,
                               members: .unsupported("DescribeGroups is not supported by this broker"), offsets: [],
                               lag: nil)
        default:
            throw UserFacingError("group \(name) does not exist (GROUP_ID_NOT_FOUND)")
        }
    }
}

/// Two Connect clusters (QA, DEV) with running, failed and paused connectors. Actions are
/// recorded so tests can check exactly what was sent.
public final class FixtureConnectService: ConnectService, @unchecked Sendable {
    // @unchecked: `performed` and `states` are behind `lock`.
    public let control: FixtureControl
    private let lock = NSLock()
    private var performedActions: [(ConnectAction, String, String)] = []
    /// Current statuses: start as `listing`; actions change them as a worker would, at once.
    private var statuses: [ConnectorStatus] = FixtureConnectService.listing.connectors

    public init(control: FixtureControl = FixtureControl()) { self.control = control }

    public var clusterNames: [String] { ["QA", "DEV"] }

    public var performed: [String] {
        lock.lock()
        defer { lock.unlock() }
        return performedActions.map { "\($0.0.verb) \($0.1)/\($0.2)" }
    }

    public static let listing = ConnectorListing(
        clusters: [ConnectClusterInfo(name: "QA", url: "http://127.0.0.1:18083", version: "3.7.1", commit: "abc123"),
                   ConnectClusterInfo(name: "DEV", url: "http://127.0.0.1:18084", version: "3.4.1", commit: "def456")],
        connectors: [
            ConnectorStatus(connect: "QA", name: "orders-sink", type: "sink", state: "RUNNING", workerId: "10.1.0.5:8083",
                            tasks: [ConnectTaskStatus(id: 0, state: "RUNNING", workerId: "10.1.0.5:8083"),
                                    ConnectTaskStatus(id: 1, state: "RUNNING", workerId: "10.1.0.6:8083")]),
            ConnectorStatus(connect: "QA", name: "payments-source", type: "source", state: "RUNNING",
                            workerId: "10.1.0.6:8083",
                            tasks: [ConnectTaskStatus(id: 0, state: "FAILED", workerId: "10.1.0.6:8083",
                                                      trace: "org.apache.kafka.connect.errors.ConnectException: timeout\n\tat Source.poll")]),
            ConnectorStatus(connect: "DEV", name: "audit-s3-sink", type: "sink", state: "PAUSED", workerId: "10.2.0.5:8083",
                            tasks: [ConnectTaskStatus(id: 0, state: "PAUSED", workerId: "10.2.0.5:8083")]),
        ])

    public func connectors() async -> ConnectorListing {
        do { try await control.enter(.connectors) } catch {
            return ConnectorListing(clusters: Self.listing.clusters, connectors: [],
                                    errors: [SourceError(source: "QA", message: "\(error)")])
        }
        return ConnectorListing(clusters: Self.listing.clusters, connectors: lock.withLock { statuses })
    }

    public func connector(cluster: String, name: String) async throws -> ConnectorDetail {
        try await control.enter(.connector)
        guard let s = lock.withLock({ statuses.first(where: { $0.connect == cluster && $0.name == name }) }) else {
            throw UserFacingError("connector \(name) not found on Connect cluster \(cluster) (404)")
        }
        return ConnectorDetail(status: s, config: ["connector.class": "io.example.\(s.type.capitalized)Connector",
                                                   "tasks.max": String(s.tasks.count), "topics": "orders"],
                               topics: ["orders"],
                               workerVersion: Self.listing.clusters.first { $0.name == cluster }?.version)
    }

    /// Checks the worker version again (as the real service does), records the action and applies it.
    public func perform(_ action: ConnectAction, cluster: String, connector: String) async throws {
        try await control.enter(.perform)
        if let reason = Self.listing.clusters.first(where: { $0.name == cluster })?.version
            .flatMap(ConnectVersion.init)?.unsupportedReason(action, cluster: cluster) {
            throw UserFacingError("Connect cluster \(cluster): cannot \(action.verb) \(connector): \(reason)")
        }
        lock.withLock {
            performedActions.append((action, cluster, connector))
            if let i = statuses.firstIndex(where: { $0.connect == cluster && $0.name == connector }) {
                statuses[i] = Self.applying(action, to: statuses[i])
            }
        }
    }

    /// The status a worker reports once `action` took effect.
    static func applying(_ action: ConnectAction, to s: ConnectorStatus) -> ConnectorStatus {
        var s = s
        func setTasks(_ change: (ConnectTaskStatus) -> String) {
            s.tasks = s.tasks.map { var t = $0; t.state = change(t); if t.state != "FAILED" { t.trace = nil }; return t }
        }
        switch action {
        case .pause: s.state = "PAUSED"; setTasks { $0.state == "FAILED" ? "FAILED" : "PAUSED" }
        case .resume: s.state = "RUNNING"; setTasks { $0.state == "FAILED" ? "FAILED" : "RUNNING" }
        case .stop: s.state = "STOPPED"; s.tasks = []
        case .restart(let includeTasks, let onlyFailed):
            if !onlyFailed || s.state == "FAILED" { s.state = "RUNNING" }
            if includeTasks { setTasks { onlyFailed && $0.state != "FAILED" ? $0.state : "RUNNING" } }
        case .restartTask(let id): setTasks { $0.id == id ? "RUNNING" : $0.state }
        }
        return s
    }
}

/// Tails a topic with deterministic records: `count` records per partition round-robin,
/// then `.caughtUp`, then stays open (as a live tail does) until cancelled.
public struct FixtureTailService: TailService {
    public let control: FixtureControl
    public let count: Int

    public init(control: FixtureControl = FixtureControl(), count: Int = 20) {
        self.control = control
        self.count = count
    }

    public static func record(topic: String, index i: Int) -> TailRecord {
        TailRecord(topic: topic, partition: Int32(i % 3), offset: Int64(i / 3), timestamp: 1_763_730_000_000 + Int64(i) * 250,
                   timestampType: .createTime, key: Array("key-\(i)".utf8),
                   value: Array("{\"id\":\(i),\"status\":\"ok\"}".utf8),
                   headers: [RecordHeader(key: "trace", value: Array("t-\(i)".utf8))])
    }

    public func tail(_ options: TailOptions) -> AsyncThrowingStream<TailEvent, Error> {
        let control = self.control, count = self.count
        return AsyncThrowingStream { cont in
            let task = Task {
                do {
                    try await control.enter(.tail)
                    let records = (0..<count).map { Self.record(topic: options.topic, index: $0) }
                    for chunk in stride(from: 0, to: records.count, by: 8) {
                        cont.yield(.records(Array(records[chunk..<min(records.count, chunk + 8)])))
                    }
                    cont.yield(.caughtUp)
                    while !Task.isCancelled { try await Task.sleep(for: .milliseconds(20)) }
                    cont.finish()
                } catch {
                    cont.finish(throwing: error)
                }
            }
            cont.onTermination = { _ in task.cancel() }
        }
    }
}
