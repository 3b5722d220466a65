import ClusterModel
import TerminalCore

/// Health symbols beside roles, so meaning survives without colour.
enum Mark {
    static func error(_ g: Glyphs) -> TableCell { TableCell(String(g.error), role: .statusError) }
    static func warn(_ g: Glyphs) -> TableCell { TableCell(String(g.warn), role: .statusWarn) }
    static let none = TableCell("")
    /// A cell whose value is still being read (staged loading).
    static func pending(_ g: Glyphs) -> TableCell { TableCell(String(g.ellipsis), role: .dim) }

    /// A number that is a problem when non-zero.
    static func count(_ n: Int, role: Role) -> TableCell {
        n > 0 ? TableCell(String(n), role: role) : TableCell("0")
    }
}

/// Sub-lists of a detail screen (Partitions / Configs / Groups), switched with Tab.
struct Sections: Sendable, Hashable {
    var names: [String]
    var active: Int = 0

    mutating func next() { active = names.isEmpty ? 0 : (active + 1) % names.count }
    mutating func previous() { active = names.isEmpty ? 0 : (active + names.count - 1) % names.count }

    static let actions: [Action] = SectionAction.allCases.map(Action.section)

    mutating func apply(_ a: SectionAction) { a == .nextSection ? next() : previous() }

    /// One row: " Partitions 12 │ Configs 3 │ Groups 2 ", the active one highlighted.
    func render(into buffer: inout CellBuffer, x: Int, y: Int, width: Int, labels: [String], glyphs: Glyphs) {
        var col = x
        let maxX = x + width
        for (i, label) in labels.enumerated() {
            if col >= maxX { break }
            if i > 0 {
                col += buffer.put(" \(glyphs.vertical) ", x: col, y: y, style: Style(.dim),
                                  clip: Rect(x: x, y: y, width: maxX - x, height: 1))
            }
            let style = i == active ? Style(.crumbActive, [.bold, .underline]) : Style(.crumb)
            col += buffer.put(label, x: col, y: y, style: style, clip: Rect(x: x, y: y, width: maxX - x, height: 1))
        }
    }
}

/// A line of label/value pairs ("leader 1  epoch 7"), dropping pairs that do not fit.
public struct SummaryLine {
    var items: [(label: String, value: String, role: Role)] = []

    public init() {}

    public mutating func add(_ label: String, _ value: String, role: Role = .headerValue) {
        items.append((label, value, role))
    }

    /// The pairs that fit in `width`, two blanks apart.
    func spans(width: Int) -> [Span] {
        var out: [Span] = []
        var col = 0
        for item in items {
            let w = (item.label.isEmpty ? 0 : DisplayWidth.of(item.label) + 1) + DisplayWidth.of(item.value)
            if col > 0 && col + w > width { break }
            if col > 0 { out.append(Span("  ")) }
            if !item.label.isEmpty { out.append(Span(item.label + " ", role: .headerLabel)) }
            out.append(Span(item.value, role: item.role))
            col += w + 2
        }
        return out
    }

    func render(into buffer: inout CellBuffer, x: Int, y: Int, width: Int) {
        var col = x
        let clip = Rect(x: x, y: y, width: width, height: 1)
        for span in spans(width: width) { col += buffer.put(span.text, x: col, y: y, style: span.style, clip: clip) }
    }
}

/// Draws a message (loading, error, unsupported) in an empty body.
func renderMessage(_ text: String, role: Role, into buffer: inout CellBuffer, area: Rect) {
    guard !area.isEmpty else { return }
    let lines = TextLayout.wrap(text, width: area.width)
    for (i, line) in lines.prefix(area.height).enumerated() {
        buffer.put(line, x: area.x, y: area.y + i, style: Style(role), clip: area)
    }
}

/// The body text for a screen whose data has not arrived (or failed before any arrived).
func placeholder(_ status: ViewStatus, what: String, glyphs: Glyphs) -> (String, Role)? {
    if status.hasData { return nil }
    if let e = status.error { return ("\(glyphs.error) cannot load \(what): \(e)", .statusError) }
    return ("Loading \(what)\(glyphs.ellipsis)", .dim)
}

/// A form's lines, written top-down from the top of `area` and dropped below `bottom`.
struct LinePen {
    let area: Rect
    let bottom: Int
    private(set) var y: Int

    init(_ area: Rect, bottom: Int? = nil) {
        self.area = area
        self.bottom = bottom ?? area.maxY
        y = area.y
    }

    mutating func line(_ parts: [(String, Style)], into buffer: inout CellBuffer) {
        guard y < bottom else { return }
        buffer.put(parts, x: area.x, y: y, clip: area)
        y += 1
    }

    /// Leaves a blank line.
    mutating func skip() { y += 1 }
}

extension ScrollState {
    /// Moves the cursor of a list of `count` rows, `visible` of them on screen.
    mutating func apply(_ nav: Navigation, count: Int, visible: Int) {
        switch nav {
        case .up: move(by: -1, count: count, visible: visible)
        case .down: move(by: 1, count: count, visible: visible)
        case .pageUp: pageUp(count: count, visible: visible)
        case .pageDown: pageDown(count: count, visible: visible)
        case .top: toTop(count: count, visible: visible)
        case .bottom: toBottom(count: count, visible: visible)
        }
    }
}

extension Navigation {
    /// A text's scroll offset after this move, kept within `0...maxOffset` (a page keeps one
    /// line of overlap).
    func scrolled(_ offset: Int, pageHeight: Int, maxOffset: Int) -> Int {
        let page = max(1, pageHeight - 1)
        let moved: Int
        switch self {
        case .up: moved = offset - 1
        case .down: moved = offset + 1
        case .pageUp: moved = offset - page
        case .pageDown: moved = offset + page
        case .top: moved = 0
        case .bottom: moved = maxOffset
        }
        return min(max(0, moved), maxOffset)
    }
}
