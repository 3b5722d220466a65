/// Consumer-group offset resets as `kafka-consumer-groups.sh --reset-offsets` defines them:
/// the specification, the scope, and the plan computed from offsets already read (a pure
/// function, so the CLI's dry run and the terminal UI's preview show the same numbers).

import LagHealth

/// One partition of one topic: the same type the lag rules key their samples by.
public typealias TopicPartition = PartitionKey

/// Where the new offset comes from.
public enum OffsetResetSpec: Sendable, Hashable, CustomStringConvertible {
    case toEarliest
    case toLatest
    case toOffset(Int64)
    /// First offset at or after this time (ms since the epoch); the end where no record is that late.
    case toDatetime(epochMs: Int64, text: String)
    /// As `toDatetime` at now minus the duration.
    case byDuration(ms: Int64, text: String)
    case shiftBy(Int64)
    /// The committed offset again (the end where there is none).
    case toCurrent

    /// The Kafka tool's option, e.g. `--to-datetime 2024-05-01T14:00:00Z`.
    public var description: String {
        switch self {
        case .toEarliest: return "--to-earliest"
        case .toLatest: return "--to-latest"
        case .toOffset(let n): return "--to-offset \(n)"
        case .toDatetime(_, let text): return "--to-datetime \(text)"
        case .byDuration(_, let text): return "--by-duration \(text)"
        case .shiftBy(let n): return "--shift-by \(n)"
        case .toCurrent: return "--to-current"
        }
    }

    /// The timestamp to ask ListOffsets for, if the spec needs one.
    public func timestamp(nowMs: Int64) -> Int64? {
        switch self {
        case .toDatetime(let ms, _): return ms
        case .byDuration(let ms, _): return nowMs - ms
        default: return nil
        }
    }
}

/// Which partitions a reset touches.
public enum OffsetResetScope: Sendable, Hashable, CustomStringConvertible {
    /// Every partition the group has a committed offset for.
    case allTopics
    /// These topics: every partition (`partitions` nil) or the ones listed.
    case topics([TopicSelection])

    public struct TopicSelection: Sendable, Hashable {
        public var topic: String
        public var partitions: [Int32]?
        public init(topic: String, partitions: [Int32]? = nil) {
            self.topic = topic
            self.partitions = partitions
        }

        /// `orders` or `orders:0,2,5` as the Kafka tool takes it.
        public static func parse(_ text: String) throws -> TopicSelection {
            guard let colon = text.lastIndex(of: ":") else {
                guard !text.isEmpty else { throw OffsetResetInputError("--topic needs a topic name") }
                return TopicSelection(topic: text)
            }
            let topic = String(text[..<colon])
            guard !topic.isEmpty else { throw OffsetResetInputError("--topic \(text): the topic name is empty") }
            var parts: [Int32] = []
            for piece in text[text.index(after: colon)...].split(separator: ",", omittingEmptySubsequences: false) {
                guard let p = Int32(piece.trimmingSpaces), p >= 0 else {
                    throw OffsetResetInputError("--topic \(text): '\(piece)' is not a partition number")
                }
                if !parts.contains(p) { parts.append(p) }
            }
            return TopicSelection(topic: topic, partitions: parts.sorted())
        }
    }

    public var description: String {
        switch self {
        case .allTopics: return "--all-topics"
        case .topics(let t):
            return t.map { s in "--topic " + s.topic + (s.partitions.map { ":" + $0.map(String.init).joined(separator: ",") } ?? "") }
                .joined(separator: " ")
        }
    }
}

/// A malformed spec or scope, worded for the person who typed it.
public struct OffsetResetInputError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What the planner needs, read beforehand (OffsetFetch, Metadata, ListOffsets).
public struct OffsetResetInputs: Sendable, Hashable {
    /// The partitions in scope, each once.
    public var partitions: [TopicPartition]
    public var committed: [TopicPartition: Int64]
    public var earliest: [TopicPartition: Int64]
    public var latest: [TopicPartition: Int64]
    /// ListOffsets by the spec's timestamp; -1 (or absent) where no record is that late.
    public var atTimestamp: [TopicPartition: Int64]
    /// Partitions whose offsets could not be read, and why.
    public var failures: [TopicPartition: String]

