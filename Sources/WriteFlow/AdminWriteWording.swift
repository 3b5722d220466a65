import ClusterModel

extension WriteKind {
    public static let topicPartitions = WriteKind("topic-partitions")
    public static let recordDelete = WriteKind("record-delete")
}

/// The wording of topic and config writes (issue 18), shared by the CLI (`kafscope topic ...`,
/// `kafscope broker alter-config`) and the terminal UI, so a confirmation, its details and its
/// audit line read the same wherever the write starts.
public enum AdminWriteWording {
    // MARK: Config changes

    /// "change the configs of topic orders on cluster prod" (broker: "... of broker 2", "... default").
    public static func configChange(_ resource: ConfigResource, location: String) -> WriteDescription {
        WriteDescription(kind: .configChange, action: "change the configs of \(resource.kafkaType == 2 ? "topic" : "broker")",
                         target: WriteTarget(name: resource.targetName,
                                             qualifier: resource == .brokerDefault ? "(the cluster-wide broker default)" : nil,
                                             location: location),
                         audit: [AuditField("resource", resource.description)])
    }

    /// The diff lines and what they mean, under the question; the audit line names every change
    /// (sensitive values are already masked in `lines`).
    public static func configChangeReady(_ description: WriteDescription, lines: [ConfigDiffLine]) -> WriteDescription {
        var d = description
        d.details = lines.map(\.text)
            + ["IncrementalAlterConfigs: only these keys change. The broker validated this change (validate-only)."]
        d.audit.append(AuditField("changes", lines.filter { $0.kind != .unchanged }.map(\.text).joined(separator: "; ")))
        return d
    }

    /// What applying said, for the report: the broker's refusal (name, code, message) or how many keys changed.
    public static func configChangeResult(_ resource: ConfigResource, changed: Int, outcome: ResourceOutcome) -> WriteSendResult {
        if let refusal = outcome.refusal { return .failed(refusal.description) }
        return .accepted("changed \(changed) config\(changed == 1 ? "" : "s") of \(resource)")
    }

    // MARK: Topics

    /// Said when a topic exists right after a validate-only CreateTopics that found no such topic:
    /// the broker applied the validation (tansu 0.6 does). Kafka never does.
    public static func ignoredValidateOnly(_ name: String) -> String {
        "the broker ignored validate-only and created topic \(name) while validating it (Kafka never does this; tansu does): "
            + "check it with kafscope describe topic \(name)"
    }

    /// DeleteRecords' answers as the write's result: every partition's refusal or missing answer named.
    public static func recordDeletionResult(topic: String, _ answers: [Int32: RecordDeletion]) -> WriteSendResult {
        let refused = answers.filter { if case .deleted = $0.value { return false }; return true }
        let text = refused.sorted { $0.key < $1.key }.map { p, d -> String in
            switch d {
            case .refused(let r): return "partition \(p): \(r)"
            case .unanswered(let why): return "partition \(p): no answer (the records may or may not be deleted): \(why)"
            case .deleted: return ""
            }
        }.joined(separator: "; ")
        if answers.isEmpty { return .failed("the broker answered for no partition") }
        if refused.count == answers.count { return .failed(text) }
        if !refused.isEmpty { return .partial("\(answers.count - refused.count) of \(answers.count) partitions done; \(text)") }
        let starts = answers.sorted { $0.key < $1.key }.map { p, d -> String in
            if case .deleted(let low) = d { return "\(p)@\(low)" }
            return ""
        }.joined(separator: ", ")
        return .accepted("deleted records of topic \(topic); log start offsets now \(starts)")
    }

    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    static func settingsText(_ configs: [ConfigSetting], separator: String) -> String {
        configs.map { "\($0.key)=\(ConfigDiff.isSensitive($0.key, entry: nil) ? ConfigDiff.masked : $0.value)" }.joined(separator: separator)
    }

    public static func topicCreate(_ topic: NewTopic, location: String) -> WriteDescription {
        var audit = [AuditField("topic", topic.name), AuditField("partitions", topic.partitions.map(String.init) ?? "default"),
                     AuditField("replication_factor", topic.replicationFactor.map(String.init) ?? "default")]
        if !topic.configs.isEmpty { audit.append(AuditField("configs", settingsText(topic.configs, separator: ","))) }
        return WriteDescription(kind: .topicCreate, action: "create topic", target: WriteTarget(name: topic.name, location: location),
                                audit: audit)
    }

