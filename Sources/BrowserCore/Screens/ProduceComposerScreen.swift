import ClusterModel
import TerminalCore
import WriteFlow

/// The produce composer of one topic (issue 16): key, a multi-line value, headers, partition
/// (automatic or a number) and compression, with a preview of the bytes that will be sent. Sending
/// is a write: the one write flow confirms it naming cluster and topic, audits it, and the screen
/// then shows the partition and offset the broker assigned. Opened with `P` from the topics list
/// and the topic detail; neither key nor screen exists in read-only mode.
public struct ProduceComposerScreen: Screen {
    public static let make: ScreenRegistry.Factory = { route in
        if case .produce(let topic) = route { return ProduceComposerScreen(topic: topic) }
        return nil
    }

    public enum Field: Int, CaseIterable, Sendable {
        case key, value, headers, partition, compression

        var label: String {
            switch self {
            case .key: return "Key        "
            case .value: return "Value      "
            case .headers: return "Headers    "
            case .partition: return "Partition  "
            case .compression: return "Compression"
            }
        }
    }

    /// What the broker answered for a record sent from here.
    public struct Sent: Sendable, Hashable {
        public var partition: Int32
        public var offset: Int64?
        public var bytes: Int
    }

    public let topic: String
    public var route: Route { .produce(topic: topic) }
    public private(set) var focus: Field = .value
    public private(set) var key = LineEditor()
    public private(set) var value = TextArea()
    public private(set) var headers = LineEditor()
    public private(set) var partition = LineEditor()
    public private(set) var compression: ProduceCompression = .none
    /// The topic as read (partition count, for the check and the preview).
    public private(set) var detail = Loadable<TopicDetail>()
    /// The draft the running write sends (set when the write is asked for).
    public private(set) var pending: ProduceDraft?
    /// Records sent from this composer, newest last.
    public private(set) var sent: [Sent] = []
    /// How the last write ended, when it did not end with a record written.
    public private(set) var lastProblem: String?

    public init(topic: String) {
        self.topic = topic
    }

    public var actions: [Action] { ComposerAction.allCases.map(Action.composer) }
    public var unusedGlobalActions: Set<Action> { [.navigation(.open), .general(.filter), .navigation(.sort), .navigation(.sortReverse)] }

    // MARK: Inputs

