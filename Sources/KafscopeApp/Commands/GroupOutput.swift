import ClusterModel
import Foundation

/// Pure formatting of consumer-group writes for the CLI.
public enum GroupWriteFormat {
    /// `kafka-consumer-groups.sh --reset-offsets --dry-run`'s table: a blank line, the header,
    /// one row per partition, `%-30s %-30s %-10s %-15s` as the Kafka tool prints it.
    public static func resetTable(_ plan: OffsetResetPlan) -> String {
        func row(_ a: String, _ b: String, _ c: String, _ d: String) -> String {
            pad(a, 30) + " " + pad(b, 30) + " " + pad(c, 10) + " " + pad(d, 15)
        }
        guard !plan.rows.isEmpty else { return "" }
        var lines = ["", row("GROUP", "TOPIC", "PARTITION", "NEW-OFFSET")]
        for r in plan.rows {
            lines.append(row(TextTable.clean(plan.group), TextTable.clean(r.topic), String(r.partition), String(r.new)))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    /// `-o json`: `[{group, topic, partition, current, new}]`.
    public static func resetJSON(_ plan: OffsetResetPlan) -> String {
        JSONValue.array(plan.rows.map { r in
            .object([("group", .string(plan.group)), ("topic", .string(r.topic)), ("partition", .int(Int(r.partition))),
                     ("current", r.current.map { .int(Int($0)) } ?? .null), ("new", .int(Int(r.new)))])
        }).serialized()
    }

    /// The preview shown in the confirmation: current, new, lag before and after, notes.
    public static func previewLines(_ plan: OffsetResetPlan, limit: Int = 20) -> [String] {
        var lines: [String] = []
        lines.append(plan.summary)
        let rows = plan.rows.prefix(limit).map { r in
            [r.topic, String(r.partition), r.current.map(String.init) ?? "-", String(r.new),
             r.lagBefore.map(String.init) ?? "-", String(r.lagAfter), r.note ?? ""]
        }
        let table = TextTable(["TOPIC", "PARTITION", "CURRENT", "NEW", "LAG-BEFORE", "LAG-AFTER", "NOTE"],
                              align: [.left, .right, .right, .right, .right, .right, .left], rows: rows).render()
        lines += table.split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) == "" ? "" : String($0) }
        if plan.rows.count > limit { lines.append("... and \(plan.rows.count - limit) more partitions") }
        for (tp, why) in plan.skipped.sorted(by: { $0.key < $1.key }) { lines.append("left unchanged: \(tp): \(why)") }
        lines += plan.notes.map { "note: \($0)" }
        return lines
    }

    /// For the audit line: `orders/0 12->0, orders/1 7->0` (at most `limit` partitions named).
    public static func auditChanges(_ plan: OffsetResetPlan, limit: Int = 50) -> String {
        plan.auditChanges(limit: limit)
    }

    static func partitionErrors(_ failures: [TopicPartition: String]) -> String {
        failures.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
    }
}
