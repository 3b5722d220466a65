import ClusterModel
import TerminalCore

/// KRaft quorum: leader, epoch, high watermark, voters and observers with their lag.
public struct QuorumScreen: Screen {
    public static let make: ScreenRegistry.Factory = { $0 == .quorum ? QuorumScreen() : nil }

    public struct Row: Sendable, Hashable {
        public var replica: QuorumReplica
        public var role: String
        /// Time of the load, so ages are relative to when the data was read.
        public var readAt: Double
    }

    public let route: Route = .quorum
    /// No voter detail screen: Enter would do nothing.
    public var unusedGlobalActions: Set<Action> { [.navigation(.open)] }
    public private(set) var data = Loadable<ClusterOverview>()
    public private(set) var list: ListModel<Row>

    /// A voter this far behind, or not caught up for this long, is marked.
    static let lagLimit: Int64 = 1_000
    static let caughtUpLimit: Double = 30

    public init() {
        list = ListModel(columns: Self.columns, sort: nil, identity: { "\($0.role)-\($0.replica.replicaId)" },
                         searchText: { "\($0.replica.replicaId) \($0.role)" })
        list.emptyMessage = "No quorum replicas"
    }

    static func isBehind(_ r: Row) -> Bool {
        if r.role == "leader" { return false }
        if r.replica.lag > lagLimit { return true }
        if r.role == "voter", let t = r.replica.lastCaughtUpTimestamp, t >= 0 {
            return r.readAt - Double(t) / 1000 > caughtUpLimit && r.replica.lag > 0
        }
        return false
    }

    static let columns: [ListColumn<Row>] = [
        ListColumn(TableColumn("", priority: 95, width: 1)) { r, ctx in
            isBehind(r) ? (r.role == "voter" ? Mark.error(ctx.glyphs) : Mark.warn(ctx.glyphs)) : Mark.none
        },
        ListColumn(TableColumn("ID", alignment: .right, priority: 100, width: 5),
                   order: { $0.replica.replicaId < $1.replica.replicaId }) { r, _ in
            TableCell(String(r.replica.replicaId))
        },
        ListColumn(TableColumn("ROLE", priority: 90, width: 8), order: { $0.role < $1.role }) { r, _ in
            TableCell(r.role, role: r.role == "leader" ? .headerValue : .normal)
        },
        ListColumn(TableColumn("LOG END", alignment: .right, priority: 60, width: 12),
                   order: { $0.replica.logEndOffset < $1.replica.logEndOffset }) { r, _ in
            TableCell(Format.count(r.replica.logEndOffset))
        },
        ListColumn(TableColumn("LAG", alignment: .right, priority: 85, width: 8),
                   order: { $0.replica.lag < $1.replica.lag }) { r, _ in
            isBehind(r) ? TableCell(Format.count(r.replica.lag), role: .statusWarn)
                : TableCell(Format.count(r.replica.lag))
        },
        ListColumn(TableColumn("LAST FETCH", alignment: .right, priority: 50, width: 10)) { r, _ in
            ago(r.replica.lastFetchTimestamp, r.readAt)
        },
        ListColumn(TableColumn("CAUGHT UP", alignment: .right, priority: 40, width: 9)) { r, _ in
            ago(r.replica.lastCaughtUpTimestamp, r.readAt)
        },
    ]

    static func ago(_ ms: Int64?, _ readAt: Double) -> TableCell {
        guard let ms, ms >= 0 else { return TableCell("-", role: .dim) }
        return TableCell(Format.age(readAt - Double(ms) / 1000) + " ago")
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

    public func leaveEffects() -> [Effect] { [] }

    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        let rows = tableRows(bodyArea(context.area))
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
            var rows: [Row] = []
            if let q = o.quorum.value {
                for v in q.voters {
                    rows.append(Row(replica: v, role: v.replicaId == q.leaderId ? "leader" : "voter", readAt: time))
                }
                for ob in q.observers { rows.append(Row(replica: ob, role: "observer", readAt: time)) }
            }
            list.setRows(rows, visibleRows: tableRows(bodyArea(context.area)))
        case .failure(let e):
            data.fail(e, at: time)
        }
        return []
    }

    public var filter: RowFilter? { list.filter }
    public mutating func setFilter(_ filter: RowFilter?, context: ScreenContext) -> String? {
        list.setFilter(filter, visibleRows: tableRows(bodyArea(context.area)))
    }
    public var status: ViewStatus { data.status }
    public var titleDetail: String {
        guard let q = data.value?.quorum.value else { return "" }
        return "[\(q.voters.count) voters, \(q.observers.count) observers]"
    }

    /// The table sits below one summary line.
    func bodyArea(_ area: Rect) -> Rect { area.splitTop(min(1, max(0, area.height - 1))).1 }

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        if let (text, role) = placeholder(status, what: "the quorum", glyphs: context.glyphs) {
            renderMessage(text, role: role, into: &buffer, area: area)
            return
        }
        guard let o = data.value else { return }
        switch o.quorum {
        case .unsupported(let why):
            renderMessage("Quorum information is not available: \(why)", role: .dim, into: &buffer, area: area)
        case .failed(let why):
            renderMessage("\(context.glyphs.error) cannot describe the quorum: \(why)", role: .statusError,
                          into: &buffer, area: area)
        case .value(let q):
            var line = SummaryLine()
            line.add("leader", String(q.leaderId))
            line.add("epoch", String(q.leaderEpoch))
            line.add("high watermark", Format.count(q.highWatermark))
            let behind = list.rows.filter { Self.isBehind($0) }.count
            if behind > 0 {
                line.add("", "\(context.glyphs.warn) \(behind) behind", role: .statusWarn)
            }
            if area.height > 1 { line.render(into: &buffer, x: area.x, y: area.y, width: area.width) }
            list.render(into: &buffer, area: bodyArea(area), context: context)
        }
    }
}
