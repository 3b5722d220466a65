import ClusterModel
import KafkaClient
import KafkaProtocol
import LagHealth
import Logging

/// The cluster reads the browser and the CLI need, as plain domain values. Every read batches its
/// requests (per leader, per coordinator, per broker) and returns partial data with per-source
/// errors; an API a broker lacks yields `FieldState.unsupported` for that field only.
public final class KafkaAdminService: ClusterService, Sendable {
    public let client: KafkaClient
    /// Groups to describe even when ListGroups is unavailable (e.g. the librdkafka mock).
    public let knownGroups: [String]
    let logger: Logger
    let coordinatorCache = CoordinatorCache()
    let brokerMemory = BrokerMemory()
    let messageCounts = MessageCountMemory()
    let groupRows = GroupSummaryMemory()
    let endOffsets = EndOffsetMemory()
    /// Time for ages and samples (seconds, monotonic); tests inject a clock they move by hand.
    let clock: KafkaClientClock
    /// How old a remembered end offset may be to stand in for one this refresh could not read.
    public let endOffsetMaxAge: Double

    let lagSampler: LagSampler
    let recordTimestamps = RecordTimestampCache()
    /// Wall-clock milliseconds since the epoch, to age record timestamps (time lag); injectable.
    let wallClockMs: @Sendable () -> Int64
    public var lagRules: LagRules { lagSampler.rules }

    public init(client: KafkaClient, knownGroups: [String] = [], logger: Logger? = nil, clock: KafkaClientClock = .system,
                endOffsetMaxAge: Double = 300, lagRules: LagRules = LagRules(),
                wallClockMs: @escaping @Sendable () -> Int64 = KafkaAdminService.systemWallClockMs) {
        self.client = client
        self.wallClockMs = wallClockMs
        lagSampler = LagSampler(rules: lagRules)
        self.knownGroups = knownGroups
        self.logger = logger ?? client.logger
        self.clock = clock
        self.endOffsetMaxAge = endOffsetMaxAge
    }

    // MARK: Overview

    public func overview() async throws -> ClusterOverview {
        let meta = try await client.metadata(refresh: true)
        let client = self.client
        // Reach every broker (cached connections make this cheap) so unreachable ones show why.
        let reach = await concurrentMap(meta.sortedBrokers) { b -> (Int32, BrokerConnection?, (any Error)?) in
            do { return (b.nodeId, try await client.connection(for: b.nodeId), nil) } catch { return (b.nodeId, nil, error) }
        }
        var errors: [SourceError] = []
        var leaders: [Int32: Int] = [:], replicas: [Int32: Int] = [:]
        var partitions = 0, under = 0, offline = 0, imbalanced = 0, withLeader = 0
        for t in meta.topics.values {
            for p in t.partitions {
                partitions += 1
                if p.leader >= 0 { leaders[p.leader, default: 0] += 1; withLeader += 1 } else { offline += 1 }
                if p.isr.count < p.replicas.count { under += 1 }
                for r in p.replicas { replicas[r, default: 0] += 1 }
                if p.leader >= 0, let preferred = p.replicas.first, preferred != p.leader { imbalanced += 1 }
            }
        }
        let quorum = await describeQuorum(connections: reach.compactMap { $0.1 })
        var controller = meta.controllerId
        if case .value(let q) = quorum { controller = q.leaderId }
        var brokers: [BrokerInfo] = []
        for (b, r) in zip(meta.sortedBrokers, reach) {
            let ep = client.endpoint(for: b)
            var info = BrokerInfo(id: b.nodeId, host: b.host, port: b.port, rack: b.rack,
                                  isController: b.nodeId == controller, leaderCount: leaders[b.nodeId] ?? 0,
                                  partitionCount: replicas[b.nodeId] ?? 0,
                                  dialed: ep.dialed.description)
            if let e = r.2 {
                let se = sourceError(e, source: ep.description)
                // The full text names the broker, its advertised host:port, the stage and the fix.
                info.error = (e as? KafkaClientError)?.description ?? se.message
                errors.append(se)
            }
            brokers.append(info)
        }
        // Brokers that replicas still name (or that we saw before) but Metadata no longer lists.
        await brokerMemory.remember(meta.sortedBrokers)
        var missing = Set(replicas.keys).union(await brokerMemory.ids)
        missing.subtract(meta.brokers.keys)
        for id in missing.sorted() {
            let last = await brokerMemory.last(id)
            let msg = "broker \(id)" + (last.map { " (\($0.advertised))" } ?? "")
                + " is not in the cluster metadata: it is down, fenced or unregistered"
            brokers.append(BrokerInfo(id: id, host: last?.host ?? "?", port: last?.port ?? 0, rack: last?.rack,
                                      isController: false, leaderCount: 0, partitionCount: replicas[id] ?? 0,
                                      dialed: last.map { client.endpoint(for: $0).dialed.description }, error: msg))
            errors.append(SourceError(source: "broker \(id)", message: msg))
        }
        brokers.sort { $0.id < $1.id }
        return ClusterOverview(clusterId: meta.clusterId, controllerId: controller, brokers: brokers, quorum: quorum,
                               topicCount: meta.topics.count, partitionCount: partitions,
                               underReplicatedPartitions: under, offlinePartitions: offline,
                               leaderImbalance: withLeader == 0 ? 0 : Double(imbalanced) / Double(withLeader),
                               errors: errors)
    }

