import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
import KafkaTestSupport
import Logging
import Testing
import WriteFlow
@testable import KafscopeApp

/// Group writes against tansu, a broker with a real group coordinator (members, joins, DeleteGroups,
/// OffsetDelete): a live member (a kafka-python consumer in the peer) blocks resets and deletes with
/// the reason; once it leaves, reset, delete-offsets and delete go through. A join takes ~20 s, so
/// one broker and one join serve the whole sequence. Needs the venv (fails loudly without it).
@Suite(.serialized, .timeLimit(.minutes(6))) struct GroupWriteTansuTests {
    struct Rig {
        let tansu: TansuBroker
        let client: KafkaClient
        let service: KafkaAdminService
        let console: RecordingConsole
        let log: RecordingLog

        func context() -> GroupWriteContext {
            GroupWriteContext(location: "cluster tansu", readOnly: false, json: false,
                              driver: WriteDriver(console: console, logger: log.logger, user: "ops", printSuccess: true))
        }

        func detail(_ group: String) async throws -> GroupDetail {
            try #require(await service.groupDetails(named: [group]).value.first)
        }

        func committed(_ group: String) async throws -> [Int64?] {
            try await detail(group).offsets.sorted { $0.partition < $1.partition }.map(\.committed)
        }
    }

    /// Made to fail once before the delete check existed: tansu deleted the group under its live
    /// member (DeleteGroups answered 0), so kafscope now checks members before DeleteGroups.
    @Test func liveMembersRefuseThenResetDeleteOffsetsAndDeleteGroupApply() async throws {
        let tansu = try await TansuBroker.start()
        do {
            try await tansu.createTopic("orders", partitions: 2)
            for p in Int32(0)..<2 {
                try await tansu.produce(topic: "orders", records: (0..<6).map { .init(key: nil, value: "v\($0)", partition: p) })
            }
            let config = KafkaClientConfig(bootstrap: try HostAddress.parseList(tansu.bootstrap), clientId: "kafscope-test",
                                           requestTimeout: .seconds(10), maxReconnectBackoff: .milliseconds(200))
            let client = KafkaClient(config: config, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            defer { Task { await client.shutdown() } }
            do {
                let rig = Rig(tansu: tansu, client: client, service: KafkaAdminService(client: client),
                              console: RecordingConsole(canPrompt: false, answer: nil), log: RecordingLog())
                let assignment = try await tansu.joinGroup("live", topics: ["orders"], commit: true)
                #expect(assignment == ["orders-0", "orders-1"])
                let joined = try await rig.detail("live")
                #expect(joined.members.value?.count == 1, "\(joined.members)")
                #expect(try await rig.committed("live") == [6, 6])

                // Reset with a live member: refused before sending, with the reason.
                let before = client.counterSnapshot()
                let code = await GroupWriteCLI.resetOffsets(group: "live", spec: .toEarliest, scope: .allTopics, execute: true, yes: true,
                                                            context: rig.context(), service: rig.service)
                #expect(code == 1)
                #expect(rig.console.stderr.contains("consumer group live has 1 active member (state Stable)"), "\(rig.console.stderr)")
                #expect(client.counterSnapshot().subtracting(before).count(api: "OffsetCommit") == 0)
                // What the coordinator itself says to a commit from outside an active group.
                let refused = try await rig.service.commitOffsets(group: "live", offsets: [TopicPartition("orders", 0): 0])
                #expect(refused[TopicPartition("orders", 0)]?.contains("consumer group live is active") == true, "\(refused)")
                #expect(try await rig.committed("live") == [6, 6])
                // DeleteGroups with a live member: refused before sending (tansu itself would delete it).
                let del = await GroupWriteCLI.deleteGroups(["live"], yes: true, context: rig.context(), service: rig.service)
                #expect(del == 1)
                #expect(rig.console.stderr.contains("refusing to delete consumer group live on cluster tansu: consumer group live has 1 active member"),
                        "\(rig.console.stderr)")
                #expect(try await rig.detail("live").members.value?.count == 1)
                // OffsetDelete: tansu does not offer it; said as such (the fake broker tests the rest).
                let delOffsets = await GroupWriteCLI.deleteOffsets(group: "live", topic: "orders", yes: true, context: rig.context(),
                                                                   service: rig.service)
                #expect(delOffsets == 1)
                #expect(rig.console.stderr.contains("OffsetDelete (Kafka 2.4+) is not supported by this broker"), "\(rig.console.stderr)")

                // The member leaves: the same reset goes through, one OffsetCommit.
                try await tansu.leaveGroup("live")
                let sent = client.counterSnapshot()
                let applied = await GroupWriteCLI.resetOffsets(group: "live", spec: .shiftBy(-4), scope: .allTopics, execute: true,
                                                               yes: true, context: rig.context(), service: rig.service)
                #expect(applied == 0, "\(rig.console.stderr)")
                #expect(client.counterSnapshot().subtracting(sent).count(api: "OffsetCommit") == 1)
                #expect(try await rig.committed("live") == [2, 2])
                // Clamping against the real log bounds.
                let clamped = await GroupWriteCLI.resetOffsets(group: "live", spec: .toOffset(1_000), scope: .topics([.init(topic: "orders", partitions: [1])]),
                                                               execute: true, yes: true, context: rig.context(), service: rig.service)
                #expect(clamped == 0, "\(rig.console.stderr)")
                #expect(try await rig.committed("live") == [2, 6])

                // DeleteGroups of the now empty group: gone, offsets and all.
                let delGroup = await GroupWriteCLI.deleteGroups(["live"], yes: true, context: rig.context(), service: rig.service)
                #expect(delGroup == 0, "\(rig.console.stderr)")
                #expect(try await rig.detail("live").offsets.compactMap(\.committed).isEmpty)
                // An unknown group: refused with the reason, nothing sent.
                let unknown = await GroupWriteCLI.resetOffsets(group: "nobody", spec: .toLatest, scope: .allTopics, execute: true, yes: true,
                                                               context: rig.context(), service: rig.service)
                #expect(unknown == 1)
                #expect(rig.console.stderr.contains("nobody"), "\(rig.console.stderr)")
                let audits = rig.log.auditLines
                #expect(audits.filter { $0.contains("result=ok") }.count == 3, "\(audits)")
                #expect(audits.filter { $0.contains("result=refused") }.count >= 2, "\(audits)")
            }
            await client.shutdown()
        } catch {
            await tansu.stop()
            throw error
        }
        await tansu.stop()
    }
}
