import Testing
@testable import TerminalCore

// Whole widgets rendered at fixed sizes, checked as text and as a style layer (one
// letter per role, see Support.swift), the way gitui/ratatui snapshot screens.

let sampleColumns = [
    TableColumn("NAME", minWidth: 6, flex: 1, priority: 10), TableColumn("PARTS", alignment: .right, priority: 5),
    TableColumn("HEALTH", priority: 8), TableColumn("MESSAGES", alignment: .right, priority: 1),
]
let sampleRows: [[TableCell]] = [
    ["orders", "12", TableCell("● ok", role: .statusOk), "1200"],
    ["payments-eu-west-1", "3", TableCell("✖ offline", role: .statusError), "5"],
    ["注文", "1", TableCell("▲ urp", role: .statusWarn), "0"],
]
var sampleTable: Table {
    Table(columns: sampleColumns, rows: sampleRows, sort: TableSort(column: 1, direction: .descending), isMarked: { $0 == 2 })
}
let sampleHints = [KeyHint(.character("p"), "pause"), KeyHint(.ctrl("r"), "restart", priority: -1), KeyHint(.character("?"), "help", priority: 5)]
let sampleTextSource = "line one is long enough to wrap\nline two\nthree"
let sampleText = TextView(text: sampleTextSource, wrap: true)

