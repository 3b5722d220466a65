@testable import BrowserCore
import ClusterModel
import Foundation
import KafkaTestSupport
import TerminalCore
import Testing

@Suite struct FormatTests {
    @Test func counts() {
        #expect(Format.count(0) == "0")
        #expect(Format.count(999) == "999")
        #expect(Format.count(1_234_567) == "1,234,567")
        #expect(Format.count(-1_000) == "-1,000")
        #expect(Format.compact(9_999) == "9999")
        #expect(Format.compact(12_345) == "12.3k")
        #expect(Format.compact(98_311_204) == "98.3M")
        #expect(Format.compact(Int64.max) == "9.2E")
        #expect(Format.bytes(512) == "512 B")
        #expect(Format.bytes(1_536) == "1.5 KiB")
        #expect(Format.bytes(52_613_349_376) == "49.0 GiB")
    }

    @Test func clockUsesOffset() {
        #expect(Format.clock(1_763_730_000, utcOffset: 0) == "13:00:00")
        #expect(Format.clock(1_763_730_000, utcOffset: 3_600) == "14:00:00")
        #expect(Format.clock(1_763_730_000, utcOffset: -14 * 3_600) == "23:00:00")
        #expect(Format.clock(.nan, utcOffset: 0) == "--:--:--")
    }

    @Test func sparklineScalesToRange() {
        #expect(Format.sparkline([10, 20, 30, 40], width: 10, glyphs: .unicode) == "▁▃▆█")
        #expect(Format.sparkline([5, 5, 5], width: 10, glyphs: .unicode) == "▁▁▁")
        #expect(Format.sparkline([1, 2, 3, 4, 5], width: 2, glyphs: .ascii).count == 2)
        #expect(Format.sparkline([], width: 5, glyphs: .unicode) == "")
    }
}

@Suite struct FilterTests {
    @Test func literalRegexAndInversion() throws {
        let m = try RowFilter("ORD").compile()
        #expect(m.matches(lowered: "orders", original: "orders"))
        let r = try RowFilter("^pay.*s$").compile()
        #expect(r.matches(lowered: "payments", original: "Payments"))
        #expect(!r.matches(lowered: "payment", original: "payment"))
        let inv = try RowFilter("!^pay").compile()
        #expect(!inv.matches(lowered: "payments", original: "payments"))
        #expect(inv.matches(lowered: "orders", original: "orders"))
    }

    @Test func invalidRegexThrowsReadableError() {
        #expect(throws: LoadError.self) { try RowFilter("(unclosed").compile() }
        do {
            _ = try RowFilter("a{2,1}[").compile()
            Issue.record("accepted a broken regex")
        } catch {
            #expect(error.message.hasPrefix("invalid regex"))
            #expect(!error.message.contains("\n"))
        }
    }

    /// A leading `.*` made the old backtracking engine scan to the end from every start (`.*foo`
    /// over a 64 KiB value froze the tail screen). Outer wildcards change nothing for an unanchored
    /// search and are dropped; matching stays the same and is decided within a row's budget.
    @Test func outerWildcardsDoNotScanQuadratically() throws {
        let long = String(repeating: "x", count: 64 << 10)
        for p in [".*foo", ".*?foo.*", ".*fo+.*?", ".*o{2}y"] {
            let m = try RowFilter(p).compile()
            var budget = FilterBudget(steps: FilterBudget.perRow)
            #expect(m.evaluate(lowered: long, original: long, budget: &budget) == .noMatch, "\(p)")
            var budget2 = FilterBudget(steps: FilterBudget.perRow)
            #expect(m.evaluate(lowered: long + "fooy", original: long + "fooy", budget: &budget2) == .match, "\(p)")
        }
        #expect(RowFilter.withoutOuterWildcards(".*a.*b.*") == "a.*b")
        #expect(RowFilter.withoutOuterWildcards("a\\.*") == "a\\.*")
        #expect(RowFilter.withoutOuterWildcards("a\\\\.*") == "a\\\\")
        #expect(RowFilter.withoutOuterWildcards(".*+a") == ".*+a")
        #expect(RowFilter.withoutOuterWildcards("foo|.*") == "foo|.*")
        #expect(RowFilter.withoutOuterWildcards("(a.*)") == "(a.*)")
        // ".*" alone still matches every row, and "!.*" none.
        #expect(try RowFilter(".*").compile().matches(lowered: "", original: ""))
        #expect(try !RowFilter("!.*").compile().matches(lowered: "abc", original: "abc"))
        #expect(try RowFilter(".*PAY.*").compile().matches(lowered: "payments", original: "payments"))
    }

