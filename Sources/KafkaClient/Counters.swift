import Synchronization

/// Requests sent, per broker and API, so callers (and the benchmark) can check that work stays
/// batched. Bootstrap connections count under broker -1.
public final class RequestCounters: Sendable {
    private let state = Mutex<[Int32: [String: Int]]>([:])

    public init() {}

    func record(broker: Int32, api: String) {
        state.withLock { $0[broker, default: [:]][api, default: 0] += 1 }
    }

    public func snapshot() -> RequestCountSnapshot { RequestCountSnapshot(perBroker: state.withLock { $0 }) }

    public func reset() { state.withLock { $0 = [:] } }
}

public struct RequestCountSnapshot: Sendable, Hashable, Codable {
    /// broker id → API name (e.g. "Metadata", "OffsetFetch") → requests sent.
    public var perBroker: [Int32: [String: Int]]

    public init(perBroker: [Int32: [String: Int]]) { self.perBroker = perBroker }

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
        return RequestCountSnapshot(perBroker: out)
    }
}