    /// DescribeQuorum on a broker that lists API 55 (KRaft); `.unsupported` on ZooKeeper clusters.
    func describeQuorum(connections: [BrokerConnection]) async -> FieldState<QuorumInfo> {
        guard let conn = connections.first(where: { $0.supports(DescribeQuorumRequest.self) }) else {
            return connections.isEmpty ? .failed("no broker reachable") : .unsupported(unsupportedMessage("DescribeQuorum"))
        }
        var req = DescribeQuorumRequest()
        var topic = DescribeQuorumRequest.TopicData()
        topic.topicName = "__cluster_metadata"
        var part = DescribeQuorumRequest.PartitionData()
        part.partitionIndex = 0
        topic.partitions = [part]
        req.topics = [topic]
        do {
            let resp = try await conn.send(req)
            if resp.errorCode != 0 { return .failed("DescribeQuorum: \(describeKafkaError(resp.errorCode, message: resp.errorMessage))") }
            guard let p = resp.topics.first?.partitions.first else { return .failed("DescribeQuorum: empty response") }
            if p.errorCode != 0 { return .failed("DescribeQuorum: \(describeKafkaError(p.errorCode, message: p.errorMessage))") }
            let leaderLEO = p.currentVoters.first { $0.replicaId == p.leaderId }?.logEndOffset ?? p.highWatermark
            func conv(_ r: DescribeQuorumResponse.ReplicaState) -> QuorumReplica {
                QuorumReplica(replicaId: r.replicaId, logEndOffset: r.logEndOffset, lag: leaderLEO - r.logEndOffset,
                              lastFetchTimestamp: r.lastFetchTimestamp >= 0 ? r.lastFetchTimestamp : nil,
                              lastCaughtUpTimestamp: r.lastCaughtUpTimestamp >= 0 ? r.lastCaughtUpTimestamp : nil)
            }
            return .value(QuorumInfo(leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, highWatermark: p.highWatermark,
                                     voters: p.currentVoters.map(conv), observers: p.observers.map(conv)))
        } catch {
            return .failed(sourceError(error, source: "DescribeQuorum").message)
        }
    }

    // MARK: Topics

    public func topics() async throws -> Partial<[TopicSummary]> {
        try await topics(from: try await client.metadata(refresh: true))
    }

    /// Rows from Metadata at once (partitions, replication, under-replicated, offline), then the
    /// full list once offsets, min.insync.replicas and sizes are read: the list appears after one
    /// round trip however slow the slowest broker's ListOffsets or DescribeLogDirs is.
    public func topicsInStages() -> AsyncThrowingStream<Partial<[TopicSummary]>, Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let meta = try await client.metadata(refresh: true)
                    continuation.yield(Partial(Self.metadataOnly(meta), isPreliminary: true))
                    continuation.yield(try await topics(from: meta))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func metadataOnly(_ meta: ClusterMetadata) -> [TopicSummary] {
        meta.topics.values.sorted(by: { $0.name < $1.name }).map { t in
            var s = TopicSummary(name: t.name, isInternal: t.isInternal, partitions: t.partitions.count,
                                 replicationFactor: t.partitions.map(\.replicas.count).max() ?? 0,
                                 underReplicated: t.partitions.filter { $0.isr.count < $0.replicas.count }.count,
                                 offline: t.partitions.filter { $0.leader < 0 }.count,
                                 messages: t.partitions.isEmpty ? 0 : nil)
            s.detailsPending = true
            return s
        }
    }

