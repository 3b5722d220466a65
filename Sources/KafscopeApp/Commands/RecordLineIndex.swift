/// Which input line each record id came from, kept as runs: within a run ids and lines both advance
/// by one, so a file of N lines with no blank or refused ones is one run, not N numbers (a 10 GB
/// input no longer needs gigabytes to remember its line numbers).
struct RecordLineIndex {
    private var runs: [(firstID: UInt64, firstLine: Int)] = []
    /// The id and line that would continue the last run.
    private var nextID: UInt64 = 0
    private var nextLine = 0

    var runCount: Int { runs.count }

    /// Records `ids` read from consecutive lines starting at `firstLine`.
    mutating func append(ids: Range<UInt64>, firstLine: Int) {
        guard !ids.isEmpty else { return }
        if runs.isEmpty || ids.lowerBound != nextID || firstLine != nextLine {
            runs.append((ids.lowerBound, firstLine))
        }
        nextID = ids.upperBound
        nextLine = firstLine + ids.count
    }

    /// Records `ids`, one per entry of `lines` (in order; lines may skip).
    mutating func append(ids: Range<UInt64>, lines: [Int]) {
        var id = ids.lowerBound
        for line in lines where id < ids.upperBound {
            append(ids: id..<(id + 1), firstLine: line)
            id += 1
        }
    }

    /// The line record `id` came from; nil for an id never appended.
    func line(of id: UInt64) -> Int? {
        guard id < nextID, !runs.isEmpty, id >= runs[0].firstID else { return nil }
        var lo = 0, hi = runs.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if runs[mid].firstID <= id { lo = mid } else { hi = mid - 1 }
        }
        return runs[lo].firstLine + Int(id - runs[lo].firstID)
    }
}