    /// "6 partitions, replication factor 3." then the configs (sensitive values masked) and the verdict.
    public static func topicCreateDetails(_ topic: NewTopic, verdict: ResourceOutcome?) -> [String] {
        let partitions = verdict?.partitions.map { "\($0) partitions" } ?? topic.partitions.map { plural(Int($0), "partition") }
            ?? "the broker's default partition count"
        let rf = verdict?.replicationFactor.map { "replication factor \($0)" } ?? topic.replicationFactor.map { "replication factor \($0)" }
            ?? "the broker's default replication factor"
        var lines = ["\(partitions), \(rf)."]
        if !topic.configs.isEmpty { lines.append("Configs: " + settingsText(topic.configs, separator: ", ") + ".") }
        lines.append("The broker validated this request (validate-only) and would accept it.")
        return lines
    }

    /// Deleting a topic: the name is typed to confirm; what it holds is said when known.
    public static func topicDelete(_ topic: String, location: String, partitions: Int? = nil, replicationFactor: Int? = nil,
                                   records: Int64? = nil) -> WriteDescription {
        var details = ["Its records are deleted with it; this cannot be undone."]
        if let partitions {
            var held = plural(partitions, "partition")
            if let replicationFactor { held += ", replication factor \(replicationFactor)" }
            if let records { held += ", \(records) record\(records == 1 ? "" : "s") retained" }
            details.insert(held + ".", at: 0)
        }
        return WriteDescription(kind: .topicDelete, action: "delete topic", target: WriteTarget(name: topic, location: location),
                                details: details, typeNameToConfirm: true, audit: [AuditField("topic", topic)])
    }

    /// Growing a topic: the old and new counts, the keyed-records warning, the verdict.
    public static func addPartitions(_ topic: String, from before: Int32, to total: Int32, location: String) -> WriteDescription {
        WriteDescription(kind: .topicPartitions, action: "add partitions to topic",
                         target: WriteTarget(name: topic, qualifier: "(to \(total) in total)", location: location),
                         details: [
                             "\(before) -> \(total) partitions (\(total - before) new).",
                             keyedRecordsWarning,
                             "Partitions cannot be removed again. The broker validated this request (validate-only).",
                         ],
                         audit: [AuditField("topic", topic), AuditField("partitions", "\(before)->\(total)")])
    }

    public static let keyedRecordsWarning =
        "Records with a key will map to other partitions from now on: per-key ordering breaks across the change."

    /// Deleting records before `before` (-1: each partition's end) in `partitions` (empty: all) of a
    /// topic of this shape: the description (the name is typed to confirm) and the offsets to send,
    /// or why it cannot be done.
    public static func recordDeletion(_ topic: String, partitions: [Int32], before: Int64, shape: TopicShape,
                                      location: String) -> Result<(WriteDescription, [Int32: Int64]), UserFacingError> {
        let scope = partitions.isEmpty ? "all partitions" : "partition" + (partitions.count == 1 ? " " : "s ")
            + partitions.map(String.init).joined(separator: ",")
        let beforeText = before < 0 ? "the end" : "offset \(before)"
        var description = WriteDescription(kind: .recordDelete, action: "delete records of topic",
                                           target: WriteTarget(name: topic, qualifier: "(\(scope), before \(beforeText))", location: location),
                                           typeNameToConfirm: true,
                                           audit: [AuditField("topic", topic), AuditField("before", before < 0 ? "end" : String(before))])
        let chosen = partitions.isEmpty ? Array(0..<shape.partitionCount) : partitions.sorted()
        if let bad = chosen.first(where: { $0 >= shape.partitionCount || $0 < 0 }) {
            return .failure(UserFacingError("topic \(topic) has no partition \(bad) (it has \(shape.partitionCount))"))
        }
        var lines: [String] = [], audit: [String] = [], total: Int64 = 0, offsets: [Int32: Int64] = [:]
        for p in chosen {
            guard let low = shape.earliest[p], let high = shape.latest[p] else {
                return .failure(UserFacingError("the offsets of partition \(p) could not be read (its leader is unreachable)"))
            }
            let upTo = before < 0 ? high : before
            if upTo > high {
                return .failure(UserFacingError("partition \(p) ends at offset \(high): --before \(before) is past its end"))
            }
            let count = max(0, upTo - low)
            total += count
            lines.append("partition \(p): log start \(low) -> \(max(low, upTo)) (\(count) record\(count == 1 ? "" : "s"), end \(high))")
            audit.append("\(p) \(low)->\(max(low, upTo))")
            offsets[p] = upTo
        }
        description.details = lines + ["\(total) record\(total == 1 ? "" : "s") deleted in all; this cannot be undone "
            + "(DeleteRecords has no validate-only mode)."]
        description.audit.append(AuditField("log_start", audit.joined(separator: ", ")))
        return .success((description, offsets))
    }
}