    func topics(from meta: ClusterMetadata) async throws -> Partial<[TopicSummary]> {
        var errors: [SourceError] = []
        let all = meta.topics.mapValues { $0.partitions.map(\.partition) }
        async let earliest = offsets(forTopics: all, spec: .earliest)
        async let latest = offsets(forTopics: all, spec: .latest)
        async let minIsr = topicConfigs(Array(meta.topics.keys), keys: ["min.insync.replicas"])
        async let sizes = logDirSizes()
        async let reach = unreachableBrokers(Set(meta.topics.values.flatMap { $0.partitions.map(\.leader) }), in: meta)
        let (e, l, m, s, unreachable) = await (earliest, latest, minIsr, sizes, reach)
        errors += e.errors + l.errors
        errors += Self.offsetFailureErrors([e, l], known: errors)
        // One error per broker is enough.
        errors = Self.dedupe(errors)
        var minIsrByTopic: [String: Int] = [:]
        switch m {
        case .value(let v):
            for (t, entries) in v { if let x = entries.first(where: { $0.name == "min.insync.replicas" })?.value.flatMap({ Int($0) }) { minIsrByTopic[t] = x } }
        case .failed(let why): errors.append(SourceError(source: "DescribeConfigs", message: why))
        case .unsupported: break
        }
        var sizeByTopic: [String: Int64]? = nil
        var sizeUnknown: Set<String> = []
        switch s {
        case .value(let (v, unknown, errs)): sizeByTopic = v; sizeUnknown = unknown; errors += errs
        case .failed(let why): errors.append(SourceError(source: "DescribeLogDirs", message: why))
        case .unsupported: break
        }
        var out: [TopicSummary] = []
        var counted: [String: Int64] = [:]
        var uncounted: [String] = []
        for t in meta.topics.values {
            var messages: Int64? = 0
            let los = e.offsets.byTopic[t.name], his = l.offsets.byTopic[t.name]
            for p in t.partitions {
                if let lo = los?[p.partition], let hi = his?[p.partition] { messages! += max(0, hi - lo) } else { messages = nil; break }
            }
            if let messages { counted[t.name] = messages } else if !t.partitions.isEmpty { uncounted.append(t.name) }
        }
        // A topic whose offsets failed this time keeps its last count, marked stale, instead of a blank.
        let previous = await messageCounts.update(counted, missing: uncounted)
        for t in meta.topics.values.sorted(by: { $0.name < $1.name }) {
            let messages = counted[t.name] ?? previous[t.name]
            let rf = t.partitions.map(\.replicas.count).max() ?? 0
            var underMin: Int? = nil
            if let mi = minIsrByTopic[t.name] { underMin = t.partitions.filter { $0.leader >= 0 && $0.isr.count < mi }.count }
            out.append(TopicSummary(name: t.name, isInternal: t.isInternal, partitions: t.partitions.count,
                                    replicationFactor: rf,
                                    underReplicated: t.partitions.filter { $0.isr.count < $0.replicas.count }.count,
                                    underMinIsr: underMin, offline: t.partitions.filter { $0.leader < 0 }.count,
                                    messages: t.partitions.isEmpty ? 0 : messages,
                                    sizeBytes: sizeUnknown.contains(t.name) ? nil : sizeByTopic.map { $0[t.name] ?? 0 }))
            if counted[t.name] == nil && previous[t.name] != nil { out[out.count - 1].messagesStale = true }
            out[out.count - 1].leaderUnreachable = t.partitions.filter { $0.leader >= 0 && unreachable[$0.leader] != nil }.count
        }
        for (id, why) in unreachable.sorted(by: { $0.key < $1.key })
        where !errors.contains(where: { $0.source == "broker \(id)" || $0.source.hasPrefix("broker \(id) ") }) {
            errors.append(SourceError(source: "broker \(id)", message: why))
        }
        return Partial(out, errors: errors)
    }

