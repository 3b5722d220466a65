import ClusterModel
import TerminalCore

/// KRaft quorum: leader, epoch, high watermark, voters and observers with their lag.
public typealias QuorumScreen = ListScreen<QuorumSpec>

public struct QuorumSpec: OverviewListSpec {
    public static let make: ScreenRegistry.Factory = { $0 == .quorum ? QuorumScreen(QuorumSpec()) : nil }

    public struct Row: Sendable, Hashable {
        public var replica: QuorumReplica
        public var role: String
        /// Time of the load, so ages are relative to when the data was read.
        public var readAt: Double
    }

    public let route: Route = .quorum
    public let what = "the quorum"
    public let emptyMessage = "No quorum replicas"
    public let defaultSort: TableSort? = nil
    public var columns: [ListColumn<Row>] { Self.columns }
    public func identity(_ r: Row) -> String { "\(r.role)-\(r.replica.replicaId)" }
    public func searchText(_ r: Row) -> String { "\(r.replica.replicaId) \(r.role)" }

    public func rows(_ o: ClusterOverview, at time: Double) -> [Row] {
        guard let q = o.quorum.value else { return [] }
        return q.voters.map { Row(replica: $0, role: $0.replicaId == q.leaderId ? "leader" : "voter", readAt: time) }
            + q.observers.map { Row(replica: $0, role: "observer", readAt: time) }
    }

    public func titleDetail(_ o: ClusterOverview, countLabel: String, rows: [Row]) -> String {
        guard let q = o.quorum.value else { return "" }
        return "[\(q.voters.count) voters, \(q.observers.count) observers]"
    }

    public func bodyMessage(_ o: ClusterOverview, glyphs: Glyphs) -> (String, Role)? {
        switch o.quorum {
        case .unsupported(let why): return ("Quorum information is not available: \(why)", .dim)
        case .failed(let why): return ("\(glyphs.error) cannot describe the quorum: \(why)", .statusError)
        case .value: return nil
        }
    }

    /// Leader, epoch, high watermark and how many replicas are behind.
    public func header(_ o: ClusterOverview, rows: [Row], area: Rect, context: ScreenContext) -> [[Span]] {
        guard let q = o.quorum.value, area.height > 1 else { return [] }
        var line = SummaryLine()
        line.add("leader", String(q.leaderId))
        line.add("epoch", String(q.leaderEpoch))
        line.add("high watermark", Format.count(q.highWatermark))
        let behind = rows.filter { Self.isBehind($0) }.count
        if behind > 0 { line.add("", "\(context.glyphs.warn) \(behind) behind", role: .statusWarn) }
        return [line.spans(width: area.width)]
    }

    /// A voter this far behind, or not caught up for this long, is marked.
    static let lagLimit: Int64 = 1_000
    static let caughtUpLimit: Double = 30

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
}