    /// The record the fields describe, or why they do not describe one.
    public func draft() -> Result<ProduceDraft, LoadError> {
        var parsedHeaders: [RecordHeader] = []
        for item in Self.splitHeaders(headers.text) {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                return .failure(LoadError("header '\(item)' is not KEY=VALUE"))
            }
            parsedHeaders.append(RecordHeader(key: String(item[..<eq]), value: Array(item[item.index(after: eq)...].utf8)))
        }
        let p = Self.trim(partition.text)
        var explicit: Int32?
        if !p.isEmpty {
            guard let n = Int32(p), n >= 0 else { return .failure(LoadError("partition '\(p)' is not a partition number")) }
            if let count = detail.value?.partitions.count, Int(n) >= count {
                return .failure(LoadError("\(topic) has \(count) partition\(count == 1 ? "" : "s"); there is no partition \(n)"))
            }
            explicit = n
        }
        // An empty key field is a null key (the partitioner then spreads records; Java does the same).
        let k: [UInt8]? = key.text.isEmpty ? nil : Array(key.text.utf8)
        return .success(ProduceDraft(topic: topic, partition: explicit, key: k, value: Array(value.text.utf8),
                                     headers: parsedHeaders, compression: compression))
    }

    /// `a=1, b=2`: headers separated by commas (a value with a comma cannot be typed here; the CLI takes any).
    static func splitHeaders(_ text: String) -> [String] {
        text.split(separator: ",").map { trim(String($0)) }.filter { !$0.isEmpty }
    }

    static func trim(_ s: String) -> String {
        String(s.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    // MARK: Screen

    public mutating func load(context: ScreenContext) -> [Effect] {
        detail.begin()
        return [.load(.topic(topic))]
    }

    public mutating func leave() -> [Effect] { [.cancel(.topic)] }

    public mutating func input(_ key: Key, context: ScreenContext) -> [ScreenOutput]? {
        switch focus {
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
                _ = value.handle(key)
                lastProblem = nil
                return []
            default:
                return nil
            }
        case .key, .headers, .partition:
            switch key {
            case .character, .backspace, .delete, .left, .right, .home, .end, .ctrl("a"), .ctrl("e"), .ctrl("u"),
                 .ctrl("w"), .ctrl("k"):
                break
            default:
                return nil
            }
            var editor = focus == .key ? self.key : (focus == .headers ? headers : partition)
            _ = editor.handle(key)
            switch focus {
            case .key: self.key = editor
            case .headers: headers = editor
            default: partition = editor
            }
            lastProblem = nil
            return []
        }
    }

    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        guard case .perform(.composer(let a)) = action else { return [] }
        let n = Field.allCases.count
        switch a {
        case .nextField: focus = Field(rawValue: (focus.rawValue + 1) % n)!
        case .previousField: focus = Field(rawValue: (focus.rawValue + n - 1) % n)!
        case .send: return send(context: context)
        case .editValue:
            focus = .value
            return [.effect(.editExternally(value.text))]
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
        return [.write(ProduceWriteRequest.make(d, partitions: detail.value?.partitions.count, context: context))]
    }

    public mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] {
        switch result {
        case .topic(let name, let r) where name == topic:
            detail.apply(r, at: time)
        case .edited(.success(let text)):
            value.set(text)
            lastProblem = nil
        case .edited(.failure(let e)):
            return [.note("Editor: \(e.message)", .error)]
        case .produced(let d, let r) where d == pending:
            switch r {
            case .success(let p): sent.append(Sent(partition: p.partition, offset: p.offset, bytes: d.payloadBytes))
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
        var y = area.y
        func line(_ parts: [(String, Style)]) {
            guard y < area.maxY else { return }
            buffer.put(parts, x: area.x, y: y, clip: area)
            y += 1
        }
        func label(_ f: Field) -> (String, Style) {
            (" " + f.label + " ", focus == f ? Style(.tableSelected, .bold) : Style(.headerLabel))
        }
        func field(_ f: Field, _ text: String) -> (String, Style) {
            (" " + text + (focus == f ? "_" : "") + " ", Style(focus == f ? .tableSelected : .headerValue))
        }
        line([label(.key), field(.key, key.text), (key.text.isEmpty ? "  empty: a null key" : "", Style(.dim))])
        // The value: as many lines as fit, keeping the cursor's line in view.
        let room = max(1, min(value.lines.count, area.height - 9))
        let first = max(0, min(value.row - room + 1, value.lines.count - room))
        for i in first..<min(value.lines.count, first + room) {
            let head = i == first ? label(.value) : (String(repeating: " ", count: Field.value.label.count + 2), Style(.headerLabel))
            let text = value.lines[i] + (focus == .value && i == value.row ? "_" : "")
            line([head, (" " + text + " ", Style(focus == .value ? .tableSelected : .headerValue))])
        }
        line([label(.headers), field(.headers, headers.text), (headers.text.isEmpty ? "  k=v, k2=v2" : "", Style(.dim))])
        let count = detail.value?.partitions.count
        line([label(.partition), field(.partition, partition.text),
              ("  " + (partition.text.isEmpty ? "automatic (murmur2 of the key; sticky if null)" : "")
                + (count.map { " (\($0) partitions)" } ?? ""), Style(.dim))])
        line([label(.compression), (" < \(compression.rawValue) > ", Style(focus == .compression ? .tableSelected : .headerValue)),
              ("  Left/Right or Space change it", Style(.dim))])
        y += 1
        // The preview: the bytes that will be sent.
        switch draft() {
        case .failure(let e):
            line([(" \(g.error) \(e.message)", Style(.statusError))])
        case .success(let d):
            let hs = d.headers.isEmpty ? "no headers" : "\(d.headers.count) header\(d.headers.count == 1 ? "" : "s")"
            line([(" Sends: key \(d.key.map { "\($0.count) bytes" } ?? "null"), value \(d.value?.count ?? 0) bytes, \(hs); "
                   + "\(d.payloadBytes) bytes in all", Style(.headerValue))])
            line([(" key   " + Self.hexPreview(d.key, width: area.width - 8), Style(.dim))])
            line([(" value " + Self.hexPreview(d.value, width: area.width - 8), Style(.dim))])
        }
        if let p = lastProblem {
            line([(" \(g.error) \(p)", Style(.statusError))])
        } else if let s = sent.last {
            line([(" \(g.ok) written to \(topic) partition \(s.partition)" + (s.offset.map { " at offset \($0)" } ?? ""),
                   Style(.statusOk))])
        } else {
            line([(" Enter (outside the value) or ctrl-s sends; Tab moves between fields", Style(.dim))])
        }
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
    static func make(_ d: ProduceDraft, partitions: Int?, context: ScreenContext) -> WriteRequest {
        let cluster = "cluster \(context.options.contextName)"
        var details = ["key \(d.key.map { "\($0.count) bytes" } ?? "null"), value \(d.value.map { "\($0.count) bytes" } ?? "null (tombstone)"), "
                       + "\(d.headers.count) header\(d.headers.count == 1 ? "" : "s"), compression \(d.compression.rawValue)"]
        details.append(d.partition.map { "partition \($0)" } ?? "partition chosen by the key's murmur2 hash")
        let description = WriteDescription(
            kind: .produce, action: "produce 1 record to topic", target: WriteTarget(name: d.topic, location: cluster),
            details: details,
            audit: [AuditField("topic", d.topic), AuditField("partition", d.partition.map(String.init) ?? "auto"),
                    AuditField("bytes", String(d.payloadBytes)), AuditField("compression", d.compression.rawValue)])
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
