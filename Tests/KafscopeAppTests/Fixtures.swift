import ClusterModel
import Foundation
import KafscopeApp
import KafscopeConfig
import Logging

/// Cluster values used across the formatting and command tests.
enum Fixture {
    static let brokers = [
        BrokerInfo(id: 1, host: "srv-prod-kafka-master", port: 9092, rack: "eu-1a", isController: true,
                   leaderCount: 12, partitionCount: 30, dialed: "127.0.0.1:9092"),
        BrokerInfo(id: 2, host: "srv-prod-kafka-slave1", port: 9093, rack: nil, isController: false,
                   leaderCount: 9, partitionCount: 30, dialed: "127.0.0.1:40123",
                   error: "connection refused by 127.0.0.1:40123"),
    ]

    static let overview = ClusterOverview(
        clusterId: "MkU3OEVBNTcwNTJENDM2Qk", controllerId: 1, brokers: brokers,
        quorum: .value(QuorumInfo(leaderId: 1, leaderEpoch: 7, highWatermark: 1234,
                                  voters: [QuorumReplica(replicaId: 1, logEndOffset: 1234, lag: 0),
                                           QuorumReplica(replicaId: 3, logEndOffset: 1230, lag: 4)],
                                  observers: [])),
        topicCount: 2, partitionCount: 4, underReplicatedPartitions: 1, offlinePartitions: 0, leaderImbalance: 0.25,
        errors: [SourceError(source: "broker 2 (srv-prod-kafka-slave1:9093)", message: "connection refused")])

    static let topics = [
        TopicSummary(name: "orders", partitions: 3, replicationFactor: 2, underReplicated: 1, underMinIsr: 0,
                     messages: 1500, sizeBytes: 1_572_864),
        TopicSummary(name: "__consumer_offsets", isInternal: true, partitions: 50, replicationFactor: 3),
    ]

    static let topicDetail = TopicDetail(
        name: "orders", topicId: "AAAAAAAAAAAAAAAAAAAAAQ",
        partitions: [
            PartitionInfo(partition: 0, leader: 1, replicas: [1, 2], isr: [1, 2], earliest: 0, latest: 1000),
            PartitionInfo(partition: 1, leader: 2, replicas: [2, 1], isr: [2], earliest: 100, latest: 600),
            PartitionInfo(partition: 2, leader: -1, replicas: [1, 2], isr: [], offlineReplicas: [1, 2],
                          error: "LEADER_NOT_AVAILABLE"),
        ],
        configs: .value([
            ConfigEntry(name: "retention.ms", value: "86400000", source: .topic),
            ConfigEntry(name: "cleanup.policy", value: "delete", source: .defaultConfig),
            ConfigEntry(name: "sasl.jaas.config", value: nil, source: .topic, isSensitive: true),
        ]),
        consumingGroups: .value(["orders-processor"]), sizeBytes: 2048)

    static let groups = [
        GroupSummary(group: "orders-processor", type: "classic", state: "Stable", protocolName: "range", members: 2,
                     lag: 7, coordinator: 1),
        GroupSummary(group: "payments-audit", type: "consumer", state: "Empty", protocolName: nil, members: 0, lag: nil,
                     coordinator: 2),
    ]

    static let member1 = "consumer-orders-processor-1-3f1e9c5a-8f4b-4d57-9a34-0c1b2d3e4f50"
    static let member2 = "consumer-orders-processor-2-77aa0e11-2b3c-4d5e-8f90-a1b2c3d4e5f6"

    static let groupDetail = GroupDetail(
        group: "orders-processor", type: "classic", state: "Stable", protocolName: "range", protocolType: "consumer",
        coordinator: 1,
        members: .value([
            GroupMember(memberId: member1, clientId: "consumer-orders-processor-1", host: "/10.0.0.5",
                        assignments: [TopicPartitions(topic: "orders", partitions: [0, 1])]),
            GroupMember(memberId: member2, clientId: "consumer-orders-processor-2", host: "/10.0.0.6",
                        assignments: [TopicPartitions(topic: "orders", partitions: [2])]),
        ]),
        offsets: [
            GroupOffsetRow(topic: "orders", partition: 0, committed: 995, end: 1000, lag: 5, memberId: member1,
                           clientId: "consumer-orders-processor-1", host: "/10.0.0.5"),
            GroupOffsetRow(topic: "orders", partition: 1, committed: 598, end: 600, lag: 2, memberId: member1,
                           clientId: "consumer-orders-processor-1", host: "/10.0.0.5"),
            GroupOffsetRow(topic: "orders", partition: 2, committed: nil, end: 0, lag: nil, memberId: member2,
                           clientId: "consumer-orders-processor-2", host: "/10.0.0.6"),
            GroupOffsetRow(topic: "payments-with-a-long-topic-name", partition: 0, committed: 10, end: 12, lag: 2),
        ],
        lag: 9)
}

