import ClusterModel
import KafkaClient
import KafkaProtocol
import LagHealth

/// A group as ListGroups reports it (merged over brokers).
public struct ListedGroup: Sendable, Hashable {
    public var group: String
    public var protocolType: String
    /// v4+, else nil.
    public var state: String?
    /// "classic" / "consumer" from v5+, else nil.
    public var type: String?
    /// The broker that listed it (the coordinator).
    public var broker: Int32
}

/// The outcome of ListGroups on every broker.
public struct GroupListing: Sendable {
    public var groups: [String: ListedGroup] = [:]
    /// False when no broker implements ListGroups (e.g. the librdkafka mock).
    public var supported = true
    public var errors: [SourceError] = []
}

/// Remembers group coordinators between calls; forgotten on NOT_COORDINATOR / unavailable.
actor CoordinatorCache {
    private var map: [String: Int32] = [:]
    func get(_ g: String) -> Int32? { map[g] }
    func set(_ g: String, _ id: Int32) { map[g] = id }
    func forget(_ g: String) { map[g] = nil }
}

struct DescribedGroupInfo: Sendable {
    var type: String
    var state: String
    var protocolType: String?
    var protocolName: String?
    var members: [GroupMember]
    var errors: [SourceError] = []
}

enum CommittedResult: Sendable {
    case offsets([TopicPartitionKey: Int64], [SourceError])
    case failed(String, retryCoordinator: Bool)
}

extension KafkaAdminService {
    // MARK: ListGroups

    /// ListGroups on every broker, merged.
    public func listGroups() async -> GroupListing {
        var listing = GroupListing()
        let meta: ClusterMetadata
        do { meta = try await client.metadata() } catch {
            listing.errors.append(sourceError(error, source: "metadata"))
            return listing
        }
        let client = self.client
        let results = await concurrentMap(meta.sortedBrokers) { broker -> (Int32, Result<ListGroupsResponse, any Error>) in
            do {
                let conn = try await client.connection(for: broker.nodeId)
                guard let v = conn.negotiatedVersion(ListGroupsRequest.self) else {
                    throw KafkaClientError.unsupported(conn.endpoint, api: "ListGroups")
                }
                return (broker.nodeId, .success(try await conn.send(ListGroupsRequest(), version: v)))
            } catch {
                return (broker.nodeId, .failure(error))
            }
        }
        var unsupported = 0, answered = 0
        for (id, r) in results {
            switch r {
            case .success(let resp):
                answered += 1
                if resp.errorCode != 0 {
                    listing.errors.append(SourceError(source: "broker \(id)", message: "ListGroups: \(describeKafkaError(resp.errorCode))"))
                }
                for g in resp.groups {
                    listing.groups[g.groupId] = ListedGroup(
                        group: g.groupId, protocolType: g.protocolType,
                        state: g.groupState.isEmpty ? nil : g.groupState,
                        type: g.groupType.isEmpty ? nil : g.groupType.lowercased(), broker: id)
                }
            case .failure(let e):
                if let ce = e as? KafkaClientError, ce.isUnsupported { unsupported += 1 } else {
                    listing.errors.append(sourceError(e, source: "broker \(id)"))
                }
            }
        }
        listing.supported = answered > 0 || unsupported == 0
        return listing
    }

    // MARK: FindCoordinator

