import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
import KafkaTestSupport
import Logging
import Testing
import WriteFlow
@testable import KafscopeApp

/// `kafscope group reset-offsets|delete-offsets` against the librdkafka mock cluster (OffsetCommit,
/// OffsetFetch, ListOffsets; no DescribeGroups, so members cannot be checked there).
@Suite(.serialized, .timeLimit(.minutes(3))) struct GroupWriteMockTests {
    struct Rig {
        let mock: MockCluster
        let client: KafkaClient
        let service: KafkaAdminService
        let console: RecordingConsole
        let log: RecordingLog

        func context(readOnly: Bool = false, json: Bool = false) -> GroupWriteContext {
            GroupWriteContext(location: "cluster mock", readOnly: readOnly, json: json,
                              driver: WriteDriver(console: console, logger: log.logger, user: "ops", printSuccess: !json),
                              nowMs: { 1_700_000_000_000 })
        }

        func committed(_ group: String) async throws -> [Int64?] {
            let d = try #require(await service.groupDetails(named: [group]).value.first)
            return d.offsets.sorted { $0.partition < $1.partition }.map(\.committed)
        }
    }

    /// orders: 3 partitions of 10 records each on brokers 1, 2, 3; group billing committed 5 on each.
    func withRig(canPrompt: Bool = false, answer: String? = nil, _ body: (Rig) async throws -> Void) async throws {
        let mock = try await MockCluster.start(brokers: 3)
        do {
            try await mock.createTopic("orders", partitions: 3)
            for p in Int32(0)..<3 {
                try await mock.setLeader(topic: "orders", partition: p, broker: p + 1)
                _ = try await mock.produce(topic: "orders", records: (0..<10).map { MockCluster.Record(key: nil, value: "v\($0)", partition: p) })
            }
            try await mock.commitOffsets(group: "billing", topic: "orders", offsets: [0: 5, 1: 5, 2: 5])
            let config = KafkaClientConfig(bootstrap: try HostAddress.parseList(mock.bootstrap), clientId: "kafscope-test",
                                           requestTimeout: .seconds(5), maxReconnectBackoff: .milliseconds(200))
            let client = KafkaClient(config: config, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            let rig = Rig(mock: mock, client: client, service: KafkaAdminService(client: client),
                          console: RecordingConsole(canPrompt: canPrompt, answer: answer), log: RecordingLog())
            do { try await body(rig) } catch { await client.shutdown(); throw error }
            await client.shutdown()
        } catch {
            await mock.stop()
            throw error
        }
        await mock.stop()
    }

    @Test func dryRunPrintsTheKafkaToolsTableAndChangesNothing() async throws {
        try await withRig { rig in
            let before = rig.client.counterSnapshot()
            let code = await GroupWriteCLI.resetOffsets(group: "billing", spec: .toEarliest, scope: .allTopics, execute: false, yes: false,
                                                        context: rig.context(), service: rig.service)
            #expect(code == 0, "\(rig.console.stderr)")
            let pad = { (s: String, n: Int) in s + String(repeating: " ", count: max(0, n - s.count)) }
            let expected = ["", pad("GROUP", 30) + " " + pad("TOPIC", 30) + " " + pad("PARTITION", 10) + " " + pad("NEW-OFFSET", 15)]
                + (0..<3).map { pad("billing", 30) + " " + pad("orders", 30) + " " + pad(String($0), 10) + " " + pad("0", 15) }
            #expect(rig.console.stdout == expected.joined(separator: "\n"))
            #expect(rig.client.counterSnapshot().subtracting(before).count(api: "OffsetCommit") == 0)
            let committed1 = try await rig.committed("billing")
            #expect(committed1 == [5, 5, 5])
            #expect(rig.log.auditLines.isEmpty, "a dry run is not a write")
        }
    }

    @Test func jsonAndScopesAndClamping() async throws {
        try await withRig { rig in
            let scope = OffsetResetScope.topics([.init(topic: "orders", partitions: [0, 2])])
            let code = await GroupWriteCLI.resetOffsets(group: "billing", spec: .toOffset(25), scope: scope, execute: false, yes: false,
                                                        context: rig.context(json: true), service: rig.service)
            #expect(code == 0, "\(rig.console.stderr)")
            #expect(rig.console.stdout == #"[{"group":"billing","topic":"orders","partition":0,"current":5,"new":10},"#
                + #"{"group":"billing","topic":"orders","partition":2,"current":5,"new":10}]"#, "25 is past the end (10): clamped")
        }
    }

    @Test func executeWithYesCommitsOnceAndAuditsOldToNew() async throws {
        try await withRig { rig in
            let before = rig.client.counterSnapshot()
            let code = await GroupWriteCLI.resetOffsets(group: "billing", spec: .shiftBy(-3), scope: .topics([.init(topic: "orders")]),
                                                        execute: true, yes: true, context: rig.context(), service: rig.service)
            #expect(code == 0, "\(rig.console.stderr)")
            let sent = rig.client.counterSnapshot().subtracting(before)
            #expect(sent.count(api: "OffsetCommit") == 1, "one OffsetCommit for every partition")
            // orders' leaders are brokers 1, 2, 3: one ListOffsets each for the log starts and one for
            // the ends (the group read's), no time-lag Fetch.
            #expect(sent.count(api: "ListOffsets") == 6, "\(sent)")
            #expect(sent.count(api: "Fetch") == 0, "\(sent)")
            let committed2 = try await rig.committed("billing")
            #expect(committed2 == [2, 2, 2])
            #expect(rig.log.auditLines == [
                #"audit user=ops kind=offset-reset write="reset offsets of consumer group" target=billing "#
                + #"qualifier="(--shift-by -3, --topic orders)" location="cluster mock" result=ok sent=true group=billing "#
                + #"spec="--shift-by -3" scope="--topic orders" partitions=3 offsets="orders/0 5->2, orders/1 5->2, orders/2 5->2" "#
                + #"detail="reset 3 offsets of consumer group billing""#])
        }
    }

    @Test func datetimeWithoutALaterRecordGoesToTheEnd() async throws {
        try await withRig { rig in
            let code = await GroupWriteCLI.resetOffsets(group: "billing", spec: .toDatetime(epochMs: 4_102_444_800_000, text: "2100-01-01T00:00:00Z"),
                                                        scope: .allTopics, execute: true, yes: true, context: rig.context(), service: rig.service)
            #expect(code == 0, "\(rig.console.stderr)")
            let committed3 = try await rig.committed("billing")
            #expect(committed3 == [10, 10, 10])
        }
    }

    @Test func readOnlyAndNoTerminalSendNothing() async throws {
        try await withRig { rig in
            let before = rig.client.counterSnapshot()
            let ro = await GroupWriteCLI.resetOffsets(group: "billing", spec: .toLatest, scope: .allTopics, execute: true, yes: true,
                                                      context: rig.context(readOnly: true), service: rig.service)
            #expect(ro == 1)
            #expect(rig.console.stderr.contains("refusing to reset offsets of consumer group billing (--to-latest, --all-topics) on cluster mock: kafscope is in read-only mode"))
            #expect(rig.client.counterSnapshot().subtracting(before).perBroker.values.flatMap(\.values).reduce(0, +) == 0, "read-only: not even a read")

            let tty = await GroupWriteCLI.resetOffsets(group: "billing", spec: .toLatest, scope: .allTopics, execute: true, yes: false,
                                                       context: rig.context(), service: rig.service)
            #expect(tty == 1)
            #expect(rig.console.stderr.contains("no terminal to ask for confirmation on; pass --yes to confirm"))
            #expect(rig.client.counterSnapshot().subtracting(before).count(api: "OffsetCommit") == 0)
            let committed4 = try await rig.committed("billing")
            #expect(committed4 == [5, 5, 5])
            #expect(rig.log.auditLines.count == 2 && rig.log.auditLines.allSatisfy { $0.contains("result=refused sent=false") })
        }
    }

    @Test func confirmationShowsThePreview() async throws {
        try await withRig(canPrompt: true, answer: "n") { rig in
            let code = await GroupWriteCLI.resetOffsets(group: "billing", spec: .toEarliest, scope: .allTopics, execute: true, yes: false,
                                                        context: rig.context(), service: rig.service)
            #expect(code == 1)
            let asked = try #require(rig.console.asked.first)
            #expect(asked.hasPrefix("Reset offsets of consumer group billing (--to-earliest, --all-topics) on cluster mock?\n"))
            #expect(asked.contains("3 partitions, 3 changing; lag 15 -> 30."))
            #expect(asked.contains("note: members could not be checked"))
            #expect(asked.hasSuffix("[y/N] "))
            let committed5 = try await rig.committed("billing")
            #expect(committed5 == [5, 5, 5])
        }
    }

    @Test func aLeaderDownLeavesItsPartitionNamedAndTheRestApplied() async throws {
        try await withRig { rig in
            try await rig.mock.setBrokerDown(2)
            let code = await GroupWriteCLI.resetOffsets(group: "billing", spec: .toEarliest, scope: .allTopics, execute: true, yes: true,
                                                        context: rig.context(), service: rig.service)
            #expect(code == 1)
            #expect(rig.console.stderr.contains("partly failed: 2 of 3 partitions reset; not reset: orders/1:"), "\(rig.console.stderr)")
            #expect(rig.log.auditLines.count == 1 && rig.log.auditLines[0].contains("result=partial"))
            try await rig.mock.setBrokerUp(2)
            let committed6 = try await rig.committed("billing")
            #expect(committed6 == [0, 5, 0])
        }
    }

    @Test func anUnknownGroupIsRefused() async throws {
        try await withRig { rig in
            let code = await GroupWriteCLI.resetOffsets(group: "nobody", spec: .toEarliest, scope: .allTopics, execute: true, yes: true,
                                                        context: rig.context(), service: rig.service)
            #expect(code == 1)
            #expect(rig.console.stderr.contains("consumer group nobody has no committed offsets to reset"), "\(rig.console.stderr)")
        }
    }
}
