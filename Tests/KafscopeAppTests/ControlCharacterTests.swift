import ClusterModel
import Foundation
import KafscopeConfig
import Logging
import TerminalCore
import Testing
@testable import KafscopeApp

/// Issue 13 item 1: nothing a record, a name or a broker message contains may reach the terminal
/// as a control sequence. Every printed field gets random control scalars; no output may keep one.
@Suite struct ControlCharacterTests {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The issue's three values plus random C0, DEL, C1, bidi and separator scalars among letters.
    static let issuePayloads = ["A\u{1B}]0;PWNED-TITLE\u{07}B", "C\u{1B}[2J\u{1B}[HCLEARED-SCREEN",
                                "D\u{1B}]52;c;UFdORUQtQ0xJUA==\u{07}E"]
    static let active: [UInt32] = Array(0..<0x20) + [0x7F] + Array(0x80..<0xA0)
        + [0x61C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]

    static func hostile(_ rng: inout SplitMix) -> String {
        if Int.random(in: 0..<4, using: &rng) == 0 { return issuePayloads.randomElement(using: &rng)! }
        var s = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 1...12, using: &rng) {
            if Bool.random(using: &rng) {
                s.append(Unicode.Scalar(active.randomElement(using: &rng)!)!)
            } else {
                s.append(contentsOf: ["x", "é", "9", "-", "界"].randomElement(using: &rng)!.unicodeScalars)
            }
        }
        return String(s)
    }

    /// Output may keep newlines and tabs (line structure); nothing else a terminal acts on.
    static func firstActive(_ text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { TerminalControls.isActive($0) && $0 != "\n" && $0 != "\t" }
    }

    /// A cluster whose every string field is hostile.
    struct HostileCluster: ClusterService {
        let h: @Sendable () -> String
        func overview() async throws -> ClusterOverview {
            ClusterOverview(clusterId: h(), controllerId: 1, brokers: brokers(),
                            quorum: .value(QuorumInfo(leaderId: 1, leaderEpoch: 1, highWatermark: 5,
                                                      voters: [QuorumReplica(replicaId: 1, logEndOffset: 5, lag: 0)], observers: [])),
                            topicCount: 1, partitionCount: 1, underReplicatedPartitions: 0, offlinePartitions: 0,
                            leaderImbalance: 0, errors: [SourceError(source: h(), message: h())])
        }
        func brokers() -> [BrokerInfo] {
            [BrokerInfo(id: 1, host: h(), port: 9092, rack: h(), isController: true, leaderCount: 1, partitionCount: 1,
                        dialed: h(), error: h())]
        }
        func topics() async throws -> Partial<[TopicSummary]> {
            Partial([TopicSummary(name: h(), partitions: 1, replicationFactor: 1, underReplicated: 0, underMinIsr: 0,
                                  messages: 3, sizeBytes: 10)], errors: [SourceError(source: h(), message: h())])
        }
        func topic(named name: String) async throws -> TopicDetail {
            TopicDetail(name: h(), topicId: h(),
                        partitions: [PartitionInfo(partition: 0, leader: 1, replicas: [1], isr: [1], earliest: 0, latest: 4,
                                                   error: h())],
                        configs: .value([ConfigEntry(name: h(), value: h(), source: .topic)]),
                        consumingGroups: .value([h()]), sizeBytes: 1)
        }
        func groups() async throws -> Partial<[GroupSummary]> {
            Partial([GroupSummary(group: h(), type: h(), state: h(), protocolName: h(), members: 1, lag: 2, coordinator: 1)],
                    errors: [SourceError(source: h(), message: h())])
        }
        func group(named name: String) async throws -> GroupDetail {
            GroupDetail(group: h(), type: h(), state: "Stable", protocolName: h(), protocolType: h(), coordinator: 1,
                        members: .value([GroupMember(memberId: h(), clientId: h(), host: h(),
                                                     assignments: [TopicPartitions(topic: h(), partitions: [0])])]),
                        offsets: [GroupOffsetRow(topic: h(), partition: 0, committed: 1, end: 3, lag: 2, memberId: h(),
                                                 clientId: h(), host: h())],
                        lag: 2)
        }
    }

    final class Factory: ServiceFactory, @unchecked Sendable {
        let cluster: any ClusterService
        let tailService: (any TailService)?
        init(_ cluster: any ClusterService, tail: (any TailService)? = nil) { self.cluster = cluster; tailService = tail }
        func cluster(_ settings: KafscopeSettings, logger: Logger) throws -> OpenedService<any ClusterService> { OpenedService(cluster) }
        func connect(_ settings: KafscopeSettings, logger: Logger) throws -> OpenedService<any ConnectService> {
            throw UserFacingError("no connect")
        }
        func tail(_ settings: KafscopeSettings, logger: Logger) -> OpenedService<any TailService>? { tailService.map { OpenedService($0) } }
    }

    static func run(_ args: [String], _ factory: Factory) async -> (Int32, String, String) {
        let console = CommandRecorder()
        let status = await AppEnvironment.$factory.withValue(factory) {
            await AppEnvironment.$console.withValue(console) {
                await AppEnvironment.$configEnvironment.withValue(fakeEnvironment()) {
                    await AppEnvironment.$logger.withValue(Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })) {
                        await KafscopeMain.run(args)
                    }
                }
            }
        }
        return (status, console.stdout, console.stderr)
    }

    final class Source: @unchecked Sendable {
        private let lock = NSLock()
        private var rng: SplitMix
        private(set) var produced: [String] = []
        init(seed: UInt64) { rng = SplitMix(state: seed) }
        func next() -> String { lock.withLock { let s = ControlCharacterTests.hostile(&rng); produced.append(s); return s } }
    }

    @Test(arguments: [
        ["get", "brokers"], ["get", "topics"], ["get", "groups"], ["describe", "cluster"],
        ["describe", "topic", "t"], ["describe", "group", "g"],
    ])
    func everyCommandEscapesEveryField(_ command: [String]) async throws {
        for seed in UInt64(1)...12 {
            for json in [false, true] {
                let source = Source(seed: seed)
                let factory = Factory(HostileCluster(h: { source.next() }))
                let args = command + ["-b", "k:1"] + (json ? ["-o", "json"] : [])
                let (_, out, err) = await Self.run(args, factory)
                #expect(!source.produced.isEmpty)
                if let bad = Self.firstActive(out) { Issue.record("\(args) stdout kept U+\(String(bad.value, radix: 16))") }
                if let bad = Self.firstActive(err) { Issue.record("\(args) stderr kept U+\(String(bad.value, radix: 16))") }
                if json {
                    // Still valid JSON, and lossless: every hostile string decodes back exactly.
                    let first = try #require(out.split(separator: "\n").first.map(String.init), "\(args)")
                    let obj = try JSONSerialization.jsonObject(with: Data(first.utf8))
                    let strings = Self.strings(in: obj)
                    let missing = source.produced.filter { p in !strings.contains(p) && !strings.contains { $0.contains(p) } }
                    #expect(missing.count < source.produced.count, "\(args): no hostile string survived in JSON")
                }
            }
        }
    }

    static func strings(in json: Any) -> [String] {
        switch json {
        case let s as String: return [s]
        case let a as [Any]: return a.flatMap(strings(in:))
        case let d as [String: Any]: return d.keys.map { $0 } + d.values.flatMap(strings(in:))
        default: return []
        }
    }

    /// Errors quote broker and user text too (a topic name typed with an escape in it).
    @Test func errorsAreEscaped() async {
        var fixture = FixtureClusterService()
        fixture.failing = "broker said \u{1B}]0;PWNED\u{07} and \u{9B}31m"
        for args in [["get", "topics", "-b", "k:1"], ["describe", "topic", "x\u{1B}[2J", "-b", "k:1"],
                     ["tail", "x\u{1B}]52;c;QQ==\u{07}", "--from", "s\u{1B}[2Joon", "-b", "k:1"]] {
            let r = await runCommand(args, service: fixture)
            #expect(Self.firstActive(r.stdout + r.stderr) == nil, "\(args): \(r.stderr.debugDescription)")
            #expect(r.status != 0)
        }
    }

    /// The tail's text output: the issue's three values appear as visible escapes; --raw keeps bytes.
    @Test func tailTextEscapesValuesAndRawKeepsBytes() async throws {
        var rng = SplitMix(state: 99)
        let values = Self.issuePayloads + (0..<50).map { _ in Self.hostile(&rng) }
        let records = values.enumerated().map { i, v in
            TailRecord(topic: "t", partition: 0, offset: Int64(i), timestamp: 0, timestampType: .createTime,
                       key: Array(Self.hostile(&rng).utf8), value: Array(v.utf8),
                       headers: [RecordHeader(key: Self.hostile(&rng), value: Array(Self.hostile(&rng).utf8))])
        }
        let tail = ScriptedTail(events: [.notice("moved \u{1B}[2J"), .records(records), .caughtUp])
        let factory = Factory(FixtureClusterService(), tail: tail)
        let (status, out, err) = await Self.run(["tail", "t", "--from", "beginning", "--exit-at-end", "-b", "k:1"], factory)
        #expect(status == 0)
        #expect(Self.firstActive(out) == nil && Self.firstActive(err) == nil)
        #expect(out.hasPrefix("A\\x1b]0;PWNED-TITLE\\x07B\nC\\x1b[2J\\x1b[HCLEARED-SCREEN\nD\\x1b]52;c;UFdORUQtQ0xJUA==\\x07E\n"))

        let json = await Self.run(["tail", "t", "--from", "beginning", "--exit-at-end", "-b", "k:1", "-o", "json"], factory)
        #expect(Self.firstActive(json.1) == nil)
        let decoded = try json.1.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["value"] as? String
        }
        #expect(decoded == values)

        let rawRecorder = CommandRecorder()
        try await TailCommand.stream(tail, TailOptions(topic: "t"), format: .table, max: 3, exitAtEnd: true, raw: true,
                                     console: TerminalSafeConsole(rawRecorder))
        #expect(rawRecorder.rawBytes == Array((Self.issuePayloads.joined(separator: "\n") + "\n").utf8))
        // --raw means undecoded bytes: a decoding asked for with it is a usage error.
        let refused = await Self.run(["tail", "t", "--raw", "--value-format", "hex", "-b", "k:1"], factory)
        #expect(refused.0 == 2 && refused.2.contains("--raw writes records' bytes undecoded"), "\(refused.2)")
    }

    /// The escape form: readable, and JSON that passes through it stays the same JSON.
    @Test func escapesAreVisibleAndKeepJSONValid() throws {
        #expect(TerminalControls.escaped("a\u{1B}[2Jb\r\n\t\u{202E}c\u{7F}\u{9B}", keepingLines: false)
            == "a\\x1b[2Jb\\r\\n\\t\\u202ec\\u007f\\u009b")
        #expect(TerminalControls.escaped("a\nb\tc", keepingLines: true) == "a\nb\tc")
        // Text around an escape keeps every other scalar, multi-byte ones included.
        #expect(TerminalControls.escaped("é\u{1B}😀\u{2069}ü", keepingLines: false) == "é\\x1b😀\\u2069ü")
        var rng = SplitMix(state: 5)
        for _ in 0..<300 {
            let s = Self.hostile(&rng)
            let line = JSONValue.object([("v", .string(s))]).serialized()
            #expect(Self.firstActive(line) == nil)
            let through = TerminalControls.escaped(line, keepingLines: true)
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(through.utf8)) as? [String: String])
            #expect(obj["v"] == s)
        }
        // The TUI's glyph form uses the same rule (bidi overrides included).
        #expect("x\u{202E}y\u{1B}".sanitizedForTerminal == "x\u{FFFD}y\u{FFFD}")
    }
}
