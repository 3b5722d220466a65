import ClusterModel
import TerminalCore

/// One section of a detail screen: a table of rows taken from the value, or a scrollable text.
public struct DetailSection<Spec: DetailScreenSpec>: Sendable {
    /// The section's name ("Offsets"); the tab shows `label` ("Offsets 12").
    public let name: String
    let label: @Sendable (Spec, Spec.Value, Glyphs) -> String
    var body: Body

    enum Body: Sendable {
        case table(any DetailTableModel<Spec>)
        case text(DetailText<Spec>)
    }

    /// A table: its columns, how the value becomes rows (`previous`: the rows shown so far, for
    /// values kept across refreshes), what Enter on a row does, and a message shown instead of
    /// the table (e.g. the part of the value that could not be read).
    public static func table<Row: Sendable>(
        _ name: String, label: @escaping @Sendable (Spec.Value, Glyphs) -> String,
        columns: [ListColumn<Row>], sort: TableSort? = TableSort(column: 1), emptyMessage: String,
        identity: @escaping @Sendable (Row) -> String, searchText: @escaping @Sendable (Row) -> String,
        rows: @escaping @Sendable (Spec.Value, _ previous: [Row]) -> [Row],
        open: (@Sendable (Row) -> DetailOpening<Spec>?)? = nil,
        message: @escaping @Sendable (Spec.Value, Glyphs) -> (String, Role)? = { _, _ in nil }
    ) -> DetailSection {
        sideTable(name, label: { _, v, g in label(v, g) }, columns: columns, sort: sort, emptyMessage: emptyMessage,
                  identity: identity, searchText: searchText, rows: { _, v, previous in rows(v, previous) }, open: open,
                  message: { _, v, g in message(v, g) })
    }

    /// A table whose rows may also come from the spec: what its side loads brought (the ACLs that
    /// apply), which arrive apart from the value.
    public static func sideTable<Row: Sendable>(
        _ name: String, label: @escaping @Sendable (Spec, Spec.Value, Glyphs) -> String,
        columns: [ListColumn<Row>], sort: TableSort? = TableSort(column: 1), emptyMessage: String,
        identity: @escaping @Sendable (Row) -> String, searchText: @escaping @Sendable (Row) -> String,
        rows: @escaping @Sendable (Spec, Spec.Value, _ previous: [Row]) -> [Row],
        open: (@Sendable (Row) -> DetailOpening<Spec>?)? = nil,
        message: @escaping @Sendable (Spec, Spec.Value, Glyphs) -> (String, Role)? = { _, _, _ in nil }
    ) -> DetailSection {
        var list = ListModel(columns: columns, sort: sort, identity: identity, searchText: searchText)
        list.emptyMessage = emptyMessage
        return DetailSection(name: name, label: label,
                             body: .table(DetailTable<Spec, Row>(list: list, rows: rows, open: open, message: message)))
    }

    /// A scrollable text under a one-line heading (e.g. a stack trace).
    public static func text(
        _ name: String, label: @escaping @Sendable (Spec.Value, Glyphs) -> String,
        heading: @escaping @Sendable (Spec, Spec.Value) -> String,
        view: @escaping @Sendable (Spec, Spec.Value) -> TextView, filterRefusal: String
    ) -> DetailSection {
        DetailSection(name: name, label: { _, v, g in label(v, g) },
                      body: .text(DetailText(heading: heading, view: view, filterRefusal: filterRefusal)))
    }
}

/// What Enter on a table row does.
public enum DetailOpening<Spec: DetailScreenSpec>: Sendable {
    /// Pushes a screen.
    case route(Route)
    /// Shows section `index` after the spec noted the row (e.g. the task whose trace to show).
    case section(Int, note: @Sendable (inout Spec) -> Void)
}

/// The selected row of each table section, handed to the spec's actions.
public struct DetailSelection: Sendable {
    let rows: [(any Sendable)?]
    /// The section on screen (its tab is the active one).
    var shown = 0