    public func topic(named name: String) async throws -> TopicDetail {
        var meta = try await client.metadata(refresh: true)
        if meta.topics[name] == nil { meta = try await client.metadata(refresh: true) }
        guard let t = meta.topics[name] else {
            throw UserFacingError("topic '\(name)' does not exist (or is not visible to this user)")
        }
        if t.errorCode != 0 && t.partitions.isEmpty {
            throw UserFacingError("topic '\(name)': \(describeKafkaError(t.errorCode))")
        }
        let keys = t.partitions.map { TopicPartitionKey(name, $0.partition) }
        async let earliest = offsets(for: keys, spec: .earliest)
        async let latest = offsets(for: keys, spec: .latest)
        async let configs = topicConfigs([name], keys: nil, synonyms: true)
        async let sizes = logDirSizes()
        async let consumers = consumingGroupLag(topic: name)
        async let reach = unreachableBrokers(Set(t.partitions.flatMap { $0.replicas + [$0.leader] }), in: meta)
        let (e, l, c, s, (g, groupErrors, groupLag), unreachable) = await (earliest, latest, configs, sizes, consumers, reach)
        var errors = Self.dedupe(e.errors + l.errors + Self.offsetFailureErrors([e, l], known: e.errors + l.errors) + groupErrors)
        let parts = t.partitions.map { p in
            PartitionInfo(partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch >= 0 ? p.leaderEpoch : nil,
                          replicas: p.replicas, isr: p.isr, offlineReplicas: p.offlineReplicas,
                          earliest: e.offsets[TopicPartitionKey(name, p.partition)],
                          latest: l.offsets[TopicPartitionKey(name, p.partition)],
                          error: p.errorCode == 0 ? nil : errorName(p.errorCode))
        }
        let cfg: FieldState<[ConfigEntry]>
        switch c {
        case .value(let v): cfg = .value((v[name] ?? []).sorted { $0.name < $1.name })
        case .unsupported(let m): cfg = .unsupported(m)
        case .failed(let m): cfg = .failed(m)
        }
        var size: Int64? = nil
        if case .value(let (v, unknown, errs)) = s {
            size = unknown.contains(name) ? nil : v[name] ?? 0
            errors += errs
        }
        for (id, why) in unreachable.sorted(by: { $0.key < $1.key })
        where !errors.contains(where: { $0.source == "broker \(id)" || $0.source.hasPrefix("broker \(id) ") }) {
            errors.append(SourceError(source: "broker \(id)", message: why))
        }
        var detail = TopicDetail(name: name, isInternal: t.isInternal, topicId: t.topicId?.description, partitions: parts,
                                 configs: cfg, consumingGroups: g, sizeBytes: size, errors: errors, unreachableBrokers: unreachable)
        detail.consumerLag = groupLag
        return detail
    }

    /// The consuming groups of `topic` and, for each, its lag, time lag, rates, ETA and status on that
    /// topic. The same batched reads as the group list (per coordinator, per leader), so a refresh costs
    /// O(brokers) requests whatever the number of groups; each refresh is one more lag sample of them.
    func consumingGroupLag(topic: String) async -> (groups: FieldState<[String]>, errors: [SourceError],
                                                     lag: [String: GroupSummary]) {
        let listing = await listGroups()
        let (groups, errors) = await consumingGroups(topic: topic, listing: listing)
        guard case .value(let names) = groups, !names.isEmpty else { return (groups, errors, [:]) }
        let details = await groupDetails(named: names, listing: listing, timeLagTopic: topic)
        var lag: [String: GroupSummary] = [:]
        for d in details.value { lag[d.group] = d.summary(onTopic: topic) }
        // The group list's own errors (a leader down, a coordinator failing) are already in `errors`
        // or name a group shown with its stale/partial mark; only new ones are added.
        return (groups, Self.dedupe(errors + details.errors), lag)
    }

