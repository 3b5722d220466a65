import Testing
@testable import KafscopeApp

/// `produce` names a failed record by its input line; the index keeps runs, not a number per record.
@Suite struct RecordLineIndexTests {
    /// A file's chunks of consecutive lines stay one run however many records they hold.
    @Test func consecutiveChunksAreOneRun() {
        var index = RecordLineIndex()
        var id: UInt64 = 0
        for chunk in 0..<500 {
            index.append(ids: id..<(id + 2_000), firstLine: 1 + chunk * 2_000)
            id += 2_000
        }
        #expect(index.runCount == 1)
        #expect(index.line(of: 0) == 1)
        #expect(index.line(of: 999_999) == 1_000_000)
        #expect(index.line(of: 1_000_000) == nil, "never appended")
    }

    /// Against a plain array of line numbers: blank and refused lines skipped (jsonl), chunks of any
    /// size, ids looked up everywhere. Made to fail once with a skipped line not starting a new run
    /// (every later line was off).
    @Test(.timeLimit(.minutes(1))) func agreesWithAnArrayOfLines() {
        var rng = SplitMix64(seed: 0x11e5)
        for _ in 0..<200 {
            var index = RecordLineIndex()
            var expected: [Int] = []
            var line = 1
            var id: UInt64 = 0
            for _ in 0..<Int.random(in: 1...20, using: &rng) {
                var lines: [Int] = []
                for _ in 0..<Int.random(in: 0...50, using: &rng) {
                    if Int.random(in: 0..<6, using: &rng) == 0 { line += Int.random(in: 1...3, using: &rng) }  // skipped lines
                    lines.append(line)
                    line += 1
                }
                index.append(ids: id..<(id + UInt64(lines.count)), lines: lines)
                expected += lines
                id += UInt64(lines.count)
            }
            for (i, l) in expected.enumerated() {
                #expect(index.line(of: UInt64(i)) == l)
            }
            #expect(index.line(of: UInt64(expected.count)) == nil)
        }
    }
}
