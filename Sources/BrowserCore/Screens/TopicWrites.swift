import ClusterModel
import WriteFlow

/// One topic or config write (issue 18), as the write flow sends it after the confirmation, and as
/// the forms ask the broker about it first (validateOnly) where the API has that mode.
public enum TopicAdminStep: Hashable, Sendable {
    case createTopic(NewTopic)
    case deleteTopic(String)
    case addPartitions(topic: String, total: Int32)
    /// DeleteRecords: each partition's records before its offset.
    case deleteRecords(topic: String, before: [Int32: Int64])
    /// IncrementalAlterConfigs (never the non-incremental AlterConfigs).
    case alterConfigs(ConfigResource, [ConfigChange])

    /// The broker's validateOnly verdict. DeleteTopics and DeleteRecords have no such mode.
    func validate(_ service: (any TopicAdminService)?) async -> Result<ResourceOutcome, LoadError> {
        guard let service else { return .failure(LoadError("this cluster service cannot administer topics")) }
        do {
            switch self {
            case .createTopic(let topic):
                let existed = try await service.topicShape(topic.name) != nil
                if existed { return .success(ResourceOutcome(name: topic.name, refusal: BrokerRefusal(
                    code: 36, name: "TOPIC_ALREADY_EXISTS", message: "Topic '\(topic.name)' already exists."))) }
                guard let verdict = try await service.createTopics([topic], validateOnly: true).first else {
                    return .failure(LoadError("the broker did not answer for topic \(topic.name)"))
                }
                // A broker that creates while validating (tansu) must not pass for one that validated.
                if verdict.accepted, try await service.topicShape(topic.name) != nil {
                    return .failure(LoadError(AdminWriteWording.ignoredValidateOnly(topic.name)))
                }
                return .success(verdict)
            case .addPartitions(let topic, let total):
                return .success(try await service.createPartitions(topic: topic, totalCount: total, validateOnly: true))
            case .alterConfigs(let resource, let changes):
                return .success(try await service.alterConfigs(resource, changes: changes, validateOnly: true))
            case .deleteTopic, .deleteRecords:
                return .failure(LoadError("Kafka has no validate-only mode for this request"))
            }
        } catch {
            return .failure(LoadError(error))
        }
    }

    /// Sends the step once and says what it did, with the broker's error name, code and message on refusal.
    func perform(_ service: (any TopicAdminService)?) async -> WriteSendResult {
        guard let service else { return .failed("this cluster service cannot administer topics") }
        do {
            switch self {
            case .createTopic(let topic):
                guard let outcome = try await service.createTopics([topic], validateOnly: false).first else {
                    return .failed("the broker did not answer for topic \(topic.name)")
                }
                if let refusal = outcome.refusal { return .failed(refusal.description) }
                return .accepted("created topic \(topic.name)")
            case .deleteTopic(let name):
                guard let outcome = try await service.deleteTopics([name]).first else { return .failed("no answer for topic \(name)") }
                if let refusal = outcome.refusal { return .failed(refusal.description) }
                return .accepted("deleted topic \(name)")
            case .addPartitions(let topic, let total):
                let outcome = try await service.createPartitions(topic: topic, totalCount: total, validateOnly: false)
                if let refusal = outcome.refusal { return .failed(refusal.description) }
                return .accepted("topic \(topic) now has \(total) partitions")
            case .deleteRecords(let topic, let before):
                return AdminWriteWording.recordDeletionResult(topic: topic, try await service.deleteRecords(topic: topic, before: before))
            case .alterConfigs(let resource, let changes):
                let outcome = try await service.alterConfigs(resource, changes: changes, validateOnly: false)
                return AdminWriteWording.configChangeResult(resource, changed: changes.count, outcome: outcome)
            }
        } catch {
            return .failed(LoadError(error).message)
        }
    }
}

/// Topic deletes as write requests, from what the topics list or the topic detail loaded.
enum TopicWriteRequests {
    /// What a topic holds, as the confirmation says it: partitions, replication factor, records.
    struct Held: Sendable, Hashable {
        var partitions: Int
        var replicationFactor: Int
        var records: Int64?
        var isInternal = false
    }

    static func held(_ t: TopicSummary) -> Held {
        Held(partitions: t.partitions, replicationFactor: t.replicationFactor, records: t.messages, isInternal: t.isInternal)
    }

    static func held(_ d: TopicDetail) -> Held {
        let counts = d.partitions.map { p -> Int64? in
            guard let e = p.earliest, let l = p.latest else { return nil }
            return max(0, l - e)
        }
        let records: Int64? = counts.contains(nil) ? nil : counts.compactMap { $0 }.reduce(0, +)
        return Held(partitions: d.partitions.count, replicationFactor: d.partitions.map(\.replicas.count).max() ?? 0, records: records,
                    isInternal: d.isInternal)
    }

    /// DeleteTopics; the person types the topic's name to confirm. Internal topics are refused here.
    static func deleteTopic(_ name: String, summary: Held?, context: ScreenContext) -> WriteRequest {
        let description = AdminWriteWording.topicDelete(name, location: "cluster \(context.options.contextName)",
                                                        partitions: summary?.partitions, replicationFactor: summary?.replicationFactor,
                                                        records: summary?.records)
        let check: WriteCheck = summary?.isInternal == true
            ? .unavailable("\(name) is an internal topic: Kafka needs it") : .ready(description)
        return WriteRequest(description: description, check: check, steps: [.topicAdmin(.deleteTopic(name))])
    }
}
