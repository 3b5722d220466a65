import ArgumentParser
import ClusterModel
import WriteFlow

/// The topic writes behind `kafscope topic ...`, callable from tests with any TopicAdminService.
/// Each: a check that asks the broker (validateOnly where the API has it) and refuses with the
/// broker's own error name, code and message; the confirmation; one send; one audit line.
public enum TopicWriteCLI {
    /// Settings, the cluster service (which must administer topics), the driver.
    static func withService(_ global: GlobalOptions,
                            _ body: (any TopicAdminService, GroupWriteContext) async -> Int32) async throws -> Int32 {
        try await WriteCommandSetup.withService(global, as: (any TopicAdminService).self, cannot: "this cluster service cannot administer topics", body)
    }

    /// `K=V` options; a key given twice is a usage error (which one would win is not obvious).
    static func settings(_ texts: [String]) throws -> [ConfigSetting] {
        var seen: Set<String> = []
        return try texts.map { text in
            let s: ConfigSetting
            do { s = try ConfigSetting.parse(text) } catch let e as UserFacingError { throw ValidationError(e.message) }
            if !seen.insert(s.key).inserted { throw ValidationError("config \(s.key) is given twice") }
            return s
        }
    }

    static func message(_ error: any Error) -> String { GroupWriteCLI.message(error) }

    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    /// `{"topic": ..., "action": ..., "validate_only": ..., "result": "ok"|"refused"|"failed", "error": {...}|null, ...}`
    static func resultJSON(topic: String, action: String, validateOnly: Bool = false, refusal: BrokerRefusal?,
                           message: String? = nil, extra: [(String, JSONValue)] = []) -> JSONValue {
        var fields: [(String, JSONValue)] = [("topic", .string(topic)), ("action", .string(action)), ("validate_only", .bool(validateOnly))]
        fields.append(("result", .string(refusal != nil ? "refused" : message != nil ? "failed" : "ok")))
        fields += extra
        if let refusal {
            fields.append(("error", .object([("code", .int(refusal.code)), ("name", .string(refusal.name)),
                                             ("message", .optional(refusal.message))])))
        } else if let message {
            fields.append(("error", .object([("code", .null), ("name", .null), ("message", .string(message))])))
        } else {
            fields.append(("error", .null))
        }
        return .object(fields)
    }

    // MARK: create

    public static func createDescription(_ topic: NewTopic, location: String) -> WriteDescription {
        var audit = [AuditField("topic", topic.name), AuditField("partitions", topic.partitions.map(String.init) ?? "default"),
                     AuditField("replication_factor", topic.replicationFactor.map(String.init) ?? "default")]
        if !topic.configs.isEmpty {
            audit.append(AuditField("configs", topic.configs.map { s in
                "\(s.key)=\(ConfigDiff.isSensitive(s.key, entry: nil) ? ConfigDiff.masked : s.value)"
            }.joined(separator: ",")))
        }
        return WriteDescription(kind: .topicCreate, action: "create topic", target: WriteTarget(name: topic.name, location: location),
                                audit: audit)
    }

    /// "6 partitions, replication factor 3, configs: cleanup.policy=compact"
    static func createDetails(_ topic: NewTopic, verdict: ResourceOutcome?) -> [String] {
        let partitions = verdict?.partitions.map { "\($0) partitions" } ?? topic.partitions.map { plural(Int($0), "partition") }
            ?? "the broker's default partition count"
        let rf = verdict?.replicationFactor.map { "replication factor \($0)" } ?? topic.replicationFactor.map { "replication factor \($0)" }
            ?? "the broker's default replication factor"
        var lines = ["\(partitions), \(rf)."]
        if !topic.configs.isEmpty {
            lines.append("Configs: " + topic.configs.map { s in
                "\(s.key)=\(ConfigDiff.isSensitive(s.key, entry: nil) ? ConfigDiff.masked : s.value)"
            }.joined(separator: ", ") + ".")
        }
        lines.append("The broker validated this request (validate-only) and would accept it.")
        return lines
    }

    static func ignoredValidateOnly(_ name: String) -> String { AdminWriteWording.ignoredValidateOnly(name) }

