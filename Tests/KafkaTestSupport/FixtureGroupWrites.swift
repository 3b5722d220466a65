import ClusterModel
import Foundation

/// What the group-write fixture changed, applied to the fixture groups as Kafka would show it:
/// offsets committed by a reset, offsets deleted, groups deleted. A group with members refuses
/// commits and deletion (Kafka's UNKNOWN_MEMBER_ID / NON_EMPTY_GROUP). Partitions can be made
/// to fail a commit (a leader down) with `failCommit`.
public final class FixtureGroupWrites: @unchecked Sendable {
    // @unchecked: all state is behind `lock`.
    private let lock = NSLock()
    private var committed: [String: [TopicPartition: Int64?]] = [:]
    private var deleted: Set<String> = []
    private var commitFailures: [TopicPartition: String] = [:]
    /// Every write request, in order, e.g. "commit audit-archiver audit-log-0=49000".
    public private(set) var requests: [String] = []

    public init() {}

    private func locked<T>(_ f: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try f()
    }

    public var requestLog: [String] { locked { requests } }

    /// Later commits of `partition` fail with `why` (nil: succeed again).
    public func failCommit(_ partition: TopicPartition, _ why: String?) { locked { commitFailures[partition] = why } }

    func applied(to detail: GroupDetail) throws -> GroupDetail {
        try locked {
            if deleted.contains(detail.group) { throw UserFacingError("group \(detail.group) does not exist (GROUP_ID_NOT_FOUND)") }
            var d = detail
            guard let changes = committed[detail.group] else { return d }
            for i in d.offsets.indices {
                let tp = TopicPartition(d.offsets[i].topic, d.offsets[i].partition)
                guard let c = changes[tp] else { continue }
                d.offsets[i].committed = c
                d.offsets[i].lag = c.flatMap { c in d.offsets[i].end.map { $0 - c } }
                d.offsets[i].health = nil
                d.offsets[i].lagSeconds = nil
            }
            d.offsets.removeAll { changes[TopicPartition($0.topic, $0.partition)] == .some(nil) }
            d.lag = d.offsets.compactMap(\.lag).reduce(0, +)
            return d
        }
    }

    func record(_ line: String) { locked { requests.append(line) } }

    func commit(_ group: String, _ offsets: [TopicPartition: Int64]) -> [TopicPartition: String] {
        locked {
            var failures: [TopicPartition: String] = [:]
            for (tp, o) in offsets {
                if let why = commitFailures[tp] { failures[tp] = why; continue }
                committed[group, default: [:]][tp] = .some(o)
            }
            return failures
        }
    }

    func delete(_ group: String, _ partitions: [TopicPartition]) {
        locked { for tp in partitions { committed[group, default: [:]][tp] = .some(nil) } }
    }

    func deleteGroup(_ group: String) { _ = locked { deleted.insert(group) } }
}

extension FixtureClusterService: GroupWriteService {
    /// Plans from the fixture group as shown (log start 0, log end as listed; no record is later
    /// than any time asked for, so times go to the end).
    public func offsetResetPlan(group: String, spec: OffsetResetSpec, scope: OffsetResetScope, nowMs: Int64) async throws -> OffsetResetPlan {
        let d = try await self.group(named: group)
        var partitions: [TopicPartition] = []
        switch scope {
        case .allTopics:
            partitions = d.offsets.filter { $0.committed != nil }.map { TopicPartition($0.topic, $0.partition) }
        case .topics(let selections):
            for s in selections {
                let all = d.offsets.filter { $0.topic == s.topic }.map(\.partition)
                if all.isEmpty { throw UserFacingError("topic \(s.topic) does not exist") }
                if let missing = s.partitions?.first(where: { !all.contains($0) }) {
                    throw UserFacingError("topic \(s.topic) has no partition \(missing)")
                }
                partitions += (s.partitions ?? all).map { TopicPartition(s.topic, $0) }
            }
        }
        var inputs = OffsetResetInputs(partitions: partitions)
        for o in d.offsets {
            let tp = TopicPartition(o.topic, o.partition)
            if let c = o.committed { inputs.committed[tp] = c }
            inputs.earliest[tp] = 0
            if let e = o.end { inputs.latest[tp] = e }
        }
        let members = d.members.value?.count
        return OffsetResetPlanner.plan(group: group, spec: spec, scope: scope, inputs: inputs,
                                       blockedReason: OffsetResetPlanner.blockedReason(group: group, state: d.state, members: members))
    }

    public func commitOffsets(group: String, offsets: [TopicPartition: Int64]) async throws -> [TopicPartition: String] {
        groupWrites.record("commit \(group) " + offsets.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))
        let d = try await self.group(named: group)
        if let m = d.members.value, !m.isEmpty {
            return offsets.mapValues { _ in "UNKNOWN_MEMBER_ID (consumer group \(group) is active: stop its consumers first)" }
        }
        return groupWrites.commit(group, offsets)
    }

    public func committedPartitions(group: String, topic: String) async throws -> [TopicPartition: Int64] {
        let d = try await self.group(named: group)
        var out: [TopicPartition: Int64] = [:]
        for o in d.offsets where o.topic == topic { if let c = o.committed { out[TopicPartition(o.topic, o.partition)] = c } }
        return out
    }

    public func deleteOffsets(group: String, partitions: [TopicPartition]) async throws -> [TopicPartition: String] {
        groupWrites.record("delete-offsets \(group) " + partitions.sorted().map(\.description).joined(separator: ","))
        let d = try await self.group(named: group)
        if let m = d.members.value, !m.isEmpty {
            return Dictionary(uniqueKeysWithValues: partitions.map { ($0, "GROUP_SUBSCRIBED_TO_TOPIC (the group's active members consume this topic)") })
        }
        groupWrites.delete(group, partitions)
        return [:]
    }

    public func deleteBlockedReason(group: String) async throws -> String? {
        guard let d = try? await self.group(named: group) else { return nil }
        return OffsetResetPlanner.deleteBlockedReason(group: group, state: d.state, members: d.members.value?.count)
    }

    public func deleteGroups(_ groups: [String]) async -> [String: String?] {
        var out: [String: String?] = [:]
        for g in groups {
            groupWrites.record("delete-group \(g)")
            do {
                let d = try await self.group(named: g)
                if let m = d.members.value, !m.isEmpty {
                    out[g] = .some("NON_EMPTY_GROUP (the group has active members: stop its consumers first)")
                } else {
                    groupWrites.deleteGroup(g)
                    out[g] = .some(nil)
                }
            } catch {
                out[g] = .some("GROUP_ID_NOT_FOUND (no such consumer group)")
            }
        }
        return out
    }
}
