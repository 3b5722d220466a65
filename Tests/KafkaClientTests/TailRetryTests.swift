import ClusterModel
import KafkaAdmin
import KafkaClient
import KafkaProtocol
import KafkaTestSupport
import Synchronization
import Testing

/// Records every retry backoff the tail decides instead of waiting it out.
final class RecordingBackoffClock: TailBackoffClock {
    let waits = Mutex<[Duration]>([])
    func backoff(_ duration: Duration) async {
        waits.withLock { $0.append(duration) }
        try? await Task.sleep(for: .milliseconds(1))
    }
}

/// #13 item 5: transient Fetch errors injected by librdkafka's mock. Ten NOT_LEADER_OR_FOLLOWER answers in a
/// row used to delay records by 26.7 s (backoff 200 ms doubling to 5 s after a full metadata re-read), and the
/// tail's error stayed on screen after records flowed again.
@Suite(.serialized) struct TailRetryTests {
    @Test(arguments: [KafkaErrorCode.notLeaderOrFollower, .requestTimedOut])
    func transientFetchErrorsAreRetriedWithAShortCappedBackoffAndTheErrorClears(_ error: KafkaErrorCode) async throws {
        try await withMockCluster { mock in
            let topic = "tail-retry-\(error.code)"
            try await mock.createTopic(topic, partitions: 1)
            _ = try await mock.produce(topic: topic, records: (0..<3).map { .init(key: nil, value: Array("r\($0)".utf8), partition: 0) })
            try await withClient(try TestClients.config(bootstrap: mock.bootstrap)) { client in
                _ = try await client.metadata()
                try await mock.pushRequestErrors(apiKey: ApiKey.fetch.rawValue, codes: Array(repeating: error.code, count: 10))
                let clock = RecordingBackoffClock()
                let tail = KafkaTailService(client: client, backoffClock: clock)
                var records: [Int64] = []
                var events: [String] = []
                for try await e in tail.tail(TailOptions(topic: topic, start: .beginning)) {
                    switch e {
                    case .records(let rs): records += rs.map(\.offset)
                    case .notice(let n): events.append("notice: \(n)")
                    case .recovered(let n): events.append("recovered: \(n)")
                    case .caughtUp: events.append("caught up")
                    }
                    if records.count >= 3 && events.contains(where: { $0.hasPrefix("recovered") }) { break }
                }
                #expect(records == [0, 1, 2])
                let waits = clock.waits.withLock { $0 }
                // One backoff decision per injected error, each short, all of them together a few seconds at most.
                #expect(waits.count == 10, "\(waits)")
                #expect(waits.allSatisfy { $0 <= .milliseconds(500) }, "\(waits)")
                #expect(waits.reduce(.zero, +) <= .seconds(4), "\(waits)")
                // The error is reported once, then cleared when fetching works again.
                let errorNotices = events.filter { $0.hasPrefix("notice:") && $0.contains(error.name) }
                #expect(errorNotices.count == 1, "\(events)")
                let firstError = events.firstIndex { $0.contains(error.name) }
                let recovered = events.firstIndex { $0.hasPrefix("recovered:") }
                #expect(firstError != nil && recovered != nil && firstError! < recovered!, "\(events)")
            }
        }
    }
}
