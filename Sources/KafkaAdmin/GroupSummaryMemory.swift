import ClusterModel

/// The last group row read in full, so that a refresh that cannot read a group's committed offsets
/// (its coordinator unreachable) shows the previous lag, state and members, marked stale with the
/// reason, instead of a row of blanks (the Groups list's side of what group detail does).
actor GroupSummaryMemory {
    private var last: [String: GroupSummary] = [:]

    /// Stores the groups read in full and answers every group's row: a group in `unreadable`
    /// (name -> why its offsets were not read) gets its previous row, stale, with this refresh's
    /// status and coordinator.
    func update(_ fresh: [GroupSummary], unreadable: [String: String]) -> [GroupSummary] {
        fresh.map { g in
            guard let why = unreadable[g.group] else {
                last[g.group] = g
                return g
            }
            guard var previous = last[g.group] else { return g }
            previous.staleReason = why
            previous.health = g.health
            previous.coordinator = g.coordinator ?? previous.coordinator
            return previous
        }
    }
}
