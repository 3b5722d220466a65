/// The one health label of a partition, shared by `describe topic` and the Topic detail screen so
/// that neither can say "ok" while the partition cannot be served: the first problem that applies.
public enum PartitionStatus: Sendable, Hashable {
    /// The broker's per-partition error (e.g. LEADER_NOT_AVAILABLE).
    case error(String)
    /// No leader: reads and writes fail.
    case offline
    /// The metadata names a leader this client cannot reach (down, fenced, gone from the metadata,
    /// or cut off from here): reads and writes from here fail although the metadata looks fine.
    case leaderUnreachable(Int32)
    /// Fewer in-sync replicas than replicas.
    case underReplicated
    /// Followers this client cannot reach (the leader is fine).
    case replicasUnreachable([Int32])
    case ok

    public var label: String {
        switch self {
        case .error(let e): return e
        case .offline: return "offline"
        case .leaderUnreachable(let id): return "leader \(id) unreachable"
        case .underReplicated: return "under-replicated"
        case .replicasUnreachable(let ids): return "replica\(ids.count == 1 ? "" : "s") \(ids.map(String.init).joined(separator: ",")) unreachable"
        case .ok: return "ok"
        }
    }

    /// Reads or writes fail (offline, leader unreachable, a partition error).
    public var isServing: Bool {
        switch self {
        case .error, .offline, .leaderUnreachable: return false
        case .underReplicated, .replicasUnreachable, .ok: return true
        }
    }

    public var isOK: Bool { self == .ok }
}

extension PartitionInfo {
    /// `unreachable`: brokers this client could not reach or that the metadata no longer lists.
    public func status(unreachable: Set<Int32>) -> PartitionStatus {
        if let error { return .error(error) }
        if isOffline { return .offline }
        if unreachable.contains(leader) { return .leaderUnreachable(leader) }
        if isUnderReplicated { return .underReplicated }
        let followers = replicas.filter { $0 != leader && unreachable.contains($0) }
        if !followers.isEmpty { return .replicasUnreachable(followers) }
        return .ok
    }
}
