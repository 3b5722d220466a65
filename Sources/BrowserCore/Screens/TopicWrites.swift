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