    /// Nested repeats used to be refused (the backtracking engine never returned on them); the
    /// linear matcher decides them, so they are accepted and answer correctly.
    @Test func nestedRepetitionIsDecided() throws {
        let long = String(repeating: "x", count: 4_000)
        for p in ["(x+x+)+y", "(a*)*", "(a+)+$", "((ab)+c)*", "(?:\\w+\\s?)+$", "(a{2,})+", "(.*a){3,}", "(a+)+?"] {
            let m = try RowFilter(p).compile()
            var budget = FilterBudget(steps: FilterBudget.perKeystroke)
            #expect(m.evaluate(lowered: long, original: long, budget: &budget) != .outOfBudget, "\(p)")
        }
        #expect(try !RowFilter("(x+x+)+y").compile().matches(lowered: long, original: long))
        #expect(try RowFilter("(x+x+)+y").compile().matches(lowered: long + "y", original: long + "y"))
        #expect(try !RowFilter("!(x+x+)+y").compile().matches(lowered: long + "y", original: long + "y"))
    }
}

@Suite struct CommandTests {
    @Test func parsing() throws {
        #expect(try Commands.parse("br").get() == .go(.brokers))
        #expect(try Commands.parse("TOPICS").get() == .go(.topics))
        #expect(try Commands.parse("tp  orders ").get() == .go(.topic("orders")))
        #expect(try Commands.parse("tail orders").get() == .go(.tail(topic: "orders")))
        #expect(try Commands.parse("ctx prod").get() == .switchContext("prod"))
        #expect(try Commands.parse("q").get() == .quit)
        #expect(throws: LoadError.self) { try Commands.parse("tail").get() }
        #expect(throws: LoadError.self) { try Commands.parse("bogus").get() }
    }

    @Test func suggestions() {
        let topics = ["orders", "payments"]
        #expect(Commands.suggestion(for: "to", topics: topics, groups: [], contexts: []) == "topics")
        #expect(Commands.suggestion(for: "cn", topics: topics, groups: [], contexts: []) == "cn")
        #expect(Commands.suggestion(for: "tail p", topics: topics, groups: [], contexts: []) == "tail payments")
        #expect(Commands.suggestion(for: "tail P", topics: topics, groups: [], contexts: []) == "tail payments")
        #expect(Commands.suggestion(for: "zz", topics: topics, groups: [], contexts: []) == nil)
        #expect(Commands.suggestion(for: "brokers x", topics: topics, groups: [], contexts: []) == nil)
    }
}

@Suite struct LagHistoryTests {
    @Test func boundedAndTrend() {
        var h = LagHistory(limit: 3, maxGroups: 2)
        for (i, v) in [5, 4, 3, 2].enumerated() { h.record(group: "a", lag: Int64(v), at: Double(i)) }
        #expect(h.samples("a") == [4, 3, 2])
        #expect(h.trend("a") == .shrinking)
        h.record(group: "b", lag: 1, at: 10)
        h.record(group: "c", lag: 1, at: 11)
        #expect(h.series.count == 2)
        #expect(h.samples("a").isEmpty)  // least recently sampled went first
        h.record(group: "c", lag: 1, at: 11)  // same instant: one sample
        #expect(h.samples("c") == [1])
    }
}

@Suite struct ListModelTests {
    struct Row: Sendable { var name: String; var n: Int }
    static let cols: [ListColumn<Row>] = [
        ListColumn(TableColumn("NAME"), order: { $0.name < $1.name }) { r, _ in TableCell(r.name) },
        ListColumn(TableColumn("N"), order: { $0.n < $1.n }) { r, _ in TableCell(String(r.n)) },
    ]

