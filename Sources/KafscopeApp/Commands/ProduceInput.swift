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
    /// A pipe or terminal (`tail -F app.log | kafscope produce`): lines come when they are written,
    /// so a chunk is handed over as soon as no more input is ready instead of after 2,000 lines,
    /// as kcat sends each line as it reads it. A regular file is read in full 1 MiB reads (no poll).
    private let isStream: Bool
    /// Ctrl-C: reading stops at the next read (a wait for piped input ends at once).
    private let interrupt: ProduceInterrupt?
    /// Reading was stopped by Ctrl-C (a partial last line, if any, was not taken).
    private(set) var interrupted = false

    init(fd: Int32, options: Options, interrupt: ProduceInterrupt? = nil) {
        self.fd = fd
        self.options = options
        self.interrupt = interrupt
        var info = stat()
        isStream = fstat(fd, &info) != 0 || (info.st_mode & S_IFMT) != S_IFREG
        buffer.reserveCapacity(1 << 20)
    }

    /// Up to `max` items; empty at the end of input.
    mutating func next(max: Int) throws -> [(line: Int, item: Item)] {
        // Typed as returned: an unlabeled tuple array was converted element by element (a copy per call).
        var out: [(line: Int, item: Item)] = []
        while out.count < max, let line = try nextLine(handOverIfIdle: !out.isEmpty) {
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
        while values.count < max, let line = try nextLine(handOverIfIdle: !values.isEmpty) {
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

    /// The next line; nil at the end of input, or, with `handOverIfIdle`, when a stream has no
    /// complete line buffered and nothing more to read right now (the caller hands over what it has
    /// and asks again, which then waits for input).
    private mutating func nextLine(handOverIfIdle: Bool) throws -> ArraySlice<UInt8>? {
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
            if handOverIfIdle && isStream && !Self.hasInputReady(fd) { return nil }
            if let interrupt, interrupt.isSet || (isStream && !Self.waitForInput(fd, unless: interrupt.wakeFd)) {
                interrupted = true
                eof = true
                start = buffer.count
                return nil
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

    /// Whether a read of `fd` would return at once (data, end of input or an error to report).
    private static func hasInputReady(_ fd: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let n = poll(&p, 1, 0)
            if n < 0 && errno == EINTR { continue }
            // A failing poll: let read() decide (it reports the error).
            return n != 0
        }
    }

    /// Waits until `fd` can be read; false when `wake` became readable first (Ctrl-C).
    private static func waitForInput(_ fd: Int32, unless wake: Int32) -> Bool {
        var p = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        while true {
            let n = poll(&p, 2, -1)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return true }  // let read() report it
            return p[1].revents == 0
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