    /// Coordinators for many groups: one batched request on v4+, else one per group.
    func findCoordinators(_ groups: [String], refresh: Bool = false) async -> (coordinators: [String: Int32], failures: [String: String]) {
        var coords: [String: Int32] = [:]
        var failures: [String: String] = [:]
        var todo: [String] = []
        for g in groups {
            if !refresh, let c = await coordinatorCache.get(g) { coords[g] = c } else { todo.append(g) }
        }
        var attempt = 0
        while !todo.isEmpty && attempt < 3 {
            attempt += 1
            var retry: [String] = []
            do {
                let conn = try await client.anyConnection()
                guard let v = conn.negotiatedVersion(FindCoordinatorRequest.self) else {
                    throw KafkaClientError.unsupported(conn.endpoint, api: "FindCoordinator")
                }
                if v >= 4 {
                    // Chunked so one request never carries an unbounded key list.
                    for chunk in stride(from: 0, to: todo.count, by: 1000).map({ Array(todo[$0..<min($0 + 1000, todo.count)]) }) {
                        var req = FindCoordinatorRequest()
                        req.keyType = 0
                        req.coordinatorKeys = chunk
                        let resp = try await conn.send(req, version: v)
                        for c in resp.coordinators {
                            if c.errorCode == 0 {
                                coords[c.key] = c.nodeId
                                await coordinatorCache.set(c.key, c.nodeId)
                            } else if KafkaErrorCode.lookup(c.errorCode).isRetriable {
                                retry.append(c.key)
                                failures[c.key] = describeKafkaError(c.errorCode, message: c.errorMessage)
                            } else {
                                failures[c.key] = describeKafkaError(c.errorCode, message: c.errorMessage)
                            }
                        }
                        for g in chunk where coords[g] == nil && failures[g] == nil {
                            failures[g] = "missing from the FindCoordinator response"
                        }
                    }
                } else {
                    for g in todo {
                        var req = FindCoordinatorRequest()
                        req.key = g
                        req.keyType = 0
                        let resp = try await conn.send(req, version: v)
                        if resp.errorCode == 0 {
                            coords[g] = resp.nodeId
                            await coordinatorCache.set(g, resp.nodeId)
                        } else {
                            failures[g] = describeKafkaError(resp.errorCode, message: resp.errorMessage)
                            if KafkaErrorCode.lookup(resp.errorCode).isRetriable {
                                retry.append(g)
                            }
                        }
                    }
                }
            } catch {
                let e = sourceError(error, source: "FindCoordinator")
                for g in todo where coords[g] == nil { failures[g] = "\(e.source): \(e.message)" }
                // A garbled answer (e.g. an error reply with a null host) may be transient: retry.
                if let ce = error as? KafkaClientError, case .protocolViolation = ce, attempt < 3 {
                    retry = todo.filter { coords[$0] == nil }
                } else {
                    break
                }
            }
            todo = retry
            if !todo.isEmpty { try? await Task.sleep(for: .milliseconds(200 * attempt)) }
        }
        for g in coords.keys { failures[g] = nil }
        return (coords, failures)
    }

    // MARK: Describe

    static func describeClassic(conn: BrokerConnection, groups: [String]) async throws -> [String: DescribedGroupInfo] {
        guard let v = conn.negotiatedVersion(DescribeGroupsRequest.self) else {
            throw KafkaClientError.unsupported(conn.endpoint, api: "DescribeGroups")
        }
        var req = DescribeGroupsRequest()
        req.groups = groups
        let resp = try await conn.send(req, version: v)
        var out: [String: DescribedGroupInfo] = [:]
        for g in resp.groups {
            var info = DescribedGroupInfo(type: "classic", state: g.groupState, protocolType: g.protocolType,
                                          protocolName: g.protocolData.isEmpty ? nil : g.protocolData, members: [])
            if g.errorCode != 0 {
                info.errors.append(SourceError(source: "group \(g.groupId)", message: "DescribeGroups: \(describeKafkaError(g.errorCode))"))
            }
            let isConsumer = g.protocolType == "consumer" || g.protocolType.isEmpty
            for m in g.members {
                var assignments: [TopicPartitions] = []
                if isConsumer && !m.memberAssignment.isEmpty {
                    do {
                        assignments = try ConsumerProtocolAssignment(versionedBytes: m.memberAssignment).assignedPartitions
                            .map { TopicPartitions(topic: $0.topic, partitions: $0.partitions) }
                    } catch {
                        info.errors.append(SourceError(source: "group \(g.groupId)",
                                                       message: "member \(m.memberId): undecodable assignment: \(error)"))
                    }
                }
                info.members.append(GroupMember(memberId: m.memberId, instanceId: m.groupInstanceId,
                                                clientId: m.clientId, host: m.clientHost, assignments: assignments))
            }
            out[g.groupId] = info
        }
        return out
    }

