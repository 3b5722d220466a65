import ClusterModel
import KafkaClient
import KafkaProtocol

/// Consumer-group writes: offset resets (OffsetCommit from outside the group), OffsetDelete,
/// DeleteGroups. Requests go to the group's coordinator; one retry after NOT_COORDINATOR.
extension KafkaAdminService: GroupWriteService {
    // MARK: Planning

    public func offsetResetPlan(group: String, spec: OffsetResetSpec, scope: OffsetResetScope, nowMs: Int64) async throws -> OffsetResetPlan {
        let details = await groupDetails(named: [group], timeLags: false)
        guard let d = details.value.first else { throw UserFacingError("consumer group \(group) could not be read") }
        var notes: [String] = []
        let committedErrors = d.errors.filter { $0.message.contains("OffsetFetch") || $0.message.contains("coordinator") }
        if !committedErrors.isEmpty {
            throw UserFacingError("cannot read the committed offsets of consumer group \(group): "
                + committedErrors.map(\.message).joined(separator: "; "))
        }
        var committed: [TopicPartition: Int64] = [:]
        for row in d.offsets { if let c = row.committed { committed[TopicPartition(row.topic, row.partition)] = c } }
        let memberCount: Int?
        switch d.members {
        case .value(let m): memberCount = m.count
        case .unsupported(let why), .failed(let why):
            memberCount = nil
            notes.append("members could not be checked (\(why)); the coordinator refuses the commit if the group is active")
        }
        if d.state == "Dead" || (committed.isEmpty && memberCount == 0 && d.state != "Empty") {
            throw UserFacingError("consumer group \(group) does not exist (no members, no committed offsets)")
        }
        // The partitions in scope.
        var partitions: [TopicPartition] = []
        switch scope {
        case .allTopics:
            partitions = committed.keys.sorted()
            if partitions.isEmpty { throw UserFacingError("consumer group \(group) has no committed offsets to reset") }
        case .topics(let selections):
            let meta = try await client.metadata(refresh: true)
            for s in selections {
                guard let t = meta.topics[s.topic] else { throw UserFacingError("topic \(s.topic) does not exist") }
                let all = t.partitions.map(\.partition).sorted()
                if let chosen = s.partitions {
                    let missing = chosen.filter { !all.contains($0) }
                    if !missing.isEmpty {
                        throw UserFacingError("topic \(s.topic) has no partition \(missing.map(String.init).joined(separator: ", ")) "
                            + "(it has \(all.count))")
                    }
                    partitions += chosen.map { TopicPartition(s.topic, $0) }
                } else {
                    partitions += all.map { TopicPartition(s.topic, $0) }
                }
            }
        }
        let byTopic = Dictionary(grouping: partitions, by: \.topic).mapValues { $0.map(\.partition).sorted() }
        // The log ends the group read just gave (not remembered ones) are reused; only partitions
        // the group has no row for are asked again. One ListOffsets per leader per kind, concurrently.
        var knownEnds: [TopicPartition: Int64] = [:]
        for row in d.offsets where row.endAge == nil { if let e = row.end { knownEnds[TopicPartition(row.topic, row.partition)] = e } }
        let unknownEnds = Dictionary(grouping: partitions.filter { knownEnds[$0] == nil }, by: \.topic)
            .mapValues { $0.map(\.partition).sorted() }
        async let earliest = offsets(forTopics: byTopic, spec: .earliest)
        async let latest = offsets(forTopics: unknownEnds, spec: .latest)
        let timestamp = spec.timestamp(nowMs: nowMs)
        async let atTime: OffsetLookup? = timestamp == nil ? nil : offsets(forTopics: byTopic, spec: .timestamp(timestamp!))
        let (low, high, byTime) = await (earliest, latest, atTime)
        var inputs = OffsetResetInputs(partitions: partitions, committed: committed)
        for tp in partitions {
            let reason = low.failures[tp.topic, tp.partition] ?? (knownEnds[tp] == nil ? high.failures[tp.topic, tp.partition] : nil)
                ?? byTime?.failures[tp.topic, tp.partition]
            if let reason { inputs.failures[tp] = reason; continue }
            inputs.earliest[tp] = low.offsets[tp.topic, tp.partition]
            inputs.latest[tp] = knownEnds[tp] ?? high.offsets[tp.topic, tp.partition]
            if let byTime { inputs.atTimestamp[tp] = byTime.offsets[tp.topic, tp.partition] }
        }
        let blocked = OffsetResetPlanner.blockedReason(group: group, state: d.state, members: memberCount)
        return OffsetResetPlanner.plan(group: group, spec: spec, scope: scope, inputs: inputs, blockedReason: blocked, notes: notes)
    }

    public func committedPartitions(group: String, topic: String) async throws -> [TopicPartition: Int64] {
        let details = await groupDetails(named: [group])
        guard let d = details.value.first else { throw UserFacingError("consumer group \(group) could not be read") }
        var out: [TopicPartition: Int64] = [:]
        for row in d.offsets where row.topic == topic { if let c = row.committed { out[TopicPartition(row.topic, row.partition)] = c } }
        return out
    }

    public func deleteBlockedReason(group: String) async throws -> String? {
        let details = await groupDetails(named: [group])
        guard let d = details.value.first else { return nil }
        return OffsetResetPlanner.deleteBlockedReason(group: group, state: d.state, members: d.members.value?.count)
    }

    // MARK: Sending

