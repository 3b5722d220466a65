import ClusterModel
import KafkaClient
import KafkaProtocol
import KafkaRecords
import Logging

struct TailRun: Sendable {
    let service: KafkaTailService
    let options: TailOptions
    let continuation: AsyncThrowingStream<TailEvent, Error>.Continuation
    let state: TailState
    /// Where retry backoffs are waited (injected by tests).
    let backoffClock: any TailBackoffClock

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
            await state.with({ $0.setUnstarted(Set(notStarted.keys)) })
            await emit(.notice("cannot read offsets of \(topic) (\(Self.describe(notStarted))); tailing the other partitions and retrying"))
        }
        if await state.with({ $0.takeCaughtUp() }) {
            guard await reachedEnd() else { return }
        }
        var startRetries = 0

        var refreshing = false
        var metaFailures = 0
        while !Task.isCancelled {
            let generation = await state.with({ $0.newGeneration() })
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
            if !leaderless.isEmpty && !refreshing {
                await emit(.notice("partition \(leaderless.map(String.init).joined(separator: ", ")) of \(topic) has no leader; waiting"))
            }
            let metaNow = meta
            let settings = service.settings
            let unstarted = await state.with({ $0.unstarted })
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
                await state.with({ $0.started(started) })
                for p in started.sorted() {
                    await emit(.notice("partition \(p) of \(topic) is reachable again; tailing it from offset \(await state.with({ $0.position(p) }) ?? 0)"))
                }
                await state.with({ $0.endGeneration(generation, refresh: false) })
            }
            await withTaskGroup(of: Void.self) { group in
                for (leader, parts) in byLeader {
                    group.addTask { await fetchLoop(leader: leader, partitions: parts, meta: metaNow, generation: generation) }
                }
                // Re-read metadata now and then: leaders move and partitions get added.
                group.addTask {
                    let clock = ContinuousClock()
                    var deadline = clock.now + (waitShort ? .seconds(1) : settings.metadataRecheck)
                    while clock.now < deadline, await state.with({ $0.isCurrent(generation) }), !Task.isCancelled {
                        if await state.with({ $0.takeRecheck() }) { deadline = min(deadline, clock.now + .seconds(1)) }
                        try? await Task.sleep(for: .milliseconds(100))
                    }
                    await state.with({ $0.endGeneration(generation, refresh: false) })
                }
            }
            retry?.cancel()
            await retry?.value
            known.formUnion(await state.with({ $0.takeStartedLater() }))
            if await state.with({ $0.takeCaughtUp() }) {
                guard await reachedEnd() else { return }
            }
            if Task.isCancelled { break }
            // After a fetch error the coordinator has chosen the wait (short and capped for
            // retriable errors); then only this topic's metadata is re-read.
            let (refresh, backoff) = await state.with({ $0.takeRefresh() })
            refreshing = refresh
            if refresh && backoff > .zero { await backoffClock.backoff(backoff) }
            do {
                meta = try await (refresh ? client.metadata(topics: [topic]) : metadata(refresh: true))
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
            // A bounded tail reads the partitions that existed when it started.
            if options.partitions == nil && options.until == nil {
                let now = Set(meta.topics[topic]!.partitions.map(\.partition))
                let added = now.subtracting(known).subtracting(await state.with({ $0.unstarted })).sorted()
                if !added.isEmpty {
                    // Not readable yet (its leader unreachable): tried again at the next recheck.
                    let failed = await seekAdded(added)
                    known.formUnion(added.filter { failed[$0] == nil })
                }
            }
        }
    }

    /// Emits `.caughtUp`; a bounded tail then ends its stream. False when the tail is over.
    func reachedEnd() async -> Bool {
        guard await emit(.caughtUp) else { return false }
        guard options.until == nil else {
            continuation.finish()
            return false
        }
        return true
    }

    /// Best effort once the tail ends: asks each broker to drop our fetch session (epoch -1) so it does
    /// not hold a slot of the broker's session cache until evicted. Detached: the reader does not wait.
    func closeSessions() async {
        let client = self.client
        for (broker, session) in await state.with({ $0.sessions }) {
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
                    await state.with({ $0.setFloor(p, t) })
                }
            }
            await state.with({ $0.setPosition(p, start) })
            await state.with({ $0.setTarget(p, hi) })
            switch options.until {
            case nil: break
            case .end, .timestamp: await state.with({ $0.setBound(p, hi) })
            case .offset(let o):
                if o > hi {
                    await emit(.notice("partition \(p) of \(topic) ends at offset \(hi), before --until \(o); stopping there"))
                }
                await state.with({ $0.setBound(p, min(o, hi)) })
            }
        }
        return failed
    }

    /// Positions partitions added while tailing at their earliest offset; returns those not readable yet.
    func seekAdded(_ parts: [Int32]) async -> [Int32: String] {
        let (earliest, failed) = await listOffsetsPartial(parts, .earliest)
        for p in parts where failed[p] == nil {
            let o = earliest[p] ?? 0
            await state.with({ $0.setPosition(p, o) })
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
            if !moved { moved = await state.with({ $0.advance(p, from: pos, to: to, generation: generation) }) }
            if moved {
                await state.with({ $0.markDelivered(p, to) })
                let why = pos < lo ? "; retention removed it" : ""
                await emit(.notice("partition \(p) of \(topic): offset \(pos) out of range (earliest \(lo), end \(hi))\(why); resuming at \(to)"))
            }
        } catch {
            await emit(.notice("partition \(p) of \(topic): offset \(pos) out of range, and resetting failed: \(error)"))
            await state.with({ $0.endGeneration(generation, refresh: true, backoff: service.settings.retry.cap) })
        }
    }

}
