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
}
