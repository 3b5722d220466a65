import ClusterModel
import KafkaClient
import KafkaProtocol

/// The state of one tail and every decision about it, as a value: partitions and their positions,
/// which generation of fetch loops owns them, per-broker fetch sessions and failures, and what to
/// do after a fetch error. The async code (TailRun, the fetch loops) asks it and carries out what
/// it returns; the tests drive it as scripts (TailCoordinatorTests). Shared through `TailState`.
struct TailCoordinator: Sendable {
    let retry: RetryPolicy

    init(retry: RetryPolicy = .streaming) { self.retry = retry }

    // MARK: Positions

    private(set) var positions: [Int32: Int64] = [:]
    /// Offsets to reach before `.caughtUp` (the end offsets seen at start).
    private(set) var targets: [Int32: Int64] = [:]
    private var caughtUpSent = false
    /// Positions whose records the reader has been given (advance first, deliver after emitting), so
    /// `.caughtUp` never overtakes records another broker's loop is still emitting.
    private var delivered: [Int32: Int64] = [:]
    private var partitionMaxBytes: [Int32: Int32] = [:]

    func position(_ p: Int32) -> Int64? { positions[p] }
    mutating func setPosition(_ p: Int32, _ o: Int64) { positions[p] = o; delivered[p] = o }
    mutating func markDelivered(_ p: Int32, _ o: Int64) { delivered[p] = Swift.max(delivered[p] ?? o, o) }
    mutating func setTarget(_ p: Int32, _ o: Int64) { targets[p] = o }

    /// Moves a partition forward if generation `g` still owns it and nobody moved it meanwhile.
    mutating func advance(_ p: Int32, from: Int64, to: Int64, generation g: Int) -> Bool {
        guard g == generation, positions[p] == from else { return false }
        positions[p] = to
        return true
    }

    /// True once, when every partition has reached its target.
    mutating func takeCaughtUp() -> Bool {
        guard !caughtUpSent, unstarted.isEmpty else { return false }
        for (p, t) in targets where (delivered[p] ?? Int64.min) < t { return false }
        caughtUpSent = true
        return true
    }

    /// Fetch state of the given partitions (those with a position), in the given order.
    func fetchStates(_ parts: [Int32], epochs: [Int32: Int32], defaultMaxBytes d: Int32) -> [(partition: Int32, state: FetchSession.Partition)] {
        parts.compactMap { p in
            positions[p].map { (p, FetchSession.Partition(offset: $0, maxBytes: partitionMaxBytes[p] ?? d, leaderEpoch: epochs[p] ?? -1)) }
        }
    }

    /// One batch is larger than the per-partition limit: double it (up to 64 MiB).
    mutating func growMaxBytes(_ p: Int32, default d: Int32) -> Int32 {
        let n = min(Int32(64 << 20), max(d, partitionMaxBytes[p] ?? d) &* 2)
        partitionMaxBytes[p] = n
        return n
    }

    // MARK: Bounded tail (--until)

    /// Per partition, the offset before which records are delivered (`TailOptions.until`); also its target.
    private(set) var bounds: [Int32: Int64] = [:]
    mutating func setBound(_ p: Int32, _ o: Int64) { bounds[p] = o; targets[p] = o }

    /// The records of `p` inside its bound. With `untilTime`, the first record at or after that time
    /// becomes the bound (Kafka's offsets-for-times rule, checked on the records themselves because
    /// some brokers answer the earliest offset for any time).
    mutating func clip(_ p: Int32, _ records: [TailRecord], untilTime: Int64?) -> [TailRecord] {
        guard let bound = bounds[p] else { return records }
        var kept = 0
        for r in records {
            if r.offset >= bound { break }
            if let t = untilTime, r.timestamp >= t {
                setBound(p, r.offset)
                break
            }
            kept += 1
        }
        return kept == records.count ? records : Array(records.prefix(kept))
    }

    // MARK: Start time floor

    /// `--from` a timestamp: records before it that the broker's lookup still returned are skipped
    /// (tansu answers the earliest offset for any time), until the first record at or after it.
    private var timestampFloor: [Int32: (time: Int64, skipped: Int)] = [:]
    func floor(_ p: Int32) -> Int64? { timestampFloor[p]?.time }
    mutating func setFloor(_ p: Int32, _ t: Int64) { timestampFloor[p] = (t, 0) }
    /// Records `skipped` more; when `reached`, removes the floor and answers how many were skipped in all.
    mutating func passFloor(_ p: Int32, skipped: Int, reached: Bool) -> Int? {
        guard var f = timestampFloor[p] else { return nil }
        f.skipped += skipped
        if reached { timestampFloor[p] = nil; return f.skipped }
        timestampFloor[p] = f
        return nil
    }

    // MARK: Partitions not started yet

    /// Partitions whose start offsets could not be read yet (their leader is unreachable): the
    /// others are tailed meanwhile, and `.caughtUp` waits for these too.
    private(set) var unstarted: Set<Int32> = []
    /// Partitions a retry has started since the run loop last looked.
    private var startedLater: Set<Int32> = []
    mutating func setUnstarted(_ ps: Set<Int32>) { unstarted = ps }
    mutating func started(_ ps: Set<Int32>) {
        unstarted.subtract(ps)
        startedLater.formUnion(ps)
    }
    mutating func takeStartedLater() -> Set<Int32> { defer { startedLater = [] }; return startedLater }

