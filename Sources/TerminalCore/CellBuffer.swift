/// A screen's worth of cells. Views render into it; the curses adapter presents it;
/// tests snapshot it as text (and as a style layer).
public struct CellBuffer: Sendable, Hashable {
    public private(set) var size: Size
    public private(set) var cells: [Cell]

    public init(size: Size, fill: Cell = .blank) {
        self.size = size
        self.cells = Array(repeating: fill, count: size.width * size.height)
    }

    public var width: Int { size.width }
    public var height: Int { size.height }
    public var bounds: Rect { Rect(x: 0, y: 0, width: size.width, height: size.height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * size.width + x] }
        set { cells[y * size.width + x] = newValue }
    }

    public func contains(x: Int, y: Int) -> Bool { x >= 0 && y >= 0 && x < size.width && y < size.height }

    public mutating func fill(_ rect: Rect, with cell: Cell = .blank) {
        let r = rect.intersection(bounds)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            breakWideCharacter(x: r.x, y: y)
            breakWideCharacter(x: r.maxX, y: y)
            for x in r.x..<r.maxX { self[x, y] = cell }
        }
    }

    /// Before a write starting or ending at column x: a wide character straddling the
    /// boundary (owner at x-1, continuation at x) loses both halves to blanks, so an
    /// overlay (a dialog over a table) never leaves half a character behind.
    private mutating func breakWideCharacter(x: Int, y: Int) {
        guard x > 0, x < size.width, self[x, y].isContinuation else { return }
        self[x - 1, y] = Cell(" ", style: self[x - 1, y].style)
        self[x, y] = Cell(" ", style: self[x, y].style)
    }

    /// Styled parts side by side from `x`; returns the columns used.
    @discardableResult
    public mutating func put(_ parts: [(String, Style)], x: Int, y: Int, clip: Rect? = nil) -> Int {
        var column = x
        for (text, style) in parts { column += put(text, x: column, y: y, style: style, clip: clip) }
        return column - x
    }

    /// Writes `text` at (x, y), clipped to `clip` (default: the rest of the row), never
    /// splitting a wide character. Returns the number of columns written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .normal, clip: Rect? = nil) -> Int {
        let area = (clip ?? Rect(x: x, y: y, width: size.width - x, height: 1)).intersection(bounds)
        guard y >= area.y, y < area.maxY else { return 0 }
        var col = x
        for ch in text.sanitizedForTerminal {
            let w = DisplayWidth.of(ch)
            if w == 0 {
                // Combining marks join the previous cell's grapheme.
                if col > area.x, col - 1 < area.maxX, col - 1 >= area.x {
                    var prev = self[col - 1, y]
                    if prev.isContinuation, col - 2 >= area.x { prev = self[col - 2, y]; prev.text.append(ch); self[col - 2, y] = prev }
                    else { prev.text.append(ch); self[col - 1, y] = prev }
                }
                continue
            }
            if col + w > area.maxX { break }
            if col >= area.x {
                breakWideCharacter(x: col, y: y)
                breakWideCharacter(x: col + w, y: y)
                self[col, y] = Cell(String(ch), style: style)
                if w == 2 { self[col + 1, y] = Cell("", style: style) }
            }
            col += w
        }
        return max(0, col - x)
    }

    /// The screen as plain text, one line per row, trailing spaces kept so snapshots show width.
    public func text() -> String {
        var lines: [String] = []
        lines.reserveCapacity(size.height)
        for y in 0..<size.height {
            var line = ""
            for x in 0..<size.width { line += self[x, y].text }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// One line per row naming each cell's role by a letter from `legend` ("." for normal),
    /// so snapshot tests can check emphasis without colours.
    public func styleLayer(legend: [Role: Character]) -> String {
        var lines: [String] = []
        for y in 0..<size.height {
            var line = ""
            for x in 0..<size.width {
                let cell = self[x, y]
                line.append(legend[cell.style.role] ?? (cell.style.role == .normal ? "." : "?"))
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
