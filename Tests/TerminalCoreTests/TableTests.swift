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

    /// Issue 13 item 7: a fixed column that did not fit was dropped and its room went to padding
    /// a flexible one. Now a dropped column comes back into room that would be padding.
    @Test func aDroppedColumnComesBackBeforeAnythingIsPadded() {
        let cols = [TableColumn("ID", priority: 100), TableColumn("ADDRESS", minWidth: 18, flex: 1, priority: 90),
                    TableColumn("RACK", priority: 40), TableColumn("ERROR", priority: 50)]
        // 4 + 21 + 10 + 60 + 3 gaps = 98 > 80: ERROR (60 wide, fixed) goes; RACK still fits.
        let slots = ColumnFitter.fit(cols, ideal: [4, 21, 10, 60], available: 80)
        #expect(slots.map(\.column) == [0, 1, 2])
        // Room no column can use is padding: ADDRESS takes it.
        #expect(widths(slots) == [0: 4, 1: 64, 2: 10])
        // With ERROR flexible it shrinks instead of going, and nothing is padded.
        var flexible = cols
        flexible[3] = TableColumn("ERROR", minWidth: 10, flex: 1, priority: 50)
        let kept = ColumnFitter.fit(flexible, ideal: [4, 21, 10, 60], available: 80)
        #expect(widths(kept) == [0: 4, 1: 21, 2: 10, 3: 42])
    }

    /// Shrunk columns are made whole one at a time, the closest to whole first, before the rest
    /// goes to the most important.
    @Test func shrunkColumnsAreMadeWholeBeforeTheRestIsShared() {
        let cols = [TableColumn("A", minWidth: 10, flex: 1, priority: 100),
                    TableColumn("B", minWidth: 8, flex: 1, priority: 90),
                    TableColumn("C", minWidth: 8, flex: 1, priority: 80)]
        // Floors 10+8+8 + 2 = 28; 12 spare: C (wants 10) is made whole first, then A takes the rest.
        let slots = ColumnFitter.fit(cols, ideal: [40, 30, 10], available: 40)
        #expect(widths(slots) == [0: 20, 1: 8, 2: 10])
    }

    @Test func aFlexibleColumnWantsOnlyItsContent() {
        // ADDRESS 15 wide with a minimum of 20: no reserved blank room while ERROR is cut short.
        let cols = [TableColumn("ADDRESS", minWidth: 20, flex: 1, priority: 90),
                    TableColumn("ERROR", minWidth: 10, flex: 1, priority: 88)]
        let slots = ColumnFitter.fit(cols, ideal: [15, 60], available: 40)
        #expect(widths(slots) == [0: 15, 1: 24])
    }

    /// The rule, on random tables: nothing is padded (wider than its content) while any column is
    /// cut short or a dropped column would fit in the padding.
    @Test func paddingOnlyWhenEverythingThatFitsIsWhole() {
        var rng = SplitMix64(seed: 0x13_07)
        for _ in 0..<3000 {
            let n = Int.random(in: 1...7, using: &rng)
            var cols: [TableColumn] = []
            var ideal: [Int] = []
            for i in 0..<n {
                let flexible = Bool.random(using: &rng)
                let maxW: Int? = Int.random(in: 0...3, using: &rng) == 0 ? Int.random(in: 4...40, using: &rng) : nil
                cols.append(TableColumn("C\(i)", minWidth: Int.random(in: 1...20, using: &rng), maxWidth: maxW,
                                        flex: flexible ? Int.random(in: 1...3, using: &rng) : 0,
                                        priority: Int.random(in: 0...5, using: &rng) * 20))
                ideal.append(Int.random(in: 0...70, using: &rng))
            }
            let available = Int.random(in: 1...160, using: &rng)
            let slots = ColumnFitter.fit(cols, ideal: ideal, available: available)
            func want(_ i: Int) -> Int {
                let c = cols[i]
                var w = c.flex > 0 ? max(1, ideal[i]) : max(c.minWidth, ideal[i])
                if let m = c.maxWidth { w = min(w, max(m, c.minWidth)) }
                return w
            }
            let w = widths(slots)
            let used = slots.last.map { $0.x + $0.width } ?? 0
            #expect(used <= available)
            let padded = w.contains { $0.value > want($0.key) }
            guard padded else { continue }
            #expect(w.allSatisfy { $0.value >= want($0.key) }, "cut short while padding: \(cols) \(ideal) at \(available): \(slots)")
            for i in cols.indices where w[i] == nil {
                let narrowest = cols[i].flex > 0 ? min(cols[i].minWidth, want(i)) : want(i)
                let room = available - w.keys.reduce(0) { $0 + want($1) } - w.count
                #expect(narrowest > room, "column \(i) dropped though it fits in padding: \(cols) \(ideal) at \(available): \(slots)")
            }
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

/// A seeded generator, so a failing random case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
