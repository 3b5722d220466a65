import ClusterModel
import TerminalCore
import WriteFlow

/// The produce composer of one topic (issue 16): key, a multi-line value, headers, partition
/// (automatic or a number) and compression, with a preview of the bytes that will be sent. Sending
/// is a write: the one write flow confirms it naming cluster and topic, audits it, and the screen
/// then shows the partition and offset the broker assigned. Opened with `P` from the topics list
/// and the topic detail, and prefilled from a record with `P` in the tail's record view (a re-send:
/// key, value and headers byte for byte, its partition, a topic field to send it elsewhere, and
/// whether it keeps the original record's timestamp or takes the time of sending, the default);
/// neither key nor screen exists in read-only mode.
public struct ProduceComposerScreen: Screen {
    public static let make: ScreenRegistry.Factory = { route in
        if case .produce(let topic) = route { return ProduceComposerScreen(topic: topic) }
        return nil
    }

    public enum Field: Int, CaseIterable, Sendable {
        /// Only when re-sending (the topic of a plain composer is the one it was opened on).
        case topic
        case key, value, headers, partition
        /// Only when re-sending: now, or the original record's timestamp.
        case timestamp
        case compression

        var label: String {
            switch self {
            case .topic: return "Topic      "
            case .key: return "Key        "
            case .value: return "Value      "
            case .headers: return "Headers    "
            case .partition: return "Partition  "
            case .timestamp: return "Timestamp  "
            case .compression: return "Compression"
            }
        }
    }

    /// What the broker answered for a record sent from here.
    public struct Sent: Sendable, Hashable {
        public var topic: String
        public var partition: Int32
        public var offset: Int64?
        public var bytes: Int
        /// Why the record's time is not the one sent (LogAppendTime), when that happened.
        public var timestampNote: String? = nil
    }

    /// Where a re-sent record came from.
    public struct Origin: Sendable, Hashable {
        public var topic: String
        public var partition: Int32
        public var offset: Int64
    }

    /// The topic the composer was opened on.
    public let openedOn: String
    /// The record being re-sent, when opened from the tail's record view.
    public let resending: Origin?
    /// The re-sent record's timestamp and its type (what "original" sends).
    public let originalTimestamp: Int64?
    public let originalTimestampType: TimestampType?
    /// A re-send keeps the original record's timestamp (off: the time it is sent, as any new record).
    public private(set) var keepsOriginalTimestamp = false
    /// The topic field (re-sends only).
    public private(set) var topicField = LineEditor()
    /// The topic the record goes to.
    public var topic: String { resending == nil ? openedOn : Self.trim(topicField.text) }
    public var route: Route { .produce(topic: openedOn) }
    public private(set) var focus: Field = .value
    public private(set) var key = LineEditor()
    public private(set) var value = TextArea()
    public private(set) var headers = LineEditor()
    public private(set) var partition = LineEditor()
    public private(set) var compression: ProduceCompression = .none
    /// A tombstone: the value is null (ctrl-t; the typed value is kept for when it is turned off).
    public private(set) var tombstone = false
    /// A re-sent key or value that is not editable text (binary, or empty but not null): sent as
    /// these exact bytes until Backspace clears them.
    public private(set) var keptKey: [UInt8]?
    public private(set) var keptValue: [UInt8]?
    /// The topic as read (partition count, for the check and the preview), and which topic it is.
    public private(set) var detail = Loadable<TopicDetail>()
    private var detailTopic: String?
    /// The draft the running write sends (set when the write is asked for).
    public private(set) var pending: ProduceDraft?
    /// Records sent from this composer, newest last.
    public private(set) var sent: [Sent] = []
    /// How the last write ended, when it did not end with a record written.
    public private(set) var lastProblem: String?

    public init(topic: String) {
        self.openedOn = topic
        self.resending = nil
        self.originalTimestamp = nil
        self.originalTimestampType = nil
    }

