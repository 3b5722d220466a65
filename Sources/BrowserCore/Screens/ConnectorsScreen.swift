import ClusterModel
import TerminalCore

/// Every connector of every Connect cluster: state, tasks running/total, failed tasks,
/// worker. FAILED connectors and connectors with failed tasks stand out (symbol + role).
/// Writes (pause/resume/stop/restart) act on the marked rows, else on the selected row.
public struct ConnectorsScreen: Screen {
    public static let make: ScreenRegistry.Factory = { $0 == .connectors ? ConnectorsScreen() : nil }

    public let route: Route = .connectors
    public private(set) var data = Loadable<ConnectorListing>()
    public private(set) var list: ListModel<ConnectorStatus>
    public private(set) var marked: Set<String> = []
    var flow = ConnectActionFlow()

    public init() {
        list = ListModel(columns: Self.columns, sort: TableSort(column: 1), identity: Self.id,
                         searchText: { "\($0.connect) \($0.name) \($0.type) \($0.state) \($0.workerId)" })
        list.emptyMessage = "No connectors"
    }

    @Sendable static func id(_ c: ConnectorStatus) -> String { "\(c.connect)/\(c.name)" }

    public var actions: [Action] { ConnectorAction.connectorWide.map(Action.connector) + [.list(.mark)] }

    static func health(_ c: ConnectorStatus) -> Int {
        if c.state == "FAILED" { return 2 }
        return c.failedTasks > 0 ? 1 : 0
    }

    static let columns: [ListColumn<ConnectorStatus>] = [
        ListColumn(TableColumn("", priority: 95, width: 1), order: { health($0) > health($1) }) { c, ctx in
            switch health(c) {
            case 2: return Mark.error(ctx.glyphs)
            case 1: return Mark.warn(ctx.glyphs)
            default: return Mark.none
            }
        },
        ListColumn(TableColumn("CONNECT", minWidth: 4, maxWidth: 16, priority: 85),
                   order: { ($0.connect, $0.name) < ($1.connect, $1.name) }) { c, _ in TableCell(c.connect) },
        ListColumn(TableColumn("NAME", minWidth: 10, flex: 1, priority: 100), order: { $0.name < $1.name }) { c, _ in
            TableCell(c.name)
        },
        ListColumn(TableColumn("TYPE", priority: 40, width: 6), order: { $0.type < $1.type }) { c, _ in TableCell(c.type) },
        ListColumn(TableColumn("STATE", priority: 90, width: 10), order: { $0.state < $1.state }) { c, _ in
            TableCell(c.state, role: ConnectKeys.stateRole(c.state))
        },
        ListColumn(TableColumn("TASKS", alignment: .right, priority: 80, width: 5),
                   order: { ($0.runningTasks, $0.tasks.count) < ($1.runningTasks, $1.tasks.count) }) { c, _ in
            let text = "\(c.runningTasks)/\(c.tasks.count)"
            return c.runningTasks < c.tasks.count ? TableCell(text, role: .statusWarn) : TableCell(text)
        },
        ListColumn(TableColumn("FAILED", alignment: .right, priority: 75, width: 6),
                   order: { $0.failedTasks < $1.failedTasks }) { c, _ in
            Mark.count(c.failedTasks, role: .statusError)
        },
        ListColumn(TableColumn("WORKER", minWidth: 8, maxWidth: 24, priority: 50), order: { $0.workerId < $1.workerId }) { c, _ in
            c.workerId.isEmpty ? TableCell("-", role: .dim) : TableCell(c.workerId)
        },
    ]

    public mutating func load(context: ScreenContext) -> [Effect] {
        data.begin()
        return [.load(.connectors)]
    }

    public func leaveEffects() -> [Effect] { [.cancel(.connectors)] }

    /// The rows of the body given to the table (one line above for cluster errors when there are any).
    func tableArea(_ area: Rect) -> Rect {
        let errors = data.value?.errors.count ?? 0
        guard errors > 0, area.height >= 6 else { return area }
        return area.splitTop(min(errors, 2)).1
    }

