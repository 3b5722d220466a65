import ClusterModel
import TerminalCore
import WriteFlow

/// One connector: summary, tasks (state, worker, first trace line), config sorted by key
/// with secrets masked, and a scrollable stack-trace viewer. Tab switches section.
public typealias ConnectorDetailScreen = DetailScreen<ConnectorDetailSpec>

extension DetailScreen where Spec == ConnectorDetailSpec {
    public init(cluster: String, name: String) { self.init(ConnectorDetailSpec(cluster: cluster, name: name)) }
    public var tasks: ListModel<ConnectTaskStatus> { list(0) }
    public var config: ListModel<ConnectorDetailSpec.ConfigRow> { list(1) }
    /// The task whose trace the Trace section shows (nil: the connector's own trace).
    public var traceTask: Int? { spec.traceTask }
    public var traceOffset: Int { textOffset(2) }
}

public struct ConnectorDetailSpec: DetailScreenSpec {
    public static let make: ScreenRegistry.Factory = { route in
        if case .connector(let cluster, let name) = route { return ConnectorDetailScreen(cluster: cluster, name: name) }
        return nil
    }

    public struct ConfigRow: Sendable, Hashable {
        public var key: String
        /// Masked when secret (see ConnectConfigMasking).
        public var value: String
    }

    public let cluster: String
    public let name: String
    /// The task whose trace the Trace section shows (nil: the connector's own trace).
    public internal(set) var traceTask: Int?

    public init(cluster: String, name: String) {
        self.cluster = cluster
        self.name = name
    }

    public var route: Route { .connector(cluster: cluster, name: name) }
    public var what: String { "connector \(name) on \(cluster)" }
    public var load: Effect { .load(.connector(cluster: cluster, name: name)) }
    public var leaveEffects: [Effect] { [.cancel(.connector)] }

    public func value(in result: LoadResult) -> Result<ConnectorDetail, LoadError>? {
        if case .connector(let c, let n, let r) = result, c == cluster && n == name { return r }
        return nil
    }
    public func titleDetail(_ d: ConnectorDetail) -> String { "[\(d.status.state)]" }

    public var sections: [DetailSection<Self>] {
        [
            .table("Tasks", label: { d, _ in "Tasks \(d.status.tasks.count)" },
                   columns: Self.taskColumns, emptyMessage: "No tasks",
                   identity: { String($0.id) }, searchText: { "\($0.id) \($0.state) \($0.workerId) \($0.trace ?? "")" },
                   rows: { d, _ in d.status.tasks },
                   open: { t in .section(2, note: { $0.traceTask = t.id }) },
                   message: { d, _ in
                       d.status.tasks.isEmpty && d.status.state == "STOPPED"
                           ? ("No tasks: the connector is STOPPED (u resumes it)", .dim) : nil
                   }),
            .table("Config", label: { d, _ in "Config \(d.config.count)" },
                   columns: Self.configColumns, sort: TableSort(column: 0), emptyMessage: "No config",
                   identity: { $0.key }, searchText: { "\($0.key) \($0.value)" },
                   rows: { d, _ in
                       d.config.keys.sorted().map { ConfigRow(key: $0, value: ConnectConfigMasking.display(key: $0, value: d.config[$0]!)) }
                   }),
            .text("Trace", label: { d, g in
                      (d.status.trace != nil || d.status.tasks.contains { $0.trace != nil }) ? "Trace \(g.error)" : "Trace"
                  },
                  heading: { spec, d in spec.trace(d).heading },
                  view: { spec, d in
                      let trace = spec.trace(d).text
                      return TextView(text: trace?.replacingTabs() ?? "No stack trace: nothing has failed.", wrap: true,
                                      role: trace == nil ? .dim : .normal)
                  },
                  filterRefusal: "the trace has no rows to filter; switch to Tasks or Config"),
        ]
    }

    public func summary(_ d: ConnectorDetail, data: Loadable<ConnectorDetail>, context: ScreenContext) -> SummaryLine {
        let s = d.status
        var line = SummaryLine()
        line.add("type", s.type)
        line.add("state", s.state, role: ConnectKeys.stateRole(s.state))
        line.add("tasks", "\(s.runningTasks)/\(s.tasks.count) running")
        if s.failedTasks > 0 { line.add("", "\(context.glyphs.error) \(s.failedTasks) failed", role: .statusError) }
        if !s.workerId.isEmpty { line.add("worker", s.workerId) }
        if let topics = d.topics, !topics.isEmpty { line.add("topics", topics.joined(separator: ",")) }
        return line
    }

