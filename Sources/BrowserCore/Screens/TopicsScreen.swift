import ClusterModel
import TerminalCore

/// All topics: partitions, RF, under-replicated, under-min-ISR, offline, messages, size.
public struct TopicsScreen: Screen {
    public static let make: ScreenRegistry.Factory = { $0 == .topics ? TopicsScreen() : nil }

    public let route: Route = .topics
    public private(set) var data = Loadable<[TopicSummary]>()
    public private(set) var list: ListModel<TopicSummary>

    public init() {
        list = ListModel(columns: Self.columns, sort: TableSort(column: 1), identity: { $0.name },
                         searchText: { $0.name })
        list.emptyMessage = "No topics"
    }

    public var actions: [Action] { [.topic(.tailSelected)] }

    static let columns: [ListColumn<TopicSummary>] = [
        ListColumn(TableColumn("", priority: 95, width: 1), order: { severity($0) < severity($1) }) { t, ctx in
            if t.offline > 0 || (t.underMinIsr ?? 0) > 0 { return Mark.error(ctx.glyphs) }
            if t.underReplicated > 0 { return Mark.warn(ctx.glyphs) }
            return Mark.none
        },
        ListColumn(TableColumn("NAME", minWidth: 12, maxWidth: 64, flex: 1, priority: 100), order: { $0.name < $1.name }) { t, _ in
            t.isInternal ? TableCell(t.name, role: .dim) : TableCell(t.name)
        },
        ListColumn(TableColumn("PART", alignment: .right, priority: 90, width: 4),
                   order: { $0.partitions < $1.partitions }) { t, _ in TableCell(String(t.partitions)) },
        ListColumn(TableColumn("RF", alignment: .right, priority: 60, width: 2),
                   order: { $0.replicationFactor < $1.replicationFactor }) { t, _ in
            TableCell(String(t.replicationFactor))
        },
        ListColumn(TableColumn("URP", alignment: .right, priority: 80, width: 3),
                   order: { $0.underReplicated < $1.underReplicated }) { t, _ in
            Mark.count(t.underReplicated, role: .statusWarn)
        },
        ListColumn(TableColumn("<MIN", alignment: .right, priority: 70, width: 4),
                   order: { ($0.underMinIsr ?? -1) < ($1.underMinIsr ?? -1) }) { t, _ in
            t.underMinIsr.map { Mark.count($0, role: .statusError) } ?? TableCell("-", role: .dim)
        },
        ListColumn(TableColumn("OFFL", alignment: .right, priority: 85, width: 4),
                   order: { $0.offline < $1.offline }) { t, _ in Mark.count(t.offline, role: .statusError) },
        ListColumn(TableColumn("MESSAGES", alignment: .right, priority: 50, width: 8),
                   order: { ($0.messages ?? -1) < ($1.messages ?? -1) }) { t, _ in
            t.messages.map { TableCell(Format.compact($0)) } ?? TableCell("-", role: .dim)
        },
        ListColumn(TableColumn("SIZE", alignment: .right, priority: 40, width: 9),
                   order: { ($0.sizeBytes ?? -1) < ($1.sizeBytes ?? -1) }) { t, _ in
            t.sizeBytes.map { TableCell(Format.bytes($0)) } ?? TableCell("-", role: .dim)
        },
    ]

    /// Offline and under-min-ISR first, then under-replicated, when sorted by health.
    static func severity(_ t: TopicSummary) -> Int {
        if t.offline > 0 || (t.underMinIsr ?? 0) > 0 { return 0 }
        if t.underReplicated > 0 { return 1 }
        return 2
    }

    public mutating func load(context: ScreenContext) -> [Effect] {
        data.begin()
        return [.load(.topics)]
    }

    public func leaveEffects() -> [Effect] { [.cancel(.topics)] }

    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        let rows = tableRows(context.area)
        switch action {
        case .navigate(let n): list.navigate(n, visibleRows: rows)
        case .sortNext: list.cycleSort(visibleRows: rows)
        case .sortReverse: list.reverseSort(visibleRows: rows)
        case .open:
            if let t = list.selected { return [.open(.topic(t.name))] }
        case .perform(.topic(.tailSelected)):
            if let t = list.selected { return [.open(.tail(topic: t.name))] }
        case .perform: break
        }
        return []
    }

    public mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] {
        guard case .topics(let r) = result else { return [] }
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

    public var titleDetail: String {
        guard let rows = data.value else { return "" }
        let urp = rows.reduce(0) { $0 + ($1.underReplicated > 0 ? 1 : 0) }
        let off = rows.reduce(0) { $0 + ($1.offline > 0 ? 1 : 0) }
        var s = list.countLabel
        if off > 0 { s += " \(off) with offline" }
        if urp > 0 { s += " \(urp) under-replicated" }
        return s
    }

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        if let (text, role) = placeholder(status, what: "topics", glyphs: context.glyphs) {
            renderMessage(text, role: role, into: &buffer, area: area)
            return
        }
        list.render(into: &buffer, area: area, context: context)
    }
}