    /// Marked rows still present (in list order), else the selected row.
    var targets: [ConnectorStatus] {
        if !marked.isEmpty {
            let rows = list.visible.map { list.rows[$0] } + list.rows
            var seen = Set<String>(), out: [ConnectorStatus] = []
            for r in rows where marked.contains(Self.id(r)) && seen.insert(Self.id(r)).inserted { out.append(r) }
            if !out.isEmpty { return out }
        }
        return list.selected.map { [$0] } ?? []
    }

    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        let rows = tableRows(tableArea(context.area))
        switch action {
        case .navigate(let n): list.navigate(n, visibleRows: rows)
        case .sortNext: list.cycleSort(visibleRows: rows)
        case .sortReverse: list.reverseSort(visibleRows: rows)
        case .open:
            if let c = list.selected {
                flow.reset()
                return [.open(.connector(cluster: c.connect, name: c.name))]
            }
        case .perform(.list(.mark)):
            if let c = list.selected {
                let id = Self.id(c)
                if marked.contains(id) { marked.remove(id) } else { marked.insert(id) }
                list.navigate(.down, visibleRows: rows)
            }
        case .perform(let a):
            guard case .connector(let c) = a, let act = c.connectAction else { return [] }
            let t = targets
            guard !t.isEmpty else { return [.note("No connector selected", .warn)] }
            return flow.request(act, t.map { (ConnectTarget(cluster: $0.connect, connector: $0.name), $0) })
        }
        return []
    }

    public mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] {
        switch result {
        case .connectors(let r):
            switch r {
            case .success(let listing):
                data.succeed(listing, at: time, warnings: listing.errors)
                list.setRows(listing.connectors, visibleRows: tableRows(tableArea(context.area)))
                let present = Set(listing.connectors.map(Self.id))
                let down = listing.errors.map { $0.source + "/" }
                marked = marked.filter { id in present.contains(id) || down.contains { id.hasPrefix($0) } }
                return flow.observe(listing.connectors)
            case .failure(let e):
                data.fail(e, at: time)
            }
            return []
        case .connector(_, _, .success(let d)):
            // A detail screen above read a fresher status: keep the list in step.
            return flow.observe([d.status])
        case .actionSupport, .connectAction:
            let hadQueue = !flow.queue.isEmpty
            let out = flow.receive(result)
            // The bulk action this screen sent is done: the marks served their purpose.
            if hadQueue && flow.queue.isEmpty { marked.removeAll() }
            return out
        default:
            return []
        }
    }

    public var filter: RowFilter? { list.filter }
    public mutating func setFilter(_ filter: RowFilter?, context: ScreenContext) -> String? {
        list.setFilter(filter, visibleRows: tableRows(tableArea(context.area)))
    }
    public var status: ViewStatus { data.status }
    public var titleDetail: String {
        guard let d = data.value else { return "" }
        var s = list.countLabel
        let failed = d.connectors.filter { Self.health($0) > 0 }.count
        if failed > 0 { s += " \(failed) failing" }
        if !marked.isEmpty { s += " \(marked.count) marked" }
        return s
    }

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        if let (text, role) = placeholder(status, what: "connectors", glyphs: context.glyphs) {
            renderMessage(text, role: role, into: &buffer, area: area)
            return
        }
        let tableArea = self.tableArea(area)
        if let errors = data.value?.errors, tableArea != area {
            for (i, e) in errors.prefix(tableArea.y - area.y).enumerated() {
                let more = i == 1 && errors.count > 2 ? " (+\(errors.count - 2) more)" : ""
                buffer.put(TextLayout.truncate("\(context.glyphs.error) \(e.message)\(more)", width: area.width),
                           x: area.x, y: area.y + i, style: Style(.statusError), clip: area)
            }
        }
        let rows = list.rows, visible = list.visible, columns = list.columns, marked = self.marked
        var table = Table(columns: columns.map(\.column), rowCount: visible.count, sort: list.sort,
                          isMarked: { marked.contains(Self.id(rows[visible[$0]])) }) { r, c in
            columns[c].cell(rows[visible[r]], context)
        }
        table.emptyMessage = list.filter == nil ? list.emptyMessage : "No rows match the filter"
        table.render(into: &buffer, area: tableArea, state: list.scroll, focused: true, glyphs: context.glyphs)
    }
}