    /// The trace shown in the Trace section, with a heading.
    func trace(_ d: ConnectorDetail) -> (heading: String, text: String?) {
        if let id = traceTask, let t = d.status.tasks.first(where: { $0.id == id }) {
            return ("Task \(id): \(t.state) on \(t.workerId.isEmpty ? "-" : t.workerId)", t.trace)
        }
        if traceTask == nil, let trace = d.status.trace {
            return ("Connector: \(d.status.state) on \(d.status.workerId)", trace)
        }
        if let failed = d.status.tasks.first(where: { $0.trace != nil }) {
            return ("Task \(failed.id): \(failed.state) on \(failed.workerId)", failed.trace)
        }
        return ("Connector: \(d.status.state)", nil)
    }

    public var actions: [Action] {
        ConnectorAction.connectorWide.map(Action.connector) + [.connector(.restartTask)]
    }

    public mutating func perform(_ action: Action, value: ConnectorDetail?, selection: DetailSelection,
                                 context: ScreenContext) -> [ScreenOutput] {
        if action == .connector(.restartTask) {
            guard let t = selection.row(0, as: ConnectTaskStatus.self) else { return [.note("No task to restart", .warn)] }
            return [.write(writeRequest(.restartTask(t.id), value: value, context: context))]
        }
        guard case .connector(let c) = action, let act = c.connectAction else { return [] }
        return [.write(writeRequest(act, value: value, context: context))]
    }

    /// The action on this connector, checked against the worker version this screen loaded.
    func writeRequest(_ action: ConnectAction, value: ConnectorDetail?, context: ScreenContext) -> WriteRequest {
        var versions = context.connectVersions
        if let v = value?.workerVersion { versions[cluster] = v }
        return ConnectWriteRequest.make(action, [(ConnectTarget(cluster: cluster, connector: name), value?.status)],
                                        versions: versions, poll: .load(.connector(cluster: cluster, name: name)))
    }

    static let taskColumns: [ListColumn<ConnectTaskStatus>] = [
        ListColumn(TableColumn("", priority: 95, width: 1)) { t, ctx in
            t.state == "FAILED" ? Mark.error(ctx.glyphs) : Mark.none
        },
        ListColumn(TableColumn("TASK", alignment: .right, priority: 100, width: 4), order: { $0.id < $1.id }) { t, _ in
            TableCell(String(t.id))
        },
        ListColumn(TableColumn("STATE", priority: 90, width: 10), order: { $0.state < $1.state }) { t, _ in
            TableCell(t.state, role: ConnectKeys.stateRole(t.state))
        },
        ListColumn(TableColumn("WORKER", minWidth: 8, maxWidth: 24, priority: 70), order: { $0.workerId < $1.workerId }) { t, _ in
            t.workerId.isEmpty ? TableCell("-", role: .dim) : TableCell(t.workerId)
        },
        // A failed task's error outranks its worker id; left out while no task has failed.
        ListColumn(TableColumn("TRACE", minWidth: 12, flex: 1, priority: 85, hiddenWhenEmpty: true)) { t, _ in
            guard let trace = t.trace else { return TableCell("") }
            let first = trace.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
            return TableCell(first + "  (Enter: full trace)", role: .statusError)
        },
    ]

    static let configColumns: [ListColumn<ConfigRow>] = [
        ListColumn(TableColumn("KEY", minWidth: 12, maxWidth: 48, flex: 1, priority: 100), order: { $0.key < $1.key }) { r, _ in
            TableCell(r.key)
        },
        ListColumn(TableColumn("VALUE", minWidth: 8, flex: 2, priority: 90)) { r, _ in
            r.value == ConnectConfigMasking.mask ? TableCell(r.value, role: .dim) : TableCell(r.value)
        },
    ]
}

extension String {
    /// Java traces indent with tabs; cells are one column each, so tabs become spaces.
    func replacingTabs() -> String {
        var out = ""
        for ch in self { if ch == "\t" { out += "    " } else { out.append(ch) } }
        return out
    }
}
