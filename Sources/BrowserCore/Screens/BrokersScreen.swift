import ClusterModel
import TerminalCore

/// Brokers with leader and partition counts; brokers whose leader count strays from an
/// even share by more than a quarter are marked (leader imbalance).
public typealias BrokersScreen = ListScreen<BrokersSpec>

public struct BrokersSpec: OverviewListSpec {
    public static let make: ScreenRegistry.Factory = { $0 == .brokers ? BrokersScreen(BrokersSpec()) : nil }

    /// A broker with its leader skew against an even share.
    public struct Row: Sendable, Hashable {
        public var broker: BrokerInfo
        /// leaders / (all leaders / brokers) - 1; nil when there are no leaders at all.
        public var skew: Double?
    }

    public let route: Route = .brokers
    public let what = "brokers"
    public var columns: [ListColumn<Row>] { Self.columns }
    public func identity(_ r: Row) -> String { String(r.broker.id) }
    public func searchText(_ r: Row) -> String { "\(r.broker.id) \(r.broker.host):\(r.broker.port) \(r.broker.rack ?? "")" }
    public func rows(_ o: ClusterOverview, at time: Double) -> [Row] { Self.rows(o.brokers) }
    /// Enter opens the broker detail (its configs).
    public var unusedGlobalActions: Set<Action> { [] }
    public func open(_ r: Row) -> Route? { .broker(r.broker.id) }

    public func titleDetail(_ o: ClusterOverview, countLabel: String, rows: [Row]) -> String {
        let pct = Int((o.leaderImbalance * 100).rounded())
        return "\(countLabel) preferred-leader imbalance \(pct)%"
    }

    /// Skew beyond which a broker is marked.
    static let skewLimit = 0.25

    static let columns: [ListColumn<Row>] = [
        ListColumn(TableColumn("", priority: 95, width: 1)) { r, ctx in
            if r.broker.error != nil { return Mark.error(ctx.glyphs) }
            if let s = r.skew, abs(s) > skewLimit { return Mark.warn(ctx.glyphs) }
            return Mark.none
        },
        ListColumn(TableColumn("ID", alignment: .right, priority: 100, width: 4),
                   order: { $0.broker.id < $1.broker.id }) { r, _ in TableCell(String(r.broker.id)) },
        ListColumn(TableColumn("ADDRESS", minWidth: 20, flex: 1, priority: 90),
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
        // Why a broker is unreachable outranks every column but the id, the mark and the address:
        // it shrinks (flex) rather than goes, and is left out while every broker is healthy.
        ListColumn(TableColumn("ERROR", minWidth: 10, flex: 1, priority: 88, hiddenWhenEmpty: true)) { r, _ in
            r.broker.error.map { TableCell($0, role: .statusError) } ?? TableCell("")
        },
    ]

    static func rows(_ brokers: [BrokerInfo]) -> [Row] {
        let total = brokers.reduce(0) { $0 + $1.leaderCount }
        let fair = brokers.isEmpty ? 0 : Double(total) / Double(brokers.count)
        return brokers.map { b in Row(broker: b, skew: fair > 0 ? Double(b.leaderCount) / fair - 1 : nil) }
    }
}