    @Test func keepsSelectionAcrossReloadFilterAndSort() {
        var m = ListModel(columns: Self.cols, sort: TableSort(column: 0), identity: { $0.name }, searchText: { $0.name })
        m.setRows([Row(name: "b", n: 1), Row(name: "a", n: 3), Row(name: "c", n: 2)], visibleRows: 10)
        m.navigate(.down, visibleRows: 10)
        #expect(m.selected?.name == "b")
        m.cycleSort(visibleRows: 10)
        #expect(m.selected?.name == "b")
        #expect(m.visible.map { m.rows[$0].name } == ["b", "c", "a"])
        m.setRows([Row(name: "c", n: 0), Row(name: "b", n: 9)], visibleRows: 10)
        #expect(m.selected?.name == "b")
        #expect(m.setFilter(RowFilter("c"), visibleRows: 10) == nil)
        #expect(m.selected?.name == "c")
        #expect(m.setFilter(RowFilter("("), visibleRows: 10) != nil)
        #expect(m.filter == RowFilter("c"))
        #expect(m.countLabel == "[1/2]")
    }

    @Test func twentyThousandRowsRenderOnlyVisible() {
        var m = ListModel(columns: Self.cols, sort: TableSort(column: 0), identity: { $0.name }, searchText: { $0.name })
        m.setRows((0..<20_000).map { Row(name: "t\($0)", n: $0) }, visibleRows: 20)
        m.navigate(.bottom, visibleRows: 20)
        var b = CellBuffer(size: Size(width: 40, height: 21))
        let ctx = ScreenContext(options: BrowserOptions(), now: 0, area: b.bounds, overview: Loadable(),
                                lagHistory: LagHistory())
        m.render(into: &b, area: b.bounds, context: ctx)
        #expect(b.text().contains("t9999"))  // names sort as strings: t9999 is last
    }
}

@Suite struct SnapshotHelperTests {
    @Test func missingFailsInCIRecordsOtherwiseAndDiffs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-snap-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let testFile = dir.appendingPathComponent("FakeTests.swift").path
        var b = CellBuffer(size: Size(width: 4, height: 1))
        b.put("ab", x: 0, y: 0, style: Style(.statusError))
        let ci = ["CI": "true"]
        #expect(Snapshot.verify(b, named: "s", testFile: testFile, environment: ci)?.contains("missing snapshot") == true)
        #expect(Snapshot.verify(b, named: "s", testFile: testFile, environment: [:])?.contains("recorded new snapshot") == true)
        #expect(Snapshot.verify(b, named: "s", testFile: testFile, environment: ci) == nil)
        let stored = try String(contentsOf: dir.appendingPathComponent("__Snapshots__/s.txt"), encoding: .utf8)
        #expect(stored == "ab  \n---- roles (4x1) ----\nEE..\n")
        b.put("ab", x: 0, y: 0, style: Style(.statusWarn))  // same text, other role
        #expect(Snapshot.verify(b, named: "s", testFile: testFile, environment: ci)?.contains("differs") == true)
        #expect(Snapshot.verify(b, named: "s", testFile: testFile, environment: ["KAFSCOPE_RECORD_SNAPSHOTS": "1"]) == nil)
        #expect(Snapshot.verify(b, named: "s", testFile: testFile, environment: ci) == nil)
    }
}

/// Issue 13 item 4: a group total that leaves out unreadable partitions must not enter the trend.
@Suite struct PartialLagHistoryTests {
    @Test func partialTotalsAreNotSampledAndAreMarked() {
        var state = AppState(options: BrowserOptions(), size: Size(width: 100, height: 20), now: 0)
        func groups(_ lag: Int64, _ c: LagCompleteness) -> Message {
            .loaded(.groups(.success(Partial([GroupSummary(group: "billing", state: "Stable", members: 1, lag: lag,
                                                           lagCompleteness: c)]))), at: Double(lag), for: .app)
        }
        _ = update(&state, groups(211, .complete))
        _ = update(&state, groups(112, .partial))
        _ = update(&state, groups(215, .estimated))
        #expect(state.lagHistory.samples("billing") == [211, 215], "the partial 112 would draw a dip")
        #expect(Format.lag(112, .partial) == "112+" && Format.lag(215, .estimated) == "~215")
    }
}