/// A ClusterService answering from fixtures; `failing` makes every call throw.
struct FixtureClusterService: ClusterService {
    var overviewValue = Fixture.overview
    var topicsValue = Partial(Fixture.topics)
    var groupsValue = Partial(Fixture.groups)
    var detail: [String: GroupDetail] = [Fixture.groupDetail.group: Fixture.groupDetail]
    var failing: String?

    func check() throws { if let failing { throw UserFacingError(failing) } }
    func overview() async throws -> ClusterOverview { try check(); return overviewValue }
    func topics() async throws -> Partial<[TopicSummary]> { try check(); return topicsValue }
    func topic(named name: String) async throws -> TopicDetail {
        try check()
        guard name == Fixture.topicDetail.name else { throw UserFacingError("topic \(name) does not exist") }
        return Fixture.topicDetail
    }
    func groups() async throws -> Partial<[GroupSummary]> { try check(); return groupsValue }
    func group(named name: String) async throws -> GroupDetail {
        try check()
        return detail[name] ?? GroupDetail(group: name, state: "Dead")
    }
}

/// Hands out the fixture service and records the settings the command resolved.
final class FixtureFactory: ServiceFactory, @unchecked Sendable {
    let service: FixtureClusterService
    private let lock = NSLock()
    private var _settings: [KafscopeSettings] = []
    var settings: [KafscopeSettings] { lock.withLock { _settings } }

    init(_ service: FixtureClusterService = FixtureClusterService()) { self.service = service }

    func cluster(_ settings: KafscopeSettings, logger: Logger) throws -> OpenedService<any ClusterService> {
        lock.withLock { _settings.append(settings) }
        _ = try settings.requireBootstrap()
        return OpenedService(service)
    }

    func connect(_ settings: KafscopeSettings, logger: Logger) throws -> OpenedService<any ConnectService> {
        throw UserFacingError("no Connect fixture")
    }
}

final class CommandRecorder: CommandConsole, @unchecked Sendable {
    private let lock = NSLock()
    private var _out = ""
    private var _err = ""
    private var _raw: [UInt8] = []
    var stdout: String { lock.withLock { _out } }
    var stderr: String { lock.withLock { _err } }
    /// What was written with outRaw, byte for byte.
    var rawBytes: [UInt8] { lock.withLock { _raw } }
    func out(_ text: String) { lock.withLock { _out += text } }
    func err(_ text: String) { lock.withLock { _err += text } }
    func outRaw(_ bytes: [UInt8]) { lock.withLock { _raw += bytes; _out += String(decoding: bytes, as: UTF8.self) } }
}

/// An environment with no real files: `files` maps paths to contents.
func fakeEnvironment(_ files: [String: String] = [:], variables: [String: String] = [:],
                     home: String = "/home/test") -> ConfigEnvironment {
    ConfigEnvironment(
        variables: variables, homeDirectory: home,
        readFile: { path in
            guard let text = files[path] else {
                throw NSError(domain: NSCocoaErrorDomain, code: NSFileReadNoSuchFileError)
            }
            return text
        },
        fileExists: { files[$0] != nil })
}

struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var settings: [KafscopeSettings]
}

/// Runs `kafscope ARGS` in-process against fixtures.
func runCommand(_ args: [String], service: FixtureClusterService = FixtureClusterService(),
                files: [String: String] = [:], variables: [String: String] = [:]) async -> CommandResult {
    let console = CommandRecorder()
    let factory = FixtureFactory(service)
    let status = await AppEnvironment.$factory.withValue(factory) {
        await AppEnvironment.$console.withValue(console) {
            await AppEnvironment.$configEnvironment.withValue(fakeEnvironment(files, variables: variables)) {
                await AppEnvironment.$logger.withValue(Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })) {
                    await KafscopeMain.run(args)
                }
            }
        }
    }
    return CommandResult(status: status, stdout: console.stdout, stderr: console.stderr, settings: factory.settings)
}
