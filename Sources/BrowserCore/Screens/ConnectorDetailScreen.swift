import ClusterModel
import TerminalCore
import WriteFlow

/// One connector: summary, tasks (state, worker, first trace line), config sorted by key
/// with secrets masked, and a scrollable stack-trace viewer. Tab switches section.
public struct ConnectorDetailScreen: Screen {
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
    public var route: Route { .connector(cluster: cluster, name: name) }
    public private(set) var data = Loadable<ConnectorDetail>()
    public private(set) var tasks: ListModel<ConnectTaskStatus>
    public private(set) var config: ListModel<ConfigRow>
    var sections = Sections(names: ["Tasks", "Config", "Trace"])
    /// The task whose trace the Trace section shows (nil: the connector's own trace).
    public private(set) var traceTask: Int?
    public private(set) var traceOffset = 0

    public init(cluster: String, name: String) {
        self.cluster = cluster
        self.name = name
        tasks = ListModel(columns: Self.taskColumns, sort: TableSort(column: 1), identity: { String($0.id) },
                          searchText: { "\($0.id) \($0.state) \($0.workerId) \($0.trace ?? "")" })
        tasks.emptyMessage = "No tasks"
        config = ListModel(columns: Self.configColumns, sort: TableSort(column: 0), identity: { $0.key },
                           searchText: { "\($0.key) \($0.value)" })
        config.emptyMessage = "No config"
    }

    public var activeSection: Int { sections.active }

    public var actions: [Action] {
        Sections.actions + ConnectorAction.connectorWide.map(Action.connector) + [.connector(.restartTask)]
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

    public mutating func load(context: ScreenContext) -> [Effect] {
        data.begin()
        return [.load(.connector(cluster: cluster, name: name))]
    }

    public mutating func leave() -> [Effect] { [.cancel(.connector)] }

    func bodyArea(_ area: Rect) -> Rect {
        let top = area.height >= 6 ? 2 : (area.height >= 3 ? 1 : 0)
        return area.splitTop(top).1
    }

    /// The trace shown in the Trace section, with a heading.
    func traceContent() -> (heading: String, text: String?) {
        guard let d = data.value else { return ("", nil) }
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

    func traceView() -> TextView {
        let text = traceContent().text?.replacingTabs() ?? "No stack trace: nothing has failed."
        return TextView(text: text, wrap: true, role: traceContent().text == nil ? .dim : .normal)
    }

    func traceArea(_ area: Rect) -> Rect { bodyArea(area).splitTop(1).1 }

    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        let rows = tableRows(bodyArea(context.area))
        let moved: Bool
        switch sections.active {
        case 0: moved = tasks.apply(action, visibleRows: rows)
        case 1: moved = config.apply(action, visibleRows: rows)
        default:
            // The trace scrolls; it has no sort.
            if case .navigate(let n) = action { scrollTrace(n, area: traceArea(context.area)) }
            moved = action == .sortNext || action == .sortReverse || { if case .navigate = action { true } else { false } }()
        }
        if moved { return [] }
        switch action {
        case .open:
            if sections.active == 0, let t = tasks.selected {
                traceTask = t.id
                traceOffset = 0
                sections.active = 2
            }
        case .perform(.section(let a)): sections.apply(a)
        case .perform(.connector(.restartTask)):
            guard let t = tasks.selected else { return [.note("No task to restart", .warn)] }
            return [.write(writeRequest(.restartTask(t.id), context: context))]
        case .perform(let a):
            guard case .connector(let c) = a, let act = c.connectAction else { return [] }
            return [.write(writeRequest(act, context: context))]
        case .navigate, .sortNext, .sortReverse:
            break
        }
        return []
    }

    /// The action on this connector, checked against the worker version this screen loaded.
    func writeRequest(_ action: ConnectAction, context: ScreenContext) -> WriteRequest {
        var versions = context.connectVersions
        if let v = data.value?.workerVersion { versions[cluster] = v }
        return ConnectWriteRequest.make(action, [(ConnectTarget(cluster: cluster, connector: name), data.value?.status)],
                                        versions: versions, poll: .load(.connector(cluster: cluster, name: name)))
    }

    mutating func scrollTrace(_ n: Navigation, area: Rect) {
        let maxOffset = traceView().maxOffset(in: area)
        let page = max(1, area.height - 1)
        switch n {
        case .up: traceOffset -= 1
        case .down: traceOffset += 1
        case .pageUp: traceOffset -= page
        case .pageDown: traceOffset += page
        case .top: traceOffset = 0
        case .bottom: traceOffset = maxOffset
        }
        traceOffset = min(max(0, traceOffset), maxOffset)
    }

    public mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] {
        switch result {
        case .connector(let c, let n, let r) where c == cluster && n == name:
            let rows = tableRows(bodyArea(context.area))
            switch r {
            case .success(let d):
                data.succeed(d, at: time)
                tasks.setRows(d.status.tasks, visibleRows: rows)
                config.setRows(d.config.keys.sorted().map { ConfigRow(key: $0, value: ConnectConfigMasking.display(key: $0, value: d.config[$0]!)) },
                               visibleRows: rows)
                traceOffset = min(traceOffset, traceView().maxOffset(in: traceArea(context.area)))
            case .failure(let e):
                data.fail(e, at: time)
            }
            return []
        default:
            return []
        }
    }

