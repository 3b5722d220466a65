import Synchronization

/// Requests sent, per broker and API, so callers (and the benchmark) can check that work stays
/// batched. Bootstrap connections count under broker -1.
public final class RequestCounters: Sendable {
    private let state = Mutex<[Int32: [String: Int]]>([:])
    private let throttled = Mutex<[Int32: Int]>([:])

    public init() {}

    func record(broker: Int32, api: String) {
        state.withLock { $0[broker, default: [:]][api, default: 0] += 1 }
    }

    func recordThrottle(broker: Int32, milliseconds: Int) {
        throttled.withLock { $0[broker, default: 0] += milliseconds }
    }

    public func snapshot() -> RequestCountSnapshot {
        RequestCountSnapshot(perBroker: state.withLock { $0 }, throttledMs: throttled.withLock { $0 })
    }

    public func reset() {
        state.withLock { $0 = [:] }
        throttled.withLock { $0 = [:] }
    }
}

public struct RequestCountSnapshot: Sendable, Hashable, Codable {
    /// broker id → API name (e.g. "Metadata", "OffsetFetch") → requests sent.
    public var perBroker: [Int32: [String: Int]]
    /// broker id → milliseconds of quota delay the broker asked for (ThrottleTimeMs), summed.
    public var throttledMs: [Int32: Int]

    public init(perBroker: [Int32: [String: Int]], throttledMs: [Int32: Int] = [:]) {
        self.perBroker = perBroker
        self.throttledMs = throttledMs
    }

    public var total: Int { perBroker.values.reduce(0) { $0 + $1.values.reduce(0, +) } }

    /// Requests of one API summed over brokers.
    public func count(api: String) -> Int { perBroker.values.reduce(0) { $0 + ($1[api] ?? 0) } }

    /// Counts since an earlier snapshot.
    public func subtracting(_ earlier: RequestCountSnapshot) -> RequestCountSnapshot {
        var out: [Int32: [String: Int]] = [:]
        for (b, apis) in perBroker {
            for (api, n) in apis {
                let d = n - (earlier.perBroker[b]?[api] ?? 0)
                if d != 0 { out[b, default: [:]][api] = d }
            }
        }
        var throttle: [Int32: Int] = [:]
        for (b, ms) in throttledMs where ms != (earlier.throttledMs[b] ?? 0) { throttle[b] = ms - (earlier.throttledMs[b] ?? 0) }
        return RequestCountSnapshot(perBroker: out, throttledMs: throttle)
    }
}