    /// `--validate-only`: the broker's verdict, nothing created, no audit line (not a write; allowed read-only).
    /// Otherwise: validate, confirm, create.
    public static func create(_ topic: NewTopic, validateOnly: Bool, yes: Bool, context: GroupWriteContext,
                              service: any TopicAdminService) async -> Int32 {
        let console = context.driver.console
        if validateOnly {
            do {
                let existed = try await service.topicShape(topic.name) != nil
                let verdict = try await service.createTopics([topic], validateOnly: true).first
                    ?? ResourceOutcome(name: topic.name, refusal: BrokerRefusal(code: -1, name: "UNKNOWN_SERVER_ERROR", message: "no answer"))
                if context.json {
                    console.out(resultJSON(topic: topic.name, action: "create", validateOnly: true, refusal: verdict.refusal,
                                           extra: [("partitions", .optional(verdict.partitions ?? topic.partitions)),
                                                   ("replication_factor", .optional(verdict.replicationFactor ?? topic.replicationFactor))]).serialized())
                }
                if let refusal = verdict.refusal {
                    console.err("error: the broker would refuse to create topic \(TextTable.clean(topic.name)) on \(context.location): "
                        + TextTable.clean(refusal.description))
                    return 1
                }
                if !existed, try await service.topicShape(topic.name) != nil {
                    console.err("warning: " + ignoredValidateOnly(topic.name))
                }
                if !context.json {
                    console.out("valid: topic \(TextTable.clean(topic.name)) would be created on \(context.location) with "
                        + createDetails(topic, verdict: verdict)[0].dropLast() + " (validate-only: nothing was created)")
                }
                return 0
            } catch {
                console.err("error: \(message(error))")
                return 1
            }
        }
        var description = createDescription(topic, location: context.location)
        let box = OutcomeBox()
        do {
            let report = try await context.driver.run(description, readOnly: context.readOnly, yes: yes, check: {
                do {
                    if try await service.topicShape(topic.name) != nil { return .unavailable("topic \(topic.name) already exists") }
                    guard let verdict = try await service.createTopics([topic], validateOnly: true).first else {
                        return .unavailable("the broker did not answer for topic \(topic.name)")
                    }
                    if let refusal = verdict.refusal { return .unavailable("the broker refuses it: \(refusal)") }
                    if try await service.topicShape(topic.name) != nil {
                        return .unavailable(ignoredValidateOnly(topic.name))
                    }
                    description.details = createDetails(topic, verdict: verdict)
                    return .ready(description)
                } catch {
                    return .unavailable(message(error))
                }
            }, send: { _ in
                do {
                    guard let outcome = try await service.createTopics([topic], validateOnly: false).first else {
                        return .failed("the broker did not answer for topic \(topic.name)")
                    }
                    box.outcome = outcome
                    if let refusal = outcome.refusal { return .failed(refusal.description) }
                    return .accepted("created topic \(topic.name)")
                } catch {
                    box.error = message(error)
                    return .failed(message(error))
                }
            })
            if context.json, report.outcome.wasSent {
                console.out(resultJSON(topic: topic.name, action: "create", refusal: box.outcome?.refusal, message: box.error,
                                       extra: [("partitions", .optional(box.outcome?.partitions ?? topic.partitions)),
                                               ("replication_factor", .optional(box.outcome?.replicationFactor ?? topic.replicationFactor))]).serialized())
            }
            return report.outcome.succeeded ? 0 : 1
        } catch {
            console.err("error: \(message(error))")
            return 2
        }
    }

    // MARK: delete

    public static func deleteDescription(_ topic: String, location: String, shape: TopicShape? = nil) -> WriteDescription {
        var details = ["Its records are deleted with it; this cannot be undone."]
        if let shape {
            let records = shape.latest.reduce(Int64(0)) { sum, kv in sum + max(0, kv.value - (shape.earliest[kv.key] ?? 0)) }
            details.insert("\(plural(Int(shape.partitionCount), "partition")), replication factor \(shape.replicationFactor), "
                + "\(records) record\(records == 1 ? "" : "s") retained.", at: 0)
        }
        return WriteDescription(kind: .topicDelete, action: "delete topic", target: WriteTarget(name: topic, location: location),
                                details: details, typeNameToConfirm: true, audit: [AuditField("topic", topic)])
    }

