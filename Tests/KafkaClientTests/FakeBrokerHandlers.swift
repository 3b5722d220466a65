import KafkaProtocol
import KafkaWire

/// The default per-API behaviour of the fake brokers, as a real broker answers (error codes,
/// version-dependent fields, coordinator and leader checks).
enum FakeHandlers {
    static let notCoordinator: Int16 = 16
    static let notLeaderOrFollower: Int16 = 6
    static let unknownTopicOrPartition: Int16 = 3
    static let groupIdNotFound: Int16 = 69
    static let unsupportedVersion: Int16 = 35

    static let defaults: [ApiKey: FakeHandler] = [
        .metadata: metadata, .listOffsets: listOffsets, .describeConfigs: describeConfigs,
        .describeLogDirs: describeLogDirs, .describeQuorum: describeQuorum, .listGroups: listGroups,
        .describeGroups: describeGroups, .consumerGroupDescribe: consumerGroupDescribe,
        .findCoordinator: findCoordinator, .offsetFetch: offsetFetch,
    ]

    /// Decodes `R` at the request's version, builds the response and frames it.
    static func respond<R: KafkaRequestMessage>(
        _ type: R.Type, _ c: FakeCluster, _ r: FakeRequest,
        _ body: (R, Int16, FakeClusterState) throws -> (R.Response, names: [String])
    ) throws -> [UInt8] {
        let v = r.frame.apiVersion
        let req = try R(bytes: r.frame.body, version: v)
        let (resp, names) = try c.read { s in try body(req, v, s) }
        if !names.isEmpty { c.annotate(broker: r.broker, correlationId: r.frame.correlationId, names: names) }
        return try KafkaFraming.encodeResponse(resp, for: R.self, version: v, correlationId: r.frame.correlationId)
    }

    // MARK: ApiVersions

    static let apiVersions: FakeHandler = { c, r in
        let ranges = try c.read { $0.spec(r.broker)?.apiVersions ?? [:] }
        var resp = ApiVersionsResponse()
        resp.apiKeys = ranges.sorted { $0.key.rawValue < $1.key.rawValue }.compactMap { key, range in
            // Never advertise more than the codecs can encode.
            let valid = key.requestType.validVersions
            let lo = max(range.lowerBound, valid.lowerBound), hi = min(range.upperBound, valid.upperBound)
            guard lo <= hi else { return nil }
            return ApiVersionsResponse.ApiVersion(apiKey: key.rawValue, minVersion: lo, maxVersion: hi)
        }
        let own = ranges[.apiVersions] ?? 0...0
        var v = r.frame.apiVersion
        if !own.contains(v) {
            resp.errorCode = unsupportedVersion
            v = 0
        } else {
            _ = try ApiVersionsRequest(bytes: r.frame.body, version: v)
        }
        return try KafkaFraming.encodeResponse(resp, for: ApiVersionsRequest.self, version: v,
                                               correlationId: r.frame.correlationId)
    }

    // MARK: Metadata

    static let metadata: FakeHandler = { c, r in
        try respond(MetadataRequest.self, c, r) { req, v, s in
            var resp = MetadataResponse()
            resp.brokers = s.brokers.map { b in
                let l = c.listener(b.id)
                return MetadataResponse.MetadataResponseBroker(nodeId: b.id, host: l.host, port: l.port,
                                                               rack: v >= 1 ? b.rack : nil)
            }
            if v >= 2 { resp.clusterId = s.clusterId }
            if v >= 1 { resp.controllerId = s.controllerId }
            let wanted: [String]
            if let names = req.topics, !(v == 0 && names.isEmpty) {
                wanted = names.compactMap(\.name)
            } else {
                wanted = s.topics.keys.sorted()
            }
            resp.topics = wanted.map { name in
                var t = MetadataResponse.MetadataResponseTopic()
                t.name = name
                guard let topic = s.topics[name] else {
                    t.errorCode = unknownTopicOrPartition
                    return t
                }
                if v >= 1 { t.isInternal = topic.isInternal }
                if v >= 10 { t.topicId = topic.topicId }
                t.partitions = topic.partitions.enumerated().map { i, p in
                    var mp = MetadataResponse.MetadataResponsePartition()
                    mp.partitionIndex = Int32(i)
                    mp.leaderId = p.leader
                    // A leaderless partition answers LEADER_NOT_AVAILABLE, as brokers do.
                    if p.leader < 0 { mp.errorCode = 5 }
                    if v >= 7 { mp.leaderEpoch = p.leaderEpoch }
                    mp.replicaNodes = p.replicas
                    mp.isrNodes = p.isr
                    if v >= 5 { mp.offlineReplicas = p.offlineReplicas }
                    return mp
                }
                return t
            }
            return (resp, wanted)
        }
    }

