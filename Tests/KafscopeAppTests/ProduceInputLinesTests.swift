import Foundation
import KafkaProducer
import KafkaRecords
import Testing
@testable import KafscopeApp

/// ProduceInput's line splitting: lines that straddle its 1 MiB reads, a line longer than a read,
/// CR LF, empty lines and a last line without a newline all come back as written.
@Suite struct ProduceInputLinesTests {
    /// A pipe whose writer is still open (`tail -F app.log | kafscope produce`): the lines written so far
    /// come back as a chunk at once, not after 2,000 lines or the end of input. The chunk is read on a
    /// thread; the test closes the writer only if that thread has not answered within 20 s (a hang
    /// guard: what decides is whether the chunk came while the writer was open). Made to fail once by
    /// passing `handOverIfIdle: false` in nextChunk: the chunk came only after the writer closed.
    @Test func aPipeHandsOverTheLinesReadSoFarWithoutWaitingForMore() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let (reader, writer) = (fds[0], fds[1])
        defer { close(reader) }
        let text = Array("k1::a\nk2::b\nk3::c\npartial".utf8)
        #expect(text.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) } == text.count)

        final class Outcome: @unchecked Sendable {
            let lock = NSLock()
            var values: [String]?
            var writerClosed = false
            var closedBeforeAnswer: Bool?
        }
        let outcome = Outcome()
        // The waits happen on threads of their own, never on the test pool's (a blocked pool thread
        // stalls every other test running meanwhile).
        let (answers, answer) = AsyncStream<Void>.makeStream()
        let answered = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var input = ProduceInput(fd: reader, options: .init(topic: "t", format: .lines, keySeparator: Array("::".utf8), fixedKey: nil,
                                                                fixedPartition: nil, headers: [], keepTimestamps: false,
                                                                keepPartitions: false))
            let chunk = try? input.nextChunk(max: 2_000)
            outcome.lock.withLock {
                outcome.closedBeforeAnswer = outcome.writerClosed
                outcome.values = chunk.map { c in (0..<c.chunk.count).map { String(decoding: c.chunk.record(at: $0).value ?? [], as: UTF8.self) } }
            }
            answered.signal()
            answer.yield()
            answer.finish()
        }
        Thread.detachNewThread {
            if answered.wait(timeout: .now() + 20) == .timedOut {
                outcome.lock.withLock { outcome.writerClosed = true }
                close(writer)
            } else {
                close(writer)
            }
        }
        for await _ in answers { break }
        outcome.lock.withLock {
            #expect(outcome.closedBeforeAnswer == false, "the lines waited for the end of input")
            #expect(outcome.values == ["a", "b", "c"], "the complete lines, the partial one kept for later")
        }
    }

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

    /// `produce --format lines` hands chunks over (ranges of one buffer); each chunk record must be the
    /// record `next` would have made from the same line: -K split at the first separator (a line
    /// without one has a null key and the whole line as value), --key on every record, headers, partition.
    @Test(arguments: [("-K", true), ("--key", false), ("none", false)])
    func chunksHoldTheRecordsLineByLineParsingMakes(_ mode: String, _ split: Bool) throws {
        var rng = SplitMix64(seed: 7)
        var text: [UInt8] = []
        for n in 0..<5_000 {
            var line = Array("v\(n)-".utf8) + (0..<Int.random(in: 0...30, using: &rng)).map { _ in UInt8.random(in: 0x20...0x7e, using: &rng) }
            if n % 3 == 0 { line.insert(contentsOf: Array("key\(n)::".utf8), at: 0) }
            if n % 11 == 0 { line = [] }
            text += line + [0x0A]
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-chunks-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(text).write(to: URL(fileURLWithPath: path))
        let options = ProduceInput.Options(topic: "t", format: .lines, keySeparator: split ? Array("::".utf8) : nil,
                                           fixedKey: mode == "--key" ? Array("fixed".utf8) : nil, fixedPartition: 2,
                                           headers: [RecordHeaderValue(key: "h", value: [1, 2])], keepTimestamps: false,
                                           keepPartitions: false)
        let byItems = try Self.readAll(path, options: options) { input in
            try input.next(max: 700).map { line, item -> (Int, ProducerRecord) in
                guard case .record(let r) = item else { throw CommandFailure("line \(line) invalid") }
                return (line, r)
            }
        }
        let byChunks = try Self.readAll(path, options: options) { input in
            guard let (chunk, first) = try input.nextChunk(max: 700) else { return [] }
            return (0..<chunk.count).map { (first + $0, chunk.record(at: $0)) }
        }
        #expect(byChunks.count == 5_000)
        #expect(byChunks.map(\.0) == byItems.map(\.0))
        #expect(byChunks.map(\.1) == byItems.map(\.1))
        if split { #expect(byChunks.contains { $0.1.key == Array("key3".utf8) } && byChunks.contains { $0.1.key == nil }) }
    }

    static func readAll(_ path: String, options: ProduceInput.Options,
                        _ step: (inout ProduceInput) throws -> [(Int, ProducerRecord)]) throws -> [(Int, ProducerRecord)] {
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var input = ProduceInput(fd: fd, options: options)
        var all: [(Int, ProducerRecord)] = []
        while true {
            let part = try step(&input)
            if part.isEmpty { return all }
            all += part
        }
    }
}
