import ClusterModel
import TerminalCore

/// What a detail screen supplies (as `ListScreenSpec` for lists): what it loads, the key/value
/// summary line, its sections (tables and texts, switched with Tab) and its own actions.
/// Loading, stale and error markers, the section tabs, navigation, sort, filter, scrolling and
/// drawing are `DetailScreen`'s.
public protocol DetailScreenSpec: Sendable {
    associatedtype Value: Sendable

    var route: Route { get }
    /// "group billing" in "Loading group billing…".
    var what: String { get }
    /// The load, on open, refresh and return.
    var load: Effect { get }
    /// Stops this screen's work when it is left.
    var leaveEffects: [Effect] { get }
    /// Reads started with `load` whose results the spec keeps itself and its sections show as
    /// they arrive (the ACLs that apply), so the rest of the detail never waits on them.
    var sideLoads: [Effect] { get }
    /// Keeps a side load's result; false when the result is not one of this screen's side loads.
    mutating func receiveSide(_ result: LoadResult, at time: Double) -> Bool
    /// This screen's value from a result, nil when the result is not for it.
    func value(in result: LoadResult) -> Result<Value, LoadError>?
    /// Per-source errors that came with a value (shown as a partial-result note).
    func warnings(_ value: Value) -> [SourceError]
    /// Why a value lacks its essential part: the last complete value then stays, marked stale.
    func missing(_ value: Value) -> String?
    /// The key/value line above the sections (`data` says whether the value is stale).
    func summary(_ value: Value, data: Loadable<Value>, context: ScreenContext) -> SummaryLine
    /// The sections, in Tab order (read once, when the screen is made).
    var sections: [DetailSection<Self>] { get }
    /// After the title in the frame, e.g. "(internal)".
    func titleDetail(_ value: Value) -> String

    /// Actions besides the section switch.
    var actions: [Action] { get }
    /// Runs one of `actions` (`selection`: the selected row of each table section).
    mutating func perform(_ action: Action, value: Value?, selection: DetailSelection,
                          context: ScreenContext) -> [ScreenOutput]
    /// A result that is not the screen's value (e.g. `.writeFinished` of a write it asked for).
    mutating func receiveOther(_ result: LoadResult) -> [ScreenOutput]
}

extension DetailScreenSpec {
    public var leaveEffects: [Effect] { [] }
    public var sideLoads: [Effect] { [] }
    public mutating func receiveSide(_ result: LoadResult, at time: Double) -> Bool { false }
    public func warnings(_ value: Value) -> [SourceError] { [] }
    public func missing(_ value: Value) -> String? { nil }
    public func titleDetail(_ value: Value) -> String { "" }
    public var actions: [Action] { [] }
    public mutating func receiveOther(_ result: LoadResult) -> [ScreenOutput] { [] }
    public mutating func perform(_ action: Action, value: Value?, selection: DetailSelection,
                                 context: ScreenContext) -> [ScreenOutput] { [] }
}

/// The one detail screen: a spec plus the plumbing every detail screen needs. Rows: the summary
/// line (from 3 rows high), the section tabs (from 6), then the active section's body.
public struct DetailScreen<Spec: DetailScreenSpec>: Screen {
    public private(set) var spec: Spec
    public private(set) var data = Loadable<Spec.Value>()
    private(set) var sections: [DetailSection<Spec>]
    private var tabs: Sections

    public init(_ spec: Spec) {
        self.spec = spec
        sections = spec.sections
        tabs = Sections(names: sections.map(\.name))
    }

    public var route: Route { spec.route }
    public var activeSection: Int { tabs.active }
    public var sectionNames: [String] { tabs.names }
    public var actions: [Action] { Sections.actions + spec.actions }

    /// Enter is offered (hint bar, help, key) only in a table section whose rows open something: a
    /// text, or a table such as a broker config's Synonyms, has nothing behind its rows.
    public var unusedGlobalActions: Set<Action> {
        if case .table(let t) = sections[tabs.active].body, t.opensRows { return [] }
        return [.navigation(.open)]
    }

    public mutating func load(context: ScreenContext) -> [Effect] {
        data.begin()
        return [spec.load] + spec.sideLoads
    }

    public mutating func leave() -> [Effect] { spec.leaveEffects }

    /// Below the summary line and the section tabs.
    func bodyArea(_ area: Rect) -> Rect {
        let top = area.height >= 6 ? 2 : (area.height >= 3 ? 1 : 0)
        return area.splitTop(top).1
    }

