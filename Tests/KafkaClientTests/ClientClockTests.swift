import Foundation
import KafkaClient
import KafkaProtocol
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// A listener that counts connections and closes each at once: every dial is an event to count.
final class ClosingListener: Sendable {
    private let accepted = Mutex(0)
    private let channel: Mutex<(any Channel)?> = Mutex(nil)
    var count: Int { accepted.withLock { $0 } }

    func start() async throws -> Int {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { [self] child in
                accepted.withLock { $0 += 1 }
                return child.close()
            }
            .bind(host: "127.0.0.1", port: 0).get()
        channel.withLock { $0 = server }
        return server.localAddress?.port ?? 0
    }

    func stop() async { if let c = channel.withLock({ $0 }) { try? await c.close() } }
}

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let now = Mutex<UInt64>(1_000_000_000_000)
    var clock: KafkaClientClock { KafkaClientClock { [self] in now.withLock { $0 } } }
    func advance(_ d: Duration) {
        let (s, a) = d.components
        now.withLock { $0 += UInt64(s) * 1_000_000_000 + UInt64(a / 1_000_000_000) }
    }
}

/// Metadata expiry and reconnect backoff on an injected clock: no sleeping, no elapsed-time bounds.
@Suite struct ClientClockTests {
    static func client(_ bootstrap: String, _ clock: ManualClock, maxAge: Duration = .seconds(30),
                       aliases: [String] = []) throws -> KafkaClient {
        let config = KafkaClientConfig(bootstrap: try HostAddress.parseList(bootstrap), aliases: try HostAliasMap(aliases),
                                       clientId: "kafscope-test",
                                       connectTimeout: .seconds(30), requestTimeout: .seconds(30),
                                       maxReconnectBackoff: .seconds(10), metadataMaxAge: maxAge)
        return KafkaClient(config: config, clock: clock.clock)
    }

    @Test func metadataIsCachedUntilItsMaxAgeOnTheClientsClock() async throws {
        let clock = ManualClock()
        try await withFakeCluster(FakeTopology.kraft(bulkTopics: 0)) { cluster, _ in
            let client = try Self.client(cluster.bootstrap, clock)
            defer { Task { await client.shutdown() } }
            _ = try await client.metadata()
            _ = try await client.metadata()
            #expect(cluster.count(.metadata) == 1)
            clock.advance(.milliseconds(29_999))
            _ = try await client.metadata()
            #expect(cluster.count(.metadata) == 1, "still fresh 1 ms before max age")
            clock.advance(.milliseconds(2))
            _ = try await client.metadata()
            #expect(cluster.count(.metadata) == 2, "expired after max age")
            _ = try await client.metadata()
            #expect(cluster.count(.metadata) == 2, "the new answer is cached again")
            await client.shutdown()
        }
    }

    @Test func reconnectBackoffDoublesOnTheClientsClock() async throws {
        let clock = ManualClock()
        let listener = ClosingListener()
        let closing = try await listener.start()
        try await withFakeCluster(FakeTopology.kraft(bulkTopics: 0)) { cluster, _ in
            // Broker 2's advertised address leads (by alias) to a listener that closes every connection.
            let p1 = try #require(cluster.port(of: 1)), p2 = try #require(cluster.port(of: 2))
            let client = try Self.client("127.0.0.1:\(p1)", clock, aliases: ["127.0.0.1:\(p2)=127.0.0.1:\(closing)"])
            _ = try await client.metadata()
            func dial() async -> Bool { (try? await client.connection(for: 2)) != nil }

            #expect(await dial() == false)
            #expect(listener.count == 1)
            #expect(await dial() == false)
            #expect(listener.count == 1, "within the backoff the last error is returned without dialing")
            // First backoff: 100 ms x jitter 0.8...1.2.
            clock.advance(.milliseconds(79))
            #expect(await dial() == false)
            #expect(listener.count == 1, "still backing off at 79 ms")
            clock.advance(.milliseconds(42))  // 121 ms
            #expect(await dial() == false)
            #expect(listener.count == 2, "dialed again after the first backoff")
            // Second backoff: 200 ms x jitter.
            clock.advance(.milliseconds(159))
            #expect(await dial() == false)
            #expect(listener.count == 2, "still backing off at 159 ms")
            clock.advance(.milliseconds(82))  // 241 ms
            #expect(await dial() == false)
            #expect(listener.count == 3, "dialed again after the second backoff")
            // Brokers 1 and 3 are not held back by broker 2's failures.
            #expect(await (try? client.connection(for: 3)) != nil)
            await client.shutdown()
        }
        await listener.stop()
    }
}
