import ClusterModel
import TerminalCore

/// Brokers with leader and partition counts; brokers whose leader count strays from an
/// even share by more than a quarter are marked (leader imbalance).
public struct BrokersScreen: Screen {
    public static let make: ScreenRegistry.Factory = { $0 == .brokers ? BrokersScreen() : nil }

    /// A broker with its leader skew against an even share.
    public struct Row: Sendable, Hashable {
        public var broker: BrokerInfo
        /// leaders / (all leaders / brokers) - 1; nil when there are no leaders at all.
        public var skew: Double?
    }

    public let route: Route = .brokers
    /// No broker detail screen: Enter would do nothing.
    public var unusedGlobalActions: Set<Action> { [.navigation(.open)] }
    public private(set) var data = Loadable<ClusterOverview>()
    public private(set) var list: ListModel<Row>

    /// Skew beyond which a broker is marked.
    static let skewLimit = 0.25

    public init() {
        list = ListModel(columns: Self.columns, sort: TableSort(column: 1), identity: { String($0.broker.id) },
                         searchText: { "\($0.broker.id) \($0.broker.host):\($0.broker.port) \($0.broker.rack ?? "")" })
        list.emptyMessage = "No brokers"
    }

    static let columns: [ListColumn<Row>] = [
        ListColumn(TableColumn("", priority: 95, width: 1)) { r, ctx in
            if r.broker.error != nil { return Mark.error(ctx.glyphs) }
            if let s = r.skew, abs(s) > skewLimit { return Mark.warn(ctx.glyphs) }
            return Mark.none
        },
        ListColumn(TableColumn("ID", alignment: .right, priority: 100, width: 4),
                   order: { $0.broker.id < $1.broker.id }) { r, _ in TableCell(String(r.broker.id)) },
        ListColumn(TableColumn("ADDRESS", minWidth: 18, flex: 1, priority: 90),
                   order: { $0.broker.host < $1.broker.host }) { r, _ in
            TableCell("\(r.broker.host):\(r.broker.port)")
        },
        ListColumn(TableColumn("DIALED", minWidth: 8, maxWidth: 24, priority: 65)) { r, _ in
            r.broker.dialed.map { TableCell($0, role: .statusInfo) } ?? TableCell("-", role: .dim)
        },
        ListColumn(TableColumn("RACK", maxWidth: 12, priority: 40), order: { ($0.broker.rack ?? "") < ($1.broker.rack ?? "") }) { r, _ in
            TableCell(r.broker.rack ?? "-", role: r.broker.rack == nil ? .dim : .normal)
        },
        ListColumn(TableColumn("CTRL", priority: 70, width: 4)) { r, _ in
            r.broker.isController ? TableCell("yes", role: .headerValue) : TableCell("")
        },
        ListColumn(TableColumn("LEADERS", alignment: .right, priority: 85, width: 7),
                   order: { $0.broker.leaderCount < $1.broker.leaderCount }) { r, _ in
            TableCell(Format.count(r.broker.leaderCount))
        },
        ListColumn(TableColumn("PARTS", alignment: .right, priority: 80, width: 5),
                   order: { $0.broker.partitionCount < $1.broker.partitionCount }) { r, _ in
            TableCell(Format.count(r.broker.partitionCount))
        },
        ListColumn(TableColumn("SKEW", alignment: .right, priority: 75, width: 5),
                   order: { abs($0.skew ?? 0) < abs($1.skew ?? 0) }) { r, _ in
            guard let s = r.skew else { return TableCell("-", role: .dim) }
            let pct = Int((s * 100).rounded())
            let text = pct > 0 ? "+\(pct)%" : "\(pct)%"
            return abs(s) > skewLimit ? TableCell(text, role: .statusWarn) : TableCell(text)
        },
        ListColumn(TableColumn("ERROR", minWidth: 5, maxWidth: 60, priority: 50)) { r, _ in
            r.broker.error.map { TableCell($0, role: .statusError) } ?? TableCell("")
        },
    ]

    static func rows(_ brokers: [BrokerInfo]) -> [Row] {
        let total = brokers.reduce(0) { $0 + $1.leaderCount }
        let fair = brokers.isEmpty ? 0 : Double(total) / Double(brokers.count)
        return brokers.map { b in Row(broker: b, skew: fair > 0 ? Double(b.leaderCount) / fair - 1 : nil) }
    }

    public mutating func load(context: ScreenContext) -> [Effect] {
        // The header already holds an overview: show it while the fresh one loads (on a
        // slow cluster that took seconds of "Loading" with the data on screen above).
        if data.value == nil, let o = context.overview.value, let at = context.overview.loadedAt {
            _ = receive(.overview(.success(o)), at: at, context: context)
        }
        data.begin()
        return [.load(.overview)]
    }

    /// The header shares the overview load, so leaving does not cancel it.
    public func leaveEffects() -> [Effect] { [] }

    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        let rows = tableRows(context.area)
        switch action {
        case .navigate(let n): list.navigate(n, visibleRows: rows)
        case .sortNext: list.cycleSort(visibleRows: rows)
        case .sortReverse: list.reverseSort(visibleRows: rows)
        case .open, .perform: break
        }
        return []
    }

    public mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] {
        guard case .overview(let r) = result else { return [] }
        switch r {
        case .success(let o):
            data.succeed(o, at: time, warnings: o.errors)
            list.setRows(Self.rows(o.brokers), visibleRows: tableRows(context.area))
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
        guard let o = data.value else { return "" }
        let pct = Int((o.leaderImbalance * 100).rounded())
        return "\(list.countLabel) preferred-leader imbalance \(pct)%"
    }

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        if let (text, role) = placeholder(status, what: "brokers", glyphs: context.glyphs) {
            renderMessage(text, role: role, into: &buffer, area: area)
            return
        }
        list.render(into: &buffer, area: area, context: context)
    }
}