    public func row<Row>(_ section: Int, as: Row.Type = Row.self) -> Row? {
        rows.indices.contains(section) ? rows[section] as? Row : nil
    }

    /// The selected row of `section` only while that section is on screen: a write on "the selected
    /// row" must not take one the user cannot see (another tab shown).
    public func shownRow<Row>(_ section: Int, as: Row.Type = Row.self) -> Row? {
        section == shown ? row(section, as: Row.self) : nil
    }
}

/// A table section with its row type hidden, so sections of different rows share one array.
protocol DetailTableModel<Spec>: Sendable {
    associatedtype Spec: DetailScreenSpec
    var selectedRow: (any Sendable)? { get }
    /// Enter on a row does something (the section has an `open`).
    var opensRows: Bool { get }
    var filter: RowFilter? { get }
    mutating func apply(_ action: ScreenAction, visibleRows: Int) -> Bool
    mutating func setRows(from value: Spec.Value, spec: Spec, visibleRows: Int)
    mutating func setFilter(_ filter: RowFilter?, visibleRows: Int) -> String?
    func opening() -> DetailOpening<Spec>?
    func message(_ value: Spec.Value, spec: Spec, glyphs: Glyphs) -> (String, Role)?
    func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext)
}

struct DetailTable<Spec: DetailScreenSpec, Row: Sendable>: DetailTableModel {
    var list: ListModel<Row>
    let rows: @Sendable (Spec, Spec.Value, [Row]) -> [Row]
    let open: (@Sendable (Row) -> DetailOpening<Spec>?)?
    let message: @Sendable (Spec, Spec.Value, Glyphs) -> (String, Role)?

    var selectedRow: (any Sendable)? { list.selected }
    var opensRows: Bool { open != nil }
    var filter: RowFilter? { list.filter }

    mutating func apply(_ action: ScreenAction, visibleRows: Int) -> Bool { list.apply(action, visibleRows: visibleRows) }

    mutating func setRows(from value: Spec.Value, spec: Spec, visibleRows: Int) {
        list.setRows(rows(spec, value, list.rows), visibleRows: visibleRows)
    }

    mutating func setFilter(_ filter: RowFilter?, visibleRows: Int) -> String? {
        list.setFilter(filter, visibleRows: visibleRows)
    }

    func opening() -> DetailOpening<Spec>? { list.selected.flatMap { r in open?(r) } }

    func message(_ value: Spec.Value, spec: Spec, glyphs: Glyphs) -> (String, Role)? { message(spec, value, glyphs) }

    func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        list.render(into: &buffer, area: area, context: context)
    }
}

/// A text section and how far it is scrolled.
struct DetailText<Spec: DetailScreenSpec>: Sendable {
    let heading: @Sendable (Spec, Spec.Value) -> String
    let view: @Sendable (Spec, Spec.Value) -> TextView
    let filterRefusal: String
    var offset = 0

    /// Scrolls within `area`.
    mutating func scroll(_ n: Navigation, view: TextView, area: Rect) {
        offset = n.scrolled(offset, pageHeight: area.height, maxOffset: view.maxOffset(in: area))
    }
}

/// Why a field of a value is missing, for sections that could not be read.
func fieldNote<V>(_ f: FieldState<V>, what: String, glyphs: Glyphs) -> String {
    switch f {
    case .value: return ""
    case .unsupported(let why): return "\(what.prefix(1).uppercased() + what.dropFirst()) not available: \(why)"
    case .failed(let why): return "\(glyphs.error) cannot read \(what): \(why)"
    }
}

extension FieldState {
    /// The note shown instead of a section whose field was not read (nil when it was).
    func note(_ what: String, glyphs: Glyphs) -> (String, Role)? {
        if case .value = self { return nil }
        return (fieldNote(self, what: what, glyphs: glyphs), .dim)
    }
}
