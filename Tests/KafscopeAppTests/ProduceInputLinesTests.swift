import Foundation
import Testing
@testable import KafscopeApp

/// ProduceInput's line splitting: lines that straddle its 1 MiB reads, a line longer than a read,
/// CR LF, empty lines and a last line without a newline all come back as written.
@Suite struct ProduceInputLinesTests {
    /// Made to fail once by searching for the newline one byte after the line's start (each empty
    /// line was merged with the next).
    @Test func linesComeBackAsWrittenAcrossReads() throws {
        var lines: [[UInt8]] = []
        var rng = SplitMix64(seed: 42)
        let alphabet = Array(String(repeating: "abcdefghijklmnopqrstuvwxyz", count: 4).utf8)
        for n in 0..<40_000 {
            var line = n == 20_000 ? [UInt8](repeating: UInt8(ascii: "b"), count: 1_500_000)
                : Array(alphabet.prefix(Int.random(in: 0...90, using: &rng)))
            if n % 7 == 0 { line.append(0x0D) }
            lines.append(line)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-lines-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        // The last line has no newline.
        let text = lines.map { $0 + [0x0A] }.joined().dropLast()
        try Data(text).write(to: URL(fileURLWithPath: path))
        #expect(text.count > 3 << 20)

        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var input = ProduceInput(fd: fd, options: .init(topic: "t", format: .lines, keySeparator: nil, fixedKey: nil,
                                                        fixedPartition: nil, headers: [], keepTimestamps: false,
                                                        keepPartitions: false))
        var read: [[UInt8]] = []
        while true {
            let items = try input.next(max: 2_000)
            if items.isEmpty { break }
            for (line, item) in items {
                guard case .record(let r) = item else {
                    Issue.record("line \(line): \(item)")
                    return
                }
                #expect(line == read.count + 1)
                read.append(r.value ?? [])
            }
        }
        #expect(read.count == lines.count)
        #expect(read == lines)
    }
}
