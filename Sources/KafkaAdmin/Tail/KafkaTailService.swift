import ClusterModel
import KafkaClient
import KafkaProtocol
import KafkaRecords
import Logging

/// Tuning for `KafkaTailService`; the defaults follow the Java consumer where it matters.
public struct TailSettings: Sendable, Hashable {
    /// Fetch long-poll wait (Fetch MaxWaitMs). Kafka answers as soon as data arrives, but some brokers
    /// (the librdkafka mock) hold the answer for the whole wait: 250 ms keeps new records within half a second.
    public var maxWait: Duration = .milliseconds(250)
    /// Per-partition bytes per fetch (grown automatically for a batch larger than this).
    public var partitionMaxBytes: Int32 = 1 << 20
    /// Bytes per fetch response. Smaller than the Java default (50 MiB): a tail shows records to a
    /// person, and the event buffer below holds a few responses.
    public var maxBytes: Int32 = 8 << 20
    /// How often metadata is re-read to follow leader moves and added partitions.
    public var metadataRecheck: Duration = .seconds(10)
    /// Events buffered for a slow reader before fetching pauses.
    public var bufferedEvents: Int = 16
    public var decompressedBatchCap: Int = 64 << 20
    /// CRC checks on fetched batches (librdkafka's mock cluster writes transaction markers with CRC 0).
    public var verifyChecksums = true

    public init() {}
}

/// Live tail of one topic over the Kafka protocol: ListOffsets for the start position, then one
/// long-polling Fetch loop per partition leader on that broker's fetch connection.
/// Follows leader changes and added partitions, resets after OFFSET_OUT_OF_RANGE with a notice.
public final class KafkaTailService: TailService, Sendable {
    public let client: KafkaClient
    public let settings: TailSettings
    let admin: KafkaAdminService
    let logger: Logger

    public init(client: KafkaClient, settings: TailSettings = TailSettings(), logger: Logger? = nil) {
        self.client = client
        self.settings = settings
        self.admin = KafkaAdminService(client: client)
        self.logger = logger ?? client.logger
    }

