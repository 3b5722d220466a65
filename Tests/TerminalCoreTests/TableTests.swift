import Testing
@testable import TerminalCore

/// Counts how often a table asks for cells (reference type: the closure captures it).
final class CellCounter: @unchecked Sendable {
    var calls = 0
    var rows = Set<Int>()
}

@Suite("Table")
struct TableTests {
    func bigTable(_ counter: CellCounter, rows: Int = 50_000) -> Table {
        Table(columns: [TableColumn("#", alignment: .right, width: 5), TableColumn("NAME", flex: 1, width: 12)],
              rowCount: rows) { r, c in
            counter.calls += 1
            counter.rows.insert(r)
            return TableCell(c == 0 ? String(r) : "topic-\(r)")
        }
    }

    @Test func virtualScrollingTouchesOnlyVisibleRows() {
        let counter = CellCounter()
        let table = bigTable(counter)
        var state = ScrollState()
        let area = Rect(x: 0, y: 0, width: 30, height: 11)
        let visible = Table.visibleRowCount(in: area)
        #expect(visible == 10)
        state.toBottom(count: table.rowCount, visible: visible)
        #expect(state.cursor == 49_999)
        #expect(state.offset == 49_990)
        var b = CellBuffer(size: Size(width: 30, height: 11))
        table.render(into: &b, area: area, state: state)
        // Fixed-width columns are never measured: exactly the 10 visible rows x 2 columns.
        #expect(counter.calls == 20)
        #expect(counter.rows == Set(49_990..<50_000))
        #expect(textRows(b)[1] == "|49990 topic-49990             |")
        #expect(textRows(b)[10] == "|49999 topic-49999             |")
        #expect(styleRows(b)[10] == "|SSSSSSSSSSSSSSSSSSSSSSSSSSSSSS|")
    }

    @Test func measuredColumnsSampleABoundedNumberOfRows() {
        let counter = CellCounter()
        let table = Table(columns: [TableColumn("NAME")], rowCount: 50_000) { r, _ in
            counter.calls += 1
            return TableCell("t\(r)")
        }
        var b = CellBuffer(size: Size(width: 20, height: 6))
        table.render(into: &b, area: b.bounds, state: ScrollState(cursor: 25_000, offset: 25_000))
        // 200 sampled rows + 5 visible rows measured, then the 5 visible rows drawn.
        #expect(counter.calls == 200 + 5 + 5)
        #expect(textRows(b)[1] == "|t25000              |")
    }

