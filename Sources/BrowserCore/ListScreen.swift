import ClusterModel
import TerminalCore

/// What a list screen supplies (k9s' renderer on a generic browser): what it loads, how a
/// result becomes rows, its columns, what Enter opens and its own actions. Everything
/// else (loading/stale/error markers, partial-result notes, filter, sort, navigation,
/// marking, drawing) is `ListScreen`'s.
public protocol ListScreenSpec: Sendable {
    associatedtype Row: Sendable
    associatedtype Value: Sendable

    var route: Route { get }
    /// "topics" in "Loading topics…".
    var what: String { get }
    var columns: [ListColumn<Row>] { get }
    var defaultSort: TableSort? { get }
    var emptyMessage: String { get }
    /// Stable across reloads, so the cursor and marks stay on their row.
    func identity(_ row: Row) -> String
    /// What the `/` filter matches.
    func searchText(_ row: Row) -> String

    /// The loads, on open, refresh and return.
    func loads(context: ScreenContext) -> [Effect]
    /// Stops this screen's work when it is left.
    var leaveEffects: [Effect] { get }
    /// A value the app already holds (with its time), shown while the fresh one loads.
    func cached(context: ScreenContext) -> (Value, Double)?
    /// This screen's value from a result, nil when the result is not for it.
    func value(in result: LoadResult) -> Result<Value, LoadError>?
    /// Per-source errors that came with a value (shown as a partial-result note).
    func warnings(_ value: Value) -> [SourceError]
    /// A first stage: shown when there is nothing yet, and the screen keeps loading.
    func isPreliminary(_ value: Value) -> Bool
    func rows(_ value: Value, at time: Double) -> [Row]

    /// Where Enter on a row goes (nil: nowhere).
    func open(_ row: Row) -> Route?
    var actions: [Action] { get }
    var unusedGlobalActions: Set<Action> { get }
    /// Marks rows for bulk actions (space).
    var marksRows: Bool { get }
    /// Runs one of `actions` on the marked rows (else the selected one).
    mutating func perform(_ action: Action, on rows: [Row], context: ScreenContext) -> [ScreenOutput]
    /// After new rows were stored (e.g. to report a write's transition).
    mutating func didLoad(_ value: Value, rows: [Row]) -> [ScreenOutput]
    /// Results meant for this screen that are not its value (write answers, a child's
    /// fresher read). `clearMarks`: the bulk action the marks were for is done.
    mutating func receiveOther(_ result: LoadResult) -> (outputs: [ScreenOutput], clearMarks: Bool)

    /// Lines above the table (a summary, per-source errors) for a body of `area`.
    func header(_ value: Value, rows: [Row], area: Rect, context: ScreenContext) -> [[Span]]
    /// A message instead of the table (e.g. the quorum is not available).
    func bodyMessage(_ value: Value, glyphs: Glyphs) -> (String, Role)?
    func titleDetail(_ value: Value, countLabel: String, rows: [Row]) -> String
}

extension ListScreenSpec {
    public var defaultSort: TableSort? { TableSort(column: 1) }
    public var emptyMessage: String { "No \(what)" }
    public var leaveEffects: [Effect] { [] }
    public func cached(context: ScreenContext) -> (Value, Double)? { nil }
    public func warnings(_ value: Value) -> [SourceError] { [] }
    public func isPreliminary(_ value: Value) -> Bool { false }
    public var actions: [Action] { [] }
    public var unusedGlobalActions: Set<Action> { [] }
    public var marksRows: Bool { false }
    public mutating func perform(_ action: Action, on rows: [Row], context: ScreenContext) -> [ScreenOutput] { [] }
    public mutating func didLoad(_ value: Value, rows: [Row]) -> [ScreenOutput] { [] }
    public mutating func receiveOther(_ result: LoadResult) -> (outputs: [ScreenOutput], clearMarks: Bool) { ([], false) }
    public func header(_ value: Value, rows: [Row], area: Rect, context: ScreenContext) -> [[Span]] { [] }
    public func bodyMessage(_ value: Value, glyphs: Glyphs) -> (String, Role)? { nil }
    public func titleDetail(_ value: Value, countLabel: String, rows: [Row]) -> String { countLabel }
}

/// The one list screen: a spec plus the plumbing every list needs.
public struct ListScreen<Spec: ListScreenSpec>: Screen {
    public private(set) var spec: Spec
    public private(set) var data = Loadable<Spec.Value>()
    public private(set) var list: ListModel<Spec.Row>
    /// Identities of the rows marked for a bulk action.
    public private(set) var marked: Set<String> = []

    public init(_ spec: Spec) {
        self.spec = spec
        list = ListModel(columns: spec.columns, sort: spec.defaultSort, identity: { [spec] in spec.identity($0) },
                         searchText: { [spec] in spec.searchText($0) })
        list.emptyMessage = spec.emptyMessage
    }

