@testable import TerminalCore

/// One letter per role for style-layer snapshots ("." is normal).
let legend: [Role: Character] = [
    .tableHeader: "H", .tableRow: "r", .tableSelected: "S", .tableMarked: "M", .statusError: "E", .statusOk: "O",
    .statusWarn: "W", .statusInfo: "I", .border: "B", .title: "T", .hintKey: "K", .hintText: "t", .dim: "d",
    .prompt: "p", .promptSuggestion: "s", .dialog: "D", .dialogTitle: "T", .dialogButton: "b", .dialogButtonSelected: "X",
    .crumb: "c", .crumbActive: "A", .sparkline: "~", .scrollbar: "|", .headerLabel: "L", .headerValue: "V",
    .jsonKey: "k", .jsonString: "g", .jsonNumber: "n",
]

/// Draws into a fresh buffer of the given size.
func draw(_ width: Int, _ height: Int, _ body: (inout CellBuffer) -> Void) -> CellBuffer {
    var b = CellBuffer(size: Size(width: width, height: height))
    body(&b)
    return b
}

/// Rows framed by "|" so trailing blanks are visible in failures.
func textRows(_ b: CellBuffer) -> [String] {
    b.text().split(separator: "\n", omittingEmptySubsequences: false).map { "|\($0)|" }
}

func styleRows(_ b: CellBuffer) -> [String] {
    b.styleLayer(legend: legend).split(separator: "\n", omittingEmptySubsequences: false).map { "|\($0)|" }
}

/// Every row of a buffer, checking the wide-character invariant: a continuation cell
/// always follows a cell holding a double-width character.
func wideInvariantHolds(_ b: CellBuffer) -> Bool {
    for y in 0..<b.height {
        for x in 0..<b.width {
            let c = b[x, y]
            if c.isContinuation {
                guard x > 0, DisplayWidth.of(b[x - 1, y].text) == 2 else { return false }
            } else if DisplayWidth.of(c.text) == 2 {
                guard x + 1 < b.width, b[x + 1, y].isContinuation else { return false }
            }
        }
    }
    return true
}
