import ClusterModel
import TerminalCore

/// Consumer groups: type, state, members, total lag and its trend since start.
public typealias GroupsScreen = ListScreen<GroupsSpec>

public struct GroupsSpec: ListScreenSpec {
    public static let make: ScreenRegistry.Factory = { $0 == .groups ? GroupsScreen(GroupsSpec()) : nil }

    public let route: Route = .groups
    public let what = "consumer groups"
    public let emptyMessage = "No consumer groups"
    public var columns: [ListColumn<GroupSummary>] { Self.columns }
    public func identity(_ g: GroupSummary) -> String { g.group }
    public func searchText(_ g: GroupSummary) -> String { "\(g.group) \(g.state) \(g.type)" }
    public func loads(context: ScreenContext) -> [Effect] { [.load(.groups)] }
    public var leaveEffects: [Effect] { [.cancel(.groups)] }
    public func value(in result: LoadResult) -> Result<Partial<[GroupSummary]>, LoadError>? {
        if case .groups(let r) = result { return r }
        return nil
    }
    public func warnings(_ p: Partial<[GroupSummary]>) -> [SourceError] { p.errors }
    public func rows(_ p: Partial<[GroupSummary]>, at time: Double) -> [GroupSummary] { p.value }
    public func open(_ g: GroupSummary) -> Route? { .group(g.group) }

    static let trendWidth = 12

    static let columns: [ListColumn<GroupSummary>] = [
        ListColumn(TableColumn("", priority: 95, width: 1)) { g, ctx in
            if ctx.lagHistory.trend(g.group) == .growing || g.lagPartial { return Mark.warn(ctx.glyphs) }
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
            if g.lagPartial { return TableCell(Format.lag(lag, g.lagCompleteness), role: .statusWarn) }
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
