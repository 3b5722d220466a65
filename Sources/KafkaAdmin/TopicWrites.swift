import ClusterModel
import KafkaClient
import KafkaProtocol

/// Topic writes: CreateTopics, DeleteTopics, CreatePartitions (to the controller; once more on a
/// fresh controller after NOT_CONTROLLER) and DeleteRecords (to each partition's leader).
/// A write is sent once: a connection that dies under it is reported, never silently re-sent.
extension KafkaAdminService: TopicAdminService {
    static let notController: Int16 = 41
    static let writeTimeoutMs: Int32 = 30_000

    /// Runs `body` on the controller Metadata names (any broker when none); once more after it
    /// answered NOT_CONTROLLER (`body` returns true then) on a fresh Metadata's controller.
    func onController<T: Sendable>(_ body: (BrokerConnection) async throws -> (T, Bool)) async throws -> T {
        for attempt in 0..<2 {
            let meta = try await client.metadata(refresh: attempt > 0)
            let conn: BrokerConnection
            if let id = meta.controllerId, meta.brokers[id] != nil {
                conn = try await client.connection(for: id)
            } else {
                conn = try await client.anyConnection()
            }
            let (value, moved) = try await body(conn)
            if !moved || attempt == 1 { return value }
        }
        preconditionFailure("unreachable")
    }

    static func refusal(_ code: Int16, _ message: String?) -> BrokerRefusal? {
        code == 0 ? nil : BrokerRefusal(code: code, name: errorName(code), message: message)
    }

    static func missing(_ api: String) -> BrokerRefusal {
        BrokerRefusal(code: -1, name: "UNKNOWN_SERVER_ERROR", message: "missing from the \(api) response")
    }

    // MARK: CreateTopics