    public var filter: RowFilter? {
        switch sections.active {
        case 0: return tasks.filter
        case 1: return config.filter
        default: return nil
        }
    }

    public mutating func setFilter(_ filter: RowFilter?, context: ScreenContext) -> String? {
        let rows = tableRows(bodyArea(context.area))
        switch sections.active {
        case 0: return tasks.setFilter(filter, visibleRows: rows)
        case 1: return config.setFilter(filter, visibleRows: rows)
        default: return filter == nil ? nil : "the trace has no rows to filter; switch to Tasks or Config"
        }
    }

    public var status: ViewStatus { data.status }

    public var titleDetail: String { data.value.map { "[\($0.status.state)]" } ?? "" }

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        if let (text, role) = placeholder(status, what: "connector \(name) on \(cluster)", glyphs: context.glyphs) {
            renderMessage(text, role: role, into: &buffer, area: area)
            return
        }
        guard let d = data.value else { return }
        let s = d.status
        let g = context.glyphs
        var y = area.y
        if area.height >= 3 {
            var line = SummaryLine()
            line.add("type", s.type)
            line.add("state", s.state, role: ConnectKeys.stateRole(s.state))
            line.add("tasks", "\(s.runningTasks)/\(s.tasks.count) running")
            if s.failedTasks > 0 { line.add("", "\(g.error) \(s.failedTasks) failed", role: .statusError) }
            if !s.workerId.isEmpty { line.add("worker", s.workerId) }
            if let topics = d.topics, !topics.isEmpty { line.add("topics", topics.joined(separator: ",")) }
            line.render(into: &buffer, x: area.x, y: y, width: area.width)
            y += 1
        }
        if area.height >= 6 {
            let traceLabel = (s.trace != nil || s.tasks.contains { $0.trace != nil }) ? "Trace \(g.error)" : "Trace"
            sections.render(into: &buffer, x: area.x, y: y, width: area.width,
                            labels: ["Tasks \(s.tasks.count)", "Config \(d.config.count)", traceLabel], glyphs: g)
        }
        let body = bodyArea(area)
        switch sections.active {
        case 0:
            if s.tasks.isEmpty && s.state == "STOPPED" {
                renderMessage("No tasks: the connector is STOPPED (u resumes it)", role: .dim, into: &buffer, area: body)
            } else {
                tasks.render(into: &buffer, area: body, context: context)
            }
        case 1:
            config.render(into: &buffer, area: body, context: context)
        default:
            guard !body.isEmpty else { return }
            let (heading, _) = traceContent()
            buffer.put(TextLayout.truncate(heading, width: body.width), x: body.x, y: body.y, style: Style(.headerLabel), clip: body)
            traceView().render(into: &buffer, area: traceArea(area), offset: traceOffset, glyphs: g)
        }
    }
}

extension String {
    /// Java traces indent with tabs; cells are one column each, so tabs become spaces.
    func replacingTabs() -> String {
        var out = ""
        for ch in self { if ch == "\t" { out += "    " } else { out.append(ch) } }
        return out
    }
}
