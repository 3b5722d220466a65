import TerminalCore

/// A column of a list screen: how it looks, what a cell shows, how rows sort by it.
public struct ListColumn<Row: Sendable>: Sendable {
    public var column: TableColumn
    public var cell: @Sendable (Row, ScreenContext) -> TableCell
    /// Ascending "less than"; nil when the column does not sort.
    public var order: (@Sendable (Row, Row) -> Bool)?

    public init(_ column: TableColumn, order: (@Sendable (Row, Row) -> Bool)? = nil,
                cell: @escaping @Sendable (Row, ScreenContext) -> TableCell) {
        self.column = column
        self.cell = cell
        self.order = order
    }
}

/// The rows of a list screen with their filter, sort and cursor. Filtering and sorting
/// happen when data or settings change (in `update`), so drawing touches only the rows
/// on screen.
public struct ListModel<Row: Sendable>: Sendable {
    public let columns: [ListColumn<Row>]
    private let identity: @Sendable (Row) -> String
    private let searchText: @Sendable (Row) -> String
    public private(set) var rows: [Row] = []
    private var originals: [String] = []
    private var lowered: [String] = []
    /// Indexes into `rows`, filtered and sorted.
    public private(set) var visible: [Int] = []
    /// All row indexes in sort order; filtering walks it, so a keystroke never re-sorts.
    private var sorted: [Int] = []
    public var scroll = ScrollState()
    public private(set) var filter: RowFilter?
    public private(set) var sort: TableSort?
    public var emptyMessage: String = "No rows"

    public init(columns: [ListColumn<Row>], sort: TableSort? = nil,
                identity: @escaping @Sendable (Row) -> String,
                searchText: @escaping @Sendable (Row) -> String) {
        self.columns = columns
        self.sort = sort
        self.identity = identity
        self.searchText = searchText
    }

    public var selected: Row? {
        guard !visible.isEmpty, scroll.cursor >= 0, scroll.cursor < visible.count else { return nil }
        return rows[visible[scroll.cursor]]
    }

    public var isEmpty: Bool { rows.isEmpty }

    /// "[12]" or, filtered, "[3/12]".
    public var countLabel: String {
        filter == nil || filter?.isEmpty == true ? "[\(Format.count(rows.count))]"
            : "[\(Format.count(visible.count))/\(Format.count(rows.count))]"
    }

    /// Replaces the rows, keeping the selected row (by identity) under the cursor.
    public mutating func setRows(_ new: [Row], visibleRows: Int) {
        let keep = selected.map(identity)
        rows = new
        originals = new.map(searchText)
        lowered = originals.map { $0.lowercased() }
        recompute(keeping: keep, visibleRows: visibleRows)
    }

    /// Returns an error message and keeps the old filter when the regex is invalid.
    public mutating func setFilter(_ f: RowFilter?, visibleRows: Int) -> String? {
        let normalized: RowFilter? = (f?.isEmpty ?? true) ? nil : f
        if let n = normalized {
            do { _ = try n.compile() } catch { return error.message }
        }
        let keep = selected.map(identity)
        filter = normalized
        recompute(keeping: keep, visibleRows: visibleRows, resorting: false)
        return nil
    }

    /// Moves the sort to the next sortable column (ascending), wrapping around.
    public mutating func cycleSort(visibleRows: Int) {
        let sortable = columns.indices.filter { columns[$0].order != nil }
        guard !sortable.isEmpty else { return }
        let next: Int
        if let cur = sort?.column, let i = sortable.firstIndex(of: cur) {
            next = sortable[(i + 1) % sortable.count]
        } else {
            next = sortable[0]
        }
        let keep = selected.map(identity)
        sort = TableSort(column: next, direction: .ascending)
        recompute(keeping: keep, visibleRows: visibleRows)
    }

    public mutating func reverseSort(visibleRows: Int) {
        guard var s = sort else { cycleSort(visibleRows: visibleRows); return }
        s.direction = s.direction.toggled
        let keep = selected.map(identity)
        sort = s
        recompute(keeping: keep, visibleRows: visibleRows)
    }

    public mutating func setSort(_ s: TableSort?, visibleRows: Int) {
        let keep = selected.map(identity)
        sort = s
        recompute(keeping: keep, visibleRows: visibleRows)
    }

    public mutating func navigate(_ nav: Navigation, visibleRows: Int) {
        scroll.apply(nav, count: visible.count, visible: max(1, visibleRows))
    }

    /// Puts the cursor on the row with this identity, if shown.
    public mutating func select(identity id: String, visibleRows: Int) {
        if let i = visible.firstIndex(where: { identity(rows[$0]) == id }) {
            scroll.cursor = i
            scroll.clamp(count: visible.count, visible: max(1, visibleRows))
        }
    }

    private mutating func resort() {
        var idx = Array(rows.indices)
        if let s = sort, s.column < columns.count, let lt = columns[s.column].order {
            let asc = s.direction == .ascending
            let rows = self.rows
            idx.sort { a, b in
                if lt(rows[a], rows[b]) { return asc }
                if lt(rows[b], rows[a]) { return !asc }
                return a < b
            }
        }
        sorted = idx
    }

    private mutating func recompute(keeping id: String?, visibleRows: Int, resorting: Bool = true) {
        if resorting || sorted.count != rows.count { resort() }
        var idx = sorted
        if let f = filter, let m = try? f.compile() {
            let lowered = self.lowered, originals = self.originals
            idx = idx.filter { m.matches(lowered: lowered[$0], original: originals[$0]) }
        }
        visible = idx
        if let id, let i = idx.firstIndex(where: { identity(rows[$0]) == id }) {
            scroll.cursor = i
        }
        scroll.clamp(count: visible.count, visible: max(1, visibleRows))
    }

    /// The table widget over the visible rows.
    public func table(context: ScreenContext) -> Table {
        let rows = self.rows, visible = self.visible, columns = self.columns
        var t = Table(columns: columns.map(\.column), rowCount: visible.count, sort: sort) { r, c in
            columns[c].cell(rows[visible[r]], context)
        }
        t.emptyMessage = filter == nil ? emptyMessage : "No rows match the filter"
        return t
    }

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext, focused: Bool = true) {
        table(context: context).render(into: &buffer, area: area, state: scroll, focused: focused,
                                       glyphs: context.glyphs)
    }
}

/// Rows below the header of a table drawn in `area`.
func tableRows(_ area: Rect) -> Int { max(1, area.height - 1) }

extension ListModel {
    /// Applies a navigation or sort action to this list; false when it is neither.
    public mutating func apply(_ action: ScreenAction, visibleRows rows: Int) -> Bool {
        switch action {
        case .navigate(let n): navigate(n, visibleRows: rows)
        case .sortNext: cycleSort(visibleRows: rows)
        case .sortReverse: reverseSort(visibleRows: rows)
        case .open, .perform: return false
        }
        return true
    }
}
