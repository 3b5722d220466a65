import ClusterModel
import Foundation
import TerminalCore

/// The tail's memory: a ring of the newest records, bounded by count and by bytes. Every
/// record gets a sequence number so views (filtered, paused) can refer to records that
/// stay put while older ones fall out.
public struct TailRing: Sendable {
    public let capacity: Int
    public let maxBytes: Int
    private var slots: [TailRecord?]
    /// Sequence number of the oldest record kept.
    public private(set) var startSeq: Int = 0
    /// Sequence number the next record gets.
    public private(set) var endSeq: Int = 0
    public private(set) var bytes: Int = 0
    /// Records dropped to stay within the bounds, since the tail opened.
    public private(set) var dropped: Int = 0

    public init(capacity: Int, maxBytes: Int) {
        self.capacity = max(1, capacity)
        self.maxBytes = max(1, maxBytes)
        // Grown on demand: a 10,000-record ring over a quiet topic stays small.
        self.slots = []
    }

    public var count: Int { endSeq - startSeq }
    public var isEmpty: Bool { count == 0 }

    public func record(_ seq: Int) -> TailRecord? {
        guard seq >= startSeq && seq < endSeq else { return nil }
        return slots[seq % capacity]
    }

    /// Appends a record, dropping the oldest beyond the bounds (the newest always stays).
    public mutating func append(_ r: TailRecord) {
        if count == capacity { dropOldest() }
        let i = endSeq % capacity
        if i < slots.count { slots[i] = r } else { slots.append(r) }
        endSeq += 1
        bytes += r.size
        while bytes > maxBytes && count > 1 { dropOldest() }
    }

    private mutating func dropOldest() {
        let i = startSeq % capacity
        bytes -= slots[i]?.size ?? 0
        slots[i] = nil
        startSeq += 1
        dropped += 1
    }
}

/// Records/s and bytes/s over a sliding window, overall and per partition, from the
/// arrival times the runtime stamps on results (so rendering needs no clock).
public struct TailRates: Sendable, Hashable {
    public struct Bucket: Sendable, Hashable {
        /// Quarter-second slot.
        var slot: Int64
        var partition: Int32
        var records: Int
        var bytes: Int
    }
    /// Seconds averaged over.
    public static let window: Double = 5
    private(set) var buckets: [Bucket] = []
    /// First arrival, so the first seconds are not averaged over an empty window.
    private(set) var firstAt: Double?

    public init() {}

    static func slot(_ t: Double) -> Int64 { Int64((t * 4).rounded(.down)) }

    public mutating func add(_ records: [TailRecord], at time: Double) {
        guard !records.isEmpty, time.isFinite else { return }
        if firstAt == nil { firstAt = time }
        let s = Self.slot(time)
        var per: [Int32: (Int, Int)] = [:]
        for r in records { per[r.partition, default: (0, 0)].0 += 1; per[r.partition, default: (0, 0)].1 += r.size }
        for (p, v) in per.sorted(by: { $0.key < $1.key }) {
            if let i = buckets.lastIndex(where: { $0.slot == s && $0.partition == p }) {
                buckets[i].records += v.0
                buckets[i].bytes += v.1
            } else {
                buckets.append(Bucket(slot: s, partition: p, records: v.0, bytes: v.1))
            }
        }
        let oldest = Self.slot(time - Self.window * 2)
        if let first = buckets.first, first.slot < oldest { buckets.removeAll { $0.slot < oldest } }
    }

    public struct Rate: Sendable, Hashable {
        public var records: Double
        public var bytes: Double
    }

    /// Rates at `now`: overall and per partition (partitions seen in the window).
    public func rates(at now: Double) -> (total: Rate, partitions: [(Int32, Rate)]) {
        guard let first = firstAt, now.isFinite else { return (Rate(records: 0, bytes: 0), []) }
        let from = Self.slot(now - Self.window)
        let span = max(1, min(Self.window, now - first))
        var total = Rate(records: 0, bytes: 0)
        var per: [Int32: Rate] = [:]
        for b in buckets where b.slot > from {
            total.records += Double(b.records)
            total.bytes += Double(b.bytes)
            per[b.partition, default: Rate(records: 0, bytes: 0)].records += Double(b.records)
            per[b.partition, default: Rate(records: 0, bytes: 0)].bytes += Double(b.bytes)
        }
        total.records /= span
        total.bytes /= span
        let parts = per.sorted { $0.key < $1.key }.map { ($0.key, Rate(records: $0.value.records / span, bytes: $0.value.bytes / span)) }
        return (total, parts)
    }
}

/// How a key or value is shown.
public enum PayloadMode: String, Sendable, Hashable, CaseIterable {
    /// Text when valid UTF-8 (pretty JSON in the record view when it parses), else hex.
    case auto, text, json, hex, base64

    public var next: PayloadMode {
        let all = Self.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}

/// Turns record bytes into what the screen shows. Every output is sanitized: payloads
/// never reach the terminal as control sequences.
public enum PayloadFormat {
    /// Longest payload decoded for the record view (the rest is summarized).
    public static let detailLimit = 1 << 20
    /// Bytes looked at for a one-line preview.
    static let previewLimit = 512

    /// The bytes as UTF-8, or nil when they are not valid UTF-8.
    public static func utf8(_ bytes: ArraySlice<UInt8>) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    /// Text that reads as text: valid UTF-8 without control characters other than
    /// tab/newline/carriage return.
    public static func isText(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let s = utf8(bytes) else { return false }
        return !s.unicodeScalars.contains { ($0.value < 0x20 && $0.value != 9 && $0.value != 10 && $0.value != 13)
            || $0.value == 0x7F }
    }

