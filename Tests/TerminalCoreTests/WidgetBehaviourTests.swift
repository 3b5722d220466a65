import Testing
@testable import TerminalCore

@Suite("Widget behaviour")
struct WidgetBehaviourTests {
    @Test func lineEditorEditsLikeReadline() {
        var e = LineEditor()
        for c in "topcs" { let r = e.handle(.character(c)); #expect(r == .edited) }
        do { let r = e.handle(.left); #expect(r == .moved) }
        do { let r = e.handle(.left); #expect(r == .moved) }
        do { let r = e.handle(.character("i")); #expect(r == .edited) }
        #expect(e.text == "topics" && e.cursor == 4)
        do { let r = e.handle(.home); #expect(r == .moved && e.cursor == 0) }
        do { let r = e.handle(.backspace); #expect(r == .ignored) }
        do { let r = e.handle(.delete); #expect(r == .edited && e.text == "opics") }
        do { let r = e.handle(.ctrl("e")); #expect(r == .moved && e.cursor == 5) }
        do { let r = e.handle(.right); #expect(r == .complete) }
        do { let r = e.handle(.tab); #expect(r == .complete) }
        e.set("ctx prod-eu")
        do { let r = e.handle(.ctrl("w")); #expect(r == .edited && e.text == "ctx ") }
        do { let r = e.handle(.ctrl("u")); #expect(r == .edited && e.text == "" && e.cursor == 0) }
        e.set("abc")
        e.cursor = 1
        do { let r = e.handle(.ctrl("k")); #expect(r == .edited && e.text == "a") }
        do { let r = e.handle(.enter); #expect(r == .submit) }
        do { let r = e.handle(.escape); #expect(r == .cancel) }
        do { let r = e.handle(.up); #expect(r == .ignored) }
    }

    @Test func lineEditorHandlesWideCharacters() {
        var e = LineEditor(text: "注文")
        #expect(e.cursor == 2)
        do { let r = e.handle(.backspace); #expect(r == .edited) }
        #expect(e.text == "注" && e.cursor == 1)
        let b = draw(8, 1) { Prompt(prefix: "/", editor: e).render(into: &$0, area: $0.bounds) }
        #expect(textRows(b) == ["|/注     |"])
        #expect(wideInvariantHolds(b))
    }

    @Test func promptShowsCompletionOnlyWhenItExtendsTheText() {
        #expect(Prompt(prefix: ":", editor: LineEditor(text: "top"), suggestion: "topics").completionTail == "ics")
        #expect(Prompt(prefix: ":", editor: LineEditor(text: "tops"), suggestion: "topics").completionTail == nil)
        #expect(Prompt(prefix: ":", editor: LineEditor(text: "topics"), suggestion: "topics").completionTail == nil)
    }

    @Test func dialogKeys() {
        var d = DialogState()
        #expect(d.selected == 1) // "No" by default: Enter alone never confirms
        do { let r = d.handle(.enter, buttonCount: 2); #expect(r == .chosen(1)) }
        do { let r = d.handle(.left, buttonCount: 2); #expect(r == nil && d.selected == 0) }
        do { let r = d.handle(.enter, buttonCount: 2); #expect(r == .chosen(0)) }
        do { let r = d.handle(.tab, buttonCount: 2); #expect(r == nil && d.selected == 1) }
        do { let r = d.handle(.character("y"), buttonCount: 2); #expect(r == .chosen(0)) }
        do { let r = d.handle(.character("n"), buttonCount: 2); #expect(r == .cancelled) }
        do { let r = d.handle(.escape, buttonCount: 2); #expect(r == .cancelled) }
        do { let r = d.handle(.character("x"), buttonCount: 2); #expect(r == nil) }
    }

    @Test func dialogNamesItsTargetEvenWhenNarrow() {
        let b = draw(20, 8) {
            Dialog(title: "Delete", message: "Delete consumer group", target: "payments-consumer-group-eu").render(into: &$0, area: $0.bounds)
        }
        let text = b.text()
        // The target is never cut short: it wraps.
        #expect(text.contains("payments-consume") && text.contains("r-group-eu"))
        #expect(text.contains("[ Yes ]") || text.contains("Yes"))
        #expect(wideInvariantHolds(b))
    }

    /// A target of several words breaks between words ("Connec" / "t cluster DEV" at 30
    /// columns was hard to read in a confirmation); a word longer than the line still breaks.
    @Test func dialogTargetBreaksBetweenWords() {
        let b = draw(30, 9) {
            Dialog(title: "Confirm", message: "Really pause connector?", target: "payments-s3-sink on Connect cluster DEV")
                .render(into: &$0, area: $0.bounds)
        }
        let rows = b.text().split(separator: "\n").map(String.init)
        #expect(rows.contains { $0.contains("payments-s3-sink on") }, "\(b.text())")
        #expect(rows.contains { $0.contains("Connect cluster DEV") }, "\(b.text())")
        #expect(wideInvariantHolds(b))
    }

    @Test func statusBarDropsLowestPriorityHintsFirst() {
        let hints = [KeyHint(.character("a"), "one", priority: 3), KeyHint(.character("b"), "two", priority: 1),
                     KeyHint(.character("c"), "three", priority: 2)]
        #expect(StatusBar.fittingHints(hints, width: 100).map(\.keyName) == ["a", "b", "c"])
        // widths: 7, 7, 9 + gaps of 2
        #expect(StatusBar.fittingHints(hints, width: 18).map(\.keyName) == ["a", "c"])
        #expect(StatusBar.fittingHints(hints, width: 8).map(\.keyName) == ["a"])
        #expect(StatusBar.fittingHints(hints, width: 3).isEmpty)
        #expect(KeyHint(.ctrl("r"), "restart").width == "<ctrl-r> restart".count)
    }

    @Test func sparklineScalesToItsRange() {
        let s = Sparkline([0, 50, 100])
        #expect(s.characters(width: 3) == ["▁", "▅", "█"])
        #expect(s.characters(width: 2) == ["▅", "█"]) // newest values kept
        #expect(Sparkline([5, 5, 5]).characters(width: 3) == ["█", "█", "█"])
        #expect(Sparkline([0, 0]).characters(width: 2) == ["▁", "▁"])
        #expect(Sparkline([.nan, .infinity, 1]).characters(width: 3).count == 3)
        #expect(Sparkline([1, 2], minimum: 0, maximum: 4).characters(width: 2, glyphs: .ascii) == [",", "="])
    }

    @Test func jsonPrettyPrintKeepsOrderAndText() {
        #expect(JSONHighlight.pretty("{\"z\":1,\"a\":{\"k\":\"v, :{}\"},\"e\":[]}") == """
            {
              "z": 1,
              "a": {
                "k": "v, :{}"
              },
              "e": []
            }
            """)
        #expect(JSONHighlight.pretty("[1,2]") == "[\n  1,\n  2\n]")
        #expect(JSONHighlight.pretty("not json") == nil)
        #expect(JSONHighlight.pretty("{\"a\":1") == nil)
        #expect(JSONHighlight.pretty("{\"a\":1}}") == nil)
        #expect(JSONHighlight.pretty("{} trailing") == nil)
        #expect(JSONHighlight.pretty("{\"a\":\"unterminated}") == nil)
    }

    @Test func jsonHighlightRoles() {
        let spans = JSONHighlight.lines("  \"key\": \"va\\\"l\", \"n\": -1.5e3, \"b\": null")[0]
        let roles = spans.map { ($0.text, $0.style.role) }
        #expect(roles.contains { $0 == ("\"key\"", .jsonKey) })
        #expect(roles.contains { $0 == ("\"va\\\"l\"", .jsonString) })
        #expect(roles.contains { $0 == ("-1.5e3", .jsonNumber) })
        #expect(roles.contains { $0 == ("null", .jsonNumber) })
        #expect(spans.map(\.text).joined() == "  \"key\": \"va\\\"l\", \"n\": -1.5e3, \"b\": null")
    }

    @Test func textViewCountsRowsAndClampsOffset() {
        let tv = TextView(text: "aaaa bbbb cccc\nd", wrap: true)
        #expect(tv.rowCount(width: 4) == 4)
        #expect(tv.rowCount(width: 100) == 2)
        #expect(TextView(text: "x\ny\nz", wrap: false).rowCount(width: 1) == 3)
        let area = Rect(x: 0, y: 0, width: 5, height: 2)
        // 4 rows at width 4 (one column goes to the scrollbar): offset at most 2.
        #expect(tv.maxOffset(in: area) == 2)
        let b = draw(5, 2) { tv.render(into: &$0, area: $0.bounds, offset: 99) }
        // Scrolled to the end: the thumb sits at the bottom of the track.
        #expect(textRows(b) == ["|cccc│|", "|d   █|"])
    }

    @Test func textViewWrapsStyledSpansAcrossRows() {
        let rows = TextView.rows(of: [Span("ab", role: .jsonKey), Span("cdef", role: .jsonString)], width: 3)
        #expect(rows.map { $0.map(\.text) } == [["ab", "c"], ["def"]])
        #expect(rows[0][1].style.role == .jsonString)
    }

    @Test func detailPaneWrapsLongValues() {
        let p = DetailPane(rows: [DetailRow("id", "0123456789")])
        // "id:" takes 3 columns (40% of 8), a gap, then 4 columns of value per row.
        #expect(p.rowCount(width: 8) == 3)
        let b = draw(8, 3) { p.render(into: &$0, area: $0.bounds) }
        #expect(textRows(b) == ["|id: 0123|", "|    4567|", "|    89  |"])
    }

    @Test func frameReturnsItsInnerArea() {
        var b = CellBuffer(size: Size(width: 10, height: 5))
        #expect(Frame().render(into: &b, area: Rect(x: 1, y: 1, width: 6, height: 3)) == Rect(x: 2, y: 2, width: 4, height: 1))
        #expect(Frame().render(into: &b, area: Rect(x: 0, y: 0, width: 1, height: 5)).isEmpty)
    }

    @Test func breadcrumbsKeepTheActiveCrumb() {
        let b = draw(6, 1) { Breadcrumbs(["local", "topics", "a-very-long-topic-name"]).render(into: &$0, area: $0.bounds) }
        #expect(textRows(b) == ["|a-ver…|"])
        #expect(styleRows(b) == ["|AAAAAA|"])
    }
}