    /// KIP-848 groups. Groups answering GROUP_ID_NOT_FOUND / UNSUPPORTED_VERSION come back in `fallback`
    /// (they may be classic groups), as the Java admin client does.
    static func describeConsumer(conn: BrokerConnection, groups: [String]) async throws
        -> (described: [String: DescribedGroupInfo], fallback: [String]) {
        guard let v = conn.negotiatedVersion(ConsumerGroupDescribeRequest.self) else {
            return ([:], groups)
        }
        var req = ConsumerGroupDescribeRequest()
        req.groupIds = groups
        let resp = try await conn.send(req, version: v)
        var out: [String: DescribedGroupInfo] = [:]
        var fallback: [String] = []
        for g in resp.groups {
            if KafkaErrorCode.groupIdNotFound.matches(g.errorCode) || KafkaErrorCode.unsupportedVersion.matches(g.errorCode) {
                fallback.append(g.groupId)
                continue
            }
            // A KIP-848 group always has an epoch. Some brokers (tansu) answer every id with an
            // epoch-less empty group; the group may still be a classic one, so ask DescribeGroups.
            if g.errorCode == 0 && g.groupEpoch < 0 && g.members.isEmpty {
                fallback.append(g.groupId)
                continue
            }
            var info = DescribedGroupInfo(type: "consumer", state: g.groupState, protocolType: "consumer",
                                          protocolName: g.assignorName.isEmpty ? nil : g.assignorName, members: [])
            if g.errorCode != 0 {
                info.errors.append(SourceError(source: "group \(g.groupId)",
                                               message: "ConsumerGroupDescribe: \(describeKafkaError(g.errorCode, message: g.errorMessage))"))
            }
            for m in g.members {
                let assignments = m.assignment.topicPartitions.map {
                    TopicPartitions(topic: $0.topicName, partitions: $0.partitions)
                }
                info.members.append(GroupMember(memberId: m.memberId, instanceId: m.instanceId, clientId: m.clientId,
                                                host: m.clientHost, assignments: assignments))
            }
            out[g.groupId] = info
        }
        for g in groups where out[g] == nil && !fallback.contains(g) { fallback.append(g) }
        return (out, fallback)
    }

    // MARK: OffsetFetch

    /// Committed offsets of several groups on one coordinator: one request on v8+, else one per group.
    static func fetchCommitted(conn: BrokerConnection, groups: [String],
                               allTopics: (() async -> [String: [Int32]])? = nil) async throws -> [String: CommittedResult] {
        guard let v = conn.negotiatedVersion(OffsetFetchRequest.self) else {
            throw KafkaClientError.unsupported(conn.endpoint, api: "OffsetFetch")
        }
        guard v >= 2 else { throw KafkaClientError.unsupported(conn.endpoint, api: "OffsetFetch v2+ (all topics)") }
        var out: [String: CommittedResult] = [:]
        func convert(_ group: String, _ topics: [(String, [(Int32, Int64, Int16)])], _ code: Int16) -> CommittedResult {
            if code != 0 {
                return .failed("OffsetFetch: \(describeKafkaError(code))", retryCoordinator: KafkaErrorCode.lookup(code).isRetriable)
            }
            var offsets: [TopicPartitionKey: Int64] = [:]
            var errs: [SourceError] = []
            for (topic, parts) in topics {
                for (p, offset, err) in parts {
                    if err != 0 {
                        errs.append(SourceError(source: "group \(group)", message: "\(topic)-\(p): \(describeKafkaError(err))"))
                    } else if offset >= 0 {
                        offsets[TopicPartitionKey(topic, p)] = offset
                    }
                }
            }
            return .offsets(offsets, errs)
        }
        if v >= 8 {
            var req = OffsetFetchRequest()
            req.groups = groups.map { g in
                var rg = OffsetFetchRequest.OffsetFetchRequestGroup()
                rg.groupId = g
                rg.topics = nil
                return rg
            }
            let resp = try await conn.send(req, version: v)
            for g in resp.groups {
                out[g.groupId] = convert(g.groupId, g.topics.map { t in (t.name, t.partitions.map { ($0.partitionIndex, $0.committedOffset, $0.errorCode) }) }, g.errorCode)
            }
        } else {
            // Brokers without ListGroups (the librdkafka mock) ignore Topics=null: name every topic instead.
            var explicit: [OffsetFetchRequest.OffsetFetchRequestTopic]? = nil
            if !conn.supports(ListGroupsRequest.self), let allTopics {
                explicit = await allTopics().sorted { $0.key < $1.key }.map { name, parts in
                    var t = OffsetFetchRequest.OffsetFetchRequestTopic()
                    t.name = name
                    t.partitionIndexes = parts
                    return t
                }
            }
            for g in groups {
                var req = OffsetFetchRequest()
                req.groupId = g
                req.topics = explicit
                let resp = try await conn.send(req, version: v)
                out[g] = convert(g, resp.topics.map { t in (t.name, t.partitions.map { ($0.partitionIndex, $0.committedOffset, $0.errorCode) }) }, resp.errorCode)
            }
        }
        for g in groups where out[g] == nil { out[g] = .failed("missing from the OffsetFetch response", retryCoordinator: false) }
        return out
    }