    /// The composer prefilled from a record of the tail: same key, value and headers byte for
    /// byte, its partition, its topic (editable); the value has focus.
    public init(resending r: TailRecord) {
        openedOn = r.topic
        resending = Origin(topic: r.topic, partition: r.partition, offset: r.offset)
        originalTimestamp = r.timestamp >= 0 ? r.timestamp : nil
        originalTimestampType = r.timestampType
        topicField = LineEditor(text: r.topic)
        if let k = r.key {
            if let text = Self.editableText(k, multiline: false) { key = LineEditor(text: text) } else { keptKey = k }
        }
        if let v = r.value {
            if let text = Self.editableText(v, multiline: true) { value = TextArea(text: text) } else { keptValue = v }
        } else {
            tombstone = true
        }
        headers = LineEditor(text: HeaderText.format(r.headers))
        partition = LineEditor(text: String(r.partition))
    }

    /// The bytes as text the editors give back byte for byte, or nil (binary, control characters,
    /// empty: an empty editor means a null key).
    static func editableText(_ bytes: [UInt8], multiline: Bool) -> String? {
        guard !bytes.isEmpty, let s = String(validating: bytes, as: UTF8.self) else { return nil }
        for u in s.unicodeScalars {
            if u.value < 0x20 && !(multiline && u == "\n") { return nil }
            if u.value == 0x7F || HeaderText.isControl(u) { return nil }
        }
        let back = multiline ? TextArea(text: s).text : LineEditor(text: s).text
        return Array(back.utf8) == bytes ? s : nil
    }

    /// The fields on screen, in Tab order.
    public var fields: [Field] {
        if resending == nil { return Field.allCases.filter { $0 != .topic && $0 != .timestamp } }
        return Field.allCases.filter { $0 != .timestamp || originalTimestamp != nil }
    }

    public var actions: [Action] { ComposerAction.allCases.map(Action.composer) }
    public var unusedGlobalActions: Set<Action> { [.navigation(.open), .general(.filter), .navigation(.sort), .navigation(.sortReverse)] }

    // MARK: Inputs

    /// The record the fields describe, or why they do not describe one.
    public func draft() -> Result<ProduceDraft, LoadError> {
        let topic = self.topic
        if topic.isEmpty { return .failure(LoadError("no topic: type the topic to send the record to")) }
        let parsedHeaders: [RecordHeader]
        switch HeaderText.parse(headers.text) {
        case .failure(let e): return .failure(e)
        case .success(let h): parsedHeaders = h
        }
        let p = Self.trim(partition.text)
        var explicit: Int32?
        if !p.isEmpty {
            guard let n = Int32(p), n >= 0 else { return .failure(LoadError("partition '\(p)' is not a partition number")) }
            if let count = partitionCount, Int(n) >= count {
                return .failure(LoadError("\(topic) has \(count) partition\(count == 1 ? "" : "s"); there is no partition \(n)"))
            }
            explicit = n
        }
        // An empty key field is a null key (the partitioner then spreads records; Java does the same).
        let k: [UInt8]? = keptKey ?? (key.text.isEmpty ? nil : Array(key.text.utf8))
        let v: [UInt8]? = tombstone ? nil : (keptValue ?? Array(value.text.utf8))
        return .success(ProduceDraft(topic: topic, partition: explicit, key: k, value: v, headers: parsedHeaders,
                                     compression: compression, timestamp: keepsOriginalTimestamp ? originalTimestamp : nil))
    }

    /// Partitions of the topic the record goes to, when read.
    var partitionCount: Int? { detailTopic == topic ? detail.value?.partitions.count : nil }

