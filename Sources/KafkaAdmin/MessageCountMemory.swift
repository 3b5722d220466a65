/// The last message count read per topic, so that a refresh whose ListOffsets failed for some
/// partitions shows the previous count (marked stale) rather than a blank.
actor MessageCountMemory {
    private var counts: [String: Int64] = [:]

    /// Stores `counted` and answers the remembered counts of the `missing` topics.
    func update(_ counted: [String: Int64], missing: [String]) -> [String: Int64] {
        counts.merge(counted) { $1 }
        var out: [String: Int64] = [:]
        for t in missing { if let c = counts[t] { out[t] = c } }
        return out
    }
}