    public func tail(_ options: TailOptions) -> AsyncThrowingStream<TailEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream<TailEvent, Error>.makeStream(
            bufferingPolicy: .bufferingOldest(max(1, settings.bufferedEvents)))
        let run = TailRun(service: self, options: options, continuation: continuation)
        let task = Task {
            do {
                try await run.run()
                continuation.finish()
            } catch is CancellationError {
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
            await run.closeSessions()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}

/// Shared state of one tail: positions and the generation that owns the current fetch assignment.
actor TailState {
    var positions: [Int32: Int64] = [:]
    /// Offsets to reach before `.caughtUp` (the end offsets seen at start).
    var targets: [Int32: Int64] = [:]
    var caughtUpSent = false
    var generation = 0
    var partitionMaxBytes: [Int32: Int32] = [:]
    /// Why the current generation ended (for the coordinator's backoff).
    var rerouteNeedsRefresh = false

    /// Positions whose records the reader has been given (advance first, deliver after emitting), so
    /// `.caughtUp` never overtakes records another broker's loop is still emitting.
    var delivered: [Int32: Int64] = [:]

    /// `--from` a timestamp: records before it that the broker's lookup still returned are skipped
    /// (tansu answers the earliest offset for any time), until the first record at or after it.
    var timestampFloor: [Int32: (time: Int64, skipped: Int)] = [:]
    func floor(_ p: Int32) -> Int64? { timestampFloor[p]?.time }
    func setFloor(_ p: Int32, _ t: Int64) { timestampFloor[p] = (t, 0) }
    /// Records `skipped` more; when `reached`, removes the floor and answers how many were skipped in all.
    func passFloor(_ p: Int32, skipped: Int, reached: Bool) -> Int? {
        guard var f = timestampFloor[p] else { return nil }
        f.skipped += skipped
        if reached { timestampFloor[p] = nil; return f.skipped }
        timestampFloor[p] = f
        return nil
    }

    func position(_ p: Int32) -> Int64? { positions[p] }
    func setPosition(_ p: Int32, _ o: Int64) { positions[p] = o; delivered[p] = o }
    func markDelivered(_ p: Int32, _ o: Int64) { delivered[p] = Swift.max(delivered[p] ?? o, o) }
    func setTarget(_ p: Int32, _ o: Int64) { targets[p] = o }

    /// Partitions whose start offsets could not be read yet (their leader is unreachable): the
    /// others are tailed meanwhile, and `.caughtUp` waits for these too.
    var unstarted: Set<Int32> = []
    /// Partitions a retry has started since the coordinator last looked.
    var startedLater: Set<Int32> = []
    func setUnstarted(_ ps: Set<Int32>) { unstarted = ps }
    func started(_ ps: Set<Int32>) {
        unstarted.subtract(ps)
        startedLater.formUnion(ps)
    }
    func takeStartedLater() -> Set<Int32> { defer { startedLater = [] }; return startedLater }

    /// Moves a partition forward if this generation still owns it and nobody moved it meanwhile.
    func advance(_ p: Int32, from: Int64, to: Int64, generation g: Int) -> Bool {
        guard g == generation, positions[p] == from else { return false }
        positions[p] = to
        return true
    }

    /// True once, when every partition has reached its target.
    func takeCaughtUp() -> Bool {
        guard !caughtUpSent, unstarted.isEmpty else { return false }
        for (p, t) in targets where (delivered[p] ?? Int64.min) < t { return false }
        caughtUpSent = true
        return true
    }

    func newGeneration() -> Int {
        generation += 1
        rerouteNeedsRefresh = false
        return generation
    }

    func endGeneration(_ g: Int, refresh: Bool) {
        guard g == generation else { return }
        generation += 1
        if refresh { rerouteNeedsRefresh = true }
    }

    func isCurrent(_ g: Int) -> Bool { g == generation }

    /// A fetch loop cannot reach its broker: re-read metadata soon (the leader may have moved) without
    /// stopping the loops of the other brokers.
    var recheckSoon = false
    func requestRecheck() { recheckSoon = true }
    func takeRecheck() -> Bool { defer { recheckSoon = false }; return recheckSoon }

    /// Connection failures in a row per broker (across generations), for backoff and one notice per outage.
    var brokerFailures: [Int32: Int] = [:]
    func brokerFailed(_ b: Int32) -> Int { brokerFailures[b, default: 0] += 1; return brokerFailures[b]! }
    /// Failures before this success (0 when the broker was fine).
    func brokerOK(_ b: Int32) -> Int { brokerFailures.removeValue(forKey: b) ?? 0 }
    func needsRefresh() -> Bool { rerouteNeedsRefresh }


    /// Fetch state of the given partitions (those with a position), in the given order; one actor hop per fetch.
    func fetchStates(_ parts: [Int32], epochs: [Int32: Int32], defaultMaxBytes d: Int32) -> [(partition: Int32, state: FetchSession.Partition)] {
        parts.compactMap { p in
            positions[p].map { (p, FetchSession.Partition(offset: $0, maxBytes: partitionMaxBytes[p] ?? d, leaderEpoch: epochs[p] ?? -1)) }
        }
    }

    /// KIP-227 sessions per leader broker; they outlive a generation so a clean metadata recheck keeps them.
    var sessions: [Int32: FetchSession] = [:]
    func session(_ broker: Int32) -> FetchSession { sessions[broker] ?? FetchSession() }
    func setSession(_ broker: Int32, _ s: FetchSession) { sessions[broker] = s }
    func growMaxBytes(_ p: Int32, default d: Int32) -> Int32 {
        let n = min(Int32(64 << 20), max(d, partitionMaxBytes[p] ?? d) &* 2)
        partitionMaxBytes[p] = n
        return n
    }
}

struct TailRun: Sendable {
    let service: KafkaTailService
    let options: TailOptions
    let continuation: AsyncThrowingStream<TailEvent, Error>.Continuation
    let state = TailState()

    var client: KafkaClient { service.client }
    var topic: String { options.topic }

    /// Yields with backpressure: waits while the buffer is full; false once the reader has gone.
    @discardableResult
    func emit(_ event: TailEvent) async -> Bool {
        while true {
            switch continuation.yield(event) {
            case .enqueued: return true
            case .terminated: return false
            case .dropped:
                if Task.isCancelled { return false }
                try? await Task.sleep(for: .milliseconds(20))
            @unknown default: return false
            }
        }
    }

    func run() async throws {
        var meta = try await metadata(refresh: true)
        let selected = try selectedPartitions(meta)
        let notStarted = try await seekStart(selected)
        guard notStarted.count < selected.count else {
            throw UserFacingError("cannot read offsets of \(topic): " + Self.describe(notStarted))
        }
        // Partitions being fetched; the unreachable ones join when a retry reads their offsets.
        var known = selected.subtracting(notStarted.keys)
        if !notStarted.isEmpty {
            await state.setUnstarted(Set(notStarted.keys))
            await emit(.notice("cannot read offsets of \(topic) (\(Self.describe(notStarted))); tailing the other partitions and retrying"))
        }
        if await state.takeCaughtUp() { await emit(.caughtUp) }
        var startRetries = 0

        var failures = 0
        var metaFailures = 0
        while !Task.isCancelled {
            let generation = await state.newGeneration()
            // Leaders of our partitions; partitions without one wait for the next round.
            var byLeader: [Int32: [Int32]] = [:]
            var leaderless: [Int32] = []
            let topicMeta = meta.topics[topic]
            for p in known.sorted() {
                if let pm = topicMeta?.partitions.first(where: { $0.partition == p }), pm.leader >= 0 {
                    byLeader[pm.leader, default: []].append(p)
                } else {
                    leaderless.append(p)
                }
            }
            if !leaderless.isEmpty && failures == 0 {
                await emit(.notice("partition \(leaderless.map(String.init).joined(separator: ", ")) of \(topic) has no leader; waiting"))
            }
            let metaNow = meta
            let settings = service.settings
            let unstarted = await state.unstarted
            let waitShort = !leaderless.isEmpty
            // Read the unreachable partitions' start offsets again, beside the fetch loops so a slow
            // broker cannot hold up the others; once some start, a new generation takes them in.
            startRetries = unstarted.isEmpty ? 0 : startRetries + 1
            let retryDelay = Duration.milliseconds(min(5000, 250 << min(startRetries, 5)))
            let retry: Task<Void, Never>? = unstarted.isEmpty ? nil : Task {
                try? await Task.sleep(for: retryDelay)
                guard !Task.isCancelled, let failed = try? await seekStart(unstarted) else { return }
                let started = unstarted.subtracting(failed.keys)
                guard !started.isEmpty, !Task.isCancelled else { return }
                await state.started(started)
                for p in started.sorted() {
                    await emit(.notice("partition \(p) of \(topic) is reachable again; tailing it from offset \(await state.position(p) ?? 0)"))
                }
                await state.endGeneration(generation, refresh: false)
            }
            await withTaskGroup(of: Void.self) { group in
                for (leader, parts) in byLeader {
                    group.addTask { await fetchLoop(leader: leader, partitions: parts, meta: metaNow, generation: generation) }
                }
                // Re-read metadata now and then: leaders move and partitions get added.
                group.addTask {
                    let clock = ContinuousClock()
                    var deadline = clock.now + (waitShort ? .seconds(1) : settings.metadataRecheck)
                    while clock.now < deadline, await state.isCurrent(generation), !Task.isCancelled {
                        if await state.takeRecheck() { deadline = min(deadline, clock.now + .seconds(1)) }
                        try? await Task.sleep(for: .milliseconds(100))
                    }
                    await state.endGeneration(generation, refresh: false)
                }
            }
            retry?.cancel()
            await retry?.value
            known.formUnion(await state.takeStartedLater())
            if await state.takeCaughtUp() { await emit(.caughtUp) }
            if Task.isCancelled { break }
            let refresh = await state.needsRefresh()
            if refresh {
                failures += 1
                // Back off after errors: 100 ms doubling to 5 s.
                let ms = min(5000, 100 << min(failures, 6))
                try? await Task.sleep(for: .milliseconds(ms))
            } else {
                failures = 0
            }
            do {
                meta = try await metadata(refresh: true)
                metaFailures = 0
            } catch {
                // One notice per streak (the fetch loops report their brokers too), then back off.
                metaFailures += 1
                if metaFailures == 1 { await emit(.notice("metadata refresh failed: \(error); retrying")) }
                try? await Task.sleep(for: .milliseconds(min(2000, 100 << min(metaFailures, 5))))
                continue
            }
            guard meta.topics[topic] != nil else {
                throw UserFacingError("topic \(topic) no longer exists")
            }
            if options.partitions == nil {
                let now = Set(meta.topics[topic]!.partitions.map(\.partition))
                let added = now.subtracting(known).subtracting(await state.unstarted).sorted()
                if !added.isEmpty {
                    // Not readable yet (its leader unreachable): tried again at the next recheck.
                    let failed = await seekAdded(added)
                    known.formUnion(added.filter { failed[$0] == nil })
                }
            }
        }
    }

    /// Best effort once the tail ends: asks each broker to drop our fetch session (epoch -1) so it does
    /// not hold a slot of the broker's session cache until evicted. Detached: the reader does not wait.
    func closeSessions() async {
        let client = self.client
        for (broker, session) in await state.sessions {
            // A cancelled request leaves `.create(closing:)`: that session may exist too. The epoch does not
            // matter when closing.
            let id: Int32
            switch session.mode {
            case .incremental(let i, _), .create(let i): id = i
            case .sessionless: id = 0
            }
            guard id != 0 else { continue }
            Task.detached {
                guard let conn = try? await client.connection(for: broker, purpose: .fetch),
                      let v = conn.negotiatedVersion(FetchRequest.self), v >= 7 else { return }
                var req = FetchRequest()
                req.replicaId = -1
                req.maxWaitMs = 0
                req.minBytes = 0
                req.sessionId = id
                req.sessionEpoch = -1
                _ = try? await conn.send(req, version: v, timeout: .seconds(2))
            }
        }
    }

    func metadata(refresh: Bool) async throws -> ClusterMetadata {
        try await client.metadata(refresh: refresh)
    }

    func selectedPartitions(_ meta: ClusterMetadata) throws -> Set<Int32> {
        guard let t = meta.topics[topic], t.errorCode == 0 || !t.partitions.isEmpty else {
            throw UserFacingError("topic \(topic) does not exist (or this client may not describe it)")
        }
        let all = Set(t.partitions.map(\.partition))
        guard let chosen = options.partitions else { return all }
        let missing = chosen.filter { !all.contains($0) }
        guard missing.isEmpty else {
            throw UserFacingError("topic \(topic) has no partition \(missing.map(String.init).joined(separator: ", ")) (it has \(all.count))")
        }
        return Set(chosen)
    }

    /// ListOffsets for the given spec on every partition; throws naming the partitions that failed.
    func listOffsets(_ parts: [Int32], _ spec: OffsetSpec) async throws -> [Int32: Int64] {
        let (out, failures) = await listOffsetsPartial(parts, spec)
        if !failures.isEmpty { throw UserFacingError("cannot read offsets of \(topic): " + Self.describe(failures)) }
        return out
    }

    /// ListOffsets for the given spec: the offsets read, and why the others could not be.
    func listOffsetsPartial(_ parts: [Int32], _ spec: OffsetSpec) async -> ([Int32: Int64], [Int32: String]) {
        let r = await service.admin.offsets(forTopics: [topic: parts], spec: spec)
        return (r.offsets.byTopic[topic] ?? [:], r.failures.byTopic[topic] ?? [:])
    }

    /// "partition 4: DNS failed ...; partition 7: ..." (one line per reason would repeat the broker).
    static func describe(_ failures: [Int32: String]) -> String {
        failures.sorted { $0.key < $1.key }.map { "partition \($0.key): \($0.value)" }.joined(separator: "; ")
    }

    /// Positions the partitions at the start the user asked for. Returns those whose offsets could not
    /// be read (with why), which stay unpositioned; throws only when cancelled.
    func seekStart(_ parts: Set<Int32>) async throws -> [Int32: String] {
        let list = parts.sorted()
        let (earliest, e1) = await listOffsetsPartial(list, .earliest)
        let (latest, e2) = await listOffsetsPartial(list, options.readCommitted ? .latestStable : .latest)
        var failed = e1.merging(e2) { a, _ in a }
        var byTime: [Int32: Int64] = [:]
        if case .timestamp(let t) = options.start {
            let (b, e3) = await listOffsetsPartial(list, .timestamp(t))
            byTime = b
            failed.merge(e3) { a, _ in a }
        }
        try Task.checkCancellation()
        for p in list where failed[p] == nil {
            let lo = earliest[p] ?? 0, hi = max(lo, latest[p] ?? lo)
            let start: Int64
            switch options.start {
            case .end: start = hi
            case .beginning: start = lo
            case .offset(let o):
                start = min(max(o, lo), hi)
                if o > hi {
                    await emit(.notice("partition \(p) of \(topic) ends at offset \(hi); starting there instead of \(o)"))
                } else if o < lo {
                    await emit(.notice("partition \(p) of \(topic) starts at offset \(lo) (older records were deleted); starting there instead of \(o)"))
                }
            case .last(let n): start = max(lo, hi - max(0, n))
            case .timestamp(let t):
                if (byTime[p] ?? -1) < 0 {
                    start = hi
                } else {
                    start = min(max(byTime[p]!, lo), hi)
                    await state.setFloor(p, t)
                }
            }
            await state.setPosition(p, start)
            await state.setTarget(p, hi)
        }
        return failed
    }

    /// Positions partitions added while tailing at their earliest offset; returns those not readable yet.
    func seekAdded(_ parts: [Int32]) async -> [Int32: String] {
        let (earliest, failed) = await listOffsetsPartial(parts, .earliest)
        for p in parts where failed[p] == nil {
            let o = earliest[p] ?? 0
            await state.setPosition(p, o)
            await emit(.notice("partition \(p) of \(topic) was added; reading it from offset \(o)"))
        }
        if !failed.isEmpty {
            await emit(.notice("partitions added to \(topic) cannot be read yet (\(Self.describe(failed))); retrying"))
        }
        return failed
    }

    /// Resets after OFFSET_OUT_OF_RANGE: to the earliest offset when we fell behind retention, else the end.
    func resetOutOfRange(_ p: Int32, from pos: Int64, generation: Int) async {
        do {
            let lo = try await listOffsets([p], .earliest)[p] ?? 0
            let hi = try await listOffsets([p], options.readCommitted ? .latestStable : .latest)[p] ?? lo
            // Below retention: the earliest offset; past the end: the end; in between (a transient answer
            // during a leader change) keep the position.
            let to = pos < lo ? lo : (pos > hi ? hi : pos)
            var moved = to == pos
            if !moved { moved = await state.advance(p, from: pos, to: to, generation: generation) }
            if moved {
                await state.markDelivered(p, to)
                let why = pos < lo ? "; retention removed it" : ""
                await emit(.notice("partition \(p) of \(topic): offset \(pos) out of range (earliest \(lo), end \(hi))\(why); resuming at \(to)"))
            }
        } catch {
            await emit(.notice("partition \(p) of \(topic): offset \(pos) out of range, and resetting failed: \(error)"))
            await state.endGeneration(generation, refresh: true)
        }
    }

    func fetchLoop(leader: Int32, partitions: [Int32], meta: ClusterMetadata, generation: Int) async {
        var session = await state.session(leader)
        await fetchLoop(leader: leader, partitions: partitions, meta: meta, generation: generation, session: &session)
        await state.setSession(leader, session)
    }

    /// Long-polls `leader` for `partitions` until the generation ends; `session` is that broker's KIP-227 session.
    func fetchLoop(leader: Int32, partitions: [Int32], meta: ClusterMetadata, generation: Int, session: inout FetchSession) async {
        let settings = service.settings
        let topicMeta = meta.topics[topic]
        let topicId = topicMeta?.topicId
        let epochs = Dictionary((topicMeta?.partitions ?? []).map { ($0.partition, $0.leaderEpoch) }, uniquingKeysWith: { a, _ in a })
        let maxWaitMs = Int32(settings.maxWait.components.seconds * 1000
                              + settings.maxWait.components.attoseconds / 1_000_000_000_000_000)
        var connection: ObjectIdentifier?
        while !Task.isCancelled, await state.isCurrent(generation) {
            let conn: BrokerConnection
            var version: Int16
            do {
                conn = try await client.connection(for: leader, purpose: .fetch)
                guard let v = conn.negotiatedVersion(FetchRequest.self), v >= 4 else {
                    // Retrying cannot help: the broker is too old.
                    continuation.finish(throwing: UserFacingError("broker \(leader) does not support Fetch v4+ (Kafka 0.11 or newer is needed)"))
                    return
                }
                version = v
            } catch {
                session.restart()
                if await brokerUnreachable(leader, error, generation: generation) { continue }
                return
            }
            // A new connection (the broker may have restarted): start a new session.
            if let c = connection, c != ObjectIdentifier(conn) { session.restart() }
            connection = ObjectIdentifier(conn)
            // v13+ identifies topics by id only; without an id from Metadata stay at v12.
            let hasId = topicId.map { $0 != .zero } ?? false
            if version >= 13 && !hasId { version = 12 }

            let wanted = await state.fetchStates(partitions, epochs: epochs, defaultMaxBytes: settings.partitionMaxBytes)
            let plan = session.nextRequest(wanted, version: version, topicId: hasId ? topicId! : .zero)
            // The broker's view after this request: offsets the response's partitions refer to.
            let view = session.partitions

            var req = FetchRequest()
            req.replicaId = -1
            req.maxWaitMs = maxWaitMs
            req.minBytes = 1
            req.maxBytes = settings.maxBytes
            req.isolationLevel = options.readCommitted ? 1 : 0
            req.sessionId = plan.sessionId
            req.sessionEpoch = plan.epoch
            if !plan.send.isEmpty {
                var ft = FetchRequest.FetchTopic()
                ft.topic = topic
                if let topicId { ft.topicId = topicId }
                ft.partitions = plan.send.map { p in
                    var fp = FetchRequest.FetchPartition()
                    fp.partition = p.partition
                    fp.currentLeaderEpoch = p.state.leaderEpoch
                    fp.fetchOffset = p.state.offset
                    fp.logStartOffset = -1
                    fp.partitionMaxBytes = p.state.maxBytes
                    return fp
                }
                req.topics = [ft]
            }
            if !plan.forget.isEmpty {
                req.forgottenTopicsData = [FetchRequest.ForgottenTopic(topic: topic, topicId: topicId ?? .zero, partitions: plan.forget)]
            }

            let resp: FetchResponse
            do {
                resp = try await conn.send(req, version: version, timeout: settings.maxWait + client.config.requestTimeout)
            } catch is CancellationError {
                session.restart()
                return
            } catch {
                session.restart()
                if Task.isCancelled { return }
                if await brokerUnreachable(leader, error, generation: generation) { continue }
                return
            }
            let failedBefore = await state.brokerOK(leader)
            if failedBefore > 0 {
                await emit(.notice("broker \(leader) is reachable again; resuming \(topic) partitions \(partitions.map(String.init).joined(separator: ", "))"))
            }
            let answered = resp.responses.reduce(0) { $0 + $1.partitions.count }
            switch session.handleResponse(errorCode: resp.errorCode, sessionId: resp.sessionId, partitionCount: answered,
                                          throttleMs: resp.throttleTimeMs) {
            case .ok:
                if case .create = plan.mode {
                    if case .incremental(let id, _) = session.mode {
                        service.logger.debug("broker \(leader): fetch session \(id) created")
                    } else if session.mode == .sessionless {
                        service.logger.debug("broker \(leader) answered session id 0: it keeps no fetch sessions; using full fetches")
                    }
                }
            case .retry:
                service.logger.debug("broker \(leader): fetch session error \(resp.errorCode); starting a new session")
                continue
            case .gaveUp:
                await emit(.notice("broker \(leader) keeps refusing fetch sessions (\(describeKafkaError(resp.errorCode))); using full fetches"))
                continue
            }
            if KafkaErrorCode.offsetOutOfRange.matches(resp.errorCode) {
                // OFFSET_OUT_OF_RANGE for the whole response (librdkafka's mock answers so): reset each partition.
                session.restart()
                for (p, st) in view.sorted(by: { $0.key < $1.key }) {
                    await resetOutOfRange(p, from: st.offset, generation: generation)
                }
                continue
            }
            if resp.errorCode != 0 {
                session.restart()
                await emit(.notice("broker \(leader) refused the fetch: \(describeKafkaError(resp.errorCode))"))
                await state.endGeneration(generation, refresh: true)
                return
            }
            var reroute = false
            // Partitions an incremental response leaves out had nothing new: not an error.
            for t in resp.responses where t.topic == topic || (hasId && t.topicId == topicId) {
                for pd in t.partitions {
                    let p = pd.partitionIndex
                    guard let pos = view[p]?.offset else { continue }
                    let error = KafkaErrorCode.lookup(pd.errorCode)
                    switch error {
                    case .none:
                        if !(await handleRecords(pd, partition: p, position: pos, generation: generation)) { return }
                    case .offsetOutOfRange:
                        await resetOutOfRange(p, from: pos, generation: generation)
                    case _ where error.isRetriable:
                        if pd.currentLeader.leaderId >= 0 && pd.currentLeader.leaderId != leader {
                            await emit(.notice("leader of \(topic) partition \(p) moved from broker \(leader) to \(pd.currentLeader.leaderId)"))
                        } else if error == .notLeaderOrFollower {
                            await emit(.notice("broker \(leader) is no longer the leader of \(topic) partition \(p); finding the new one"))
                        }
                        reroute = true
                    default:
                        await emit(.notice("\(topic) partition \(p): \(describeKafkaError(pd.errorCode))"))
                        reroute = true
                    }
                }
            }
            if reroute {
                await state.endGeneration(generation, refresh: true)
                return
            }
        }
    }

    /// A fetch loop lost its broker: one notice per outage, a metadata recheck soon (the leader may have
    /// moved), and backoff; the other brokers' loops go on. True to retry, false when the generation ended.
    func brokerUnreachable(_ leader: Int32, _ error: Error, generation: Int) async -> Bool {
        let n = await state.brokerFailed(leader)
        if n == 1 {
            await emit(.notice("lost broker \(leader) (\(error)); reconnecting"))
        }
        await state.requestRecheck()
        // 100 ms doubling to 2 s, cut short when the generation ends.
        let until = ContinuousClock.now + .milliseconds(min(2000, 100 << min(n - 1, 5)))
        while ContinuousClock.now < until {
            if Task.isCancelled { return false }
            if !(await state.isCurrent(generation)) { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return await state.isCurrent(generation)
    }

    /// Decodes one partition's records and emits them; false when the reader has gone or decoding failed.
    func handleRecords(_ pd: FetchResponse.PartitionData, partition p: Int32, position pos: Int64, generation: Int) async -> Bool {
        guard let bytes = pd.records, !bytes.isEmpty else { return true }
        var opts = RecordDecodeOptions()
        opts.maxDecompressedBatchBytes = service.settings.decompressedBatchCap
        opts.verifyChecksums = service.settings.verifyChecksums
        opts.readCommitted = options.readCommitted
        opts.abortedTransactions = (pd.abortedTransactions ?? []).map {
            KafkaRecords.AbortedTransaction(producerId: $0.producerId, firstOffset: $0.firstOffset)
        }
        let set: DecodedRecordSet
        do {
            set = try RecordSet.decode(bytes, fetchOffset: pos, options: opts)
        } catch {
            continuation.finish(throwing: UserFacingError("\(topic) partition \(p): \(error)"))
            return false
        }
        if set.bytesConsumed == 0 && set.endedWithPartialBatch {
            // One batch is larger than the per-partition limit: ask for more next time.
            let n = await state.growMaxBytes(p, default: service.settings.partitionMaxBytes)
            await emit(.notice("\(topic) partition \(p): a record batch exceeds the fetch size; raising it to \(n) bytes"))
            return true
        }
        guard set.nextFetchOffset > pos || !set.isEmpty else { return true }
        guard await state.advance(p, from: pos, to: set.nextFetchOffset, generation: generation) else { return true }
        var floor: Int64?
        if case .timestamp = options.start { floor = await state.floor(p) }
        if !set.isEmpty {
            var out: [TailRecord] = []
            out.reserveCapacity(set.count)
            var skipped = 0
            for r in set {
                if let f = floor {
                    if r.timestamp < f { skipped += 1; continue }
                    floor = nil
                    if let n = await state.passFloor(p, skipped: skipped, reached: true), n > 0 {
                        await emit(.notice("\(topic) partition \(p): skipped \(n) records older than the start time that the broker's timestamp lookup returned"))
                    }
                }
                let tt: TimestampType
                switch r.timestampType {
                case .createTime: tt = .createTime
                case .logAppendTime: tt = .logAppendTime
                case .none: tt = .none
                }
                out.append(TailRecord(topic: topic, partition: p, offset: r.offset, timestamp: r.timestamp, timestampType: tt,
                                      key: r.key, value: r.value,
                                      headers: r.headers.map { RecordHeader(key: $0.key, value: $0.value) },
                                      size: r.payloadSize))
            }
            if floor != nil { _ = await state.passFloor(p, skipped: skipped, reached: false) }
            if !out.isEmpty {
                guard await emit(.records(out)) else { return false }
            }
        }
        await state.markDelivered(p, set.nextFetchOffset)
        if await state.takeCaughtUp() { return await emit(.caughtUp) }
        return true
    }
}