    static func trim(_ s: String) -> String {
        String(s.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    // MARK: Screen

    public mutating func load(context: ScreenContext) -> [Effect] {
        guard !topic.isEmpty else { return [] }
        if detailTopic != topic { detail = Loadable() }
        detailTopic = topic
        detail.begin()
        return [.load(.topic(topic))]
    }

    public mutating func leave() -> [Effect] { [.cancel(.topic)] }

    public mutating func input(_ key: Key, context: ScreenContext) -> [ScreenOutput]? {
        switch focus {
        case .timestamp:
            switch key {
            case .left, .right, .character(" "):
                keepsOriginalTimestamp.toggle()
                return []
            default:
                return nil
            }
        case .compression:
            switch key {
            case .left, .right, .character(" "):
                let all = ProduceCompression.allCases
                let i = all.firstIndex(of: compression)!
                compression = all[(i + (key == .left ? all.count - 1 : 1)) % all.count]
                return []
            default:
                return nil
            }
        case .value:
            switch key {
            case .character, .enter, .backspace, .delete, .left, .right, .up, .down, .home, .end,
                 .ctrl("a"), .ctrl("e"), .ctrl("k"), .ctrl("u"):
                lastProblem = nil
                if keptValue != nil { return clearKept(key, value: true) }
                // Typing into a tombstone's value means a value again.
                if tombstone, key != .left, key != .right, key != .up, key != .down, key != .home, key != .end {
                    tombstone = false
                }
                _ = value.handle(key)
                return []
            default:
                return nil
            }
        case .topic, .key, .headers, .partition:
            switch key {
            case .character, .backspace, .delete, .left, .right, .home, .end, .ctrl("a"), .ctrl("e"), .ctrl("u"),
                 .ctrl("w"), .ctrl("k"):
                break
            default:
                return nil
            }
            lastProblem = nil
            if focus == .key, keptKey != nil { return clearKept(key, value: false) }
            var editor: LineEditor
            switch focus {
            case .topic: editor = topicField
            case .key: editor = self.key
            case .headers: editor = headers
            default: editor = partition
            }
            _ = editor.handle(key)
            switch focus {
            case .topic: topicField = editor
            case .key: self.key = editor
            case .headers: headers = editor
            default: partition = editor
            }
            return []
        }
    }

    /// Kept bytes are replaced as a whole: Backspace or Delete clears them (then it is a text field).
    private mutating func clearKept(_ key: Key, value isValue: Bool) -> [ScreenOutput] {
        guard key == .backspace || key == .delete else {
            if case .character = key {
                let what = isValue ? "value" : "key"
                return [.note("The \(what) is kept byte for byte (not editable text): Backspace clears it", .info)]
            }
            return []
        }
        if isValue { keptValue = nil; value = TextArea() } else { keptKey = nil; self.key = LineEditor() }
        return []
    }

    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        guard case .perform(.composer(let a)) = action else { return [] }
        let all = fields
        let i = all.firstIndex(of: focus) ?? 0
        switch a {
        case .nextField, .previousField:
            focus = all[(i + (a == .nextField ? 1 : all.count - 1)) % all.count]
            // Another topic typed: read it (partition count for the check and the preview).
            if resending != nil, !topic.isEmpty, detailTopic != topic {
                return load(context: context).map { .effect($0) }
            }
        case .send: return send(context: context)
        case .editValue:
            focus = .value
            if keptValue != nil {
                return [.note("The value is kept byte for byte (binary): Backspace clears it to type text", .info)]
            }
            return [.effect(.editExternally(value.text))]
        case .tombstone:
            tombstone.toggle()
            lastProblem = nil
            return [.note(tombstone ? "Tombstone: the value is null (ctrl-t again sends the value)" : "Value restored", .info)]
        }
        return []
    }

    /// The fields become a write request: confirmed naming cluster and topic, then sent as one record.
    mutating func send(context: ScreenContext) -> [ScreenOutput] {
        let d: ProduceDraft
        switch draft() {
        case .failure(let e): return [.note("Cannot send: \(e.message)", .error)]
        case .success(let v): d = v
        }
        pending = d
        lastProblem = nil
        return [.write(ProduceWriteRequest.make(d, partitions: partitionCount, resending: resending,
                                                originalTimestampType: originalTimestampType, context: context))]
    }

    public mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] {
        switch result {
        case .topic(let name, let r) where name == detailTopic:
            detail.apply(r, at: time)
        case .edited(.success(let text)):
            value.set(text)
            lastProblem = nil
        case .edited(.failure(let e)):
            return [.note("Editor: \(e.message)", .error)]
        case .produced(let d, let r) where d == pending:
            switch r {
            case .success(let p): sent.append(Sent(topic: d.topic, partition: p.partition, offset: p.offset, bytes: d.payloadBytes,
                                                     timestampNote: p.replacedTimestampNote(sent: d.timestamp)))
            case .failure(let e): lastProblem = e.message
            }
        case .writeFinished(let outcome):
            pending = nil
            switch outcome {
            case .done: break
            case .refused(let r): lastProblem = "not sent: \(r.reason)"
            case .failed(let t), .partial(let t), .unsettled(let t): lastProblem = t
            case .abandoned: lastProblem = "result unknown"
            }
        default:
            break
        }
        return []
    }