@Suite("Widget snapshots")
struct WidgetSnapshotTests {
    @Test func table40() {
        let b = draw(40, 5) { sampleTable.render(into: &$0, area: $0.bounds, state: ScrollState(cursor: 1)) }
        #expect(textRows(b) == [
            "|NAME           PARTS↓ HEALTH    MESSAGES|",
            "|orders             12 ● ok          1200|",
            "|payments-eu-w…      3 ✖ offline        5|",
            "|注文                1 ▲ urp            0|",
            "|                                        |",
        ])
        #expect(styleRows(b) == [
            "|HHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHH|",
            "|rrrrrrrrrrrrrrrrrrrrrrOOOOOOOOOrrrrrrrrr|",
            "|SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS|",
            "|MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM|",
            "|........................................|",
        ])
    }

    @Test func table24() {
        let b = draw(24, 5) { sampleTable.render(into: &$0, area: $0.bounds, state: ScrollState(cursor: 1)) }
        #expect(textRows(b) == [
            "|NAME    PARTS↓ HEALTH   |",
            "|orders      12 ● ok     |",
            "|paymen…      3 ✖ offline|",
            "|注文         1 ▲ urp    |",
            "|                        |",
        ])
        #expect(styleRows(b) == [
            "|HHHHHHHHHHHHHHHHHHHHHHHH|",
            "|rrrrrrrrrrrrrrrOOOOOOOOO|",
            "|SSSSSSSSSSSSSSSSSSSSSSSS|",
            "|MMMMMMMMMMMMMMMMMMMMMMMM|",
            "|........................|",
        ])
    }

    @Test func table12() {
        let b = draw(12, 5) { sampleTable.render(into: &$0, area: $0.bounds, state: ScrollState(cursor: 1)) }
        #expect(textRows(b) == [
            "|NAME        |",
            "|orders      |",
            "|payments-eu…|",
            "|注文        |",
            "|            |",
        ])
        #expect(styleRows(b) == [
            "|HHHHHHHHHHHH|",
            "|rrrrrrrrrrrr|",
            "|SSSSSSSSSSSS|",
            "|MMMMMMMMMMMM|",
            "|............|",
        ])
    }

    @Test func tableAscii() {
        let b = draw(30, 4) { sampleTable.render(into: &$0, area: $0.bounds, state: ScrollState(cursor: 0), glyphs: .ascii) }
        #expect(textRows(b) == [
            "|NAME          PARTSv HEALTH   |",
            "|orders            12 ● ok     |",
            "|payments-eu-~      3 ✖ offline|",
            "|注文               1 ▲ urp    |",
        ])
        #expect(styleRows(b) == [
            "|HHHHHHHHHHHHHHHHHHHHHHHHHHHHHH|",
            "|SSSSSSSSSSSSSSSSSSSSSSSSSSSSSS|",
            "|rrrrrrrrrrrrrrrrrrrrrEEEEEEEEE|",
            "|MMMMMMMMMMMMMMMMMMMMMMMMMMMMMM|",
        ])
    }

    @Test func frame() {
        let b = draw(20, 4) { Frame(title: "Topics", trailing: "3/40").render(into: &$0, area: $0.bounds) }
        #expect(textRows(b) == [
            "|┌ Topics ──── 3/40 ┐|",
            "|│                  │|",
            "|│                  │|",
            "|└──────────────────┘|",
        ])
        #expect(styleRows(b) == [
            "|BTTTTTTTTBBBBTTTTTTB|",
            "|B..................B|",
            "|B..................B|",
            "|BBBBBBBBBBBBBBBBBBBB|",
        ])
    }

    @Test func frameAscii() {
        let b = draw(12, 3) { Frame(title: "A long title here").render(into: &$0, area: $0.bounds, glyphs: .ascii) }
        #expect(textRows(b) == [
            "|+ A lon~ --+|",
            "||          ||",
            "|+----------+|",
        ])
        #expect(styleRows(b) == [
            "|BTTTTTTTTBBB|",
            "|B..........B|",
            "|BBBBBBBBBBBB|",
        ])
    }

    @Test func list() {
        let b = draw(16, 3) { ListView(items: ["alpha", ListItem("beta", detail: "2"), "gamma", "delta"], isMarked: { $0 == 2 }).render(into: &$0, area: $0.bounds, state: ScrollState(cursor: 3)) }
        #expect(textRows(b) == [
            "|beta           2|",
            "|✓ gamma         |",
            "|delta           |",
        ])
        #expect(styleRows(b) == [
            "|...............d|",
            "|MMMMMMMMMMMMMMMM|",
            "|SSSSSSSSSSSSSSSS|",
        ])
    }

    @Test func status40() {
        let b = draw(40, 1) { StatusBar(hints: sampleHints, message: "3 topics").render(into: &$0, area: $0.bounds) }
        #expect(textRows(b) == [
            "|<p> pause  <?> help             3 topics|",
        ])
        #expect(styleRows(b) == [
            "|KKKttttttttKKKttttttttttttttttttIIIIIIII|",
        ])
    }

    @Test func status22() {
        let b = draw(22, 1) { StatusBar(hints: sampleHints).render(into: &$0, area: $0.bounds) }
        #expect(textRows(b) == [
            "|<p> pause  <?> help   |",
        ])
        #expect(styleRows(b) == [
            "|KKKttttttttKKKtttttttt|",
        ])
    }

    @Test func prompt() {
        let b = draw(20, 1) { Prompt(prefix: ":", editor: LineEditor(text: "top"), suggestion: "topics").render(into: &$0, area: $0.bounds) }
        #expect(textRows(b) == [
            "|:topics             |",
        ])
        #expect(styleRows(b) == [
            "|ppppsssppppppppppppp|",
        ])
    }

    @Test func promptMid() {
        let b = draw(20, 1) { Prompt(prefix: "/", editor: LineEditor(text: "orders", cursor: 2)).render(into: &$0, area: $0.bounds) }
        #expect(textRows(b) == [
            "|/orders             |",
        ])
        #expect(styleRows(b) == [
            "|pppppppppppppppppppp|",
        ])
    }

    @Test func promptScroll() {
        let b = draw(10, 1) { Prompt(prefix: "/", editor: LineEditor(text: "abcdefghijklmnop")).render(into: &$0, area: $0.bounds) }
        #expect(textRows(b) == [
            "|/…jklmnop |",
        ])
        #expect(styleRows(b) == [
            "|pdpppppppp|",
        ])
    }

    @Test func promptErr() {
        let b = draw(30, 1) { Prompt(prefix: ":", editor: LineEditor(text: "xyz"), error: "unknown command").render(into: &$0, area: $0.bounds) }
        #expect(textRows(b) == [
            "|:xyz           unknown command|",
        ])
        #expect(styleRows(b) == [
            "|pppppppppppppppEEEEEEEEEEEEEEE|",
        ])
    }

    @Test func dialog() {
        let b = draw(40, 9) { Dialog(title: "Restart", message: "Restart connector and its tasks?", target: "orders-sink").render(into: &$0, area: $0.bounds) }
        #expect(textRows(b) == [
            "|                                        |",
            "|  ┌ Restart ─────────────────────────┐  |",
            "|  │ Restart connector and its tasks? │  |",
            "|  │ orders-sink                      │  |",
            "|  │                                  │  |",
            "|  │         [ Yes ]  [ No ]          │  |",
            "|  └──────────────────────────────────┘  |",
            "|                                        |",
            "|                                        |",
        ])
        #expect(styleRows(b) == [
            "|........................................|",
            "|..DTTTTTTTTTDDDDDDDDDDDDDDDDDDDDDDDDDD..|",
            "|..DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD..|",
            "|..DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD..|",
            "|..DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD..|",
            "|..DDDDDDDDDDbbbbbbbDDXXXXXXDDDDDDDDDDD..|",
            "|..DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD..|",
            "|........................................|",
            "|........................................|",
        ])
    }

    @Test func crumbs() {
        let b = draw(30, 1) { Breadcrumbs(["local", "topics", "orders"]).render(into: &$0, area: $0.bounds) }
        #expect(textRows(b) == [
            "|local › topics › orders       |",
        ])
        #expect(styleRows(b) == [
            "|cccccccccccccccccAAAAAAccccccc|",
        ])
    }

    @Test func crumbsNarrow() {
        let b = draw(16, 1) { Breadcrumbs(["local", "topics", "orders"]).render(into: &$0, area: $0.bounds) }
        #expect(textRows(b) == [
            "|… › orders      |",
        ])
        #expect(styleRows(b) == [
            "|ccccAAAAAAcccccc|",
        ])
    }

    @Test func spark() {
        let b = draw(10, 1) { Sparkline([0, 1, 2, 3, 4, 5, 6, 7]).render(into: &$0, area: $0.bounds) }
        #expect(textRows(b) == [
            "|  ▁▂▃▄▅▆▇█|",
        ])
        #expect(styleRows(b) == [
            "|..~~~~~~~~|",
        ])
    }

    @Test func sparkAscii() {
        let b = draw(10, 1) { Sparkline([0, 1, 2, 3, 4, 5, 6, 7]).render(into: &$0, area: $0.bounds, glyphs: .ascii) }
        #expect(textRows(b) == [
            "|  _.,-=+*#|",
        ])
        #expect(styleRows(b) == [
            "|..~~~~~~~~|",
        ])
    }

    @Test func textWrap() {
        let b = draw(12, 4) { sampleText.render(into: &$0, area: $0.bounds, offset: 0) }
        #expect(textRows(b) == [
            "|line one is█|",
            "|long enough█|",
            "|to wrap    █|",
            "|line two   │|",
        ])
        #expect(styleRows(b) == [
            "|...........||",
            "|...........||",
            "|...........||",
            "|...........||",
        ])
    }

    @Test func textWrapOff2() {
        let b = draw(12, 4) { sampleText.render(into: &$0, area: $0.bounds, offset: 2) }
        #expect(textRows(b) == [
            "|long enough│|",
            "|to wrap    █|",
            "|line two   █|",
            "|three      █|",
        ])
        #expect(styleRows(b) == [
            "|...........||",
            "|...........||",
            "|...........||",
            "|...........||",
        ])
    }

    @Test func textNowrapH3() {
        let b = draw(12, 3) { TextView(text: sampleTextSource, wrap: false).render(into: &$0, area: $0.bounds, offset: 0, horizontalOffset: 3) }
        #expect(textRows(b) == [
            "|e one is lo…|",
            "|e two       |",
            "|ee          |",
        ])
        #expect(styleRows(b) == [
            "|...........d|",
            "|............|",
            "|............|",
        ])
    }

    @Test func json() {
        let b = draw(24, 5) { TextView(lines: JSONHighlight.lines(JSONHighlight.pretty("{\"a\":1,\"b\":[true,\"x\"]}")!), wrap: false).render(into: &$0, area: $0.bounds, offset: 0) }
        #expect(textRows(b) == [
            "|{                      █|",
            "|  \"a\": 1,              █|",
            "|  \"b\": [               █|",
            "|    true,              │|",
            "|    \"x\"                │|",
        ])
        #expect(styleRows(b) == [
            "|.......................||",
            "|..kkk..n...............||",
            "|..kkk..................||",
            "|....nnnn...............||",
            "|....ggg................||",
        ])
    }

    @Test func detail() {
        let b = draw(24, 5) { DetailPane(rows: [.section("Topic"), DetailRow("name", "orders"), DetailRow("cleanup.policy", "compact,delete", role: .statusWarn), DetailRow("retention", "604800000")]).render(into: &$0, area: $0.bounds) }
        #expect(textRows(b) == [
            "|Topic                   |",
            "|name:     orders        |",
            "|cleanup.… compact,delete|",
            "|retentio… 604800000     |",
            "|                        |",
        ])
        #expect(styleRows(b) == [
            "|TTTTT...................|",
            "|LLLLL.....VVVVVV........|",
            "|LLLLLLLLL.WWWWWWWWWWWWWW|",
            "|LLLLLLLLL.VVVVVVVVV.....|",
            "|........................|",
        ])
    }
}
