import Testing
@testable import TerminalCore

@Suite("Display width and CellBuffer")
struct DisplayWidthTests {
    @Test func asciiIsOneColumn() {
        #expect(DisplayWidth.of("kafka") == 5)
        #expect(DisplayWidth.of(Character("a")) == 1)
    }

    @Test func cjkIsTwoColumns() {
        #expect(DisplayWidth.of("注文") == 4)
        #expect(DisplayWidth.of("한국") == 4)
        #expect(DisplayWidth.of("ｶﾀｶﾅ") == 4) // halfwidth katakana stays narrow
        #expect(DisplayWidth.of("ＡＢ") == 4) // fullwidth latin is wide
    }

    @Test func emojiIsTwoColumns() {
        #expect(DisplayWidth.of("🚀") == 2)
        #expect(DisplayWidth.of("❤️") == 2) // text-default heart made emoji by VS16
        #expect(DisplayWidth.of("👍🏽") == 2) // skin tone modifier joins the grapheme
    }

    @Test func combiningMarksAddNothing() {
        let decomposed = "e\u{0301}" // e + combining acute
        #expect(decomposed.count == 1)
        #expect(DisplayWidth.of(decomposed) == 1)
        #expect(DisplayWidth.of("cafe\u{0301}s") == 5)
        #expect(DisplayWidth.of(Unicode.Scalar(0x0301)!) == 0)
        #expect(DisplayWidth.of(Unicode.Scalar(0x200B)!) == 0)
    }

    @Test func controlCharactersAreSanitized() {
        #expect("a\u{1B}[31mb".sanitizedForTerminal == "a\u{FFFD}[31mb")
        #expect("x\ty".sanitizedForTerminal == "x y")
        #expect("l1\nl2".sanitizedForTerminal == "l1\u{21B5}l2")
        var b = CellBuffer(size: Size(width: 6, height: 1))
        b.put("\u{1B}]0;pwned\u{07}", x: 0, y: 0)
        #expect(!b.text().unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
    }

    @Test func putClipsAtTheRowEnd() {
        var b = CellBuffer(size: Size(width: 5, height: 2))
        let n = b.put("abcdefgh", x: 2, y: 0)
        #expect(n == 3)
        #expect(b.text() == "  abc\n     ")
    }

    @Test func putNeverSplitsAWideCharacter() {
        var b = CellBuffer(size: Size(width: 5, height: 1))
        // "注" at column 4 would need columns 4 and 5; the row ends at 4.
        let n = b.put("ab注注", x: 0, y: 0)
        #expect(n == 4)
        #expect(b[4, 0].text == " ")
        #expect(b[2, 0].text == "注" && b[3, 0].isContinuation)
        #expect(wideInvariantHolds(b))
    }

    @Test func putClipsToARectOnBothSides() {
        var b = CellBuffer(size: Size(width: 8, height: 1), fill: Cell("."))
        b.put("注文abc", x: 1, y: 0, clip: Rect(x: 2, y: 0, width: 4, height: 1))
        // The first wide character starts left of the clip: skipped (its column stays as
        // it was), never half-drawn; "b" would cross the right edge.
        #expect(b.text() == "...文a..")
        #expect(wideInvariantHolds(b))
    }

    @Test func putOutsideTheBufferIsIgnored() {
        var b = CellBuffer(size: Size(width: 3, height: 1))
        #expect(b.put("x", x: 0, y: 5) == 0)
        #expect(b.put("x", x: 0, y: -1) == 0)
        #expect(b.text() == "   ")
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var b = CellBuffer(size: Size(width: 6, height: 1))
        b.put("注文注", x: 0, y: 0)
        b.put("|", x: 3, y: 0) // lands on the continuation of 文
        #expect(b.text() == "注 |注")
        #expect(wideInvariantHolds(b))
        b.put("ab", x: 4, y: 0) // lands on the owner of the last 注
        #expect(b.text() == "注 |ab")
        #expect(wideInvariantHolds(b))
        b.fill(Rect(x: 1, y: 0, width: 1, height: 1), with: Cell("x"))
        #expect(b.text() == " x |ab")
        #expect(wideInvariantHolds(b))
    }

    @Test func dialogOverWideTextKeepsWholeCharacters() {
        var b = CellBuffer(size: Size(width: 30, height: 7))
        for y in 0..<7 { b.put(String(repeating: "注", count: 15), x: 0, y: y) }
        Dialog(title: "Restart", message: "Restart?", target: "x").render(into: &b, area: Rect(x: 1, y: 0, width: 29, height: 7))
        #expect(wideInvariantHolds(b))
    }

    @Test func combiningMarkJoinsThePreviousCell() {
        var b = CellBuffer(size: Size(width: 4, height: 1))
        b.put("e\u{0301}x", x: 0, y: 0)
        #expect(b[0, 0].text == "e\u{0301}")
        #expect(b[1, 0].text == "x")
    }

    @Test func emojiOccupiesTwoCells() {
        var b = CellBuffer(size: Size(width: 4, height: 1))
        #expect(b.put("🚀!", x: 0, y: 0) == 3)
        #expect(b[0, 0].text == "🚀" && b[1, 0].isContinuation && b[2, 0].text == "!")
    }
}

@Suite("Text layout")
struct TextLayoutTests {
    @Test func truncateModes() {
        #expect(TextLayout.truncate("kafka-topic", width: 20) == "kafka-topic")
        #expect(TextLayout.truncate("kafka-topic", width: 6) == "kafka…")
        #expect(TextLayout.truncate("kafka-topic", width: 6, mode: .head) == "…topic")
        #expect(TextLayout.truncate("kafka-topic", width: 6, mode: .middle) == "kaf…ic")
        #expect(TextLayout.truncate("kafka-topic", width: 6, ellipsis: "~") == "kafka~")
        #expect(TextLayout.truncate("kafka", width: 1) == "k")
        #expect(TextLayout.truncate("注文", width: 1) == "")
        #expect(TextLayout.truncate("kafka", width: 0) == "")
    }

    @Test func truncateCountsColumnsNotCharacters() {
        let t = TextLayout.truncate("注文注文", width: 5)
        #expect(t == "注文…")
        #expect(DisplayWidth.of(t) == 5)
        // A wide character that does not fit before the ellipsis is left out entirely.
        #expect(TextLayout.truncate("注文注文", width: 4) == "注…")
    }

    @Test func fitPadsToExactWidth() {
        #expect(TextLayout.fit("ab", width: 5) == "ab   ")
        #expect(TextLayout.fit("ab", width: 5, alignment: .right) == "   ab")
        #expect(TextLayout.fit("ab", width: 5, alignment: .center) == " ab  ")
        #expect(DisplayWidth.of(TextLayout.fit("注文注文", width: 5)) == 5)
    }

    @Test func wrapBreaksAtSpaces() {
        #expect(TextLayout.wrap("the quick brown fox", width: 10) == ["the quick", "brown fox"])
        #expect(TextLayout.wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
        #expect(TextLayout.wrap("a\nb", width: 4) == ["a", "b"])
        #expect(TextLayout.wrap("x", width: 0) == [])
    }

    @Test func hardWrapKeepsEveryCharacter() {
        #expect(TextLayout.hardWrap("abc def", width: 3) == ["abc", " de", "f"])
        #expect(TextLayout.hardWrap("注文注", width: 3) == ["注", "文", "注"])
    }
}
