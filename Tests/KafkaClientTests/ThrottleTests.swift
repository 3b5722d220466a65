import KafkaAdmin
import KafkaClient
import KafkaProtocol
import Synchronization
import Testing

/// ThrottleTimeMs (KIP-219): the client holds back the next request to a throttled broker, and only to
/// that broker. Asserted from events (requests the fake received, requests the client counted), not
/// from elapsed time.
@Suite struct ThrottleTests {
    /// Which broker each ListOffsets arrived at, in order.
    final class Arrivals: Sendable {
        private let m = Mutex<[Int32]>([])
        func add(_ b: Int32) -> Int { m.withLock { $0.append(b); return $0.count } }
        var all: [Int32] { m.withLock { $0 } }
    }

    /// The fake's ListOffsets handler, asking for `throttleMs` of quota delay in its first answer.
    static func throttleFirstListOffsets(_ cluster: FakeCluster, ms: Int32, arrivals: Arrivals) {
        cluster.setHandler(.listOffsets) { c, r in
            let n = arrivals.add(r.broker)
            let answer = try FakeHandlers.listOffsets(c, r)
            guard n == 1, let framed = answer else { return answer }
            let v = r.frame.apiVersion
            var (_, resp) = try KafkaFraming.decodeResponse(ListOffsetsRequest.self, version: v,
                                                            body: Array(framed.dropFirst(4)))
            resp.throttleTimeMs = ms
            return try KafkaFraming.encodeResponse(resp, for: ListOffsetsRequest.self, version: v,
                                                   correlationId: r.frame.correlationId)
        }
    }

    @Test func aThrottledBrokerGetsNoRequestWhileOthersDo() async throws {
        let arrivals = Arrivals()
        try await withFakeCluster(FakeTopology.kraft()) { cluster, service in
            // Ten minutes of quota: longer than the test can take, so only the hold explains silence.
            Self.throttleFirstListOffsets(cluster, ms: 600_000, arrivals: arrivals)
            // "logs" has one partition, led by broker 3; "bulk-00" is led by broker 1.
            let logs = TopicPartitionKey("logs", 0), bulk = TopicPartitionKey("bulk-00", 0)
            let first = await service.offsets(for: [logs], spec: .latest)
            #expect(first.offsets[logs] == 10)
            #expect(service.client.counterSnapshot().throttledMs[3] == 600_000)
            let held = Task { await service.offsets(for: [logs], spec: .earliest) }
            // Broker 1 is not throttled: its request goes out and is answered meanwhile...
            let other = await service.offsets(for: [bulk], spec: .latest)
            #expect(other.offsets[bulk] == 0)
            _ = try await service.client.metadata(refresh: true)
            // ...while broker 3 has still received only the first request, and the client has not sent another.
            #expect(arrivals.all == [3, 1], "ListOffsets arrivals by broker")
            #expect(service.client.counterSnapshot().perBroker[3]?["ListOffsets"] == 1)
            held.cancel()
            let cancelled = await held.value
            #expect(cancelled.offsets[logs] == nil)
            #expect(arrivals.all.filter { $0 == 3 }.count == 1, "the held request was never sent")
        }
    }

    @Test func theHeldRequestGoesOutOnceTheQuotaEnds() async throws {
        let arrivals = Arrivals()
        try await withFakeCluster(FakeTopology.kraft()) { cluster, service in
            Self.throttleFirstListOffsets(cluster, ms: 300, arrivals: arrivals)
            let tp = TopicPartitionKey("logs", 0)
            let first = await service.offsets(for: [tp], spec: .latest)
            #expect(first.offsets[tp] == 10)
            let second = await service.offsets(for: [tp], spec: .earliest)
            #expect(second.offsets[tp] == 0)
            let third = await service.offsets(for: [tp], spec: .latest)
            #expect(third.offsets[tp] == 10)
            #expect(arrivals.all == [3, 3, 3])
            // Summed once: the unthrottled answers added nothing.
            #expect(service.client.counterSnapshot().throttledMs[3] == 300)
        }
    }
}