    /// One flow (one confirmation with the typed name, one audit line) per topic; exit 1 if any was not deleted.
    public static func delete(_ topics: [String], yes: Bool, context: GroupWriteContext, service: any TopicAdminService) async -> Int32 {
        var code: Int32 = 0
        var results: [JSONValue] = []
        for topic in topics {
            var description = deleteDescription(topic, location: context.location)
            let box = OutcomeBox()
            do {
                let report = try await context.driver.run(description, readOnly: context.readOnly, yes: yes, check: {
                    do {
                        guard let shape = try await service.topicShape(topic) else {
                            return .unavailable("topic \(topic) does not exist")
                        }
                        description = deleteDescription(topic, location: context.location, shape: shape)
                        return .ready(description)
                    } catch {
                        return .unavailable(message(error))
                    }
                }, send: { _ in
                    do {
                        guard let outcome = try await service.deleteTopics([topic]).first else { return .failed("no answer for topic \(topic)") }
                        box.outcome = outcome
                        if let refusal = outcome.refusal { return .failed(refusal.description) }
                        return .accepted("deleted topic \(topic)")
                    } catch {
                        box.error = message(error)
                        return .failed(message(error))
                    }
                })
                if !report.outcome.succeeded { code = 1 }
                if report.outcome.wasSent {
                    results.append(resultJSON(topic: topic, action: "delete", refusal: box.outcome?.refusal, message: box.error))
                }
            } catch {
                context.driver.console.err("error: \(message(error))")
                code = 1
            }
        }
        if context.json, !results.isEmpty { context.driver.console.out(JSONValue.array(results).serialized()) }
        return code
    }

    // MARK: add-partitions

    public static func addPartitions(topic: String, total: Int32, validateOnly: Bool, yes: Bool, context: GroupWriteContext,
                                     service: any TopicAdminService) async -> Int32 {
        let console = context.driver.console
        var description = WriteDescription(kind: .topicPartitions, action: "add partitions to topic",
                                           target: WriteTarget(name: topic, qualifier: "(to \(total) in total)", location: context.location),
                                           audit: [AuditField("topic", topic), AuditField("total", String(total))])
        let box = OutcomeBox()
        /// The current count, then the broker's verdict; nil when it may go ahead.
        func verdict() async -> String? {
            do {
                guard let shape = try await service.topicShape(topic) else { return "topic \(topic) does not exist" }
                box.before = shape.partitionCount
                if total <= shape.partitionCount {
                    return "topic \(topic) already has \(plural(Int(shape.partitionCount), "partition")): "
                        + "partitions can only be added (--total must be more than \(shape.partitionCount))"
                }
                let v = try await service.createPartitions(topic: topic, totalCount: total, validateOnly: true)
                if let refusal = v.refusal { return "the broker refuses it: \(refusal)" }
                description.details = [
                    "\(shape.partitionCount) -> \(total) partitions (\(total - shape.partitionCount) new).",
                    "Records with a key will map to other partitions from now on: per-key ordering breaks across the change.",
                    "Partitions cannot be removed again. The broker validated this request (validate-only).",
                ]
                description.audit = [AuditField("topic", topic), AuditField("partitions", "\(shape.partitionCount)->\(total)")]
                return nil
            } catch {
                return message(error)
            }
        }
        if validateOnly {
            let problem = await verdict()
            if context.json {
                console.out(resultJSON(topic: topic, action: "add-partitions", validateOnly: true, refusal: nil, message: problem,
                                       extra: [("partitions_before", .optional(box.before)), ("partitions", .int(total))]).serialized())
            }
            if let problem {
                console.err("error: \(TextTable.clean(problem))")
                return 1
            }
            if !context.json {
                console.out("valid: topic \(TextTable.clean(topic)) would grow from \(box.before ?? 0) to \(total) partitions on "
                    + "\(context.location) (validate-only: nothing was changed)")
            }
            return 0
        }
        do {
            let report = try await context.driver.run(description, readOnly: context.readOnly, yes: yes, check: {
                if let problem = await verdict() { return .unavailable(problem) }
                return .ready(description)
            }, send: { _ in
                do {
                    let outcome = try await service.createPartitions(topic: topic, totalCount: total, validateOnly: false)
                    box.outcome = outcome
                    if let refusal = outcome.refusal { return .failed(refusal.description) }
                    return .accepted("topic \(topic) now has \(total) partitions (was \(box.before ?? 0))")
                } catch {
                    box.error = message(error)
                    return .failed(message(error))
                }
            })
            if context.json, report.outcome.wasSent {
                console.out(resultJSON(topic: topic, action: "add-partitions", refusal: box.outcome?.refusal, message: box.error,
                                       extra: [("partitions_before", .optional(box.before)), ("partitions", .int(total))]).serialized())
            }
            return report.outcome.succeeded ? 0 : 1
        } catch {
            console.err("error: \(message(error))")
            return 2
        }
    }

