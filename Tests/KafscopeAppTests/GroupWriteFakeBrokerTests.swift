import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
import KafkaTestSupport
import Logging
import Testing
import WriteFlow
@testable import KafscopeApp

/// `kafscope group reset-offsets|delete-offsets|delete` against the independent fake broker, the one
/// peer here that answers OffsetDelete (neither tansu nor the librdkafka mock does). Its group
/// coordinator answers as Kafka's does (UNKNOWN_MEMBER_ID for an outside commit to a group with members,
/// NON_EMPTY_GROUP, GROUP_SUBSCRIBED_TO_TOPIC), with kafka-python's encoders; and it re-encodes every
/// request kafscope sends with kafka-python, so each test also checks kafscope's request bytes against an
/// independent encoder (`IndependentBroker.with` fails on any difference; `mismatches()` shows it here).
@Suite(.serialized, .timeLimit(.minutes(3))) struct GroupWriteFakeBrokerTests {
    struct Rig {
        let fake: IndependentBroker
        let service: KafkaAdminService
        let console: RecordingConsole
        let log: RecordingLog

        func context(readOnly: Bool = false) -> GroupWriteContext {
            GroupWriteContext(location: "cluster fake", readOnly: readOnly, json: false,
                              driver: WriteDriver(console: console, logger: log.logger, user: "ops", printSuccess: true),
                              nowMs: { 1_700_000_000_000 })
        }

        /// Committed offsets of a group's topic as the fake's OffsetFetch answers them now.
        func committed(_ group: String, _ topic: String) async throws -> [Int32: Int64] {
            var out: [Int32: Int64] = [:]
            for (tp, offset) in try await service.committedPartitions(group: group, topic: topic) { out[tp.partition] = offset }
            return out
        }

        func requests(_ api: Int16) async throws -> [[String: Any]] {
            try await fake.requests(apiKey: api).map(\.request)
        }
    }

    /// Record times for ListOffsets by timestamp: offset 6 is the first at or after now - 1 h.
    static let recordTimes: [[Int]] = [[1_699_990_000_000, 3], [1_699_997_000_000, 6], [1_699_999_000_000, 8]]

    static var orders: [String: Any] {
        var partitions: [[String: Any]] = []
        for i in 0..<3 {
            let broker = i % 2 + 1
            partitions.append(["leader": broker, "replicas": [broker], "isr": [broker], "log_start": 2, "end": 10,
                               "timestamps": recordTimes])
        }
        return ["partitions": partitions]
    }
    static var audit: [String: Any] { ["partitions": [["leader": 1, "replicas": [1], "isr": [1], "log_start": 0, "end": 4]]] }

    /// billing: empty, offsets on orders and audit. live: one member consuming orders.
    static var scenario: [String: Any] {
        ["topics": ["orders": orders, "audit": audit],
         "groups": [
            "billing": ["state": "Empty", "members": [] as [Any],
                        "committed": ["orders": ["0": 5, "1": 5, "2": 5], "audit": ["0": 1]]],
            "live": ["state": "Stable",
                     "members": [["member_id": "m-1", "client_id": "worker", "host": "/10.0.0.7", "assignment": ["orders": [0, 1, 2]]]],
                     "committed": ["orders": ["0": 3, "1": 3, "2": 3]]],
         ] as [String: Any]]
    }

    func withRig(_ body: (Rig) async throws -> Void) async throws {
        try await IndependentBroker.with(brokers: 2, scenario: Self.scenario) { fake in
            let config = KafkaClientConfig(bootstrap: try HostAddress.parseList(fake.bootstrap), clientId: "kafscope-test",
                                           requestTimeout: .seconds(10), maxReconnectBackoff: .milliseconds(200))
            let client = KafkaClient(config: config, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            let rig = Rig(fake: fake, service: KafkaAdminService(client: client), console: RecordingConsole(canPrompt: false, answer: nil),
                          log: RecordingLog())
            do { try await body(rig) } catch { await client.shutdown(); throw error }
            await client.shutdown()
        }
    }

    @Test func aResetIsOneOffsetCommitFromOutsideTheGroupEncodedAsKafkaPythonWould() async throws {
        try await withRig { rig in
            let code = await GroupWriteCLI.resetOffsets(group: "billing", spec: .shiftBy(-3), scope: .topics([.init(topic: "orders")]),
                                                        execute: true, yes: true, context: rig.context(), service: rig.service)
            #expect(code == 0, "\(rig.console.stderr)")
            let commits = try await rig.requests(8)
            #expect(commits.count == 1, "one OffsetCommit for every partition")
            let commit = try #require(commits.first)
            #expect(commit["group_id"] as? String == "billing")
            #expect(commit["generation_id_or_member_epoch"] as? Int == -1, "a commit from outside the group")
            #expect(commit["member_id"] as? String == "")
            let partitions = ((commit["topics"] as? [[String: Any]])?.first?["partitions"] as? [[String: Any]]) ?? []
            #expect(partitions.map { $0["committed_offset"] as? Int } == [2, 2, 2])
            let after = try await rig.committed("billing", "orders")
            #expect(after == [0: 2, 1: 2, 2: 2])
            let audit = try await rig.committed("billing", "audit")
            #expect(audit == [0: 1], "--topic orders leaves audit alone")
            let mismatches = try await rig.fake.mismatches()
            #expect(mismatches.isEmpty, "kafscope's bytes differ from kafka-python's encoding:\n\(mismatches.joined(separator: "\n"))")
        }
    }

    /// Every spec of `kafka-consumer-groups.sh --reset-offsets`, each planned (dry run) from the fake's
    /// answers, on one partition so the scopes' partition lists are exercised too.
    @Test(arguments: [
        (OffsetResetSpec.toEarliest, Int64(2)), (.toLatest, 10), (.toOffset(7), 7), (.toOffset(1), 2), (.toOffset(99), 10),
        (.toDatetime(epochMs: 1_699_998_000_000, text: "2023-11-14T21:46:40Z"), 8),
        (.byDuration(ms: 3_600_000, text: "PT1H"), 6), (.shiftBy(-4), 2), (.shiftBy(3), 8), (.toCurrent, 5),
    ])
    func everySpecIsPlannedFromTheBrokersOffsets(spec: OffsetResetSpec, expected: Int64) async throws {
        try await withRig { rig in
            let scope = OffsetResetScope.topics([.init(topic: "orders", partitions: [1])])
            let code = await GroupWriteCLI.resetOffsets(group: "billing", spec: spec, scope: scope, execute: true, yes: true,
                                                        context: rig.context(), service: rig.service)
            #expect(code == 0, "\(spec): \(rig.console.stderr)")
            let after = try await rig.committed("billing", "orders")
            #expect(after == [0: 5, 1: expected, 2: 5], "\(spec)")
            let mismatches = try await rig.fake.mismatches()
            #expect(mismatches.isEmpty, "\(mismatches)")
        }
    }

    @Test func aGroupWithMembersIsRefusedWithTheReasonAndNothingIsCommitted() async throws {
        try await withRig { rig in
            let code = await GroupWriteCLI.resetOffsets(group: "live", spec: .toEarliest, scope: .allTopics,
                                                        execute: true, yes: true, context: rig.context(), service: rig.service)
            #expect(code == 1)
            #expect(rig.console.stderr.contains("has 1 active member (state Stable); stop its consumers first"), "\(rig.console.stderr)")
            let commits = try await rig.requests(8)
            #expect(commits.isEmpty, "refused before anything is sent")
            let after = try await rig.committed("live", "orders")
            #expect(after == [0: 3, 1: 3, 2: 3])
        }
    }

    @Test func aPartitionTheCoordinatorRefusesIsNamedAndTheOthersApplied() async throws {
        try await withRig { rig in
            try await rig.fake.set(["groups", "billing", "commit_errors"], to: ["orders": ["1": 12]])
            let code = await GroupWriteCLI.resetOffsets(group: "billing", spec: .toEarliest, scope: .topics([.init(topic: "orders")]),
                                                        execute: true, yes: true, context: rig.context(), service: rig.service)
            #expect(code == 1)
            #expect(rig.console.stderr.contains("2 of 3 partitions reset; not reset: orders/1: "), "\(rig.console.stderr)")
            #expect(rig.console.stderr.contains("OFFSET_METADATA_TOO_LARGE"), "the broker's code is named: \(rig.console.stderr)")
            #expect(rig.log.auditLines.count == 1 && rig.log.auditLines[0].contains("result=partial"), "\(rig.log.auditLines)")
            let after = try await rig.committed("billing", "orders")
            #expect(after == [0: 2, 1: 5, 2: 2])
        }
    }

    @Test func deleteOffsetsSendsOffsetDeleteAndTheTopicsOffsetsAreGone() async throws {
        try await withRig { rig in
            let code = await GroupWriteCLI.deleteOffsets(group: "billing", topic: "orders", yes: true, context: rig.context(), service: rig.service)
            #expect(code == 0, "\(rig.console.stderr)")
            let deletes = try await rig.requests(47)
            #expect(deletes.count == 1)
            let sent = try #require(deletes.first)
            #expect(sent["group_id"] as? String == "billing")
            let topics = sent["topics"] as? [[String: Any]] ?? []
            #expect(topics.map { $0["name"] as? String } == ["orders"])
            #expect(((topics.first?["partitions"] as? [[String: Any]]) ?? []).map { $0["partition_index"] as? Int } == [0, 1, 2])
            let orders = try await rig.committed("billing", "orders")
            #expect(orders.isEmpty)
            let audit = try await rig.committed("billing", "audit")
            #expect(audit == [0: 1], "only the named topic's offsets go")
            #expect(rig.log.auditLines.count == 1)
            #expect(rig.log.auditLines.first?.contains("kind=offset-delete") == true)
            #expect(rig.log.auditLines.first?.contains(#"offsets="orders/0 5->deleted, orders/1 5->deleted, orders/2 5->deleted""#) == true,
                    "\(rig.log.auditLines)")
            #expect(rig.log.auditLines.first?.contains("result=ok") == true)
            let mismatches = try await rig.fake.mismatches()
            #expect(mismatches.isEmpty, "\(mismatches)")
        }
    }

    @Test func deleteOffsetsOfATopicTheMembersReadNamesTheBrokersError() async throws {
        try await withRig { rig in
            let code = await GroupWriteCLI.deleteOffsets(group: "live", topic: "orders", yes: true, context: rig.context(), service: rig.service)
            #expect(code == 1)
            #expect(rig.console.stderr.contains("GROUP_SUBSCRIBED_TO_TOPIC"), "\(rig.console.stderr)")
            let after = try await rig.committed("live", "orders")
            #expect(after == [0: 3, 1: 3, 2: 3], "nothing deleted")
        }
    }

    @Test func deleteGroupsDeletesTheEmptyOneRefusesTheLiveOneAndNamesTheUnknownOne() async throws {
        try await withRig { rig in
            let code = await GroupWriteCLI.deleteGroups(["billing", "live", "nobody"], yes: true, context: rig.context(), service: rig.service)
            #expect(code == 1, "not every group was deleted")
            let names = try await rig.requests(42).flatMap { $0["groups_names"] as? [String] ?? [] }
            #expect(!names.contains("live"), "a group with members is refused before anything is sent: \(names)")
            #expect(names.contains("billing"))
            let err = rig.console.stderr
            #expect(err.contains("live"), "\(err)")
            #expect(err.contains("nobody"), "\(err)")
            let listed = try await rig.service.groupDetails(named: ["billing"]).value.first
            #expect(listed?.offsets.isEmpty ?? true, "billing and its offsets are gone")
            let lines = rig.log.auditLines
            #expect(lines.count == 3, "one audit line per group: \(lines)")
            #expect(lines.first { $0.contains("target=billing") }?.contains("result=ok") == true, "\(lines)")
            #expect(lines.first { $0.contains("target=live") }?.contains("sent=false") == true, "\(lines)")
        }
    }
}