    /// The selected row of every table section, for the spec's actions.
    var selection: DetailSelection {
        DetailSelection(rows: sections.map { s in
            if case .table(let t) = s.body { return t.selectedRow }
            return nil
        }, shown: tabs.active)
    }

    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        let body = bodyArea(context.area)
        let active = tabs.active
        switch sections[active].body {
        case .table(var t):
            let moved = t.apply(action, visibleRows: tableRows(body))
            sections[active].body = .table(t)
            if moved { return [] }
        case .text(var t):
            switch action {
            case .navigate(let n):
                if let v = data.value { t.scroll(n, view: t.view(spec, v), area: body.splitTop(1).1) }
                sections[active].body = .text(t)
                return []
            case .sortNext, .sortReverse:
                return []  // a text has no sort
            case .open, .perform:
                break
            }
        }
        switch action {
        case .open:
            guard case .table(let t) = sections[active].body, let opening = t.opening() else { return [] }
            switch opening {
            case .route(let r):
                return [.open(r)]
            case .section(let i, let note):
                note(&spec)
                if sections.indices.contains(i) {
                    switch sections[i].body {
                    case .text(var text):
                        text.offset = 0
                        sections[i].body = .text(text)
                    case .table(var t):
                        // A table drawn from what the spec noted (the selected config's synonyms).
                        if let v = data.value { t.setRows(from: v, spec: spec, visibleRows: tableRows(body)) }
                        sections[i].body = .table(t)
                    }
                }
                tabs.active = i
            }
        case .perform(.section(let a)):
            tabs.apply(a)
        case .perform(let a):
            return spec.perform(a, value: data.value, selection: selection, context: context)
        case .navigate, .sortNext, .sortReverse:
            break
        }
        return []
    }

    public mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] {
        if spec.receiveSide(result, at: time) {
            // Only the rows change: the value's state (stale, error) is the main load's.
            if let v = data.value { setRows(v, context: context) }
            return []
        }
        guard let r = spec.value(in: result) else { return spec.receiveOther(result) }
        switch r {
        case .success(let v):
            data.succeed(v, at: time, warnings: spec.warnings(v), missing: spec.missing(v))
            // A value missing its essential part does not replace the rows of a complete one.
            if data.error != nil { return [] }
            setRows(v, context: context)
        case .failure(let e):
            data.fail(e, at: time)
        }
        return []
    }

    private mutating func setRows(_ v: Spec.Value, context: ScreenContext) {
            let body = bodyArea(context.area)
            for i in sections.indices {
                switch sections[i].body {
                case .table(var t):
                    t.setRows(from: v, spec: spec, visibleRows: tableRows(body))
                    sections[i].body = .table(t)
                case .text(var t):
                    t.offset = min(t.offset, t.view(spec, v).maxOffset(in: body.splitTop(1).1))
                    sections[i].body = .text(t)
                }
            }
    }

    public var filter: RowFilter? {
        if case .table(let t) = sections[tabs.active].body { return t.filter }
        return nil
    }

    public mutating func setFilter(_ filter: RowFilter?, context: ScreenContext) -> String? {
        let active = tabs.active
        switch sections[active].body {
        case .table(var t):
            let error = t.setFilter(filter, visibleRows: tableRows(bodyArea(context.area)))
            sections[active].body = .table(t)
            return error
        case .text(let t):
            return filter == nil ? nil : t.filterRefusal
        }
    }

    public var status: ViewStatus { data.status }

    public var titleDetail: String { data.value.map(spec.titleDetail) ?? "" }

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        if let (text, role) = placeholder(status, what: spec.what, glyphs: context.glyphs) {
            renderMessage(text, role: role, into: &buffer, area: area)
            return
        }
        guard let v = data.value else { return }
        let g = context.glyphs
        var y = area.y
        if area.height >= 3 {
            spec.summary(v, data: data, context: context).render(into: &buffer, x: area.x, y: y, width: area.width)
            y += 1
        }
        if area.height >= 6 {
            tabs.render(into: &buffer, x: area.x, y: y, width: area.width,
                        labels: sections.map { $0.label(spec, v, g) }, glyphs: g)
        }
        let body = bodyArea(area)
        switch sections[tabs.active].body {
        case .table(let t):
            if let (text, role) = t.message(v, spec: spec, glyphs: g) {
                renderMessage(text, role: role, into: &buffer, area: body)
            } else {
                t.render(into: &buffer, area: body, context: context)
            }
        case .text(let t):
            guard !body.isEmpty else { return }
            buffer.put(TextLayout.truncate(t.heading(spec, v), width: body.width), x: body.x, y: body.y,
                       style: Style(.headerLabel), clip: body)
            t.view(spec, v).render(into: &buffer, area: body.splitTop(1).1, offset: t.offset, glyphs: g)
        }
    }

    /// Section `index`'s rows (none when it is not a table of `Row`s).
    public func list<Row>(_ index: Int, of: Row.Type = Row.self) -> ListModel<Row> {
        if sections.indices.contains(index), case .table(let t) = sections[index].body,
           let table = t as? DetailTable<Spec, Row> {
            return table.list
        }
        return ListModel(columns: [], identity: { _ in "" }, searchText: { _ in "" })
    }

    /// How far section `index` (a text) is scrolled.
    public func textOffset(_ index: Int) -> Int {
        guard sections.indices.contains(index), case .text(let t) = sections[index].body else { return 0 }
        return t.offset
    }
}
