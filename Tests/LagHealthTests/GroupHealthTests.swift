import Testing
@testable import LagHealth

@Suite struct GroupHealthTests {
    func reading(_ p: Int32, _ c: Int64?, _ e: Int64?, error: String? = nil) -> LagTracker.Reading {
        LagTracker.Reading(key: PartitionKey(topic: "t", partition: p), committed: c, end: e, error: error)
    }

    @Test func worstPartitionDecidesAndRatesAdd() {
        var t = LagTracker()
        t.record(group: "g", at: 0, readings: [reading(0, 0, 100), reading(1, 50, 60)], hasActiveMembers: true)
        t.record(group: "g", at: 100, readings: [reading(0, 1_000, 1_050), reading(1, 50, 260)], hasActiveMembers: true)
        let h = t.health(group: "g", now: 100)!
        #expect(h.status == .stalled)
        #expect(h.reason == "t-1: offset 50 has not moved for 100s with lag 210")
        #expect(h.consumeRate == 10)
        #expect(h.produceRate == 11.5)
        // p1 is stalled (consumes 0 < produces 2/s): the group cannot say when it catches up.
        #expect(h.fallingBehind)
        #expect(h.etaSeconds == nil)
    }

    @Test func etaIsTheSlowestPartition() {
        var t = LagTracker()
        t.record(group: "g", at: 0, readings: [reading(0, 0, 100), reading(1, 0, 1_000)], hasActiveMembers: true)
        t.record(group: "g", at: 10, readings: [reading(0, 50, 100), reading(1, 500, 1_000)], hasActiveMembers: true)
        let h = t.health(group: "g", now: 10)!
        #expect(h.status == .ok)
        #expect(h.etaSeconds == 10)  // p0: 50 left at 5/s; p1: 500 left at 50/s
    }

    @Test func coordinatorFailureIsError() {
        var t = LagTracker()
        t.record(group: "g", at: 0, readings: [reading(0, 0, 100)], hasActiveMembers: true)
        t.record(group: "g", at: 10, readings: [], hasActiveMembers: nil, groupError: "coordinator unreachable")
        let h = t.health(group: "g", now: 10)!
        #expect(h.status == .error)
        #expect(h.reason == "coordinator unreachable")
        // The earlier samples survive the failed refresh.
        #expect(t.samples(group: "g", key: PartitionKey(topic: "t", partition: 0)).count == 1)
    }

    @Test func onePartitionUnreadableMakesTheGroupError() {
        var t = LagTracker()
        t.record(group: "g", at: 0, readings: [reading(0, 0, 10), reading(1, 0, 10)], hasActiveMembers: true)
        t.record(group: "g", at: 10, readings: [reading(0, 10, 10), reading(1, nil, nil, error: "leader 2 down")],
                 hasActiveMembers: true)
        let h = t.health(group: "g", now: 10)!
        #expect(h.status == .error)
        #expect(h.reason == "t-1: leader 2 down")
    }

    @Test func aPartitionWaitingForItsSecondSampleKeepsAnOKGroupUnjudged() {
        var t = LagTracker()
        t.record(group: "g", at: 0, readings: [reading(0, 0, 10)], hasActiveMembers: true)
        t.record(group: "g", at: 10, readings: [reading(0, 10, 10), reading(1, 0, 10)], hasActiveMembers: true)
        #expect(t.health(group: "g", now: 10)?.status == nil)
    }

    @Test func removedPartitionsAreForgottenAndBoundsHold() {
        var t = LagTracker(limit: 3, maxGroups: 2)
        for i in 0..<5 { t.record(group: "a", at: Double(i), readings: [reading(0, 0, 1)], hasActiveMembers: true) }
        #expect(t.samples(group: "a", key: PartitionKey(topic: "t", partition: 0)).count == 3)
        t.record(group: "a", at: 6, readings: [reading(1, 0, 1)], hasActiveMembers: true)
        #expect(t.samples(group: "a", key: PartitionKey(topic: "t", partition: 0)).isEmpty)
        t.record(group: "b", at: 7, readings: [], hasActiveMembers: true)
        t.record(group: "c", at: 8, readings: [], hasActiveMembers: true)
        #expect(t.sampledGroups == ["b", "c"])
    }

    @Test func sameInstantIsOneSample() {
        var t = LagTracker()
        t.record(group: "g", at: 5, readings: [reading(0, 1, 10)], hasActiveMembers: true)
        t.record(group: "g", at: 5, readings: [reading(0, 2, 10)], hasActiveMembers: true)
        let s = t.samples(group: "g", key: PartitionKey(topic: "t", partition: 0))
        #expect(s == [OffsetSample(at: 5, committed: 2, end: 10)])
    }
}
