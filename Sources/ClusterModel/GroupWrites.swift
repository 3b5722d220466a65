/// Writes to consumer groups (issue 15), implemented over KafkaAdmin by the app. Each method
/// sends; confirmation, read-only mode and the audit line belong to the write flow around it.
public protocol GroupWriteService: Sendable {
    /// Reads what a reset needs (committed offsets, members, log bounds, offsets by time) and
    /// plans it. Throws when the group cannot be read at all.
    func offsetResetPlan(group: String, spec: OffsetResetSpec, scope: OffsetResetScope, nowMs: Int64) async throws -> OffsetResetPlan
    /// One OffsetCommit on the group's coordinator; returns each partition's error (empty: all committed).
    func commitOffsets(group: String, offsets: [TopicPartition: Int64]) async throws -> [TopicPartition: String]
    /// The group's committed partitions of `topic` (to name what OffsetDelete removes).
    func committedPartitions(group: String, topic: String) async throws -> [TopicPartition: Int64]
    /// OffsetDelete for these partitions; returns each partition's error (empty: all deleted).
    /// Throws for a group-level refusal (e.g. the group is subscribed to the topic).
    func deleteOffsets(group: String, partitions: [TopicPartition]) async throws -> [TopicPartition: String]
    /// Why `group` must not be deleted now (it has active members), nil when it may be. Checked
    /// before DeleteGroups: Kafka refuses a non-empty group, but not every broker does (tansu deletes it).
    func deleteBlockedReason(group: String) async throws -> String?
    /// DeleteGroups; nil for each group deleted, else why not.
    func deleteGroups(_ groups: [String]) async -> [String: String?]
}
