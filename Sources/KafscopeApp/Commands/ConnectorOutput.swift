import ClusterModel
import Foundation
import KafkaConnect

/// Pure formatting of Connect data for the CLI (tested without a network).
public enum ConnectorFormat {
    // MARK: get connectors

    public static func json(_ c: ConnectorStatus) -> JSONValue {
        .object([
            ("connect", .string(c.connect)),
            ("name", .string(c.name)),
            ("type", .string(c.type)),
            ("state", .string(c.state)),
            ("worker_id", .string(c.workerId)),
            ("trace", .optional(c.trace)),
            ("tasks", .array(c.tasks.map(taskJSON))),
        ])
    }

    static func taskJSON(_ t: ConnectTaskStatus) -> JSONValue {
        .object([("id", .int(t.id)), ("state", .string(t.state)), ("worker_id", .string(t.workerId)), ("trace", .optional(t.trace))])
    }

    public static func connectorsJSON(_ listing: ConnectorListing) -> String {
        JSONValue.array(listing.connectors.map(json)).serialized()
    }

    public static func errorsJSON(_ errors: [SourceError]) -> String {
        JSONValue.object([("errors", .array(errors.map { .object([("source", .string($0.source)), ("message", .string($0.message))]) }))])
            .serialized()
    }

    /// `get connectors` as a table; FAILED connectors and connectors with failed tasks are marked with `!`.
    public static func connectorsTable(_ listing: ConnectorListing) -> String {
        let rows = listing.connectors.map { c -> [String] in
            let flag = (c.state == "FAILED" || c.failedTasks > 0) ? "!" : ""
            return [c.connect, c.name, c.type, c.state + flag, "\(c.runningTasks)/\(c.tasks.count)", String(c.failedTasks),
                    c.workerId.isEmpty ? "-" : c.workerId]
        }
        return TextTable(["CONNECT", "NAME", "TYPE", "STATE", "TASKS", "FAILED", "WORKER"],
                         align: [.left, .left, .left, .left, .right, .right, .left], rows: rows).render()
    }

    // MARK: describe connector

    public static func maskedConfig(_ config: [String: String]) -> [(String, String)] {
        config.keys.sorted().map { ($0, ConnectConfigMasking.display(key: $0, value: config[$0]!)) }
    }

    public static func describeJSON(_ d: ConnectorDetail, cluster: ConnectClusterInfo?, errors: [SourceError] = []) -> String {
        let s = d.status
        return JSONValue.object([
            ("connect", .string(s.connect)),
            ("url", .optional(cluster?.url)),
            ("worker_version", .optional(cluster?.version)),
            ("name", .string(s.name)),
            ("type", .string(s.type)),
            ("state", .string(s.state)),
            ("worker_id", .string(s.workerId)),
            ("trace", .optional(s.trace)),
            ("topics", d.topics.map { .array($0.map { .string($0) }) } ?? .null),
            ("config", .object(maskedConfig(d.config).map { ($0.0, .string($0.1)) })),
            ("tasks", .array(s.tasks.map(taskJSON))),
            ("errors", .array(errors.map { .object([("source", .string($0.source)), ("message", .string($0.message))]) })),
        ]).serialized()
    }

    public static func describeText(_ d: ConnectorDetail, cluster: ConnectClusterInfo?) -> String {
        let s = d.status
        var lines: [String] = []
        var where_ = s.connect
        if let cluster {
            where_ += " (\(cluster.url)" + (cluster.version.map { ", Kafka Connect \($0)" } ?? "") + ")"
        }
        let head: [(String, String)] = [
            ("Connector", s.name),
            ("Connect", where_),
            ("Type", s.type),
            ("State", s.state + (s.workerId.isEmpty ? "" : " on \(s.workerId)")),
            ("Tasks", "\(s.runningTasks)/\(s.tasks.count) running" + (s.failedTasks > 0 ? ", \(s.failedTasks) failed" : "")),
        ] + (d.topics.map { [("Topics", $0.isEmpty ? "-" : $0.joined(separator: ", "))] } ?? [])
        let w = head.map { $0.0.count }.max() ?? 0
        for (k, v) in head { lines.append(k.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + v) }
        if let trace = s.trace {
            lines.append("")
            lines.append("CONNECTOR TRACE")
            lines += traceLines(trace)
        }
        lines.append("")
        lines.append("CONFIG")
        let config = maskedConfig(d.config)
        let kw = config.map { $0.0.count }.max() ?? 0
        for (k, v) in config {
            lines.append("  " + TextTable.clean(k).padding(toLength: kw, withPad: " ", startingAt: 0) + "  " + TextTable.clean(v))
        }
        lines.append("")
        lines.append("TASKS")
        if s.tasks.isEmpty {
            lines.append("  (none)" + (s.state == "STOPPED" ? " - the connector is stopped" : ""))
        } else {
            lines += TextTable(["ID", "STATE", "WORKER"], align: [.right, .left, .left],
                               rows: s.tasks.map { [String($0.id), $0.state, $0.workerId.isEmpty ? "-" : $0.workerId] })
                .render().split(separator: "\n").map { "  " + $0 }
        }
        for t in s.tasks {
            guard let trace = t.trace else { continue }
            lines.append("")
            lines.append("TASK \(t.id) TRACE")
            lines += traceLines(trace)
        }
        return lines.joined(separator: "\n")
    }

    /// A Java stack trace indented by two; tabs kept (terminals expand them), other control
    /// characters made visible so an exception message cannot drive the terminal.
    static func traceLines(_ trace: String) -> [String] {
        trace.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            "  " + line.split(separator: "\t", omittingEmptySubsequences: false).map { TextTable.clean(String($0)) }.joined(separator: "\t")
        }
    }

    // MARK: actions

    /// `settled` and `after` nil when the command did not wait (--wait 0).
    public static func actionJSON(cluster: String, connector: String, action: ConnectAction, result: ConnectClusterClient.ActionResult,
                                  before: ConnectorStatus?, after: ConnectorStatus?, settled: Bool?) -> String {
        JSONValue.object([
            ("connect", .string(cluster)),
            ("connector", .string(connector)),
            ("action", .string(action.verb)),
            ("http_status", .int(result.httpStatus)),
            ("attempts", .int(result.attempts)),
            ("settled", settled.map { .bool($0) } ?? .null),
            ("before", before.map { .string(ConnectTransition.summary($0)) } ?? .null),
            ("after", after.map { .string(ConnectTransition.summary($0)) } ?? .null),
            ("transition", after.map { .string(ConnectTransition.describe(before: before, after: $0)) } ?? .null),
        ]).serialized()
    }
}