    // MARK: ListOffsets

    static let listOffsets: FakeHandler = { c, r in
        try respond(ListOffsetsRequest.self, c, r) { req, v, s in
            var resp = ListOffsetsResponse()
            resp.topics = req.topics.map { rt in
                var t = ListOffsetsResponse.ListOffsetsTopicResponse()
                t.name = rt.name
                t.partitions = rt.partitions.map { rp in
                    var p = ListOffsetsResponse.ListOffsetsPartitionResponse()
                    p.partitionIndex = rp.partitionIndex
                    let key = "\(rt.name)-\(rp.partitionIndex)"
                    guard let topic = s.topics[rt.name], rp.partitionIndex >= 0,
                          Int(rp.partitionIndex) < topic.partitions.count else {
                        p.errorCode = unknownTopicOrPartition
                        return p
                    }
                    let fp = topic.partitions[Int(rp.partitionIndex)]
                    if fp.leader != r.broker {
                        p.errorCode = notLeaderOrFollower
                        return p
                    }
                    if let e = c.takeInjected(.listOffsets, broker: r.broker, key: key) {
                        p.errorCode = e
                        return p
                    }
                    // -2 earliest, -1 latest; a timestamp answers the end (no record timestamps modelled).
                    let offset = rp.timestamp == -2 ? fp.earliest : fp.latest
                    if v == 0 {
                        p.oldStyleOffsets = [offset]
                    } else {
                        p.offset = offset
                        p.timestamp = -1
                        if v >= 4 { p.leaderEpoch = fp.leaderEpoch }
                    }
                    return p
                }
                return t
            }
            return (resp, req.topics.flatMap { t in t.partitions.map { "\(t.name)-\($0.partitionIndex)" } })
        }
    }

    // MARK: DescribeConfigs

    static let describeConfigs: FakeHandler = { c, r in
        try respond(DescribeConfigsRequest.self, c, r) { req, v, s in
            var resp = DescribeConfigsResponse()
            resp.results = req.resources.map { res in
                var out = DescribeConfigsResponse.DescribeConfigsResult()
                out.resourceType = res.resourceType
                out.resourceName = res.resourceName
                guard res.resourceType == 2 else {
                    out.errorCode = 87  // INVALID_REQUEST: only topics are modelled
                    out.errorMessage = "the fake broker only describes topic configs"
                    return out
                }
                if let e = c.takeInjected(.describeConfigs, broker: r.broker, key: res.resourceName) {
                    out.errorCode = e
                    out.errorMessage = nil
                    return out
                }
                guard let topic = s.topics[res.resourceName] else {
                    out.errorCode = unknownTopicOrPartition
                    out.errorMessage = "Topic \(res.resourceName) does not exist"
                    return out
                }
                out.errorMessage = nil
                let keys = res.configurationKeys.map(Set.init)
                out.configs = s.topicConfig(topic).filter { keys?.contains($0.name) ?? true }.map { e in
                    var ce = DescribeConfigsResponse.DescribeConfigsResourceResult()
                    ce.name = e.name
                    ce.value = e.value
                    if v == 0 { ce.isDefault = e.source == 5 } else { ce.configSource = e.source }
                    return ce
                }
                return out
            }
            return (resp, req.resources.map(\.resourceName))
        }
    }

    // MARK: DescribeLogDirs

