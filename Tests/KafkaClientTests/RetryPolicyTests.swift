import KafkaProtocol
import Testing
@testable import KafkaClient

/// The generated error constants and the one retry policy that reads them.
@Suite struct RetryPolicyTests {
    @Test func namedConstantsAreTheTableEntries() {
        #expect(KafkaErrorCode.notLeaderOrFollower == KafkaErrorCode.lookup(6))
        #expect(KafkaErrorCode.requestTimedOut.code == 7)
        #expect(KafkaErrorCode.unknownTopicId.name == "UNKNOWN_TOPIC_ID")
        for (i, e) in KafkaErrorCode.all.enumerated() { #expect(Int(e.code) == i - 1) }
    }

    @Test func retriesExactlyTheRetriableCodesAndRefreshesWhatTheyName() {
        let policy = RetryPolicy.reads
        for e in KafkaErrorCode.all where e != .none {
            switch policy.decide(e, failures: 1) {
            case .fail: #expect(!e.isRetriable, "\(e.name) is retriable but the policy gives up")
            case .retry(_, let refresh):
                #expect(e.isRetriable, "\(e.name) is not retriable but the policy retries")
                #expect(refresh == e.refresh)
            }
        }
        #expect(policy.decide(.notLeaderOrFollower, failures: 1) == .retry(after: .milliseconds(100), refresh: .metadata))
        #expect(policy.decide(.notCoordinator, failures: 1) == .retry(after: .milliseconds(100), refresh: .coordinator))
        #expect(policy.decide(.requestTimedOut, failures: 2) == .retry(after: .milliseconds(200), refresh: .nothing))
    }

    @Test func backoffIsShortCappedAndBounded() {
        let reads = RetryPolicy.reads
        #expect(reads.delay(afterFailures: 1) == .milliseconds(100))
        #expect(reads.delay(afterFailures: 4) == .milliseconds(800))
        #expect(reads.delay(afterFailures: 30) == .seconds(1))
        #expect(reads.decide(.notLeaderOrFollower, failures: 5) == .fail)
        let tail = RetryPolicy.streaming
        #expect(tail.decide(.notLeaderOrFollower, failures: 1000) == .retry(after: .milliseconds(500), refresh: .metadata))
        // Ten errors in a row cost the tail at most a few seconds in all (it was 26.7 s).
        let total = (1...10).reduce(Duration.zero) { $0 + tail.delay(afterFailures: $1) }
        #expect(total <= .seconds(4))
    }
}
