import ClusterModel
import WriteFlow

/// One consumer-group write, as the write flow sends it after the confirmation (issue 15).
public enum GroupWriteStep: Hashable, Sendable {
    /// One OffsetCommit from outside the group (an offset reset).
    case commitOffsets(group: String, offsets: [TopicPartition: Int64])
    /// OffsetDelete of these partitions of one topic.
    case deleteOffsets(group: String, topic: String, partitions: [TopicPartition])
    /// DeleteGroups.
    case deleteGroup(String)

    /// Sends the step and says what it did, each partition's refusal named.
    func perform(_ service: (any GroupWriteService)?) async -> WriteSendResult {
        guard let service else { return .failed("this cluster service cannot write to consumer groups") }
        switch self {
        case .commitOffsets(let group, let offsets):
            do {
                let failures = try await service.commitOffsets(group: group, offsets: offsets)
                if failures.isEmpty {
                    return .accepted("reset \(offsets.count) offset\(offsets.count == 1 ? "" : "s") of consumer group \(group)")
                }
                if failures.count == offsets.count { return .failed(GroupWriteRequests.partitionErrors(failures)) }
                return .partial("\(offsets.count - failures.count) of \(offsets.count) partitions reset; not reset: "
                    + GroupWriteRequests.partitionErrors(failures))
            } catch {
                return .failed(LoadError(error).message)
            }
        case .deleteOffsets(let group, let topic, let partitions):
            do {
                let failures = try await service.deleteOffsets(group: group, partitions: partitions)
                if failures.isEmpty {
                    return .accepted("deleted the committed offsets of consumer group \(group) for topic \(topic) "
                        + "(\(partitions.count) partition\(partitions.count == 1 ? "" : "s"))")
                }
                if failures.count == partitions.count { return .failed(GroupWriteRequests.partitionErrors(failures)) }
                return .partial("not deleted: " + GroupWriteRequests.partitionErrors(failures))
            } catch {
                return .failed(LoadError(error).message)
            }
        case .deleteGroup(let group):
            let result = await service.deleteGroups([group])
            if let failure = result[group], let why = failure { return .failed(why) }
            if result[group] == nil { return .failed("missing from the DeleteGroups answer") }
            return .accepted("deleted consumer group \(group)")
        }
    }
}

/// Group writes as write requests, built from what the screens loaded: the reset plan shown in
/// the form (the offsets sent are the ones previewed), the group detail's committed offsets.
enum GroupWriteRequests {
    static func location(_ context: ScreenContext) -> String { "cluster \(context.options.contextName)" }

    /// Applies `plan`; refused with the plan's reason when the group is active or nothing can be planned.
    /// Settles when the group's committed offsets read back as planned.
    static func reset(_ plan: OffsetResetPlan, context: ScreenContext) -> WriteRequest {
        var description = WriteDescription(kind: .offsetReset, action: "reset offsets of consumer group",
                                           target: WriteTarget(name: plan.group, qualifier: "(\(plan.spec), \(plan.scope))",
                                                               location: location(context)),
                                           settles: true,
                                           audit: [AuditField("group", plan.group), AuditField("spec", plan.spec.description),
                                                   AuditField("scope", plan.scope.description),
                                                   AuditField("partitions", String(plan.rows.count)),
                                                   AuditField("offsets", plan.auditChanges())])
        description.details = [plan.summary]
            + plan.skipped.sorted { $0.key < $1.key }.map { "left unchanged: \($0.key): \($0.value)" }
        let offsets = Dictionary(uniqueKeysWithValues: plan.rows.map { ($0.key, $0.new) })
        let check: WriteCheck
        if let blocked = plan.blockedReason {
            check = .unavailable(blocked)
        } else if plan.rows.isEmpty {
            check = .unavailable("nothing to reset: " + (plan.skipped.isEmpty ? "no partition in scope" : partitionErrors(plan.skipped)))
        } else {
            check = .ready(description)
        }
        return WriteRequest(description: description, check: check, steps: [.groupWrite(.commitOffsets(group: plan.group, offsets: offsets))],
                            poll: .load(.group(plan.group)), settle: .groupOffsets(group: plan.group, expected: offsets))
    }

    /// OffsetDelete of `topic`'s committed offsets, naming each partition and offset.
    static func deleteOffsets(group: String, topic: String, committed: [TopicPartition: Int64], context: ScreenContext) -> WriteRequest {
        let sorted = committed.sorted { $0.key < $1.key }
        let description = WriteDescription(
            kind: .offsetDelete, action: "delete the committed offsets of consumer group",
            target: WriteTarget(name: group, qualifier: "for topic \(topic)", location: location(context)),
            details: ["Partitions and committed offsets: " + sorted.map { "\($0.key.partition)@\($0.value)" }.joined(separator: ", ") + "."],
            audit: [AuditField("group", group), AuditField("topic", topic),
                    AuditField("offsets", sorted.map { "\($0.key) \($0.value)->deleted" }.joined(separator: ", "))])
        let check: WriteCheck = committed.isEmpty
            ? .unavailable("consumer group \(group) has no committed offsets for topic \(topic)") : .ready(description)
        return WriteRequest(description: description, check: check,
                            steps: [.groupWrite(.deleteOffsets(group: group, topic: topic, partitions: sorted.map(\.key)))])
    }

    /// DeleteGroups; the person types the group's name to confirm.
    static func deleteGroup(_ group: String, context: ScreenContext) -> WriteRequest {
        let description = WriteDescription(kind: .groupDelete, action: "delete consumer group",
                                           target: WriteTarget(name: group, location: location(context)),
                                           details: ["Its committed offsets are deleted with it; this cannot be undone."],
                                           typeNameToConfirm: true, audit: [AuditField("group", group)])
        return WriteRequest(description: description, steps: [.groupWrite(.deleteGroup(group))])
    }

    static func partitionErrors(_ failures: [TopicPartition: String]) -> String {
        failures.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
    }

    /// A group read as evidence that a reset took: every partition's committed offset is the planned one.
    static func observation(group: String, expected: [TopicPartition: Int64], _ result: LoadResult) -> SettleObservation? {
        guard case .group(let name, let r) = result, name == group else { return nil }
        switch r {
        case .failure(let e):
            return .unreadable(e.message)
        case .success(let d):
            var committed: [TopicPartition: Int64] = [:]
            for row in d.offsets { if let c = row.committed { committed[TopicPartition(row.topic, row.partition)] = c } }
            let differing = expected.filter { committed[$0.key] != $0.value }
            if differing.isEmpty {
                return .settled("reset \(expected.count) offset\(expected.count == 1 ? "" : "s") of consumer group \(group); "
                    + "lag now \(d.lag.map(String.init) ?? "-")")
            }
            let first = differing.keys.sorted()[0]
            return .pending("\(first) reads \(committed[first].map(String.init) ?? "none"), not \(expected[first]!)")
        }
    }
}
