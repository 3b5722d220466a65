import ClusterModel
import KafkaProtocol
import Testing
@testable import KafkaAdmin

@Suite struct LagRowsTests {
    func member(_ id: String, _ a: [(String, [Int32])]) -> GroupMember {
        GroupMember(memberId: id, clientId: "c-\(id)", host: "/10.0.0.1",
                    assignments: a.map { TopicPartitions(topic: $0.0, partitions: $0.1) })
    }

    @Test func rowsFollowKafkaConsumerGroupsOrdering() {
        let members = [
            member("m1", [("orders", [2])]),
            member("m2", [("orders", [3, 0]), ("audit", [1])]),
            member("idle", []),
            member("m3", [("orders", [1])]),
        ]
        let committed: [TopicPartitionKey: Int64] = [
            .init("orders", 0): 10, .init("orders", 1): 5, .init("orders", 2): 7,
            .init("audit", 1): 3, .init("old", 0): 42,
        ]
        let ends: PartitionMap<Int64> = [
            .init("orders", 0): 15, .init("orders", 1): 5, .init("orders", 2): 9, .init("orders", 3): 4,
            .init("audit", 1): 3, .init("old", 0): 50,
        ]
        let rows = KafkaAdminService.offsetRows(members: members, committed: committed, ends: ends)
        // m2 has 3 partitions, then m1 and m3 (1 each, original order kept), then the unowned commit.
        #expect(rows.map { "\($0.memberId ?? "-") \($0.topic)-\($0.partition)" } == [
            "m2 orders-0", "m2 audit-1", "m2 orders-3", "m1 orders-2", "m3 orders-1", "- old-0",
        ])
        let o3 = rows.first { $0.topic == "orders" && $0.partition == 3 }!
        #expect(o3.committed == nil && o3.lag == nil && o3.end == 4)
        let o0 = rows.first { $0.topic == "orders" && $0.partition == 0 }!
        #expect(o0.committed == 10 && o0.end == 15 && o0.lag == 5)
        let old = rows.last!
        #expect(old.clientId == nil && old.host == nil && old.lag == 8)
        #expect(!rows.contains { $0.memberId == "idle" })
    }

    @Test func unknownEndGivesNoLag() {
        let rows = KafkaAdminService.offsetRows(members: nil, committed: [.init("t", 0): 4], ends: [:])
        #expect(rows.count == 1)
        #expect(rows[0].committed == 4 && rows[0].end == nil && rows[0].lag == nil)
    }

    @Test func assignmentDecoding() throws {
        // version 1, [("orders", [0, 2])], user data null
        let bytes: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 6] + Array("orders".utf8) + [0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFF]
        let a = try ConsumerProtocolAssignment(versionedBytes: bytes).assignedPartitions
        #expect(a.count == 1 && a[0].topic == "orders" && a[0].partitions == [0, 2])
        // A version newer than the schemas (fields appended) is read at the newest known version.
        let future: [UInt8] = [0, 9] + Array(bytes.dropFirst(2)) + [1, 2, 3]
        #expect(try ConsumerProtocolAssignment(versionedBytes: future).assignedPartitions == a)
    }

    @Test func subscriptionRoundTripsThroughTheGeneratedCodec() throws {
        let s = ConsumerProtocolSubscription(topics: ["orders", "payments"], userData: nil)
        let bytes = try s.versionedBytes(version: 1)
        #expect(Array(bytes.prefix(2)) == [0, 1])
        #expect(try ConsumerProtocolSubscription(versionedBytes: bytes).topics == ["orders", "payments"])
    }

    @Test func malformedAssignmentThrowsInsteadOfTrapping() {
        let good: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 6] + Array("orders".utf8) + [0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2]
        for cut in 1..<good.count {
            #expect(throws: (any Error).self) { try ConsumerProtocolAssignment(versionedBytes: Array(good[..<cut])) }
        }
        // A huge topic count with no bytes behind it.
        #expect(throws: (any Error).self) { try ConsumerProtocolAssignment(versionedBytes: [0, 1, 0x7F, 0xFF, 0xFF, 0xFF]) }
    }
}