    // MARK: Generations

    /// The fetch loops of one metadata snapshot share a generation; ending it stops them all.
    private(set) var generation = 0
    /// Why the current generation ended: metadata must be re-read, after `pendingBackoff`.
    private var needsRefresh = false
    private var pendingBackoff: Duration = .zero
    /// A fetch loop cannot reach its broker: re-read metadata soon without stopping the other loops.
    private var recheckSoon = false

    mutating func newGeneration() -> Int {
        generation += 1
        needsRefresh = false
        return generation
    }

    /// Ends generation `g`; with `refresh`, the run loop waits `backoff` and re-reads metadata.
    mutating func endGeneration(_ g: Int, refresh: Bool, backoff: Duration = .zero) {
        guard g == generation else { return }
        generation += 1
        if refresh {
            needsRefresh = true
            pendingBackoff = max(pendingBackoff, backoff)
        }
    }

    func isCurrent(_ g: Int) -> Bool { g == generation }

    /// After a generation: whether metadata must be re-read, and the wait before doing so.
    mutating func takeRefresh() -> (refresh: Bool, backoff: Duration) {
        defer { pendingBackoff = .zero }
        return (needsRefresh, needsRefresh ? pendingBackoff : .zero)
    }

    mutating func requestRecheck() { recheckSoon = true }
    mutating func takeRecheck() -> Bool { defer { recheckSoon = false }; return recheckSoon }

    // MARK: Brokers and sessions

    /// Connection failures in a row per broker (across generations), for backoff and one notice per outage.
    private var brokerFailures: [Int32: Int] = [:]
    mutating func brokerFailed(_ b: Int32) -> Int { brokerFailures[b, default: 0] += 1; return brokerFailures[b]! }
    /// Failures before this success (0 when the broker was fine).
    mutating func brokerOK(_ b: Int32) -> Int { brokerFailures.removeValue(forKey: b) ?? 0 }

    /// KIP-227 sessions per leader broker; they outlive a generation so a clean metadata recheck keeps them.
    private(set) var sessions: [Int32: FetchSession] = [:]
    func session(_ broker: Int32) -> FetchSession { sessions[broker] ?? FetchSession() }
    mutating func setSession(_ broker: Int32, _ s: FetchSession) { sessions[broker] = s }

    // MARK: Fetch errors

    /// What a fetch loop does about an error code in a Fetch response.
    enum FetchErrorAction: Sendable, Hashable {
        /// Transient, nothing to re-read: wait, then fetch again from the same broker.
        case retryBroker(after: Duration, notice: String?)
        /// Leaders may have moved: end the generation; the run loop waits `after`, re-reads the
        /// topic's metadata and starts new fetch loops.
        case refreshMetadata(after: Duration, notice: String?)
    }

    /// Errors in a row per broker; a clean response from that broker ends its streak.
    private var errorStreaks: [Int32: Int] = [:]
    /// The last problem notice sent, so a streak of the same error says it once.
    private var lastProblem: String?
    /// Every backoff decided, oldest first (bounded): what tests and the debug log read.
    private(set) var decisions: [Duration] = []

    /// A Fetch from `broker` failed with `error` (`what` names the partition or the broker in the notice).
    mutating func fetchFailed(broker: Int32, error: KafkaErrorCode, what: String) -> FetchErrorAction {
        let n = (errorStreaks[broker] ?? 0) + 1
        errorStreaks[broker] = n
        let delay: Duration
        let refresh: KafkaErrorCode.Refresh
        switch retry.decide(error, failures: n) {
        case .retry(let after, let r):
            delay = after
            refresh = r
        case .fail:
            // Not transient: say so, and look again at a slower pace (the cause may be fixed meanwhile).
            delay = min(.seconds(5), retry.delay(afterFailures: n) * 4)
            refresh = .metadata
        }
        decisions.append(delay)
        if decisions.count > 256 { decisions.removeFirst(decisions.count - 256) }
        let text = "\(what): \(error.name) (\(error.code))" + (error.isRetriable ? "; retrying" : ": \(error.explanation)")
        let notice: String? = text == lastProblem ? nil : text
        lastProblem = text
        return refresh == .nothing ? .retryBroker(after: delay, notice: notice) : .refreshMetadata(after: delay, notice: notice)
    }

    /// A Fetch from `broker` came back without errors. Answers the text of a recovery event when
    /// this ends the last broker's error streak (the reader can drop the old error from its status).
    mutating func fetchSucceeded(broker: Int32, topic: String) -> String? {
        guard let n = errorStreaks.removeValue(forKey: broker) else { return nil }
        guard errorStreaks.isEmpty else { return nil }
        lastProblem = nil
        return "fetching \(topic) again (after \(n) failed fetch\(n == 1 ? "" : "es") from broker \(broker))"
    }
}

/// The one `TailCoordinator` of a tail, shared by its fetch loops and run loop.
actor TailState {
    private var coordinator: TailCoordinator

    init(retry: RetryPolicy) { coordinator = TailCoordinator(retry: retry) }

    /// Reads or changes the coordinator in one step.
    func with<T: Sendable>(_ body: (inout TailCoordinator) -> T) -> T { body(&coordinator) }
}