    // MARK: delete-records

    /// `partitions` empty: every partition. `before` -1: up to each partition's high watermark.
    public static func deleteRecords(topic: String, partitions: [Int32], before: Int64, yes: Bool, context: GroupWriteContext,
                                     service: any TopicAdminService) async -> Int32 {
        let console = context.driver.console
        let scope = partitions.isEmpty ? "all partitions" : "partition" + (partitions.count == 1 ? " " : "s ")
            + partitions.map(String.init).joined(separator: ",")
        let beforeText = before < 0 ? "the end" : "offset \(before)"
        var description = WriteDescription(kind: .recordDelete, action: "delete records of topic",
                                           target: WriteTarget(name: topic, qualifier: "(\(scope), before \(beforeText))", location: context.location),
                                           typeNameToConfirm: true,
                                           audit: [AuditField("topic", topic), AuditField("before", before < 0 ? "end" : String(before))])
        let box = OutcomeBox()
        do {
            let report = try await context.driver.run(description, readOnly: context.readOnly, yes: yes, check: {
                do {
                    guard let shape = try await service.topicShape(topic) else { return .unavailable("topic \(topic) does not exist") }
                    let chosen = partitions.isEmpty ? Array(0..<shape.partitionCount) : partitions.sorted()
                    if let bad = chosen.first(where: { $0 >= shape.partitionCount }) {
                        return .unavailable("topic \(topic) has no partition \(bad) (it has \(shape.partitionCount))")
                    }
                    var lines: [String] = [], audit: [String] = [], total: Int64 = 0
                    for p in chosen {
                        guard let low = shape.earliest[p], let high = shape.latest[p] else {
                            return .unavailable("the offsets of partition \(p) could not be read (its leader is unreachable)")
                        }
                        let upTo = before < 0 ? high : before
                        if upTo > high {
                            return .unavailable("partition \(p) ends at offset \(high): --before \(before) is past its end")
                        }
                        let count = max(0, upTo - low)
                        total += count
                        lines.append("partition \(p): log start \(low) -> \(max(low, upTo)) (\(count) record\(count == 1 ? "" : "s"), end \(high))")
                        audit.append("\(p) \(low)->\(max(low, upTo))")
                        box.offsets[p] = upTo
                    }
                    description.details = lines + ["\(total) record\(total == 1 ? "" : "s") deleted in all; this cannot be undone "
                        + "(DeleteRecords has no validate-only mode)."]
                    description.audit.append(AuditField("log_start", audit.joined(separator: ", ")))
                    return .ready(description)
                } catch {
                    return .unavailable(message(error))
                }
            }, send: { _ in
                do {
                    let answers = try await service.deleteRecords(topic: topic, before: box.offsets)
                    box.deletions = answers
                    return AdminWriteWording.recordDeletionResult(topic: topic, answers)
                } catch {
                    box.error = message(error)
                    return .failed(message(error))
                }
            })
            if context.json, report.outcome.wasSent {
                let rows: [JSONValue] = box.deletions.sorted { $0.key < $1.key }.map { p, d in
                    switch d {
                    case .deleted(let low):
                        return .object([("partition", .int(p)), ("low_watermark", .int(low)), ("error", .null)])
                    case .refused(let r):
                        return .object([("partition", .int(p)), ("low_watermark", .null),
                                        ("error", .object([("code", .int(r.code)), ("name", .string(r.name)), ("message", .optional(r.message))]))])
                    case .unanswered(let why):
                        return .object([("partition", .int(p)), ("low_watermark", .null),
                                        ("error", .object([("code", .null), ("name", .null), ("message", .string(why))]))])
                    }
                }
                console.out(resultJSON(topic: topic, action: "delete-records", refusal: nil,
                                       message: box.error ?? (report.outcome.succeeded ? nil : report.message),
                                       extra: [("partitions", .array(rows))]).serialized())
            }
            return report.outcome.succeeded ? 0 : 1
        } catch {
            console.err("error: \(message(error))")
            return 2
        }
    }
}

/// What a topic write's steps learn (the send reuses what the check found).
final class OutcomeBox: @unchecked Sendable {
    var outcome: ResourceOutcome?
    var error: String?
    var before: Int32?
    var offsets: [Int32: Int64] = [:]
    var deletions: [Int32: RecordDeletion] = [:]
}