    // MARK: Group details

    /// Describes many groups at once, batching every request per coordinator and per leader.
    /// `timeLags: false` skips the time-lag Fetch (an offset reset plan needs no record timestamps).
    /// `timeLagTopic`: read time lags on that topic's partitions only (the topic detail shows no other).
    public func groupDetails(named names: [String], listing: GroupListing? = nil, timeLags: Bool = true,
                             timeLagTopic: String? = nil) async -> Partial<[GroupDetail]> {
        var errors: [SourceError] = []
        let unique = Array(Set(names)).sorted()
        var details: [String: GroupDetail] = [:]
        var coordinatorOf: [String: Int32] = [:]
        var described: [String: DescribedGroupInfo] = [:]
        var describeUnsupported: [String: String] = [:]
        var committed: [String: [TopicPartitionKey: Int64]] = [:]
        var groupErrors: [String: [SourceError]] = [:]
        // Groups whose committed offsets could not be read: their rows are unknown, not empty.
        var offsetsError: [String: String] = [:]

        var todo = unique
        for attempt in 0..<2 where !todo.isEmpty {
            let (coords, failures) = await findCoordinators(todo, refresh: attempt > 0)
            for (g, why) in failures {
                groupErrors[g, default: []].append(SourceError(source: "group \(g)", message: "FindCoordinator: \(why)"))
                offsetsError[g] = "FindCoordinator: \(why)"
            }
            var byCoordinator: [Int32: [String]] = [:]
            for (g, c) in coords { byCoordinator[c, default: []].append(g); coordinatorOf[g] = c }
            let client = self.client
            let listed = listing?.groups ?? [:]
            let perCoordinator = await concurrentMap(byCoordinator.sorted { $0.key < $1.key }) { (coord, groups) in
                await Self.describeOnCoordinator(client: client, coordinator: coord, groups: groups.sorted(), listed: listed)
            }
            var retry: [String] = []
            for r in perCoordinator {
                described.merge(r.described) { $1 }
                describeUnsupported.merge(r.describeUnsupported) { $1 }
                for (g, c) in r.committed {
                    switch c {
                    case .offsets(let o, let errs):
                        committed[g] = o
                        offsetsError[g] = nil
                        groupErrors[g, default: []] += errs
                    case .failed(let why, let retryCoordinator):
                        if retryCoordinator && attempt == 0 {
                            retry.append(g)
                            await coordinatorCache.forget(g)
                        } else {
                            groupErrors[g, default: []].append(SourceError(source: "group \(g)", message: why))
                            offsetsError[g] = why
                        }
                    }
                }
                for (g, e) in r.groupErrors { groupErrors[g, default: []] += e }
                errors += r.errors
            }
            todo = retry
        }

        // End offsets of every partition any group commits to or is assigned.
        var partitions = Set<TopicPartitionKey>()
        for o in committed.values { partitions.formUnion(o.keys) }
        for d in described.values {
            for m in d.members { for a in m.assignments { for p in a.partitions { partitions.insert(TopicPartitionKey(a.topic, p)) } } }
        }
        let ends = await offsets(for: Array(partitions), spec: .latest)
        errors += ends.errors
        // A partition whose end could not be read keeps a recent earlier value, never zero.
        let unread = Array(partitions.filter { ends.offsets[$0] == nil })
        let remembered = await endOffsets.update(ends.offsets, missing: unread, now: clock.seconds, maxAge: endOffsetMaxAge)
        var allEnds = ends.offsets
        for (tp, e) in remembered { allEnds[tp] = e.offset }

        var readings: [LagSampler.GroupReading] = []
        for g in unique {
            let desc = described[g]
            let listed = listing?.groups[g]
            let members: FieldState<[GroupMember]>
            if let desc { members = .value(desc.members) } else if let why = describeUnsupported[g] {
                members = .unsupported(why)
            } else {
                members = .failed("could not describe the group")
            }
            var rows = Self.offsetRows(members: desc?.members, committed: committed[g] ?? [:], ends: allEnds)
            for i in rows.indices { rows[i].endAge = remembered[TopicPartitionKey(rows[i].topic, rows[i].partition)]?.age }
            let lags = rows.compactMap(\.lag)
            let (completeness, lagErrors) = Self.lagCompleteness(group: g, rows: rows, failures: ends.failures)
            let d = GroupDetail(group: g,
                                type: desc?.type ?? listed?.type ?? (listed.map { $0.protocolType == "consumer" ? "classic" : "unknown" } ?? "unknown"),
                                state: desc?.state ?? listed?.state ?? "Unknown",
                                protocolName: desc?.protocolName, protocolType: desc?.protocolType ?? listed?.protocolType,
                                coordinator: coordinatorOf[g], members: members, offsets: rows,
                                lag: lags.isEmpty ? nil : lags.reduce(0, +), lagCompleteness: completeness,
                                errors: (groupErrors[g] ?? []) + (desc?.errors ?? []) + lagErrors,
                                offsetsError: committed[g] == nil ? offsetsError[g] ?? "committed offsets not read" : nil)
            details[g] = d
            readings.append(Self.lagReading(group: g, rows: rows, failures: ends.failures, members: members,
                                            groupError: committed[g] == nil ? Self.offsetsError(groupErrors[g]) : nil))
        }
        if timeLags { await fillTimeLags(&details, topic: timeLagTopic) }
        // This refresh is one more sample of every group: status, rates and ETA come from them.
        let health = await lagSampler.record(readings, at: clock.seconds)
        for (g, h) in health {
            details[g]?.health = h
            let byKey = Dictionary(h.partitions.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            for i in details[g]?.offsets.indices ?? 0..<0 {
                let r = details[g]!.offsets[i]
                details[g]!.offsets[i].health = byKey[PartitionKey(topic: r.topic, partition: r.partition)]
            }
        }
        return Partial(unique.map { details[$0]! }, errors: errors)
    }

    /// Why a group's committed offsets could not be read (its coordinator failing): ERROR.
    static func offsetsError(_ errors: [SourceError]?) -> String {
        errors?.first.map(\.message) ?? "committed offsets unreadable"
    }

    /// Whether every committed partition's lag was read, and an error per reason naming the
    /// partitions that were estimated from an earlier end offset or left out.
    static func lagCompleteness(group: String, rows: [GroupOffsetRow],
                                failures: PartitionMap<String>) -> (LagCompleteness, [SourceError]) {
        var missing: [String: [String]] = [:], estimated: [String: [String]] = [:]
        for r in rows where r.committed != nil {
            let why = failures[r.topic, r.partition] ?? "end offset not returned"
            if r.end == nil {
                missing[why, default: []].append("\(r.topic)-\(r.partition)")
            } else if let age = r.endAge {
                estimated[why, default: []].append("\(r.topic)-\(r.partition) (read \(Int(age.rounded()))s ago)")
            }
        }
        func list(_ names: [String]) -> String {
            names.prefix(10).joined(separator: ", ") + (names.count > 10 ? " and \(names.count - 10) more" : "")
        }
        var errors: [SourceError] = []
        for why in missing.keys.sorted() {
            let names = missing[why]!
            errors.append(SourceError(source: "group \(group)",
                                      message: "lag partial: end offset unreadable, left out of the total: \(list(names)): \(why)"))
        }
        for why in estimated.keys.sorted() {
            let names = estimated[why]!
            errors.append(SourceError(source: "group \(group)",
                                      message: "lag partial: end offset unreadable, counted from its last read: \(list(names)): \(why)"))
        }
        let completeness: LagCompleteness = !missing.isEmpty ? .partial : (!estimated.isEmpty ? .estimated : .complete)
        return (completeness, errors)
    }

    struct CoordinatorResult: Sendable {
        var described: [String: DescribedGroupInfo] = [:]
        var describeUnsupported: [String: String] = [:]
        var committed: [String: CommittedResult] = [:]
        var groupErrors: [String: [SourceError]] = [:]
        var errors: [SourceError] = []
    }

    static func describeOnCoordinator(client: KafkaClient, coordinator: Int32, groups: [String],
                                      listed: [String: ListedGroup]) async -> CoordinatorResult {
        do {
            // A connection that dies mid-way (some brokers drop pipelined requests) is retried once.
            return try await client.withConnection(to: coordinator) { conn in
                try await describeOn(conn: conn, client: client, coordinator: coordinator, groups: groups, listed: listed)
            }
        } catch {
            var out = CoordinatorResult()
            let e = sourceError(error, source: "broker \(coordinator)")
            out.errors.append(e)
            for g in groups { out.committed[g] = .failed("coordinator unreachable: \(e.message)", retryCoordinator: false) }
            return out
        }
    }

    /// Rethrows dead-connection errors so the caller can retry on a new connection.
    static func rethrowIfTransport(_ error: any Error) throws {
        if let e = error as? KafkaClientError, e.isRetriableTransportForRead { throw e }
    }

    static func describeOn(conn: BrokerConnection, client: KafkaClient, coordinator: Int32, groups: [String],
                           listed: [String: ListedGroup]) async throws -> CoordinatorResult {
        var out = CoordinatorResult()
        // Pick the describe API by group type; unknown types try KIP-848 first when available.
        let consumerFirst = groups.filter { listed[$0]?.type == "consumer" || (listed[$0]?.type == nil && conn.supports(ConsumerGroupDescribeRequest.self)) }
        var classic = groups.filter { !consumerFirst.contains($0) }
        if !consumerFirst.isEmpty && !conn.supports(ConsumerGroupDescribeRequest.self) {
            // Listed as KIP-848 groups: DescribeGroups cannot describe them, so members are unsupported.
            for g in consumerFirst { out.describeUnsupported[g] = unsupportedMessage("ConsumerGroupDescribe") }
        } else if !consumerFirst.isEmpty {
            do {
                let (d, fallback) = try await describeConsumer(conn: conn, groups: consumerFirst)
                out.described.merge(d) { $1 }
                classic += fallback
            } catch {
                try rethrowIfTransport(error)
                out.errors.append(sourceError(error, source: "broker \(coordinator)"))
                classic += consumerFirst
            }
        }
        if !classic.isEmpty {
            do {
                let d = try await describeClassic(conn: conn, groups: classic)
                out.described.merge(d) { $1 }
            } catch let e as KafkaClientError where e.isUnsupported {
                for g in classic { out.describeUnsupported[g] = unsupportedMessage("DescribeGroups") }
            } catch {
                try rethrowIfTransport(error)
                let e = sourceError(error, source: "broker \(coordinator)")
                for g in classic { out.groupErrors[g, default: []].append(SourceError(source: "group \(g)", message: "DescribeGroups: \(e.message)")) }
            }
        }
        do {
            out.committed = try await fetchCommitted(conn: conn, groups: groups, allTopics: {
                guard let meta = try? await client.metadata() else { return [:] }
                return meta.topics.mapValues { $0.partitions.map(\.partition) }
            })
        } catch {
            try rethrowIfTransport(error)
            let e = sourceError(error, source: "broker \(coordinator)")
            for g in groups { out.committed[g] = .failed("OffsetFetch: \(e.message)", retryCoordinator: false) }
        }
        return out
    }

    /// Rows exactly as kafka-consumer-groups.sh --describe orders them: members with an assignment
    /// by assignment size (descending, stable), each member's partitions by partition number; then
    /// committed partitions nobody owns, with no member. Members without assignment are omitted.
    public static func offsetRows(members: [GroupMember]?, committed: [TopicPartitionKey: Int64],
                                  ends: PartitionMap<Int64>) -> [GroupOffsetRow] {
        var rows: [GroupOffsetRow] = []
        var owned = Set<TopicPartitionKey>()
        let assigned = (members ?? []).enumerated()
            .map { (i, m) in (i, m, m.assignments.flatMap { a in a.partitions.map { TopicPartitionKey(a.topic, $0) } }) }
            .filter { !$0.2.isEmpty }
            .sorted { ($0.2.count, -$0.0) > ($1.2.count, -$1.0) }
        func row(_ tp: TopicPartitionKey, _ m: GroupMember?) -> GroupOffsetRow {
            let c = committed[tp]
            let e = ends[tp]
            let lag: Int64? = (c != nil && e != nil) ? e! - c! : nil
            return GroupOffsetRow(topic: tp.topic, partition: tp.partition, committed: c, end: e, lag: lag,
                                  memberId: m?.memberId, clientId: m?.clientId, host: m?.host)
        }
        for (_, m, tps) in assigned {
            for tp in tps.sorted(by: { ($0.partition, $0.topic) < ($1.partition, $1.topic) }) {
                owned.insert(tp)
                rows.append(row(tp, m))
            }
        }
        for tp in committed.keys.sorted() where !owned.contains(tp) {
            rows.append(row(tp, nil))
        }
        return rows
    }
}

extension KafkaAdminService {
    /// Time lag of every row with lag: now minus the timestamp of the record at its committed offset
    /// (0 when caught up); the group's is its largest. Rows whose end offset was not read this
    /// refresh, or whose record could not be read, stay unknown.
    func fillTimeLags(_ details: inout [String: GroupDetail], topic: String? = nil) async {
        var wanted = Set<PartitionOffset>()
        for d in details.values {
            for r in d.offsets where (r.lag ?? 0) > 0 && r.endAge == nil && (topic == nil || r.topic == topic) {
                wanted.insert(PartitionOffset(tp: TopicPartitionKey(r.topic, r.partition), offset: r.committed!))
            }
        }
        let stamps = await recordTimestamps(wanted)
        let now = wallClockMs()
        for g in Array(details.keys) {
            guard var d = details[g] else { continue }
            var worst: Double?
            for i in d.offsets.indices {
                let r = d.offsets[i]
                guard let lag = r.lag, r.endAge == nil, let committed = r.committed, topic == nil || r.topic == topic else { continue }
                var seconds: Double?
                if lag == 0 {
                    seconds = 0
                } else if let ts = stamps[PartitionOffset(tp: TopicPartitionKey(r.topic, r.partition), offset: committed)] {
                    seconds = Double(max(0, now - ts)) / 1000
                }
                d.offsets[i].lagSeconds = seconds
                if let s = seconds { worst = max(worst ?? 0, s) }
            }
            d.lagSeconds = worst
            details[g] = d
        }
    }
}
