import Testing
@testable import TerminalCore

/// Every widget at every size from 0x0 to 10x10, at every offset in the buffer, with
/// wide and combining text: nothing traps, nothing is written outside its area, and no
/// wide character is ever split.
@Suite("Widget sizes 0..10")
struct FuzzTests {
    static let text = "注文-🚀-e\u{0301}-orders"

    static func widgets(glyphs: Glyphs) -> [(String, (inout CellBuffer, Rect) -> Void)] {
        let cols = [TableColumn(text, minWidth: 3, flex: 1, priority: 2), TableColumn("P", alignment: .right, priority: 1),
                    TableColumn("H", alignment: .center, truncation: .middle)]
        let table = Table(columns: cols, rowCount: 50, sort: TableSort(column: 0), isMarked: { $0 % 3 == 0 }) { r, c in
            c == 1 ? TableCell(String(r)) : TableCell(text, role: .statusError)
        }
        return [
            ("table", { table.render(into: &$0, area: $1, state: ScrollState(cursor: 7), glyphs: glyphs) }),
            ("list", { ListView(items: [ListItem(text, detail: "9"), "b", "c"], isMarked: { $0 == 1 }).render(into: &$0, area: $1, state: ScrollState(cursor: 2), glyphs: glyphs) }),
            ("frame", { Frame(title: text, trailing: text).render(into: &$0, area: $1, glyphs: glyphs) }),
            ("status", { StatusBar(hints: [KeyHint(.ctrl("r"), text), KeyHint(.enter, "open")], message: text).render(into: &$0, area: $1, glyphs: glyphs) }),
            ("prompt", { Prompt(prefix: ":", editor: LineEditor(text: text, cursor: 3), suggestion: text + "x", error: text).render(into: &$0, area: $1, glyphs: glyphs) }),
            ("prompt-end", { Prompt(prefix: "/", editor: LineEditor(text: text), suggestion: text + "注").render(into: &$0, area: $1, glyphs: glyphs) }),
            ("dialog", { Dialog(title: text, message: text + " " + text, target: text).render(into: &$0, area: $1, glyphs: glyphs) }),
            ("crumbs", { Breadcrumbs([text, "topics", text]).render(into: &$0, area: $1, glyphs: glyphs) }),
            ("spark", { Sparkline([1, 5, 2, 8, 3]).render(into: &$0, area: $1, glyphs: glyphs) }),
            ("text", { TextView(text: text + "\n" + text + " " + text, wrap: true).render(into: &$0, area: $1, offset: 1, glyphs: glyphs) }),
            ("text-h", { TextView(text: text + "\n\n" + text, wrap: false).render(into: &$0, area: $1, offset: 0, horizontalOffset: 3, glyphs: glyphs) }),
            ("detail", { DetailPane(rows: [.section(text), DetailRow(text, text), DetailRow("k", "")]).render(into: &$0, area: $1, offset: 1, glyphs: glyphs) }),
        ]
    }

    @Test(arguments: [Glyphs.unicode, Glyphs.ascii])
    func allSizesAreSafe(glyphs: Glyphs) {
        let sentinel = Cell("#", style: Style("sentinel"))
        for (name, render) in Self.widgets(glyphs: glyphs) {
            for w in 0...10 {
                for h in 0...10 {
                    // The widget's area sits inside a larger buffer, and also overhangs it.
                    for (ox, oy) in [(1, 1), (8, 8)] {
                        var b = CellBuffer(size: Size(width: 12, height: 12), fill: sentinel)
                        let area = Rect(x: ox, y: oy, width: w, height: h)
                        render(&b, area)
                        let drawn = area.intersection(b.bounds)
                        for y in 0..<12 {
                            for x in 0..<12 where !(x >= drawn.x && x < drawn.maxX && y >= drawn.y && y < drawn.maxY) {
                                #expect(b[x, y] == sentinel, "\(name) \(w)x\(h) at \(ox),\(oy) wrote outside its area at \(x),\(y)")
                            }
                        }
                        #expect(wideInvariantHolds(b), "\(name) \(w)x\(h) split a wide character")
                    }
                }
            }
        }
    }

    @Test func tinyBuffers() {
        for w in 0...2 {
            for h in 0...2 {
                var b = CellBuffer(size: Size(width: w, height: h))
                for (_, render) in Self.widgets(glyphs: .unicode) { render(&b, b.bounds) }
                #expect(b.width == w && b.height == h)
            }
        }
    }
}
