import ClusterModel
import Testing

/// The reset planner as the Kafka tool computes it: every spec, clamping, scopes, parsing.
@Suite struct OffsetResetPlanTests {
    let p0 = TopicPartition("orders", 0)
    let p1 = TopicPartition("orders", 1)
    let p2 = TopicPartition("orders", 2)

    /// Log [10, 100) on p0 and p1, [0, 0) on p2 (empty); committed 50 on p0, nothing on p1, 0 on p2.
    func inputs(atTime: [TopicPartition: Int64] = [:]) -> OffsetResetInputs {
        OffsetResetInputs(partitions: [p2, p0, p1], committed: [p0: 50, p2: 0], earliest: [p0: 10, p1: 10, p2: 0],
                          latest: [p0: 100, p1: 100, p2: 0], atTimestamp: atTime)
    }

    func plan(_ spec: OffsetResetSpec, _ inputs: OffsetResetInputs? = nil) -> OffsetResetPlan {
        OffsetResetPlanner.plan(group: "g", spec: spec, scope: .allTopics, inputs: inputs ?? self.inputs())
    }

    func news(_ p: OffsetResetPlan) -> [Int64] { p.rows.map(\.new) }

    @Test func everySpec() {
        #expect(news(plan(.toEarliest)) == [10, 10, 0])
        #expect(news(plan(.toLatest)) == [100, 100, 0])
        #expect(news(plan(.toOffset(42))) == [42, 42, 0])
        #expect(news(plan(.toCurrent)) == [50, 100, 0], "no committed offset: the end, as the Kafka tool")
        let shifted = plan(.shiftBy(-5))
        #expect(news(shifted) == [45, 0])
        #expect(shifted.skipped == [p1: "no committed offset to shift"])
        let byTime = plan(.toDatetime(epochMs: 1_700_000_000_000, text: "x"), inputs(atTime: [p0: 70, p1: -1, p2: -1]))
        #expect(news(byTime) == [70, 100, 0])
        #expect(byTime.rows[1].note == "no record at or after the time: set to the log end")
        #expect(news(plan(.byDuration(ms: 60_000, text: "PT1M"), inputs(atTime: [p0: 99, p1: 12, p2: -1]))) == [99, 12, 0])
        #expect(OffsetResetSpec.byDuration(ms: 60_000, text: "PT1M").timestamp(nowMs: 1_000_000) == 940_000)
    }

    @Test func targetsOutsideTheLogAreClampedWithANote() {
        let high = plan(.toOffset(500))
        #expect(news(high) == [100, 100, 0])
        #expect(high.rows[0].note == "500 is past the log end: clamped to 100")
        let low = plan(.shiftBy(-1000))
        #expect(news(low) == [10, 0])
        #expect(low.rows[0].note == "-950 is before the log start: clamped to 10")
        #expect(news(plan(.shiftBy(Int64.max))) == [100, 0], "no overflow trap")
    }

    @Test func lagBeforeAndAfterAndUnreadablePartitions() {
        var i = inputs()
        i.failures[p1] = "broker 2 unreachable"
        let p = plan(.toEarliest, i)
        #expect(p.rows.map(\.lagBefore) == [50, 0])
        #expect(p.rows.map(\.lagAfter) == [90, 0])
        #expect(p.skipped == [p1: "broker 2 unreachable"])
    }

    @Test func activeMembersBlockTheReset() {
        #expect(OffsetResetPlanner.blockedReason(group: "g", state: "Stable", members: 2)?.hasPrefix("consumer group g has 2 active members (state Stable)") == true)
        #expect(OffsetResetPlanner.blockedReason(group: "g", state: "Empty", members: 0) == nil)
        #expect(OffsetResetPlanner.blockedReason(group: "g", state: "PreparingRebalance", members: nil) != nil)
        #expect(OffsetResetPlanner.blockedReason(group: "g", state: "Unknown", members: nil) == nil, "the broker decides")
    }

    @Test func scopesParseAsTheKafkaTool() throws {
        let v7 = try OffsetResetScope.TopicSelection.parse("orders")
        #expect(v7 == .init(topic: "orders"))
        let v8 = try OffsetResetScope.TopicSelection.parse("orders:2,0,2")
        #expect(v8 == .init(topic: "orders", partitions: [0, 2]))
        #expect(throws: OffsetResetInputError.self) { try OffsetResetScope.TopicSelection.parse("orders:x") }
        #expect(throws: OffsetResetInputError.self) { try OffsetResetScope.TopicSelection.parse(":1") }
        #expect(OffsetResetScope.topics([.init(topic: "a", partitions: [0, 1]), .init(topic: "b")]).description == "--topic a:0,1 --topic b")
    }

    @Test func datetimesNeedAZone() throws {
        let v9 = try OffsetResetParsing.datetime("1970-01-01T00:00:00Z")
        #expect(v9 == 0)
        let v10 = try OffsetResetParsing.datetime("2024-05-01T14:00:00Z")
        #expect(v10 == 1_714_572_000_000)
        let v11 = try OffsetResetParsing.datetime("2024-05-01T16:00:00.250+02:00")
        #expect(v11 == 1_714_572_000_250)
        let v12 = try OffsetResetParsing.datetime("2024-05-01T09:30-0430")
        #expect(v12 == 1_714_572_000_000)
        let v13 = try OffsetResetParsing.datetime("2024-02-29T00:00:00Z")
        #expect(v13 == 1_709_164_800_000)
        #expect(throws: OffsetResetInputError.self) { try OffsetResetParsing.datetime("2024-05-01T14:00:00") }
        #expect(throws: OffsetResetInputError.self) { try OffsetResetParsing.datetime("2023-02-29T00:00:00Z") }
        #expect(throws: OffsetResetInputError.self) { try OffsetResetParsing.datetime("yesterday") }
    }

    @Test func durationsAsJavaTakesThem() throws {
        let v14 = try OffsetResetParsing.duration("PT30M")
        #expect(v14 == 1_800_000)
        let v15 = try OffsetResetParsing.duration("P1DT12H")
        #expect(v15 == 129_600_000)
        let v16 = try OffsetResetParsing.duration("PT0.5S")
        #expect(v16 == 500)
        let v17 = try OffsetResetParsing.duration("p2d")
        #expect(v17 == 172_800_000)
        for bad in ["30M", "PT", "P1H", "PT-5M", "P1DT"] {
            #expect(throws: OffsetResetInputError.self, "\(bad)") { try OffsetResetParsing.duration(bad) }
        }
    }
}