    public var status: ViewStatus { detail.status }

    public var titleDetail: String { sent.isEmpty ? "" : "[\(sent.count) sent]" }

    // MARK: Drawing

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        let g = context.glyphs
        var pen = LinePen(area)
        func line(_ parts: [(String, Style)]) { pen.line(parts, into: &buffer) }
        func label(_ f: Field) -> (String, Style) {
            (" " + f.label + " ", focus == f ? Style(.tableSelected, .bold) : Style(.headerLabel))
        }
        func field(_ f: Field, _ text: String) -> (String, Style) {
            (" " + text + (focus == f ? "_" : "") + " ", Style(focus == f ? .tableSelected : .headerValue))
        }
        if let r = resending {
            line([label(.topic), field(.topic, topicField.text.sanitizedForTerminal),
                  ("  re-sending \(r.topic.sanitizedForTerminal) p\(r.partition)@\(r.offset)"
                    + (topic == r.topic ? "; type another topic to send it there" : ""), Style(.dim))])
        }
        if let kept = keptKey {
            line([label(.key), field(.key, kept.isEmpty ? "(empty)" : Self.hexPreview(kept, width: min(area.width, 60))),
                  ("  \(kept.isEmpty ? "empty, not null" : "binary, \(kept.count) bytes"), kept as is; Backspace clears", Style(.dim))])
        } else {
            line([label(.key), field(.key, key.text.sanitizedForTerminal), (key.text.isEmpty ? "  empty: a null key" : "", Style(.dim))])
        }
        if tombstone || keptValue != nil {
            let text = tombstone ? "null (tombstone)" : "binary, \(keptValue!.count) bytes, kept as is"
            let hint = tombstone ? "  ctrl-t sends a value again" : "  Backspace clears it; the bytes are below"
            line([label(.value), field(.value, text), (hint, Style(.dim))])
        } else {
            // The value: as many lines as fit, keeping the cursor's line in view.
            let room = max(1, min(value.lines.count, area.height - 9 - (resending == nil ? 0 : 3)))
            let first = max(0, min(value.row - room + 1, value.lines.count - room))
            for i in first..<min(value.lines.count, first + room) {
                let head = i == first ? label(.value) : (String(repeating: " ", count: Field.value.label.count + 2), Style(.headerLabel))
                let text = value.lines[i].sanitizedForTerminal + (focus == .value && i == value.row ? "_" : "")
                var parts = [head, (" " + text + " ", Style(focus == .value ? .tableSelected : .headerValue))]
                if value.text.isEmpty { parts.append(("  ctrl-t: a tombstone (null value)", Style(.dim))) }
                line(parts)
            }
        }
        line([label(.headers), field(.headers, headers.text.sanitizedForTerminal),
              (headers.text.isEmpty ? "  k=v, k2=v2" : "", Style(.dim))])
        let count = partitionCount
        line([label(.partition), field(.partition, partition.text.sanitizedForTerminal),
              ("  " + (partition.text.isEmpty ? "automatic (murmur2 of the key; sticky if null)" : "")
                + (count.map { " (\($0) partitions)" } ?? ""), Style(.dim))])
        if let original = originalTimestamp, resending != nil {
            let choice = keepsOriginalTimestamp ? "original" : "now"
            line([label(.timestamp), (" < \(choice) > ", Style(focus == .timestamp ? .tableSelected : .headerValue)),
                  ("  now | original (\(Self.isoTime(original))\(Self.typeNote(originalTimestampType)))", Style(.dim))])
        }
        line([label(.compression), (" < \(compression.rawValue) > ", Style(focus == .compression ? .tableSelected : .headerValue)),
              ("  Left/Right or Space change it", Style(.dim))])
        pen.skip()
        // The preview: the bytes that will be sent.
        switch draft() {
        case .failure(let e):
            line([(" \(g.error) \(e.message)", Style(.statusError))])
        case .success(let d):
            let hs = d.headers.isEmpty ? "no headers" : "\(d.headers.count) header\(d.headers.count == 1 ? "" : "s")"
            line([(" Sends: key \(d.key.map { "\($0.count) bytes" } ?? "null"), value \(d.value.map { "\($0.count) bytes" } ?? "null (tombstone)"), \(hs); "
                   + "\(d.payloadBytes) bytes in all", Style(.headerValue))])
            line([(" key   " + Self.hexPreview(d.key, width: area.width - 8), Style(.dim))])
            line([(" value " + Self.hexPreview(d.value, width: area.width - 8), Style(.dim))])
            if resending != nil {
                line([(" time  " + (d.timestamp.map { "\(Self.isoTime($0)) (the original's)" } ?? "now (the time it is sent)"), Style(.dim))])
            }
        }
        if let p = lastProblem {
            line([(" \(g.error) \(p)", Style(.statusError))])
        } else if let s = sent.last {
            line([(" \(g.ok) written to \(s.topic.sanitizedForTerminal) partition \(s.partition)" + (s.offset.map { " at offset \($0)" } ?? ""),
                   Style(.statusOk))])
            if let why = s.timestampNote { line([(" \(g.warn) \(why)", Style(.statusWarn))]) }
        } else {
            line([(" Enter (outside the value) or ctrl-s sends; Tab moves between fields", Style(.dim))])
        }
    }

    /// `2025-11-21T13:00:00.250Z`: a record timestamp in UTC, ISO 8601 with milliseconds.
    static func isoTime(_ ms: Int64) -> String {
        PayloadFormat.timestamp(ms, utcOffset: 0).replacingOccurrences(of: " ", with: "T") + "Z"
    }

    /// The original's timestamp was the broker's, not the producer's: say so beside it.
    static func typeNote(_ type: TimestampType?) -> String {
        type == .logAppendTime ? ", the broker's log-append time" : ""
    }

    /// `68 65 6c 6c 6f` as far as it fits, with the count left over; "null" for nil.
    static func hexPreview(_ bytes: [UInt8]?, width: Int) -> String {
        guard let bytes else { return "null" }
        if bytes.isEmpty { return "(empty)" }
        let digits = Array("0123456789abcdef")
        let fit = max(1, (width - 12) / 3)
        var out = ""
        for b in bytes.prefix(fit) {
            if !out.isEmpty { out.append(" ") }
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xf)])
        }
        if bytes.count > fit { out += " +\(bytes.count - fit) bytes" }
        return out
    }
}

