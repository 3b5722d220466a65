import KafkaAdmin
import KafkaClient
import KafkaProtocol
import NIOCore
import Synchronization
import Testing

/// ThrottleTimeMs (KIP-219): the client holds back the next request to a throttled broker.
@Suite struct ThrottleTests {
    @Test func throttleTimeHoldsBackTheNextRequestToThatBroker() async throws {
        let arrivals = Mutex<[NIODeadline]>([])
        try await withFakeCluster(FakeTopology.kraft()) { cluster, service in
            cluster.setHandler(.listOffsets) { c, r in
                let n = arrivals.withLock { $0.append(.now()); return $0.count }
                let answer = try FakeHandlers.listOffsets(c, r)
                guard n == 1, let framed = answer else { return answer }
                // The first answer asks for 2 s of quota delay: far above scheduling noise on a loaded machine.
                let v = r.frame.apiVersion
                var (_, resp) = try KafkaFraming.decodeResponse(ListOffsetsRequest.self, version: v,
                                                                body: Array(framed.dropFirst(4)))
                resp.throttleTimeMs = 2000
                return try KafkaFraming.encodeResponse(resp, for: ListOffsetsRequest.self, version: v,
                                                       correlationId: r.frame.correlationId)
            }
            // "logs" has one partition, led by broker 3: every lookup goes to the same broker.
            let tp = TopicPartitionKey("logs", 0)
            let first = await service.offsets(for: [tp], spec: .latest)
            #expect(first.offsets[tp] == 10)
            let second = await service.offsets(for: [tp], spec: .earliest)
            #expect(second.offsets[tp] == 0)
            let third = await service.offsets(for: [tp], spec: .latest)
            #expect(third.offsets[tp] == 10)
            let times = arrivals.withLock { $0 }
            try #require(times.count == 3)
            // The quota runs from when the client read the throttled answer, after the first request
            // arrived: the second arrives at least the full 2 s after the first. (Timing from when
            // `offsets` returned undercounted under load: the task may resume late.)
            let held = (times[1] - times[0]).nanoseconds / 1_000_000
            let notHeld = (times[2] - times[1]).nanoseconds / 1_000_000
            // The second request waited out the quota; the third (after an unthrottled answer) did not.
            #expect(held >= 2000, "second ListOffsets arrived \(held) ms after the first")
            #expect(notHeld < 1500, "third ListOffsets sent \(notHeld) ms after the second")
            #expect(service.client.counterSnapshot().throttledMs[3] == 2000)
        }
    }
}