    public init(partitions: [TopicPartition], committed: [TopicPartition: Int64] = [:], earliest: [TopicPartition: Int64] = [:],
                latest: [TopicPartition: Int64] = [:], atTimestamp: [TopicPartition: Int64] = [:],
                failures: [TopicPartition: String] = [:]) {
        self.partitions = partitions
        self.committed = committed
        self.earliest = earliest
        self.latest = latest
        self.atTimestamp = atTimestamp
        self.failures = failures
    }
}

/// One partition of a plan.
public struct OffsetResetRow: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    /// The committed offset now (nil: none).
    public var current: Int64?
    public var new: Int64
    /// Log end minus current (nil without a committed offset) and minus new.
    public var lagBefore: Int64?
    public var lagAfter: Int64
    /// Why the target was changed (clamped to the log's bounds, no record after the time).
    public var note: String?

    public init(topic: String, partition: Int32, current: Int64?, new: Int64, lagBefore: Int64?, lagAfter: Int64, note: String? = nil) {
        self.topic = topic
        self.partition = partition
        self.current = current
        self.new = new
        self.lagBefore = lagBefore
        self.lagAfter = lagAfter
        self.note = note
    }

    public var key: TopicPartition { TopicPartition(topic, partition) }
}

/// The preview of a reset: what each partition would get, what cannot be planned, and whether
/// the reset can be applied now.
public struct OffsetResetPlan: Sendable, Hashable {
    public var group: String
    public var spec: OffsetResetSpec
    public var scope: OffsetResetScope
    public var rows: [OffsetResetRow]
    /// Partitions left out, and why (offsets unreadable, no committed offset to shift).
    public var skipped: [TopicPartition: String]
    /// Why the reset cannot be applied now (the group has active members), nil when it can.
    public var blockedReason: String?
    /// Said once above the table (e.g. members could not be checked).
    public var notes: [String]

    public init(group: String, spec: OffsetResetSpec, scope: OffsetResetScope, rows: [OffsetResetRow],
                skipped: [TopicPartition: String] = [:], blockedReason: String? = nil, notes: [String] = []) {
        self.group = group
        self.spec = spec
        self.scope = scope
        self.rows = rows
        self.skipped = skipped
        self.blockedReason = blockedReason
        self.notes = notes
    }

    /// Rows whose offset changes.
    public var changes: [OffsetResetRow] { rows.filter { $0.current != $0.new } }

    /// For the audit line: `orders/0 12->0, orders/1 7->0` (at most `limit` partitions named).
    public func auditChanges(limit: Int = 50) -> String {
        let parts = rows.prefix(limit).map { "\($0.topic)/\($0.partition) \($0.current.map(String.init) ?? "none")->\($0.new)" }
        return parts.joined(separator: ", ") + (rows.count > limit ? ", ... \(rows.count - limit) more" : "")
    }

    /// One line: "3 partitions, 2 changing; lag 15 -> 30."
    public var summary: String {
        let lagBefore = rows.compactMap(\.lagBefore).reduce(0, +)
        let lagAfter = rows.map(\.lagAfter).reduce(0, +)
        return "\(rows.count) partition\(rows.count == 1 ? "" : "s"), \(changes.count) changing; lag \(lagBefore) -> \(lagAfter)."
    }
}

public enum OffsetResetPlanner {
    /// The group states in which Kafka accepts an offset commit from outside the group.
    public static let inactiveStates: Set<String> = ["Empty", "Dead"]