    static let describeLogDirs: FakeHandler = { c, r in
        try respond(DescribeLogDirsRequest.self, c, r) { req, v, s in
            var resp = DescribeLogDirsResponse()
            if let e = c.takeInjected(.describeLogDirs, broker: r.broker, key: nil) {
                if v >= 3 {
                    resp.errorCode = e
                } else {
                    // Before v3 only per-dir errors exist.
                    resp.results = s.logDirs.map { DescribeLogDirsResponse.DescribeLogDirsResult(errorCode: e, logDir: $0) }
                }
                return (resp, [])
            }
            let wanted: Set<String>? = req.topics.map { Set($0.map(\.topic)) }
            resp.results = s.logDirs.enumerated().map { di, dir in
                var result = DescribeLogDirsResponse.DescribeLogDirsResult()
                result.logDir = dir
                if v >= 4 {
                    result.totalBytes = 1 << 40
                    result.usableBytes = 1 << 39
                }
                for name in s.topics.keys.sorted() where wanted?.contains(name) ?? true {
                    let topic = s.topics[name]!
                    var parts: [DescribeLogDirsResponse.DescribeLogDirsPartition] = []
                    for (i, p) in topic.partitions.enumerated() where i % s.logDirs.count == di {
                        if p.replicas.contains(r.broker) && !p.offlineReplicas.contains(r.broker) {
                            parts.append(.init(partitionIndex: Int32(i), partitionSize: p.sizeBytes, offsetLag: 0, isFutureKey: false))
                        }
                        if p.futureReplicaOn == r.broker {
                            parts.append(.init(partitionIndex: Int32(i), partitionSize: p.sizeBytes / 2 + 1, offsetLag: 0, isFutureKey: true))
                        }
                    }
                    if !parts.isEmpty { result.topics.append(.init(name: name, partitions: parts)) }
                }
                return result
            }
            return (resp, req.topics.map { $0.map(\.topic) } ?? ["*"])
        }
    }

    // MARK: DescribeQuorum

    static let describeQuorum: FakeHandler = { c, r in
        try respond(DescribeQuorumRequest.self, c, r) { req, v, s in
            var resp = DescribeQuorumResponse()
            if v >= 2 { resp.errorMessage = nil }
            if let e = c.takeInjected(.describeQuorum, broker: r.broker, key: nil) {
                resp.errorCode = e
                return (resp, [])
            }
            guard let q = s.quorum else {
                resp.errorCode = 41  // NOT_CONTROLLER-like: no quorum modelled
                return (resp, [])
            }
            func state(_ x: FakeQuorumReplica) -> DescribeQuorumResponse.ReplicaState {
                var rs = DescribeQuorumResponse.ReplicaState()
                rs.replicaId = x.id
                rs.logEndOffset = x.logEndOffset
                if v >= 1 {
                    rs.lastFetchTimestamp = x.lastFetchTimestamp
                    rs.lastCaughtUpTimestamp = x.lastCaughtUpTimestamp
                }
                return rs
            }
            resp.topics = req.topics.map { t in
                var td = DescribeQuorumResponse.TopicData()
                td.topicName = t.topicName
                td.partitions = t.partitions.map { p in
                    var pd = DescribeQuorumResponse.PartitionData()
                    pd.partitionIndex = p.partitionIndex
                    if v >= 2 { pd.errorMessage = nil }
                    guard t.topicName == "__cluster_metadata", p.partitionIndex == 0 else {
                        pd.errorCode = unknownTopicOrPartition
                        return pd
                    }
                    pd.leaderId = q.leaderId
                    pd.leaderEpoch = q.leaderEpoch
                    pd.highWatermark = q.highWatermark
                    pd.currentVoters = q.voters.map(state)
                    pd.observers = q.observers.map(state)
                    return pd
                }
                return td
            }
            if v >= 2 {
                resp.nodes = q.voters.map { x in
                    let l = c.listener(x.id)
                    return DescribeQuorumResponse.Node(nodeId: x.id, listeners: [
                        .init(name: "CONTROLLER", host: l.host, port: UInt16(clamping: l.port)),
                    ])
                }
            }
            return (resp, req.topics.map(\.topicName))
        }
    }

    // MARK: Groups