/// A produce as a write request: what the confirmation says, what the audit line records, and the
/// one step (`.produce`) sent after a yes.
enum ProduceWriteRequest {
    static func make(_ d: ProduceDraft, partitions: Int?, resending: ProduceComposerScreen.Origin? = nil,
                     originalTimestampType: TimestampType? = nil, context: ScreenContext) -> WriteRequest {
        let cluster = "cluster \(context.options.contextName)"
        var details = ["key \(d.key.map { "\($0.count) bytes" } ?? "null"), value \(d.value.map { "\($0.count) bytes" } ?? "null (tombstone)"), "
                       + "\(d.headers.count) header\(d.headers.count == 1 ? "" : "s"), compression \(d.compression.rawValue)"]
        details.append(d.partition.map { "partition \($0)" } ?? "partition chosen by the key's murmur2 hash")
        var audit = [AuditField("topic", d.topic), AuditField("partition", d.partition.map(String.init) ?? "auto"),
                     AuditField("bytes", String(d.payloadBytes)), AuditField("compression", d.compression.rawValue)]
        if let r = resending {
            details.append("a re-send of \(r.topic) partition \(r.partition) offset \(r.offset)")
            audit.append(AuditField("resend_of", "\(r.topic)/\(r.partition)@\(r.offset)"))
            // Which time the copy carries: consumers and retention both read it.
            if let t = d.timestamp {
                details.append("timestamp: the original's, \(ProduceComposerScreen.isoTime(t))"
                               + ProduceComposerScreen.typeNote(originalTimestampType))
                audit.append(AuditField("timestamp", String(t)))
            } else {
                details.append("timestamp: now (the time it is sent)")
                audit.append(AuditField("timestamp", "now"))
            }
        }
        let description = WriteDescription(
            kind: .produce, action: "produce 1 record to topic", target: WriteTarget(name: d.topic, location: cluster),
            details: details, audit: audit)
        var check = WriteCheck.ready(description)
        if let p = d.partition, let partitions, Int(p) >= partitions {
            check = .unavailable("\(d.topic) has \(partitions) partitions; there is no partition \(p)")
        }
        return WriteRequest(description: description, check: check, steps: [.produce(d)])
    }
}