    public var route: Route { spec.route }
    public var actions: [Action] { spec.actions + (spec.marksRows ? [.list(.mark)] : []) }
    public var unusedGlobalActions: Set<Action> { spec.unusedGlobalActions }

    public mutating func load(context: ScreenContext) -> [Effect] {
        if data.value == nil, let (v, at) = spec.cached(context: context) {
            _ = store(v, at: at, context: context)
        }
        data.begin()
        return spec.loads(context: context)
    }

    public mutating func leave() -> [Effect] { spec.leaveEffects }

    /// Header lines above the table (the spec decides how many fit).
    func headerLines(_ area: Rect, context: ScreenContext) -> [[Span]] {
        guard let v = data.value else { return [] }
        return spec.header(v, rows: list.rows, area: area, context: context)
    }

    func tableArea(_ area: Rect, context: ScreenContext) -> Rect {
        area.splitTop(min(area.height, headerLines(area, context: context).count)).1
    }

    /// Marked rows still present (in list order), else the selected row.
    public var targets: [Spec.Row] {
        if !marked.isEmpty {
            var seen = Set<String>(), out: [Spec.Row] = []
            for i in list.visible + Array(list.rows.indices) {
                let r = list.rows[i], id = spec.identity(r)
                if marked.contains(id) && seen.insert(id).inserted { out.append(r) }
            }
            if !out.isEmpty { return out }
        }
        return list.selected.map { [$0] } ?? []
    }

    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        let rows = tableRows(tableArea(context.area, context: context))
        switch action {
        case .navigate(let n): list.navigate(n, visibleRows: rows)
        case .sortNext: list.cycleSort(visibleRows: rows)
        case .sortReverse: list.reverseSort(visibleRows: rows)
        case .open:
            if let r = list.selected, let route = spec.open(r) { return [.open(route)] }
        case .perform(.list(.mark)):
            if let r = list.selected {
                let id = spec.identity(r)
                if marked.contains(id) { marked.remove(id) } else { marked.insert(id) }
                list.navigate(.down, visibleRows: rows)
            }
        case .perform(let a):
            return spec.perform(a, on: targets, context: context)
        }
        return []
    }

    public mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] {
        guard let r = spec.value(in: result) else {
            let (out, clear) = spec.receiveOther(result)
            if clear { marked.removeAll() }
            return out
        }
        switch r {
        case .success(let v) where spec.isPreliminary(v):
            // Rows at once on first paint; a refresh keeps the full rows it has until the full answer.
            guard data.value == nil else { return [] }
            let out = store(v, at: time, context: context)
            data.begin()
            return out
        case .success(let v):
            return store(v, at: time, context: context)
        case .failure(let e):
            data.fail(e, at: time)
            return []
        }
    }

    private mutating func store(_ v: Spec.Value, at time: Double, context: ScreenContext) -> [ScreenOutput] {
            data.succeed(v, at: time, warnings: spec.warnings(v))
            let rows = spec.rows(v, at: time)
            list.setRows(rows, visibleRows: tableRows(tableArea(context.area, context: context)))
            // Marks on rows that are gone are dropped, unless their source failed this time.
            let present = Set(rows.map { spec.identity($0) })
            let down = spec.warnings(v).map { $0.source + "/" }
            marked = marked.filter { id in present.contains(id) || down.contains { id.hasPrefix($0) } }
            return spec.didLoad(v, rows: rows)
    }

    public var filter: RowFilter? { list.filter }
    public mutating func setFilter(_ filter: RowFilter?, context: ScreenContext) -> String? {
        list.setFilter(filter, visibleRows: tableRows(tableArea(context.area, context: context)))
    }
    public var status: ViewStatus { data.status }

    public var titleDetail: String {
        guard let v = data.value else { return "" }
        let s = spec.titleDetail(v, countLabel: list.countLabel, rows: list.rows)
        return marked.isEmpty ? s : s + " \(marked.count) marked"
    }

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        if let (text, role) = placeholder(status, what: spec.what, glyphs: context.glyphs) {
            renderMessage(text, role: role, into: &buffer, area: area)
            return
        }
        guard let v = data.value else { return }
        if let (text, role) = spec.bodyMessage(v, glyphs: context.glyphs) {
            renderMessage(text, role: role, into: &buffer, area: area)
            return
        }
        let header = headerLines(area, context: context)
        for (i, line) in header.enumerated() {
            var x = area.x
            let row = Rect(x: area.x, y: area.y + i, width: area.width, height: 1)
            for span in line { x += buffer.put(span.text, x: x, y: row.y, style: span.style, clip: row) }
        }
        let table = area.splitTop(min(area.height, header.count)).1
        let marked = self.marked, spec = self.spec
        let rows = list.rows, visible = list.visible
        var t = list.table(context: context)
        if !marked.isEmpty { t.isMarked = { marked.contains(spec.identity(rows[visible[$0]])) } }
        t.render(into: &buffer, area: table, state: list.scroll, focused: true, glyphs: context.glyphs)
    }
}