    static let listGroups: FakeHandler = { c, r in
        try respond(ListGroupsRequest.self, c, r) { req, v, s in
            var resp = ListGroupsResponse()
            if let e = c.takeInjected(.listGroups, broker: r.broker, key: nil) {
                resp.errorCode = e
                return (resp, [])
            }
            let states = Set(req.statesFilter.map { $0.lowercased() })
            let types = Set(req.typesFilter.map { $0.lowercased() })
            resp.groups = s.groups.filter { $0.value.coordinator == r.broker }.sorted { $0.key < $1.key }
                .filter { states.isEmpty || states.contains($0.value.state.lowercased()) }
                .filter { types.isEmpty || types.contains($0.value.type.rawValue) }
                .map { id, g in
                    var lg = ListGroupsResponse.ListedGroup()
                    lg.groupId = id
                    lg.protocolType = g.protocolType
                    if v >= 4 { lg.groupState = g.state }
                    // Brokers capitalise the type name ("Classic", "Consumer").
                    if v >= 5 { lg.groupType = g.type == .classic ? "Classic" : "Consumer" }
                    return lg
                }
            return (resp, resp.groups.map(\.groupId))
        }
    }

    /// INT16 version + ConsumerProtocolAssignment, the classic consumer's assignment blob.
    static func classicAssignment(_ m: FakeMember) throws -> [UInt8] {
        var w = WireWriter()
        w.writeInt16(3)
        let a = ConsumerProtocolAssignment(assignedPartitions: m.assignment.map {
            .init(topic: $0.topic, partitions: $0.partitions)
        }, userData: nil)
        try a.encode(into: &w, version: 3)
        return w.bytes
    }

    static let describeGroups: FakeHandler = { c, r in
        try respond(DescribeGroupsRequest.self, c, r) { req, v, s in
            var resp = DescribeGroupsResponse()
            resp.groups = try req.groups.map { id in
                var dg = DescribeGroupsResponse.DescribedGroup()
                dg.groupId = id
                if s.coordinator(for: id) != r.broker {
                    dg.errorCode = notCoordinator
                    return dg
                }
                if let e = c.takeInjected(.describeGroups, broker: r.broker, key: id) {
                    dg.errorCode = e
                    return dg
                }
                guard let g = s.groups[id] else {
                    dg.groupState = "Dead"  // what brokers answer for an unknown group (v0-5)
                    return dg
                }
                guard g.type == .classic else {
                    dg.errorCode = groupIdNotFound  // a KIP-848 group is not a classic group
                    return dg
                }
                dg.groupState = g.state
                dg.protocolType = g.protocolType
                dg.protocolData = g.members.isEmpty ? "" : g.protocolName
                dg.members = try g.members.map { m in
                    var dm = DescribeGroupsResponse.DescribedGroupMember()
                    dm.memberId = m.memberId
                    if v >= 4 { dm.groupInstanceId = m.instanceId }
                    dm.clientId = m.clientId
                    dm.clientHost = m.host
                    dm.memberAssignment = try classicAssignment(m)
                    return dm
                }
                return dg
            }
            return (resp, req.groups)
        }
    }

    static let consumerGroupDescribe: FakeHandler = { c, r in
        try respond(ConsumerGroupDescribeRequest.self, c, r) { req, _, s in
            var resp = ConsumerGroupDescribeResponse()
            resp.groups = req.groupIds.map { id in
                var dg = ConsumerGroupDescribeResponse.DescribedGroup()
                dg.groupId = id
                if s.coordinator(for: id) != r.broker {
                    dg.errorCode = notCoordinator
                    return dg
                }
                if let e = c.takeInjected(.consumerGroupDescribe, broker: r.broker, key: id) {
                    dg.errorCode = e
                    return dg
                }
                guard let g = s.groups[id], g.type == .consumer else {
                    dg.errorCode = groupIdNotFound
                    dg.errorMessage = s.groups[id] == nil ? "Group \(id) not found." : "Group \(id) is not a consumer group."
                    return dg
                }
                dg.groupState = g.state
                dg.groupEpoch = g.groupEpoch
                dg.assignmentEpoch = g.groupEpoch
                dg.assignorName = g.protocolName
                dg.members = g.members.map { m in
                    var dm = ConsumerGroupDescribeResponse.Member()
                    dm.memberId = m.memberId
                    dm.instanceId = m.instanceId
                    dm.memberEpoch = g.groupEpoch
                    dm.clientId = m.clientId
                    dm.clientHost = m.host
                    dm.subscribedTopicNames = Array(Set(m.assignment.map(\.topic))).sorted()
                    let a = ConsumerGroupDescribeResponse.Assignment(topicPartitions: m.assignment.map {
                        .init(topicId: s.topics[$0.topic]?.topicId ?? .zero, topicName: $0.topic, partitions: $0.partitions)
                    })
                    dm.assignment = a
                    dm.targetAssignment = a
                    return dm
                }
                return dg
            }
            return (resp, req.groupIds)
        }
    }