    /// Runs `body` on the group's coordinator, once more on a fresh coordinator when the first
    /// answers NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE / COORDINATOR_LOAD_IN_PROGRESS.
    func onCoordinator<T: Sendable>(of group: String, _ body: @Sendable (BrokerConnection) async throws -> (T, Bool)) async throws -> T {
        for attempt in 0..<2 {
            let found = await findCoordinators([group], refresh: attempt > 0)
            guard let coordinator = found.coordinators[group] else {
                throw UserFacingError("no coordinator for consumer group \(group): \(found.failures[group] ?? "unknown")")
            }
            let (value, coordinatorMoved) = try await client.withConnection(to: coordinator) { conn in try await body(conn) }
            if !coordinatorMoved || attempt == 1 { return value }
            await coordinatorCache.forget(group)
        }
        preconditionFailure("unreachable")
    }

    static let coordinatorErrors: Set<Int16> = [14, 15, 16] // load in progress, not available, not coordinator

    public func commitOffsets(group: String, offsets: [TopicPartition: Int64]) async throws -> [TopicPartition: String] {
        guard !offsets.isEmpty else { return [:] }
        var req = OffsetCommitRequest()
        req.groupId = group
        req.generationIdOrMemberEpoch = -1
        req.memberId = ""
        req.retentionTimeMs = -1
        let byTopic = Dictionary(grouping: offsets.keys, by: \.topic)
        req.topics = byTopic.keys.sorted().map { topic in
            var t = OffsetCommitRequest.OffsetCommitRequestTopic()
            t.name = topic
            t.partitions = byTopic[topic]!.sorted().map { tp in
                var p = OffsetCommitRequest.OffsetCommitRequestPartition()
                p.partitionIndex = tp.partition
                p.committedOffset = offsets[tp]!
                p.committedMetadata = ""
                return p
            }
            return t
        }
        let request = req
        return try await onCoordinator(of: group) { conn in
            guard let v = conn.negotiatedVersion(OffsetCommitRequest.self) else {
                throw KafkaClientError.unsupported(conn.endpoint, api: "OffsetCommit")
            }
            let resp = try await conn.send(request, version: v)
            var failures: [TopicPartition: String] = [:]
            var moved = false
            for t in resp.topics {
                for p in t.partitions where p.errorCode != 0 {
                    if Self.coordinatorErrors.contains(p.errorCode) { moved = true }
                    failures[TopicPartition(t.name, p.partitionIndex)] = Self.commitError(p.errorCode, group: group)
                }
            }
            let answered = Set(resp.topics.flatMap { t in t.partitions.map { TopicPartition(t.name, $0.partitionIndex) } })
            for tp in offsets.keys where !answered.contains(tp) { failures[tp] = "missing from the OffsetCommit response" }
            return (failures, moved)
        }
    }

    /// Kafka's words plus what they mean for a reset.
    static func commitError(_ code: Int16, group: String) -> String {
        switch code {
        case 25, 22, 27: // UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS
            return describeKafkaError(code) + " (consumer group \(group) is active: stop its consumers first)"
        default:
            return describeKafkaError(code)
        }
    }

    public func deleteOffsets(group: String, partitions: [TopicPartition]) async throws -> [TopicPartition: String] {
        guard !partitions.isEmpty else { return [:] }
        var req = OffsetDeleteRequest()
        req.groupId = group
        let byTopic = Dictionary(grouping: partitions, by: \.topic)
        req.topics = byTopic.keys.sorted().map { topic in
            var t = OffsetDeleteRequest.OffsetDeleteRequestTopic()
            t.name = topic
            t.partitions = byTopic[topic]!.sorted().map { tp in
                var p = OffsetDeleteRequest.OffsetDeleteRequestPartition()
                p.partitionIndex = tp.partition
                return p
            }
            return t
        }
        let request = req
        return try await onCoordinator(of: group) { conn in
            guard let v = conn.negotiatedVersion(OffsetDeleteRequest.self) else {
                throw KafkaClientError.unsupported(conn.endpoint, api: "OffsetDelete (Kafka 2.4+)")
            }
            let resp = try await conn.send(request, version: v)
            if Self.coordinatorErrors.contains(resp.errorCode) { return ([:], true) }
            if resp.errorCode != 0 {
                throw UserFacingError("cannot delete offsets of consumer group \(group): \(describeKafkaError(resp.errorCode))")
            }
            var failures: [TopicPartition: String] = [:]
            for t in resp.topics {
                for p in t.partitions where p.errorCode != 0 {
                    let why = p.errorCode == 86 // GROUP_SUBSCRIBED_TO_TOPIC
                        ? describeKafkaError(p.errorCode) + " (the group's active members consume this topic)"
                        : describeKafkaError(p.errorCode)
                    failures[TopicPartition(t.name, p.partitionIndex)] = why
                }
            }
            return (failures, false)
        }
    }

    public func deleteGroups(_ groups: [String]) async -> [String: String?] {
        var out: [String: String?] = [:]
        for g in groups {
            do {
                let code: Int16 = try await onCoordinator(of: g) { conn in
                    guard let v = conn.negotiatedVersion(DeleteGroupsRequest.self) else {
                        throw KafkaClientError.unsupported(conn.endpoint, api: "DeleteGroups")
                    }
                    var req = DeleteGroupsRequest()
                    req.groupsNames = [g]
                    let resp = try await conn.send(req, version: v)
                    let code = resp.results.first { $0.groupId == g }?.errorCode ?? -1
                    return (code, Self.coordinatorErrors.contains(code))
                }
                switch code {
                case 0: out[g] = .some(nil)
                case -1: out[g] = "missing from the DeleteGroups response"
                case 68: out[g] = describeKafkaError(code) + " (the group has active members: stop its consumers first)"
                case 69: out[g] = describeKafkaError(code) + " (no such consumer group)"
                default: out[g] = describeKafkaError(code)
                }
            } catch {
                out[g] = sourceError(error, source: "DeleteGroups").message
            }
        }
        return out
    }
}
