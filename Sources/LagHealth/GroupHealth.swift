/// The verdict on a whole group: its worst partition decides the status.
public struct GroupHealth: Sendable, Hashable {
    public var group: String
    /// nil until every judged partition has two samples (or the group has no committed offsets).
    public var status: LagStatus?
    /// The worst partition's reason, prefixed with "topic-partition: ".
    public var reason: String
    public var partitions: [PartitionHealth]
    /// Sum of the partitions' consume and produce rates (records per second).
    public var consumeRate: Double?
    public var produceRate: Double?
    /// The slowest partition's time to catch up; nil when unknown or when any partition falls behind.
    public var etaSeconds: Double?
    public var fallingBehind: Bool

    /// Folds partition verdicts into the group's; `groupError` (e.g. the coordinator failing) makes it ERROR.
    public init(group: String, partitions: [PartitionHealth], groupError: String? = nil) {
        self.group = group
        self.partitions = partitions.sorted { $0.key < $1.key }
        let judged = partitions.filter { $0.status != nil }
        let rated = partitions.filter { $0.consumeRate != nil }
        consumeRate = rated.isEmpty ? nil : rated.reduce(0) { $0 + $1.consumeRate! }
        produceRate = rated.isEmpty ? nil : rated.reduce(0) { $0 + $1.produceRate! }
        fallingBehind = partitions.contains { $0.fallingBehind }
        let lagging = partitions.filter { ($0.lag ?? 0) > 0 }
        if fallingBehind || lagging.contains(where: { $0.etaSeconds == nil }) {
            etaSeconds = lagging.isEmpty ? 0 : nil
        } else {
            etaSeconds = lagging.map { $0.etaSeconds! }.max() ?? (partitions.isEmpty ? nil : 0)
        }
        if let groupError {
            status = .error
            reason = groupError
        } else if let worst = judged.max(by: { $0.status! < $1.status! }) {
            // A partition still waiting for its second sample keeps an OK group unjudged.
            let waiting = partitions.contains { $0.status == nil && $0.lag != nil }
            status = worst.status == .ok && waiting ? nil : worst.status
            reason = "\(worst.key.topic)-\(worst.key.partition): \(worst.reason)"
        } else {
            status = nil
            reason = partitions.first.map(\.reason) ?? "no committed offsets"
        }
    }
}
