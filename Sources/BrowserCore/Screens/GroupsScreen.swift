import ClusterModel
import LagHealth
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
    public func isPreliminary(_ p: Partial<[GroupSummary]>) -> Bool { p.isPreliminary }
    public func warnings(_ p: Partial<[GroupSummary]>) -> [SourceError] { p.errors }
    public func rows(_ p: Partial<[GroupSummary]>, at time: Double) -> [GroupSummary] { p.value }
    public func open(_ g: GroupSummary) -> Route? { .group(g.group) }
    /// The worst status first (then the largest lag), so the groups in trouble are on top.
    public var defaultSort: TableSort? { TableSort(column: Self.statusColumn, direction: .descending) }

    /// "[12] 3 not OK": groups whose status is WARNING or worse.
    public func titleDetail(_ p: Partial<[GroupSummary]>, countLabel: String, rows: [GroupSummary]) -> String {
        let trouble = p.value.filter { ($0.health?.status ?? .ok) > .ok }.count
        let stale = p.value.filter { $0.staleReason != nil }.count
        var s = trouble > 0 ? countLabel + " \(trouble) not OK" : countLabel
        if stale > 0 { s += " \(stale) stale" }
        // The legend of TIME-LAG's `+`.
        let partialTime = p.value.filter { $0.lagSecondsPartial && $0.lagSeconds != nil }.count
        if partialTime > 0 { s += " \(partialTime) time-lag+ partial" }
        return s
    }

    static let trendWidth = 12

    static let columns: [ListColumn<GroupSummary>] = [
        ListColumn(TableColumn("", priority: 95, width: 1)) { g, ctx in
            if let s = g.health?.status, s >= .stopped { return Mark.error(ctx.glyphs) }
            if let s = g.health?.status, s > .ok { return Mark.warn(ctx.glyphs) }
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
            g.staleReason != nil ? TableCell(g.state, role: .dim) : TableCell(g.state, role: stateRole(g.state))
        },
        ListColumn(TableColumn("MEMBERS", alignment: .right, priority: 60, width: 7),
                   order: { ($0.members ?? -1) < ($1.members ?? -1) }) { g, ctx in
            if g.detailsPending { return Mark.pending(ctx.glyphs) }
            return g.members.map { TableCell(String($0)) } ?? TableCell("-", role: .dim)
        },
        ListColumn(TableColumn("LAG", alignment: .right, priority: 90, width: 8),
                   order: { ($0.lag ?? -1) < ($1.lag ?? -1) }) { g, ctx in
            if g.detailsPending { return Mark.pending(ctx.glyphs) }
            guard let lag = g.lag else { return TableCell("-", role: .dim) }
            // The last lag read: this refresh could not read the group's offsets.
            if g.staleReason != nil { return TableCell("\(ctx.glyphs.warn)\(Format.compact(lag))", role: .statusWarn) }
            if g.lagPartial { return TableCell(Format.lag(lag, g.lagCompleteness), role: .statusWarn) }
            return ctx.lagHistory.trend(g.group) == .growing
                ? TableCell(Format.compact(lag), role: .statusWarn) : TableCell(Format.compact(lag))
        },
        ListColumn(TableColumn("TIME-LAG", alignment: .right, priority: 58, width: 8),
                   order: { ($0.lagSeconds ?? -1) < ($1.lagSeconds ?? -1) }) { g, ctx in
            if g.detailsPending { return Mark.pending(ctx.glyphs) }
            guard let t = g.lagSeconds else { return TableCell("-", role: .dim) }
            // At least this: some lagging partition's time lag was not read (the title says so).
            if g.lagSecondsPartial { return TableCell(Format.timeLag(t, partial: true), role: .statusWarn) }
            return TableCell(Format.timeLag(t))
        },
        ListColumn(TableColumn("RATE", alignment: .right, priority: 55, width: 8),
                   order: { ($0.health?.consumeRate ?? -1) < ($1.health?.consumeRate ?? -1) }) { g, ctx in
            if g.detailsPending { return Mark.pending(ctx.glyphs) }
            return g.health?.consumeRate.map { TableCell(Format.rate($0)) } ?? TableCell("-", role: .dim)
        },
        ListColumn(TableColumn("ETA", alignment: .right, priority: 65, width: 7),
                   order: { etaOrder($0) < etaOrder($1) }) { g, ctx in
            if g.detailsPending { return Mark.pending(ctx.glyphs) }
            let text = Format.eta(g.health)
            if g.health?.fallingBehind == true { return TableCell(text, role: .statusWarn) }
            return TableCell(text, role: text == "-" ? .dim : .normal)
        },
        ListColumn(TableColumn("STATUS", priority: 92, width: 8), order: { statusOrder($0) < statusOrder($1) }) { g, ctx in
            if g.detailsPending { return Mark.pending(ctx.glyphs) }
            guard let status = g.health?.status else { return TableCell("-", role: .dim) }
            return TableCell(status.rawValue, role: statusRole(status))
        },
        ListColumn(TableColumn("TREND", minWidth: 6, maxWidth: trendWidth + 2, flex: 1, truncation: .head, priority: 70)) { g, ctx in
            trendCell(ctx.lagHistory, group: g.group, width: trendWidth, glyphs: ctx.glyphs)
        },
    ]

    static var statusColumn: Int { columns.firstIndex { $0.column.title == "STATUS" }! }

    /// Unjudged groups below OK; ties broken by lag, so "worst first" also puts big lags on top.
    static func statusOrder(_ g: GroupSummary) -> (Int, Int64) {
        let rank = g.health?.status.map { LagStatus.allCases.firstIndex(of: $0)! + 1 } ?? 0
        return (rank, g.lag ?? -1)
    }

    /// Falling behind sorts as the longest ETA; unknown as the shortest.
    static func etaOrder(_ g: GroupSummary) -> Double {
        if g.health?.fallingBehind == true { return .infinity }
        return g.health?.etaSeconds ?? -1
    }

    static func statusRole(_ s: LagStatus) -> Role {
        switch s {
        case .ok: return .statusOk
        case .warning, .stalled: return .statusWarn
        case .stopped, .error: return .statusError
        }
    }

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
