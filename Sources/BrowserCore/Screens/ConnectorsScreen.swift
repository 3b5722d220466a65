import ClusterModel
import TerminalCore
import WriteFlow

/// Every connector of every Connect cluster: state, tasks running/total, failed tasks,
/// worker. FAILED connectors and connectors with failed tasks stand out (symbol + role).
/// Writes (pause/resume/stop/restart) act on the marked rows, else on the selected row.
public typealias ConnectorsScreen = ListScreen<ConnectorsSpec>

public struct ConnectorsSpec: ListScreenSpec {
    public static let make: ScreenRegistry.Factory = { $0 == .connectors ? ConnectorsScreen(ConnectorsSpec()) : nil }

    public let route: Route = .connectors
    public let what = "connectors"

    public var columns: [ListColumn<ConnectorStatus>] { Self.columns }
    public func identity(_ c: ConnectorStatus) -> String { "\(c.connect)/\(c.name)" }
    public func searchText(_ c: ConnectorStatus) -> String { "\(c.connect) \(c.name) \(c.type) \(c.state) \(c.workerId)" }
    public func loads(context: ScreenContext) -> [Effect] { [.load(.connectors)] }
    public var leaveEffects: [Effect] { [.cancel(.connectors)] }
    public func value(in result: LoadResult) -> Result<ConnectorListing, LoadError>? {
        if case .connectors(let r) = result { return r }
        return nil
    }
    /// Marks on a cluster that could not be read are kept (its rows are only missing this time).
    public func warnings(_ l: ConnectorListing) -> [SourceError] { l.errors }
    public func rows(_ l: ConnectorListing, at time: Double) -> [ConnectorStatus] { l.connectors }
    public func open(_ c: ConnectorStatus) -> Route? { .connector(cluster: c.connect, name: c.name) }
    public var actions: [Action] { ConnectorAction.connectorWide.map(Action.connector) }
    public var marksRows: Bool { true }

    public mutating func perform(_ action: Action, on rows: [ConnectorStatus], context: ScreenContext) -> [ScreenOutput] {
        guard case .connector(let c) = action, let act = c.connectAction else { return [] }
        guard !rows.isEmpty else { return [.note("No connector selected", .warn)] }
        return [.write(ConnectWriteRequest.make(act, rows.map { (ConnectTarget(cluster: $0.connect, connector: $0.name), $0) },
                                                versions: context.connectVersions, poll: .load(.connectors)))]
    }

    /// The marks were for the write that just ended.
    public mutating func receiveOther(_ result: LoadResult) -> (outputs: [ScreenOutput], clearMarks: Bool) {
        if case .writeFinished(let outcome) = result { return ([], outcome.wasSent) }
        return ([], false)
    }

    /// Clusters that could not be read, one line each (two at most), when there is room.
    public func header(_ l: ConnectorListing, rows: [ConnectorStatus], area: Rect, context: ScreenContext) -> [[Span]] {
        guard !l.errors.isEmpty, area.height >= 6 else { return [] }
        return l.errors.prefix(2).enumerated().map { i, e in
            let more = i == 1 && l.errors.count > 2 ? " (+\(l.errors.count - 2) more)" : ""
            let text = TextLayout.truncate("\(context.glyphs.error) \(e.message)\(more)", width: area.width)
            return [Span(text, role: .statusError)]
        }
    }

    public func titleDetail(_ l: ConnectorListing, countLabel: String, rows: [ConnectorStatus]) -> String {
        let failed = l.connectors.filter { Self.health($0) > 0 }.count
        return failed > 0 ? countLabel + " \(failed) failing" : countLabel
    }

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
}
