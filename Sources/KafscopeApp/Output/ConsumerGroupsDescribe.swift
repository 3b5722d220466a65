import ClusterModel

/// `describe group` in the exact shape of `kafka-consumer-groups.sh --describe --group G`
/// (ConsumerGroupCommand.printOffsets): same columns, same widths, '-' for unknowns, same messages.
public enum ConsumerGroupsDescribe {
    public struct Output: Sendable, Hashable {
        public var stdout: String
        public var stderr: String
        /// The group does not exist (state Dead): the command fails.
        public var failed: Bool
    }

    static let rebalancing: Set<String> = ["PreparingRebalance", "CompletingRebalance", "Assigning", "Reconciling"]

    public static func render(_ d: GroupDetail) -> Output {
        var err = ""
        var failed = false
        switch d.state {
        case "Dead":
            err = "\nError: Consumer group '\(TextTable.clean(d.group))' does not exist.\n"
            failed = true
        case "Empty":
            err = "\nConsumer group '\(TextTable.clean(d.group))' has no active members.\n"
        case let s where rebalancing.contains(s):
            err = "\nWarning: Consumer group '\(TextTable.clean(d.group))' is rebalancing.\n"
        default:
            break
        }
        guard !failed, !d.offsets.isEmpty else { return Output(stdout: "", stderr: err, failed: failed) }

        let m = "-"
        // Client and member ids come from any consumer: control characters are escaped so they
        // cannot drive the terminal of whoever reads the output (the Kafka tool prints them raw).
        let rows: [[String]] = d.offsets.map { r in
            [d.group, r.topic, String(r.partition), r.committed.map(String.init) ?? m, r.end.map(String.init) ?? m,
             r.lag.map(String.init) ?? m, r.memberId ?? m, r.host ?? m, r.clientId ?? m].map(TextTable.clean)
        }
        // Java pads by String.length(), i.e. UTF-16 units; the same here for byte-for-byte parity.
        func len(_ s: String) -> Int { s.utf16.count }
        var g = 15, t = 15, c = 15, h = 15
        for r in rows {
            g = max(g, len(r[0])); t = max(t, len(r[1])); c = max(c, len(r[6])); h = max(h, len(r[7]))
        }
        let widths = [g, t, 10, 15, 15, 15, c, h]
        func line(_ cells: [String]) -> String {
            var out = "\n"
            for (i, cell) in cells.enumerated() {
                if i < widths.count {
                    out += cell + String(repeating: " ", count: max(0, widths[i] - len(cell))) + " "
                } else {
                    out += cell
                }
            }
            return out
        }
        var out = line(["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"])
        for r in rows { out += line(r) }
        out += "\n"
        return Output(stdout: out, stderr: err, failed: false)
    }
}
