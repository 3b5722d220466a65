import TerminalCore

/// Aligned columns like kubectl: widths from content (display columns, so CJK lines up), two spaces
/// between columns, numbers right-aligned, no trailing spaces. Cells are sanitized so a topic
/// name with control characters cannot move the cursor of the terminal reading the output.
public struct TextTable: Sendable {
    public enum Align: Sendable { case left, right }

    public var header: [String]
    public var align: [Align]
    public var rows: [[String]]

    public init(_ header: [String], align: [Align] = [], rows: [[String]] = []) {
        self.header = header
        self.align = align
        self.rows = rows
    }

    public mutating func add(_ row: [String]) { rows.append(row) }

    public func render() -> String {
        let columns = header.count
        let header = self.header.map(Self.clean)
        let rows = self.rows.map { row in (0..<columns).map { i in i < row.count ? Self.clean(row[i]) : "" } }
        var widths = header.map { DisplayWidth.of($0) }
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], DisplayWidth.of(cell)) }
        }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (i, cell) in cells.enumerated() {
                let pad = widths[i] - DisplayWidth.of(cell)
                let right = i < align.count && align[i] == .right
                if i > 0 { out += "  " }
                if right { out += String(repeating: " ", count: pad) + cell }
                else if i == cells.count - 1 { out += cell }
                else { out += cell + String(repeating: " ", count: pad) }
            }
            while out.hasSuffix(" ") { out.removeLast() }
            return out
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// `clean` line by line, keeping the line breaks: for messages that quote broker- and
    /// worker-supplied text (advertised names, error messages) over several lines.
    static func cleanLines(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { clean(String($0)) }.joined(separator: "\n")
    }

    /// Control characters (TerminalControls) become visible escapes; tables are one line per row.
    static func clean(_ s: String) -> String {
        TerminalControls.escaped(s, keepingLines: false)
    }
}