    /// What `.auto` resolves to for these bytes.
    public static func resolve(_ mode: PayloadMode, _ bytes: ArraySlice<UInt8>) -> PayloadMode {
        guard mode == .auto else { return mode }
        return isText(bytes) ? .text : .hex
    }

    /// One line for the table.
    public static func preview(_ bytes: [UInt8]?, mode: PayloadMode) -> String {
        guard let bytes else { return "null" }
        if bytes.isEmpty { return "" }
        let head = bytes.prefix(previewLimit)
        let more = bytes.count > previewLimit
        switch resolve(mode, head) {
        case .hex:
            return head.prefix(64).map(hex2).joined(separator: " ") + (bytes.count > 64 ? " …" : "")
        case .base64:
            return Data(head.prefix(384)).base64EncodedString() + (bytes.count > 384 ? "…" : "")
        default:
            // A cut inside a multi-byte character must not turn the whole preview into hex.
            let text = String(decoding: head, as: UTF8.self)
            return collapse(text).sanitizedForTerminal + (more ? "…" : "")
        }
    }

    /// Whitespace runs (newlines of pretty JSON) as one space, for one-line previews.
    static func collapse(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var space = false
        for c in s {
            if c.isWhitespace {
                if !space { out.append(" ") }
                space = true
            } else {
                out.append(c)
                space = false
            }
        }
        return out
    }

    static func hex2(_ b: UInt8) -> String {
        let d: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
        return String([d[Int(b >> 4)], d[Int(b & 15)]])
    }

    /// The record view's lines for a payload, and the mode actually used.
    public static func detail(_ bytes: [UInt8]?, mode: PayloadMode) -> (lines: [[Span]], used: PayloadMode) {
        guard let bytes else { return ([[Span("null", role: .dim)]], mode) }
        if bytes.isEmpty { return ([[Span("(empty)", role: .dim)]], mode) }
        let head = bytes.prefix(detailLimit)
        var used = resolve(mode, head)
        var lines: [[Span]]
        switch used {
        case .hex:
            lines = hexDump(head.prefix(64 << 10))
            if head.count > 64 << 10 { lines.append([Span("… \(Format.count(bytes.count - (64 << 10))) more bytes", role: .dim)]) }
        case .base64:
            let s = Data(head).base64EncodedString()
            lines = [[Span(s)]]
        case .json, .text, .auto:
            let text = String(decoding: head, as: UTF8.self)
            let trimmed = text.drop { $0.isWhitespace }
            if (mode == .auto || mode == .json), trimmed.first == "{" || trimmed.first == "[",
               let pretty = JSONHighlight.pretty(text) {
                used = .json
                lines = JSONHighlight.lines(pretty).map { $0.map { Span($0.text.sanitizedForTerminal, style: $0.style) } }
            } else {
                if mode == .json { used = .text }
                lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
                    [Span(String($0).sanitizedForTerminal)]
                }
            }
        }
        if bytes.count > detailLimit, used != .hex {
            lines.append([Span("… \(Format.count(bytes.count - detailLimit)) more bytes not shown", role: .dim)])
        }
        return (lines, used)
    }

    /// "00000000  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a 00 01 02 03  |Hello world.....|"
    static func hexDump(_ bytes: ArraySlice<UInt8>) -> [[Span]] {
        var out: [[Span]] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let row = bytes[i..<min(bytes.endIndex, i + 16)]
            var addr = String(i - bytes.startIndex, radix: 16)
            addr = String(repeating: "0", count: max(0, 8 - addr.count)) + addr
            var hexPart = ""
            for (k, b) in row.enumerated() {
                hexPart += hex2(b) + " "
                if k == 7 { hexPart += " " }
            }
            hexPart += String(repeating: " ", count: max(0, 49 - hexPart.count))
            let ascii = String(row.map { $0 >= 0x20 && $0 < 0x7F ? Character(Unicode.Scalar($0)) : "." })
            out.append([Span(addr + "  ", role: .dim), Span(hexPart), Span(" |" + ascii + "|", role: .dim)])
            i += 16
        }
        return out
    }

    /// Text the `/` filter matches: key, value and headers as (lossy) text.
    public static func searchText(_ r: TailRecord) -> String {
        var s = r.key.map { String(decoding: $0.prefix(4096), as: UTF8.self) } ?? ""
        s += "\n"
        s += r.value.map { String(decoding: $0.prefix(64 << 10), as: UTF8.self) } ?? ""
        for h in r.headers {
            s += "\n" + h.key + "=" + (h.value.map { String(decoding: $0.prefix(4096), as: UTF8.self) } ?? "")
        }
        // What a schema decoded is what the user reads, so it is what `/` finds.
        for d in [r.decodedKey, r.decodedValue] {
            if let j = d?.json { s += "\n" + String(j.prefix(64 << 10)) }
        }
        return s
    }

    /// "2025-11-21 13:00:00.250" at the given offset from UTC (no Foundation calendar, so pure).
    public static func timestamp(_ ms: Int64, utcOffset: Int) -> String {
        let local = ms + Int64(utcOffset) * 1000
        var days = local / 86_400_000
        var rest = local % 86_400_000
        if rest < 0 { rest += 86_400_000; days -= 1 }
        let (y, m, d) = civil(days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let msPart = rest % 1000
        let msText = msPart < 10 ? "00\(msPart)" : msPart < 100 ? "0\(msPart)" : "\(msPart)"
        let s = rest / 1000
        return "\(y)-\(two(m))-\(two(d)) \(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60)).\(msText)"
    }

    /// "13:00:00.250" for the table.
    public static func time(_ ms: Int64, utcOffset: Int) -> String {
        String(timestamp(ms, utcOffset: utcOffset).split(separator: " ").last ?? "")
    }

    /// Days since 1970-01-01 -> (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
    static func civil(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