    @Test func scrollingKeysMoveThroughFiftyThousandRows() {
        var s = ScrollState()
        let count = 50_000, visible = 20
        do { let r = s.handle(.pageDown, count: count, visible: visible); #expect(r) }
        #expect(s.cursor == 19 && s.offset == 19)
        s.handle(.character("G"), count: count, visible: visible)
        #expect(s.cursor == 49_999 && s.offset == 49_980)
        s.handle(.character("k"), count: count, visible: visible)
        #expect(s.cursor == 49_998 && s.offset == 49_980)
        s.handle(.pageUp, count: count, visible: visible)
        #expect(s.cursor == 49_979)
        #expect(s.offset <= s.cursor && s.cursor < s.offset + visible)
        s.handle(.home, count: count, visible: visible)
        #expect(s == ScrollState(cursor: 0, offset: 0))
        do { let r = s.handle(.character("x"), count: count, visible: visible); #expect(!r) }
        // Rows vanish (a filter): the cursor follows.
        s = ScrollState(cursor: 40_000, offset: 39_990)
        s.clamp(count: 5, visible: visible)
        #expect(s == ScrollState(cursor: 4, offset: 0))
        s.clamp(count: 0, visible: visible)
        #expect(s == ScrollState(cursor: 0, offset: 0))
    }

    @Test func renderClampsAStaleState() {
        let counter = CellCounter()
        let table = bigTable(counter, rows: 3)
        var b = CellBuffer(size: Size(width: 20, height: 5))
        table.render(into: &b, area: b.bounds, state: ScrollState(cursor: 99, offset: 50))
        #expect(textRows(b)[1] == "|    0 topic-0       |")
        #expect(styleRows(b)[3] == "|SSSSSSSSSSSSSSSSSSSS|")
    }

    @Test func emptyTableShowsItsMessage() {
        var t = Table(columns: [TableColumn("NAME")], rows: [])
        t.emptyMessage = "No topics match /zzz"
        let b = draw(24, 3) { t.render(into: &$0, area: $0.bounds, state: ScrollState()) }
        #expect(textRows(b) == ["|NAME                    |", "|No topics match /zzz    |", "|                        |"])
        #expect(styleRows(b)[1] == "|dddddddddddddddddddd....|")
    }

    // Column fitting: NAME flexible (min 8), HEALTH high priority, the rest fixed.
    let fitColumns = [
        TableColumn("NAME", minWidth: 8, flex: 1, priority: 10),
        TableColumn("PARTITIONS", alignment: .right, priority: 4),
        TableColumn("HEALTH", priority: 9),
        TableColumn("BYTES", alignment: .right, priority: 2),
        TableColumn("RETENTION", priority: 1),
    ]
    let fitIdeal = [30, 10, 9, 8, 9]

    func widths(_ slots: [ColumnSlot]) -> [Int: Int] {
        Dictionary(uniqueKeysWithValues: slots.map { ($0.column, $0.width) })
    }

    @Test func fitAt80GivesSpareWidthToFlexibleColumns() {
        let slots = ColumnFitter.fit(fitColumns, ideal: fitIdeal, available: 80)
        #expect(slots.map(\.column) == [0, 1, 2, 3, 4])
        // 30+10+9+8+9 + 4 gaps = 70: NAME takes the 10 spare columns.
        #expect(widths(slots) == [0: 40, 1: 10, 2: 9, 3: 8, 4: 9])
        #expect(slots.last!.x + slots.last!.width == 80)
    }

    @Test func fitAt60ShrinksTheFlexibleColumnFirst() {
        let slots = ColumnFitter.fit(fitColumns, ideal: fitIdeal, available: 60)
        #expect(widths(slots) == [0: 20, 1: 10, 2: 9, 3: 8, 4: 9])
        #expect(slots.map(\.x) == [0, 21, 32, 42, 51])
    }

    @Test func fitAt20DropsLowPriorityColumns() {
        let slots = ColumnFitter.fit(fitColumns, ideal: fitIdeal, available: 20)
        // RETENTION, BYTES, PARTITIONS go (lowest priority first); NAME shrinks to fit.
        #expect(slots.map(\.column) == [0, 2])
        #expect(widths(slots) == [0: 10, 2: 9])
    }

    @Test func fitAt1KeepsTheMostImportantColumnTruncated() {
        let slots = ColumnFitter.fit(fitColumns, ideal: fitIdeal, available: 1)
        #expect(slots == [ColumnSlot(column: 0, x: 0, width: 1)])
        #expect(ColumnFitter.fit(fitColumns, ideal: fitIdeal, available: 0).isEmpty)
        #expect(ColumnFitter.fit([], ideal: [], available: 80).isEmpty)
    }

    @Test func fitRespectsMaxWidth() {
        let cols = [TableColumn("A", maxWidth: 12, flex: 1), TableColumn("B", flex: 1)]
        let slots = ColumnFitter.fit(cols, ideal: [5, 5], available: 40)
        #expect(widths(slots) == [0: 12, 1: 27])
    }

    @Test func fitNeverExceedsTheWidth() {
        for available in 0...100 {
            let slots = ColumnFitter.fit(fitColumns, ideal: fitIdeal, available: available)
            for s in slots {
                #expect(s.width >= 1)
                #expect(s.x + s.width <= available)
            }
            #expect(Set(slots.map(\.column)).count == slots.count)
        }
    }

    @Test func tableRenderedAtTableWidths() {
        for w in [80, 60, 20, 1] {
            let b = draw(w, 4) { sampleTable.render(into: &$0, area: $0.bounds, state: ScrollState()) }
            #expect(wideInvariantHolds(b))
            #expect(b.text().split(separator: "\n").allSatisfy { DisplayWidth.of(String($0)) == w })
            // The most important column survives, truncated at the narrowest width.
            #expect(textRows(b)[0].hasPrefix(w == 1 ? "|N" : "|NAME"), "width \(w)")
            #expect(textRows(b)[1].hasPrefix(w == 1 ? "|o" : "|orders"), "width \(w)")
        }
    }
}
