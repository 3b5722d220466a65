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
        AdminWriteWording.topicCreate(topic, location: location)
    }

    static func createDetails(_ topic: NewTopic, verdict: ResourceOutcome?) -> [String] {
        AdminWriteWording.topicCreateDetails(topic, verdict: verdict)
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
        let records = shape.map { shape in shape.latest.reduce(Int64(0)) { sum, kv in sum + max(0, kv.value - (shape.earliest[kv.key] ?? 0)) } }
        return AdminWriteWording.topicDelete(topic, location: location, partitions: shape.map { Int($0.partitionCount) },
                                             replicationFactor: shape?.replicationFactor, records: records)
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
                description = AdminWriteWording.addPartitions(topic, from: shape.partitionCount, to: total, location: context.location)
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
        var description = WriteDescription(kind: .recordDelete, action: "delete records of topic",
                                           target: WriteTarget(name: topic, location: context.location), typeNameToConfirm: true)
        let box = OutcomeBox()
        do {
            let report = try await context.driver.run(description, readOnly: context.readOnly, yes: yes, check: {
                do {
                    guard let shape = try await service.topicShape(topic) else { return .unavailable("topic \(topic) does not exist") }
                    switch AdminWriteWording.recordDeletion(topic, partitions: partitions, before: before, shape: shape,
                                                            location: context.location) {
                    case .failure(let why): return .unavailable(why.message)
                    case .success(let (planned, offsets)):
                        description = planned
                        box.offsets = offsets
                    }
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