    static let findCoordinator: FakeHandler = { c, r in
        try respond(FindCoordinatorRequest.self, c, r) { req, v, s in
            var resp = FindCoordinatorResponse()
            func answer(_ key: String) -> (Int16, Int32, String, Int32) {
                if let e = c.takeInjected(.findCoordinator, broker: r.broker, key: key) { return (e, -1, "", -1) }
                let id = s.coordinator(for: key)
                let l = c.listener(id)
                return (0, id, l.host, l.port)
            }
            if v >= 4 {
                resp.coordinators = req.coordinatorKeys.map { k in
                    let (e, id, host, port) = answer(k)
                    return FindCoordinatorResponse.Coordinator(key: k, nodeId: id, host: host, port: port, errorCode: e,
                                                               errorMessage: nil)
                }
                return (resp, req.coordinatorKeys)
            }
            let (e, id, host, port) = answer(req.key)
            resp.errorCode = e
            resp.nodeId = id
            resp.host = host
            resp.port = port
            if v >= 1 { resp.errorMessage = nil }
            return (resp, [req.key])
        }
    }

    /// Committed offsets of one group as (topic, [(partition, offset, error)]).
    static func committed(_ s: FakeClusterState, group: String,
                          topics: [(String, [Int32])]?) -> [(String, [(Int32, Int64)])] {
        let c = s.groups[group]?.committed ?? [:]
        if let topics {
            return topics.map { name, parts in (name, parts.map { ($0, c[name]?[$0] ?? -1) }) }
        }
        return c.keys.sorted().map { name in (name, c[name]!.keys.sorted().map { ($0, c[name]![$0]!) }) }
    }

    static let offsetFetch: FakeHandler = { c, r in
        try respond(OffsetFetchRequest.self, c, r) { req, v, s in
            var resp = OffsetFetchResponse()
            func groupError(_ id: String) -> Int16? {
                if s.coordinator(for: id) != r.broker { return notCoordinator }
                return c.takeInjected(.offsetFetch, broker: r.broker, key: id)
            }
            if v >= 8 {
                resp.groups = req.groups.map { rg in
                    var g = OffsetFetchResponse.OffsetFetchResponseGroup()
                    g.groupId = rg.groupId
                    if let e = groupError(rg.groupId) {
                        g.errorCode = e
                        return g
                    }
                    let found = committed(s, group: rg.groupId, topics: rg.topics.map { $0.map { ($0.name, $0.partitionIndexes) } })
                    g.topics = found.map { name, parts -> OffsetFetchResponse.OffsetFetchResponseTopics in
                        OffsetFetchResponse.OffsetFetchResponseTopics(name: name, partitions: parts.map {
                            OffsetFetchResponse.OffsetFetchResponsePartitions(partitionIndex: $0.0, committedOffset: $0.1)
                        })
                    }
                    return g
                }
                return (resp, req.groups.map(\.groupId))
            }
            if let e = groupError(req.groupId) {
                if v >= 2 { resp.errorCode = e } else {
                    // v0/1 have only per-partition errors.
                    resp.topics = (req.topics ?? []).map { t -> OffsetFetchResponse.OffsetFetchResponseTopic in
                        OffsetFetchResponse.OffsetFetchResponseTopic(name: t.name, partitions: t.partitionIndexes.map {
                            OffsetFetchResponse.OffsetFetchResponsePartition(partitionIndex: $0, committedOffset: -1, errorCode: e)
                        })
                    }
                }
                return (resp, [req.groupId])
            }
            let found = committed(s, group: req.groupId, topics: req.topics.map { $0.map { ($0.name, $0.partitionIndexes) } })
            resp.topics = found.map { name, parts -> OffsetFetchResponse.OffsetFetchResponseTopic in
                OffsetFetchResponse.OffsetFetchResponseTopic(name: name, partitions: parts.map {
                    OffsetFetchResponse.OffsetFetchResponsePartition(partitionIndex: $0.0, committedOffset: $0.1)
                })
            }
            return (resp, [req.groupId])
        }
    }
}
