import Foundation
import KafkaProducer
import KafkaRecords

/// Reads records for `kafscope produce` from stdin or a file: `lines` (one value per line, `-K`
/// splitting key and value at the first separator, as kcat -P does) or `jsonl` (the objects
/// `kafscope tail -o json` writes, so a tail can be replayed byte for byte).
struct ProduceInput {
    enum Format: String, CaseIterable { case lines, jsonl }

    struct Options {
        var topic: String
        var format: Format
        var keySeparator: [UInt8]?
        var fixedKey: [UInt8]?
        var fixedPartition: Int32?
        var headers: [RecordHeaderValue]
        var keepTimestamps: Bool
        var keepPartitions: Bool
    }

    /// A record, or why its line could not become one (the line number names it).
    enum Item {
        case record(ProducerRecord)
        case invalid(String)
    }

    let options: Options
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    private(set) var lineNumber = 0

    init(fd: Int32, options: Options) {
        self.fd = fd
        self.options = options
        buffer.reserveCapacity(1 << 20)
    }

    /// Up to `max` items; empty at the end of input.
    mutating func next(max: Int) throws -> [(line: Int, item: Item)] {
        // Typed as returned: an unlabeled tuple array was converted element by element (a copy per call).
        var out: [(line: Int, item: Item)] = []
        while out.count < max, let line = try nextLine() {
            lineNumber += 1
            if options.format == .jsonl && line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }) { continue }
            out.append((lineNumber, parse(line)))
        }
        return out
    }

    /// Format `lines`: up to `max` lines as one chunk whose records are ranges of one copy of their bytes
    /// (no allocation per record); nil at the end of input. `-K` splits each line as `lineRecord` does.
    mutating func nextChunk(max: Int) throws -> (chunk: ProducerRecordChunk, firstLine: Int)? {
        precondition(options.format == .lines, "chunks are for --format lines")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1 << 18)
        var values: [Range<Int>] = []
        values.reserveCapacity(max)
        var keys: [Range<Int>?]? = options.keySeparator == nil ? nil : []
        let firstLine = lineNumber + 1
        while values.count < max, let line = try nextLine() {
            lineNumber += 1
            let base = bytes.count
            bytes.append(contentsOf: line)
            if let sep = options.keySeparator, let i = Self.find(sep, in: line) {
                let keyEnd = base + (i - line.startIndex)
                keys?.append(base..<keyEnd)
                values.append((keyEnd + sep.count)..<bytes.count)
            } else {
                keys?.append(nil)
                values.append(base..<bytes.count)
            }
        }
        if values.isEmpty { return nil }
        let chunk = ProducerRecordChunk(topic: options.topic, partition: options.fixedPartition, headers: options.headers,
                                        bytes: bytes, values: values, keys: keys, fixedKey: keys == nil ? options.fixedKey : nil)
        return (chunk, firstLine)
    }

    private mutating func nextLine() throws -> ArraySlice<UInt8>? {
        while true {
            if let nl = Self.newline(in: buffer, from: start) {
                let line = buffer[start..<nl]
                start = nl + 1
                return line
            }
            if eof {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                return line
            }
            if start > 0 { buffer.removeFirst(start); start = 0 }
            let old = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: 1 << 20))
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + old, 1 << 20) }
            if n < 0 {
                buffer.removeLast(1 << 20)
                if errno == EINTR { continue }
                throw CommandFailure("cannot read the input: \(String(cString: strerror(errno)))")
            }
            buffer.removeLast((1 << 20) - n)
            if n == 0 { eof = true }
        }
    }

    /// The next LF at or after `from` (memchr: a generic firstIndex(of:) was a tenth of the round
    /// trip's produce CPU).
    private static func newline(in buffer: [UInt8], from: Int) -> Int? {
        buffer.withUnsafeBufferPointer { b -> Int? in
            guard from < b.count, let base = b.baseAddress, let hit = memchr(base + from, 0x0A, b.count - from) else { return nil }
            return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
        }
    }

    private func parse(_ line: ArraySlice<UInt8>) -> Item {
        switch options.format {
        case .lines: return .record(lineRecord(line))
        case .jsonl: return jsonRecord(line)
        }
    }

    private func lineRecord(_ line: ArraySlice<UInt8>) -> ProducerRecord {
        var key = options.fixedKey
        var value = Array(line)
        if let sep = options.keySeparator, let i = Self.find(sep, in: line) {
            key = Array(line[line.startIndex..<i])
            value = Array(line[(i + sep.count)...])
        }
        return ProducerRecord(topic: options.topic, partition: options.fixedPartition, key: key, value: value,
                              headers: options.headers)
    }

    static func find(_ needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count else { return nil }
        var i = hay.startIndex
        while i <= hay.endIndex - needle.count {
            if hay[i] == needle[0] && hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// JSONLineRecordReader reads the line (it accepts and refuses what JSONSerialization did).
    private func jsonRecord(_ line: ArraySlice<UInt8>) -> Item {
        switch JSONLineRecordReader.read(line, partition: options.keepPartitions, timestamp: options.keepTimestamps) {
        case .invalid(let why):
            return .invalid(why)
        case .record(let f):
            return .record(ProducerRecord(topic: options.topic, partition: options.keepPartitions ? f.partition : options.fixedPartition,
                                          key: options.fixedKey ?? f.key, value: f.value,
                                          headers: options.headers.isEmpty ? f.headers : options.headers + f.headers,
                                          timestamp: f.timestamp))
        }
    }
}