    /// Which of `ids` (leaders and replicas) this client cannot reach, with why: the metadata keeps
    /// naming a leader that is down until the controller moves it (and the librdkafka mock never
    /// does), so the metadata alone cannot say that a partition is served.
    func unreachableBrokers(_ ids: Set<Int32>, in meta: ClusterMetadata) async -> [Int32: String] {
        let client = self.client
        let checked = await concurrentMap(ids.filter { $0 >= 0 }.sorted()) { id -> (Int32, String?) in
            guard let b = meta.brokers[id] else {
                return (id, "broker \(id) is not in the cluster metadata: it is down, fenced or unregistered")
            }
            do {
                _ = try await client.connection(for: id)
                return (id, nil)
            } catch {
                // The full text names the broker, its address, the stage and the fix (as in the overview).
                return (id, (error as? KafkaClientError)?.description ?? sourceError(error, source: client.endpoint(for: b).description).message)
            }
        }
        var out: [Int32: String] = [:]
        for (id, why) in checked { if let why { out[id] = why } }
        return out
    }

    /// Groups with committed offsets on `topic` (ListGroups or known groups, then batched OffsetFetch).
    /// Groups whose coordinator could not be asked are not "not consuming": when none could be asked
    /// the field fails with why; when some could, `errors` names the others (a partial list).
    func consumingGroups(topic: String, listing: GroupListing) async -> (groups: FieldState<[String]>, errors: [SourceError]) {
        var names = Set(listing.groups.keys)
        names.formUnion(knownGroups)
        if names.isEmpty {
            return (listing.supported ? .value([]) : .unsupported(unsupportedMessage("ListGroups")), [])
        }
        let (coords, lookupFailures) = await findCoordinators(Array(names))
        var errors = lookupFailures.sorted { $0.key < $1.key }.map { SourceError(source: "group \($0.key)", message: "FindCoordinator: \($0.value)") }
        var byCoordinator: [Int32: [String]] = [:]
        for (g, c) in coords { byCoordinator[c, default: []].append(g) }
        let client = self.client
        let answers = await concurrentMap(byCoordinator.sorted { $0.key < $1.key }) { (coord, groups) -> (found: [String], errors: [SourceError]) in
            let r: [String: CommittedResult]
            do {
                let conn = try await client.connection(for: coord)
                r = try await Self.fetchCommitted(conn: conn, groups: groups, allTopics: {
                    guard let meta = try? await client.metadata() else { return [:] }
                    return meta.topics.mapValues { $0.partitions.map(\.partition) }
                })
            } catch {
                let e = sourceError(error, source: "broker \(coord)")
                return ([], [SourceError(source: e.source, message: "coordinator of \(groups.count) group\(groups.count == 1 ? "" : "s") unreachable: \(e.message)")])
            }
            var found: [String] = [], errs: [SourceError] = []
            for (g, res) in r.sorted(by: { $0.key < $1.key }) {
                switch res {
                case .offsets(let o, _): if o.keys.contains(where: { $0.topic == topic }) { found.append(g) }
                case .failed(let why, _): errs.append(SourceError(source: "group \(g)", message: why))
                }
            }
            return (found, errs)
        }
        errors += answers.flatMap(\.errors)
        let found = answers.flatMap(\.found).sorted()
        let asked = answers.count - answers.filter { $0.found.isEmpty && !$0.errors.isEmpty }.count
        if !errors.isEmpty && found.isEmpty && asked == 0 {
            return (.failed(errors.map { "\($0.source): \($0.message)" }.prefix(3).joined(separator: "; ")), errors)
        }
        return (.value(found), errors)
    }

    // MARK: Groups

    public func groups() async throws -> Partial<[GroupSummary]> {
        try await groups(listing: await listGroups())
    }

    /// Rows from ListGroups at once (name, type, state), then the full list once coordinators,
    /// members, committed offsets and log ends are read: the list appears after one round trip to
    /// each broker however slow a coordinator's answer is.
    public func groupsInStages() -> AsyncThrowingStream<Partial<[GroupSummary]>, Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let listing = await listGroups()
                    let rows = Self.listingOnly(listing, known: knownGroups)
                    if !rows.isEmpty { continuation.yield(Partial(rows, isPreliminary: true)) }
                    continuation.yield(try await groups(listing: listing))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func listingOnly(_ listing: GroupListing, known: [String]) -> [GroupSummary] {
        Set(listing.groups.keys).union(known).sorted().map { name in
            let listed = listing.groups[name]
            var s = GroupSummary(group: name, type: listed?.type ?? "unknown", state: listed?.state ?? "Unknown",
                                 coordinator: listed?.broker)
            s.detailsPending = true
            return s
        }
    }

