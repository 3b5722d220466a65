import ClusterModel
import TerminalCore

/// Consumer groups: type, state, members, total lag and its trend since start.
public struct GroupsScreen: Screen {
    public static let make: ScreenRegistry.Factory = { $0 == .groups ? GroupsScreen() : nil }

    public let route: Route = .groups
    public private(set) var data = Loadable<[GroupSummary]>()
    public private(set) var list: ListModel<GroupSummary>

    public init() {
        list = ListModel(columns: Self.columns, sort: TableSort(column: 1), identity: { $0.group },
                         searchText: { "\($0.group) \($0.state) \($0.type)" })
        list.emptyMessage = "No consumer groups"
    }

    static let trendWidth = 12

    static let columns: [ListColumn<GroupSummary>] = [
        ListColumn(TableColumn("", priority: 95, width: 1)) { g, ctx in
            if ctx.lagHistory.trend(g.group) == .growing { return Mark.warn(ctx.glyphs) }
            if g.state == "Dead" { return Mark.error(ctx.glyphs) }
            return Mark.none
        },
        ListColumn(TableColumn("GROUP", minWidth: 12, maxWidth: 64, flex: 1, priority: 100), order: { $0.group < $1.group }) { g, _ in
            TableCell(g.group)
        },
        ListColumn(TableColumn("TYPE", priority: 40, width: 8), order: { $0.type < $1.type }) { g, _ in
            TableCell(g.type)
        },
        ListColumn(TableColumn("STATE", priority: 80, width: 11), order: { $0.state < $1.state }) { g, _ in
            TableCell(g.state, role: stateRole(g.state))
        },
        ListColumn(TableColumn("MEMBERS", alignment: .right, priority: 60, width: 7),
                   order: { ($0.members ?? -1) < ($1.members ?? -1) }) { g, _ in
            g.members.map { TableCell(String($0)) } ?? TableCell("-", role: .dim)
        },
        ListColumn(TableColumn("LAG", alignment: .right, priority: 90, width: 8),
                   order: { ($0.lag ?? -1) < ($1.lag ?? -1) }) { g, ctx in
            guard let lag = g.lag else { return TableCell("-", role: .dim) }
            return ctx.lagHistory.trend(g.group) == .growing
                ? TableCell(Format.compact(lag), role: .statusWarn) : TableCell(Format.compact(lag))
        },
        ListColumn(TableColumn("TREND", minWidth: 6, maxWidth: trendWidth + 2, flex: 1, truncation: .head, priority: 70)) { g, ctx in
            trendCell(ctx.lagHistory, group: g.group, width: trendWidth, glyphs: ctx.glyphs)
        },
    ]

    static func stateRole(_ state: String) -> Role {
        switch state {
        case "Stable": return .statusOk
        case "Dead": return .statusError
        case "PreparingRebalance", "CompletingRebalance", "Assigning", "Reconciling": return .statusWarn
        default: return .normal
        }
    }

    public mutating func load(context: ScreenContext) -> [Effect] {
        data.begin()
        return [.load(.groups)]
    }

    public func leaveEffects() -> [Effect] { [.cancel(.groups)] }

    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        let rows = tableRows(context.area)
        switch action {
        case .navigate(let n): list.navigate(n, visibleRows: rows)
        case .sortNext: list.cycleSort(visibleRows: rows)
        case .sortReverse: list.reverseSort(visibleRows: rows)
        case .open:
            if let g = list.selected { return [.open(.group(g.group))] }
        case .perform: break
        }
        return []
    }

    public mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] {
        guard case .groups(let r) = result else { return [] }
        switch r {
        case .success(let p):
            data.succeed(p.value, at: time, warnings: p.errors)
            list.setRows(p.value, visibleRows: tableRows(context.area))
        case .failure(let e):
            data.fail(e, at: time)
        }
        return []
    }

    public var filter: RowFilter? { list.filter }
    public mutating func setFilter(_ filter: RowFilter?, context: ScreenContext) -> String? {
        list.setFilter(filter, visibleRows: tableRows(context.area))
    }
    public var status: ViewStatus { data.status }
    public var titleDetail: String { data.value == nil ? "" : list.countLabel }

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        if let (text, role) = placeholder(status, what: "consumer groups", glyphs: context.glyphs) {
            renderMessage(text, role: role, into: &buffer, area: area)
            return
        }
        list.render(into: &buffer, area: area, context: context)
    }
}

/// Sparkline of a group's lag samples; growing lag gets the warn symbol and role.
func trendCell(_ history: LagHistory, group: String, width: Int, glyphs: Glyphs) -> TableCell {
    let samples = history.samples(group)
    if samples.isEmpty { return TableCell("", role: .dim) }
    let line = Format.sparkline(samples, width: width, glyphs: glyphs)
    switch history.trend(group) {
    case .growing: return TableCell(line + " " + String(glyphs.warn), role: .statusWarn)
    default: return TableCell(line, role: .sparkline)
    }
}
