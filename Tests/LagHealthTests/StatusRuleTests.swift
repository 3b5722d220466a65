import Testing
@testable import LagHealth

/// Each status rule over synthetic sample windows; time is the test's own numbers.
@Suite struct StatusRuleTests {
    let key = PartitionKey(topic: "orders", partition: 0)
    let rules = LagRules(window: 600, stalledAfter: 60, stoppedAfter: 300, minimumSpan: 1)

    /// Samples every `step` seconds from `t0`, with (committed, end) pairs.
    func series(_ points: [(Int64, Int64)], t0: Double = 1_000, step: Double = 10) -> [OffsetSample] {
        points.enumerated().map { OffsetSample(at: t0 + Double($0.offset) * step, committed: $0.element.0, end: $0.element.1) }
    }

    func judge(_ s: [OffsetSample], now: Double? = nil, members: Bool? = true, error: String? = nil) -> PartitionHealth {
        PartitionEvaluator.evaluate(key, samples: s, now: now ?? s.last!.at, hasActiveMembers: members,
                                    readError: error, rules: rules)
    }

    @Test func caughtUpIsOKWithZeroETA() {
        let h = judge(series([(90, 100), (100, 100)]))
        #expect(h.status == .ok)
        #expect(h.etaSeconds == 0)
        #expect(h.reason == "caught up")
    }

    @Test func oneCaughtUpSampleIsNotJudgedButHasZeroETA() {
        let h = judge(series([(100, 100)]))
        #expect(h.status == nil && h.consumeRate == nil)
        #expect(h.etaSeconds == 0 && h.lag == 0)
    }

    @Test func oneSampleIsNotJudged() {
        let h = judge(series([(50, 100)]))
        #expect(h.status == nil)
        #expect(h.consumeRate == nil)
        #expect(h.lag == 50)
    }

    @Test func catchingUpIsOKWithETA() {
        // Consumes 10/s, produces 5/s: lag 100 -> 50 over 10 s; 50 left at 5/s net = 10 s.
        let h = judge(series([(0, 100), (100, 150)]))
        #expect(h.status == .ok)
        #expect(h.consumeRate == 10)
        #expect(h.produceRate == 5)
        #expect(h.etaSeconds == 10)
        #expect(!h.fallingBehind)
    }

    @Test func growingLagWhileAdvancingIsWarning() {
        let h = judge(series([(0, 100), (10, 130), (20, 170), (30, 220)]))
        #expect(h.status == .warning)
        #expect(h.fallingBehind)
        #expect(h.etaSeconds == nil)
    }

    @Test func growthThatMostlyFellIsNotWarning() {
        // Ends higher than it started, but fell in two of three intervals: noise, not a trend.
        let h = judge(series([(0, 100), (60, 150), (120, 190), (121, 230)]))
        #expect(h.status == .ok)
    }

    @Test func asManyFallsAsRisesIsNoTrend() {
        // Lag 100 -> 90 -> 120: ends higher, but rose in one interval and fell in the other.
        #expect(judge(series([(0, 100), (20, 110), (30, 150)])).status == .ok)
    }

    @Test func unmovedOffsetWithMembersIsStalledFromStalledAfter() {
        // 50 s unmoved: not yet (a consumer committing every 5 s can repeat an offset); 60 s: stalled.
        let early = judge(series([(40, 100), (40, 110), (40, 120)], step: 25), members: true)
        #expect(early.status == .ok)
        #expect(early.reason == "offset 40 unchanged for 50s")
        let h = judge(series([(40, 100), (40, 110), (40, 120)], step: 30), members: true)
        #expect(h.status == .stalled)
        #expect(h.reason == "offset 40 has not moved for 60s with lag 80")
        #expect(h.fallingBehind)
    }

    @Test func unmovedOffsetWithoutMembersIsStalledUntilStoppedAfter() {
        let s = series([(40, 100), (40, 100)], step: 299)
        #expect(judge(s, members: false).status == .stalled)
        // One second past stopped_after since the offset last moved.
        #expect(judge(s, now: s[0].at + 300, members: false).status == .stopped)
        // Members present: never STOPPED, however long.
        #expect(judge(s, now: s[0].at + 10_000, members: true).status == .stalled)
    }

    @Test func stoppedCountsFromWhenTheOffsetLastMoved() {
        // Moved at t=1010 (30 -> 40), then still: 290 s later is not yet stopped_after.
        let s = series([(30, 100), (40, 100), (40, 100)], step: 10) + [OffsetSample(at: 1_300, committed: 40, end: 100)]
        #expect(judge(s, members: false).status == .stalled)
        #expect(judge(s, now: 1_310, members: false).status == .stopped)
    }

    @Test func readErrorIsError() {
        let h = judge(series([(0, 100), (10, 100)]), error: "NOT_COORDINATOR")
        #expect(h.status == .error)
        #expect(h.reason == "NOT_COORDINATOR")
    }

    @Test func unknownEndIsErrorNotZeroLag() {
        let s = [OffsetSample(at: 1, committed: 5, end: 10), OffsetSample(at: 2, committed: 5, end: nil)]
        let h = judge(s)
        #expect(h.status == .error)
        #expect(h.lag == nil)
    }

    @Test func noCommittedOffsetIsNotJudged() {
        let h = judge([OffsetSample(at: 1, committed: nil, end: 10), OffsetSample(at: 9, committed: nil, end: 10)])
        #expect(h.status == nil)
        #expect(h.reason == "no committed offset")
    }

    @Test func samplesOlderThanTheWindowAreIgnored() {
        // Lag grew long ago (outside the 600 s window), then shrank: OK, not WARNING.
        let old = series([(0, 100), (10, 300)], t0: 0)
        let recent = series([(200, 380), (300, 390)], t0: 2_000)
        #expect(judge(old + recent).status == .ok)
    }

    @Test func samplesCloserThanMinimumSpanAreNotJudged() {
        let strict = LagRules(window: 600, stalledAfter: 10, stoppedAfter: 300, minimumSpan: 30)
        let s = series([(0, 100), (0, 100)], step: 29)
        let h = PartitionEvaluator.evaluate(key, samples: s, now: s.last!.at, hasActiveMembers: true, readError: nil,
                                            rules: strict)
        #expect(h.status == nil)
    }
}