    func groups(listing: GroupListing) async throws -> Partial<[GroupSummary]> {
        var names = Set(listing.groups.keys)
        names.formUnion(knownGroups)
        var errors = listing.errors
        if !listing.supported && knownGroups.isEmpty {
            errors.append(SourceError(source: "ListGroups",
                                      message: "\(unsupportedMessage("ListGroups")); list group names in the configuration (known groups) to see them"))
        }
        let details = await groupDetails(named: Array(names), listing: listing)
        errors += details.errors
        let summaries = details.value.map { d in
            var count: Int? = nil
            if case .value(let m) = d.members { count = m.count }
            var s = GroupSummary(group: d.group, type: d.type, state: d.state, protocolName: d.protocolName,
                                 members: count, lag: d.lag, coordinator: d.coordinator,
                                 lagCompleteness: d.lagCompleteness,
                                 lagErrors: d.errors.filter { $0.message.hasPrefix("lag partial:") },
                                 health: d.health, lagSeconds: d.lagSeconds)
            s.lagSecondsPartial = d.lagSecondsPartial
            return s
        }
        for d in details.value { errors += d.errors }
        // A group whose offsets could not be read keeps its last row, marked stale.
        var unreadable: [String: String] = [:]
        for d in details.value { if let why = d.offsetsError { unreadable[d.group] = why } }
        let rows = await groupRows.update(summaries, unreadable: unreadable)
        return Partial(rows, errors: Self.dedupe(errors))
    }

    public func group(named name: String) async throws -> GroupDetail {
        let listing = await listGroups()
        let r = await groupDetails(named: [name], listing: listing)
        var d = r.value[0]
        // Each partition's lag over this session's samples, for the detail's sparkline.
        for i in d.offsets.indices {
            let key = PartitionKey(topic: d.offsets[i].topic, partition: d.offsets[i].partition)
            d.offsets[i].lagHistory = await lagSampler.samples(group: name, key: key).compactMap(\.lag)
        }
        d.errors += r.errors
        d.errors = Self.dedupe(d.errors)
        return d
    }

    /// Partition-level ListOffsets failures (e.g. TOPIC_AUTHORIZATION_FAILED) that no broker-level
    /// error already explains: one line per reason, naming the topics, so a "-" in the message
    /// count never goes unexplained.
    static func offsetFailureErrors(_ lookups: [OffsetLookup], known: [SourceError]) -> [SourceError] {
        var topicsByReason: [String: Set<String>] = [:]
        for l in lookups {
            for (topic, parts) in l.failures.byTopic {
                // An offline partition (no leader) is already shown as such in the data.
                for reason in Set(parts.values) where reason != "no leader" { topicsByReason[reason, default: []].insert(topic) }
            }
        }
        return topicsByReason.keys.sorted().compactMap { reason in
            if known.contains(where: { $0.message.contains(reason) || reason.contains($0.message) }) { return nil }
            let topics = topicsByReason[reason]!.sorted()
            let list = topics.prefix(5).joined(separator: ", ") + (topics.count > 5 ? " and \(topics.count - 5) more" : "")
            return SourceError(source: "ListOffsets", message: "\(reason) (\(list))")
        }
    }

    static func dedupe(_ errors: [SourceError]) -> [SourceError] {
        var seen = Set<SourceError>()
        return errors.filter { seen.insert($0).inserted }
    }
}

/// Brokers seen in earlier Metadata, so one that drops out (down, fenced) is still shown.
actor BrokerMemory {
    private var seen: [Int32: BrokerMetadata] = [:]
    func remember(_ brokers: [BrokerMetadata]) { for b in brokers { seen[b.nodeId] = b } }
    var ids: Set<Int32> { Set(seen.keys) }
    func last(_ id: Int32) -> BrokerMetadata? { seen[id] }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension KafkaAdminService {
    /// The system's real-time clock in milliseconds (record timestamps are wall-clock times).
    public static let systemWallClockMs: @Sendable () -> Int64 = {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