    public func createTopics(_ topics: [NewTopic], validateOnly: Bool) async throws -> [ResourceOutcome] {
        guard !topics.isEmpty else { return [] }
        var req = CreateTopicsRequest()
        req.timeoutMs = Self.writeTimeoutMs
        req.validateOnly = validateOnly
        req.topics = topics.map { t in
            var c = CreateTopicsRequest.CreatableTopic()
            c.name = t.name
            c.numPartitions = t.partitions ?? -1
            c.replicationFactor = t.replicationFactor ?? -1
            c.configs = t.configs.map { s in
                var cfg = CreateTopicsRequest.CreatableTopicConfig()
                cfg.name = s.key
                cfg.value = s.value
                return cfg
            }
            return c
        }
        let request = req
        let needsDefaults = topics.contains { $0.partitions == nil || $0.replicationFactor == nil }
        return try await onController { conn in
            guard let v = conn.negotiatedVersion(CreateTopicsRequest.self) else {
                throw KafkaClientError.unsupported(conn.endpoint, api: "CreateTopics")
            }
            if validateOnly && v < 1 { throw UserFacingError("\(conn.endpoint): this broker cannot validate a CreateTopics without applying it (needs v1+)") }
            if needsDefaults && v < 4 {
                throw UserFacingError("\(conn.endpoint): this broker (CreateTopics v\(v)) has no broker-default partitions or "
                    + "replication factor: give --partitions and --replication-factor")
            }
            let resp = try await conn.send(request, version: v)
            var moved = false
            let byName = Dictionary(resp.topics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let out = topics.map { t -> ResourceOutcome in
                guard let r = byName[t.name] else { return ResourceOutcome(name: t.name, refusal: Self.missing("CreateTopics")) }
                if r.errorCode == Self.notController { moved = true }
                return ResourceOutcome(name: t.name, refusal: Self.refusal(r.errorCode, r.errorMessage),
                                       partitions: v >= 5 && r.numPartitions > 0 ? r.numPartitions : nil,
                                       replicationFactor: v >= 5 && r.replicationFactor > 0 ? r.replicationFactor : nil)
            }
            return (out, moved)
        }
    }

    // MARK: DeleteTopics

    public func deleteTopics(_ names: [String]) async throws -> [ResourceOutcome] {
        guard !names.isEmpty else { return [] }
        var req = DeleteTopicsRequest()
        req.timeoutMs = Self.writeTimeoutMs
        req.topicNames = names
        req.topics = names.map { n in
            var s = DeleteTopicsRequest.DeleteTopicState()
            s.name = n
            return s
        }
        let request = req
        return try await onController { conn in
            guard let v = conn.negotiatedVersion(DeleteTopicsRequest.self) else {
                throw KafkaClientError.unsupported(conn.endpoint, api: "DeleteTopics")
            }
            let resp = try await conn.send(request, version: v)
            var moved = false
            var byName: [String: DeleteTopicsResponse.DeletableTopicResult] = [:]
            for r in resp.responses { if let n = r.name { byName[n] = r } }
            let out = names.map { n -> ResourceOutcome in
                guard let r = byName[n] else { return ResourceOutcome(name: n, refusal: Self.missing("DeleteTopics")) }
                if r.errorCode == Self.notController { moved = true }
                return ResourceOutcome(name: n, refusal: Self.refusal(r.errorCode, r.errorMessage))
            }
            return (out, moved)
        }
    }

    // MARK: CreatePartitions

    public func createPartitions(topic: String, totalCount: Int32, validateOnly: Bool) async throws -> ResourceOutcome {
        var req = CreatePartitionsRequest()
        req.timeoutMs = Self.writeTimeoutMs
        req.validateOnly = validateOnly
        var t = CreatePartitionsRequest.CreatePartitionsTopic()
        t.name = topic
        t.count = totalCount
        t.assignments = nil
        req.topics = [t]
        let request = req
        return try await onController { conn in
            guard let v = conn.negotiatedVersion(CreatePartitionsRequest.self) else {
                throw KafkaClientError.unsupported(conn.endpoint, api: "CreatePartitions")
            }
            let resp = try await conn.send(request, version: v)
            guard let r = resp.results.first(where: { $0.name == topic }) else {
                return (ResourceOutcome(name: topic, refusal: Self.missing("CreatePartitions")), false)
            }
            return (ResourceOutcome(name: topic, refusal: Self.refusal(r.errorCode, r.errorMessage)), r.errorCode == Self.notController)
        }
    }

    // MARK: DeleteRecords

    public func deleteRecords(topic: String, before: [Int32: Int64]) async throws -> [Int32: RecordDeletion] {
        guard !before.isEmpty else { return [:] }
        let meta = try await client.metadata(topics: [topic])
        guard let t = meta.topics[topic], t.errorCode == 0 else {
            let code = meta.topics[topic]?.errorCode ?? 3
            throw UserFacingError("topic \(topic): \(describeKafkaError(code))")
        }
        var byLeader: [Int32: [Int32]] = [:]
        var out: [Int32: RecordDeletion] = [:]
        for p in before.keys.sorted() {
            if let leader = t.leader(of: p), leader >= 0 {
                byLeader[leader, default: []].append(p)
            } else {
                out[p] = .unanswered("partition \(p) has no leader (LEADER_NOT_AVAILABLE): not sent")
            }
        }
        let client = self.client
        let answers = await concurrentMap(byLeader.sorted { $0.key < $1.key }) { leader, partitions -> [Int32: RecordDeletion] in
            var req = DeleteRecordsRequest()
            req.timeoutMs = Self.writeTimeoutMs
            var dt = DeleteRecordsRequest.DeleteRecordsTopic()
            dt.name = topic
            dt.partitions = partitions.map { p in
                var dp = DeleteRecordsRequest.DeleteRecordsPartition()
                dp.partitionIndex = p
                dp.offset = before[p]!
                return dp
            }
            req.topics = [dt]
            var result: [Int32: RecordDeletion] = [:]
            do {
                let conn = try await client.connection(for: leader)
                guard let v = conn.negotiatedVersion(DeleteRecordsRequest.self) else {
                    throw KafkaClientError.unsupported(conn.endpoint, api: "DeleteRecords")
                }
                let resp = try await conn.send(req, version: v)
                for rt in resp.topics where rt.name == topic {
                    for rp in rt.partitions {
                        result[rp.partitionIndex] = rp.errorCode == 0 ? .deleted(lowWatermark: rp.lowWatermark)
                            : .refused(Self.refusal(rp.errorCode, nil)!)
                    }
                }
                for p in partitions where result[p] == nil { result[p] = .refused(Self.missing("DeleteRecords")) }
            } catch {
                let why = sourceError(error, source: "broker \(leader)")
                for p in partitions { result[p] = .unanswered("\(why.source): \(why.message)") }
            }
            return result
        }
        for a in answers { out.merge(a) { a, _ in a } }
        return out
    }

    // MARK: Checks

    public func topicShape(_ topic: String) async throws -> TopicShape? {
        let meta = try await client.metadata(topics: [topic])
        guard let t = meta.topics[topic] else { return nil }
        if t.errorCode == 3 { return nil } // UNKNOWN_TOPIC_OR_PARTITION
        if t.errorCode != 0 { throw UserFacingError("topic \(topic): \(describeKafkaError(t.errorCode))") }
        let partitions = t.partitions.map(\.partition).sorted()
        async let low = offsets(forTopics: [topic: partitions], spec: .earliest)
        async let high = offsets(forTopics: [topic: partitions], spec: .latest)
        let (l, h) = await (low, high)
        var shape = TopicShape(name: topic, partitionCount: Int32(partitions.count),
                               replicationFactor: t.partitions.map(\.replicas.count).max() ?? 0)
        for p in partitions {
            shape.earliest[p] = l.offsets[topic, p]
            shape.latest[p] = h.offsets[topic, p]
        }
        return shape
    }
}