/// A small multi-line editor (the composer's value): lines and a cursor (row, column in Characters).
public struct TextArea: Sendable, Hashable {
    public private(set) var lines: [String] = [""]
    public private(set) var row = 0
    public private(set) var column = 0

    public init(text: String = "") {
        set(text)
    }

    public var text: String { lines.joined(separator: "\n") }

    /// Replaces the text (e.g. from $EDITOR); the cursor goes to its end.
    public mutating func set(_ text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.isEmpty { lines = [""] }
        row = lines.count - 1
        column = lines[row].count
    }

    private func index(_ s: String, _ n: Int) -> String.Index { s.index(s.startIndex, offsetBy: min(max(0, n), s.count)) }

    /// Applies an editing key; false when it changed nothing.
    @discardableResult
    public mutating func handle(_ key: Key) -> Bool {
        column = min(column, lines[row].count)
        switch key {
        case .character(let c):
            lines[row].insert(c, at: index(lines[row], column))
            column += 1
        case .enter:
            let rest = String(lines[row][index(lines[row], column)...])
            lines[row] = String(lines[row][..<index(lines[row], column)])
            lines.insert(rest, at: row + 1)
            row += 1
            column = 0
        case .backspace:
            if column > 0 {
                lines[row].remove(at: index(lines[row], column - 1))
                column -= 1
            } else if row > 0 {
                let line = lines.remove(at: row)
                row -= 1
                column = lines[row].count
                lines[row] += line
            } else { return false }
        case .delete:
            if column < lines[row].count {
                lines[row].remove(at: index(lines[row], column))
            } else if row + 1 < lines.count {
                lines[row] += lines.remove(at: row + 1)
            } else { return false }
        case .left:
            if column > 0 { column -= 1 } else if row > 0 { row -= 1; column = lines[row].count } else { return false }
        case .right:
            if column < lines[row].count { column += 1 } else if row + 1 < lines.count { row += 1; column = 0 } else { return false }
        case .up:
            guard row > 0 else { return false }
            row -= 1
            column = min(column, lines[row].count)
        case .down:
            guard row + 1 < lines.count else { return false }
            row += 1
            column = min(column, lines[row].count)
        case .home, .ctrl("a"): column = 0
        case .end, .ctrl("e"): column = lines[row].count
        case .ctrl("k"): lines[row] = String(lines[row][..<index(lines[row], column)])
        case .ctrl("u"):
            lines[row] = String(lines[row][index(lines[row], column)...])
            column = 0
        default:
            return false
        }
        return true
    }
}
