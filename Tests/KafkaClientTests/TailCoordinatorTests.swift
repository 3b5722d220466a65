@testable import KafkaAdmin
import KafkaClient
import KafkaProtocol
import Testing

/// TailCoordinator driven as scripts: each step feeds it what a fetch loop saw and checks what it decides.
@Suite struct TailCoordinatorTests {
    @Test func aStreakOfNotLeaderErrorsRefreshesMetadataWithAShortCappedBackoffAndOneNotice() {
        var c = TailCoordinator(retry: .streaming)
        var delays: [Duration] = []
        var notices: [String] = []
        for _ in 0..<10 {
            guard case .refreshMetadata(let after, let notice) = c.fetchFailed(broker: 1, error: .notLeaderOrFollower,
                                                                            what: "t partition 0 on broker 1") else {
                Issue.record("NOT_LEADER_OR_FOLLOWER must refresh metadata")
                return
            }
            delays.append(after)
            if let notice { notices.append(notice) }
        }
        #expect(delays.map { $0 / .milliseconds(1) } == [50, 100, 200, 400, 500, 500, 500, 500, 500, 500].map(Double.init))
        #expect(notices == ["t partition 0 on broker 1: NOT_LEADER_OR_FOLLOWER (6); retrying"])
        #expect(c.decisions == delays)
        // Records flow again: one recovery, and the streak starts over.
        let recovery = c.fetchSucceeded(broker: 1, topic: "t")
        #expect(recovery == "fetching t again (after 10 failed fetches from broker 1)")
        let again = c.fetchSucceeded(broker: 1, topic: "t")
        #expect(again == nil)
        let next = c.fetchFailed(broker: 1, error: .notLeaderOrFollower, what: "t partition 0 on broker 1")
        #expect(next == .refreshMetadata(after: .milliseconds(50), notice: "t partition 0 on broker 1: NOT_LEADER_OR_FOLLOWER (6); retrying"))
    }

    @Test func aTimeoutRetriesTheSameBrokerWithoutAMetadataRefresh() {
        var c = TailCoordinator(retry: .streaming)
        let first = c.fetchFailed(broker: 2, error: .requestTimedOut, what: "broker 2 refused the fetch")
        #expect(first == .retryBroker(after: .milliseconds(50), notice: "broker 2 refused the fetch: REQUEST_TIMED_OUT (7); retrying"))
        let second = c.fetchFailed(broker: 2, error: .requestTimedOut, what: "broker 2 refused the fetch")
        #expect(second == .retryBroker(after: .milliseconds(100), notice: nil))
    }

    @Test func aPermanentErrorIsExplainedAndRetriedSlowly() {
        var c = TailCoordinator(retry: .streaming)
        let a = c.fetchFailed(broker: 1, error: .topicAuthorizationFailed, what: "t partition 0 on broker 1")
        #expect(a == .refreshMetadata(after: .milliseconds(200),
                                      notice: "t partition 0 on broker 1: TOPIC_AUTHORIZATION_FAILED (29): Not authorized to access the topic."))
    }

    @Test func recoveryWaitsForEveryBroker() {
        var c = TailCoordinator(retry: .streaming)
        _ = c.fetchFailed(broker: 1, error: .notLeaderOrFollower, what: "a")
        _ = c.fetchFailed(broker: 2, error: .requestTimedOut, what: "b")
        let one = c.fetchSucceeded(broker: 1, topic: "t")
        #expect(one == nil)
        let both = c.fetchSucceeded(broker: 2, topic: "t")
        #expect(both == "fetching t again (after 1 failed fetch from broker 2)")
    }

    @Test func theRunLoopWaitsWhatTheEndingFetchLoopDecided() {
        var c = TailCoordinator(retry: .streaming)
        let g = c.newGeneration()
        c.endGeneration(g, refresh: true, backoff: .milliseconds(200))
        // A loop of the ended generation cannot end the next one or change its wait.
        c.endGeneration(g, refresh: true, backoff: .seconds(9))
        #expect(!c.isCurrent(g))
        let r1 = c.takeRefresh()
        #expect(r1.refresh && r1.backoff == .milliseconds(200))
        let g2 = c.newGeneration()
        c.endGeneration(g2, refresh: false)
        let r2 = c.takeRefresh()
        #expect(!r2.refresh && r2.backoff == .zero)
    }

    @Test func positionsAdvanceOnlyForTheOwningGeneration() {
        var c = TailCoordinator()
        c.setPosition(0, 10)
        c.setTarget(0, 12)
        let g = c.newGeneration()
        let fromElsewhere = c.advance(0, from: 9, to: 12, generation: g)
        let fromHere = c.advance(0, from: 10, to: 12, generation: g)
        #expect(!fromElsewhere && fromHere)
        let early = c.takeCaughtUp()
        c.markDelivered(0, 12)
        let reached = c.takeCaughtUp()
        let twice = c.takeCaughtUp()
        #expect(!early && reached && !twice)
        let stale = c.advance(0, from: 12, to: 13, generation: g - 1)
        #expect(!stale)
    }
}