    /// Why a reset of `group` is refused now: it has active members (Kafka refuses the commit
    /// too). `members` nil when they could not be read.
    public static func blockedReason(group: String, state: String, members: Int?) -> String? {
        if let members, members > 0 {
            return "consumer group \(group) has \(members) active member\(members == 1 ? "" : "s") (state \(state)); "
                + "stop its consumers first: Kafka accepts offset changes only for an inactive group"
        }
        if members == nil, !inactiveStates.contains(state), state != "Unknown" {
            return "consumer group \(group) is \(state); stop its consumers first: Kafka accepts offset changes only for an inactive group"
        }
        return nil
    }

    /// Why deleting `group` is refused now: it has active members (Kafka answers NON_EMPTY_GROUP).
    public static func deleteBlockedReason(group: String, state: String, members: Int?) -> String? {
        guard let members, members > 0 else { return nil }
        return "consumer group \(group) has \(members) active member\(members == 1 ? "" : "s") (state \(state)); "
            + "stop its consumers first: Kafka deletes only an empty group"
    }

    /// The new offset of every partition in scope, as the Kafka tool computes it: targets outside
    /// [earliest, latest] are clamped to the nearer bound with a note; a time after the last
    /// record goes to the end; shifting needs a committed offset; `--to-current` without one goes
    /// to the end.
    public static func plan(group: String, spec: OffsetResetSpec, scope: OffsetResetScope, inputs: OffsetResetInputs,
                            blockedReason: String? = nil, notes: [String] = []) -> OffsetResetPlan {
        var rows: [OffsetResetRow] = []
        var skipped: [TopicPartition: String] = [:]
        for tp in inputs.partitions.sorted() {
            if let why = inputs.failures[tp] { skipped[tp] = why; continue }
            guard let low = inputs.earliest[tp], let high = inputs.latest[tp] else {
                skipped[tp] = "log start or end offset not read"
                continue
            }
            let current = inputs.committed[tp]
            var note: String?
            var target: Int64
            switch spec {
            case .toEarliest: target = low
            case .toLatest: target = high
            case .toOffset(let n): target = n
            case .toCurrent:
                if let current { target = current } else {
                    target = high
                    note = "no committed offset: set to the log end"
                }
            case .shiftBy(let n):
                guard let current else { skipped[tp] = "no committed offset to shift"; continue }
                let (sum, overflow) = current.addingReportingOverflow(n)
                target = overflow ? (n < 0 ? Int64.min : Int64.max) : sum
            case .toDatetime, .byDuration:
                let found = inputs.atTimestamp[tp] ?? -1
                if found < 0 {
                    target = high
                    note = "no record at or after the time: set to the log end"
                } else {
                    target = found
                }
            }
            if target < low {
                note = "\(target) is before the log start: clamped to \(low)"
                target = low
            } else if target > high {
                note = "\(target) is past the log end: clamped to \(high)"
                target = high
            }
            rows.append(OffsetResetRow(topic: tp.topic, partition: tp.partition, current: current, new: target,
                                       lagBefore: current.map { max(0, high - $0) }, lagAfter: high - target, note: note))
        }
        return OffsetResetPlan(group: group, spec: spec, scope: scope, rows: rows, skipped: skipped,
                               blockedReason: blockedReason, notes: notes)
    }
}

// MARK: Parsing the Kafka tool's values

