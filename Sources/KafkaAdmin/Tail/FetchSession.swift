import KafkaProtocol
import KafkaWire

/// The client side of a KIP-227 incremental fetch session with one broker, for one topic.
///
/// A session-creating request (id 0, epoch 0) is a full fetch; the broker answers with a session id.
/// Later requests carry that id and the next epoch and list only partitions whose fetch state changed
/// (offset, max bytes, leader epoch), plus the partitions to forget; the broker then answers only
/// partitions with news. `partitions` is what the broker holds for us: it is updated when a request
/// is built, and any failure of that request starts a new session, so it never drifts.
struct FetchSession: Sendable {

    struct Partition: Sendable, Hashable {
        var offset: Int64
        var maxBytes: Int32
        var leaderEpoch: Int32
    }

    enum Mode: Sendable, Hashable {
        /// The next request creates a session, closing `closing` (0: none) on the broker.
        case create(closing: Int32)
        /// In a session: the next request is incremental with this epoch.
        case incremental(id: Int32, epoch: Int32)
        /// The broker does not keep sessions (or Fetch < v7): every request is a sessionless full fetch.
        case sessionless
    }

    var mode: Mode = .create(closing: 0)
    /// Partitions (and their fetch state) the broker holds for this session.
    private(set) var partitions: [Int32: Partition] = [:]
    /// The Fetch version and topic id the session was built with; a change needs a new session.
    private(set) var version: Int16 = -1
    private(set) var topicId: KafkaUUID = .zero
    /// Session errors in a row, to give up on sessions with a broker that keeps refusing them.
    private(set) var consecutiveErrors = 0

    /// What the next Fetch request carries.
    struct Request: Sendable {
        /// The session state the request was built in.
        var mode: Mode
        var sessionId: Int32
        var epoch: Int32
        var full: Bool
        /// Partitions to list, in order.
        var send: [(partition: Int32, state: Partition)]
        var forget: [Int32]
    }

    /// Builds the next request for `wanted` (partition → fetch state, in fetch order) and records it
    /// as the broker's view of the session.
    mutating func nextRequest(_ wanted: [(partition: Int32, state: Partition)], version v: Int16, topicId id: KafkaUUID) -> Request {
        if v < 7 { mode = .sessionless }
        if case .incremental(let sid, _) = mode, v != version || id != topicId {
            // Other field layout or a recreated topic: start over, closing the old session.
            mode = .create(closing: sid)
        }
        version = v
        topicId = id
        switch mode {
        case .sessionless:
            partitions = Dictionary(wanted.map { ($0.partition, $0.state) }, uniquingKeysWith: { a, _ in a })
            return Request(mode: mode, sessionId: 0, epoch: -1, full: true, send: wanted, forget: [])
        case .create(let closing):
            partitions = Dictionary(wanted.map { ($0.partition, $0.state) }, uniquingKeysWith: { a, _ in a })
            return Request(mode: mode, sessionId: closing, epoch: 0, full: true, send: wanted, forget: [])
        case .incremental(let sid, let epoch):
            var send: [(partition: Int32, state: Partition)] = []
            var keep = Set<Int32>()
            for w in wanted {
                keep.insert(w.partition)
                if partitions[w.partition] != w.state {
                    send.append(w)
                    partitions[w.partition] = w.state
                }
            }
            let forget = partitions.keys.filter { !keep.contains($0) }.sorted()
            for p in forget { partitions[p] = nil }
            return Request(mode: mode, sessionId: sid, epoch: epoch, full: false, send: send, forget: forget)
        }
    }

    enum Outcome: Sendable, Hashable {
        /// Use the response's partitions.
        case ok
        /// A session error: nothing in the response is usable; send again (now a full fetch).
        case retry
        /// Too many session errors in a row: fall back to sessionless full fetches (after a notice).
        case gaveUp
    }

    /// Advances the session after a response to the request built last.
    mutating func handleResponse(errorCode: Int16, sessionId responseId: Int32, partitionCount: Int, throttleMs: Int32) -> Outcome {
        let current = mode
        if KafkaErrorCode.fetchSessionIdNotFound.matches(errorCode) || KafkaErrorCode.invalidFetchSessionEpoch.matches(errorCode) {
            consecutiveErrors += 1
            if consecutiveErrors >= 3 {
                mode = .sessionless
                return .gaveUp
            }
            // Unknown id: nothing to close; a bad epoch: close ours while creating the next (as Kafka's consumer does).
            if case .incremental(let sid, _) = current, KafkaErrorCode.invalidFetchSessionEpoch.matches(errorCode) {
                mode = .create(closing: sid)
            } else {
                mode = .create(closing: 0)
            }
            return .retry
        }
        guard errorCode == 0 else { return .ok }
        switch current {
        case .sessionless:
            break
        case .create:
            if partitionCount == 0 && throttleMs > 0 {
                // KIP-219: a throttled broker answers a full fetch empty; the session was not created.
                mode = .create(closing: 0)
            } else if responseId == 0 {
                // Asked for a session, got none: this broker does not keep them (the librdkafka mock echoes 0).
                mode = .sessionless
            } else {
                mode = .incremental(id: responseId, epoch: 1)
                consecutiveErrors = 0
            }
        case .incremental(let sid, let epoch):
            if responseId == 0 {
                // The broker closed the session: create a new one next time.
                mode = .create(closing: 0)
            } else {
                mode = .incremental(id: sid, epoch: epoch == Int32.max ? 1 : epoch + 1)
                consecutiveErrors = 0
            }
        }
        return .ok
    }

    /// After a failed request (connection lost, timeout) or a reroute: the broker's view is unknown,
    /// so the next request creates a new session, closing the old one if the broker still has it.
    mutating func restart() {
        switch mode {
        case .incremental(let sid, _): mode = .create(closing: sid)
        case .create, .sessionless: mode = .create(closing: 0)
        }
        partitions = [:]
    }
}