public enum OffsetResetParsing {
    /// ISO 8601 date-time with a zone: `2024-05-01T14:00:00Z`, `2024-05-01T14:00:00.250+02:00`,
    /// `2024-05-01T14:00+0200`. Without a zone it is refused: the jump host's zone is rarely the
    /// one meant.
    public static func datetime(_ text: String) throws -> Int64 {
        let bad = OffsetResetInputError("--to-datetime \(text): expected an ISO 8601 date-time with a zone, "
            + "e.g. 2024-05-01T14:00:00Z or 2024-05-01T14:00:00.000+02:00")
        let chars = Array(text.utf8)
        var i = 0
        func number(_ digits: Int) throws -> Int {
            guard i + digits <= chars.count else { throw bad }
            var v = 0
            for c in chars[i..<(i + digits)] {
                guard c >= 48 && c <= 57 else { throw bad }
                v = v * 10 + Int(c - 48)
            }
            i += digits
            return v
        }
        func expect(_ c: UInt8) throws {
            guard i < chars.count, chars[i] == c else { throw bad }
            i += 1
        }
        let year = try number(4); try expect(UInt8(ascii: "-"))
        let month = try number(2); try expect(UInt8(ascii: "-"))
        let day = try number(2)
        guard i < chars.count, chars[i] == UInt8(ascii: "T") || chars[i] == UInt8(ascii: "t") || chars[i] == UInt8(ascii: " ") else { throw bad }
        i += 1
        let hour = try number(2); try expect(UInt8(ascii: ":"))
        let minute = try number(2)
        var second = 0
        var millis = 0
        if i < chars.count, chars[i] == UInt8(ascii: ":") {
            i += 1
            second = try number(2)
            if i < chars.count, chars[i] == UInt8(ascii: ".") || chars[i] == UInt8(ascii: ",") {
                i += 1
                var digits = 0
                var frac = 0
                while i < chars.count, chars[i] >= 48, chars[i] <= 57 {
                    if digits < 3 { frac = frac * 10 + Int(chars[i] - 48) }
                    digits += 1
                    i += 1
                }
                guard digits > 0 else { throw bad }
                for _ in digits..<max(digits, 3) { frac *= 10 }
                millis = frac
            }
        }
        guard i < chars.count else {
            throw OffsetResetInputError("--to-datetime \(text): add a zone (Z, +02:00 ...); the date-time alone is ambiguous")
        }
        var offsetMinutes = 0
        if chars[i] == UInt8(ascii: "Z") || chars[i] == UInt8(ascii: "z") {
            i += 1
        } else if chars[i] == UInt8(ascii: "+") || chars[i] == UInt8(ascii: "-") {
            let sign = chars[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            let zh = try number(2)
            var zm = 0
            if i < chars.count {
                if chars[i] == UInt8(ascii: ":") { i += 1 }
                zm = try number(2)
            }
            guard zh <= 18, zm < 60 else { throw bad }
            offsetMinutes = sign * (zh * 60 + zm)
        } else {
            throw bad
        }
        guard i == chars.count else { throw bad }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60, second < 60 else {
            throw OffsetResetInputError("--to-datetime \(text): no such date or time")
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }

    /// ISO 8601 duration as java.time.Duration takes it (`PnDTnHnMnS`, e.g. `PT30M`, `P1DT12H`,
    /// `PT0.5S`), in milliseconds. Negative durations are refused: "back from now" is the point.
    public static func duration(_ text: String) throws -> Int64 {
        let bad = OffsetResetInputError("--by-duration \(text): expected PnDTnHnMnS, e.g. PT30M, PT2H, P1DT12H")
        var s = Substring(text.uppercased())
        guard s.first == "P" else { throw bad }
        s.removeFirst()
        var total: Double = 0
        var inTime = false
        var number = ""
        var sawUnit = false
        var sawTimeUnit = false
        for ch in s {
            if ch == "T" {
                guard !inTime, number.isEmpty else { throw bad }
                inTime = true
                continue
            }
            if ch.isNumber || ch == "." || ch == "," {
                number.append(ch == "," ? "." : ch)
                continue
            }
            guard let v = Double(number), v >= 0 else { throw bad }
            number = ""
            sawUnit = true
            sawTimeUnit = inTime
            switch (ch, inTime) {
            case ("D", false): total += v * 86_400_000
            case ("H", true): total += v * 3_600_000
            case ("M", true): total += v * 60_000
            case ("S", true): total += v * 1000
            default: throw bad
            }
        }
        guard number.isEmpty, sawUnit, !inTime || sawTimeUnit, total < 9.2e18 else { throw bad }
        return Int64(total.rounded())
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
