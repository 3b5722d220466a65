import ClusterModel
import TerminalCore

/// One record of a live tail, pushed from the tail's list over its buffer: metadata, the full
/// key, headers and value (pretty JSON, hex, schema-decoded), scrolled with the usual keys.
/// The tail keeps running under it; pause, follow and the `/` filter act on the list below
/// (`toParent`), `m` / `M` cycle the decoding here and there, Esc or `q` closes it.
/// New record actions are cases of `RecordAction` handled in `handle`: `P` re-sends the record
/// through the produce composer (a child made from this record, so its bytes are exact).
public struct TailRecordScreen: Screen {
    /// The record as drawn, built once per decoding mode so drawing stays cheap.
    public struct RecordView: Sendable, Hashable {
        /// Kept (not rebuilt per frame) so its wrapped layout is computed once per width.
        public var text: TextView
        public var lines: [[Span]] { text.lines }
        public var offset: Int = 0
        public var keyUsed: PayloadMode
        public var valueUsed: PayloadMode
    }

    /// The record's sequence number in the tail's buffer.
    public let seq: Int
    public let record: TailRecord
    public private(set) var keyMode: PayloadMode
    public private(set) var valueMode: PayloadMode
    /// Built on `load` (it needs the display's UTC offset) and on each mode change.
    public private(set) var view: RecordView?
    private var utcOffset = 0

    public init(seq: Int, record: TailRecord, keyMode: PayloadMode, valueMode: PayloadMode) {
        self.seq = seq
        self.record = record
        self.keyMode = keyMode
        self.valueMode = valueMode
    }

    public var route: Route { .record(topic: record.topic, partition: record.partition, offset: record.offset) }

    public var actions: [Action] { RecordAction.allCases.map(Action.record) + Self.listActions.map(Action.tail) }

    /// The list's actions that act on it from here (export asks for a path on the list itself).
    public static let listActions: [TailAction] = TailAction.allCases.filter { $0 != .export }

    /// The produce composer over this record (`P`): the route names the record's topic.
    public func child(for route: Route) -> (any Screen)? {
        guard case .produce(let t) = route, t == record.topic else { return nil }
        return ProduceComposerScreen(resending: record)
    }

    /// One record: nothing to open or sort.
    public var unusedGlobalActions: Set<Action> { [.navigation(.sort), .navigation(.sortReverse), .navigation(.open)] }

    /// `/` filters the live list below.
    public var filtersParent: Bool { true }

    public mutating func load(context: ScreenContext) -> [Effect] {
        if view == nil {
            utcOffset = context.options.utcOffsetSeconds
            rebuild()
        }
        return []
    }

    public mutating func leave() -> [Effect] { [] }

    private mutating func rebuild() {
        let k = DecodedPayloadText.section(record.key, decoded: record.decodedKey, mode: keyMode).used
        let v = DecodedPayloadText.section(record.value, decoded: record.decodedValue, mode: valueMode).used
        let text = TextView(lines: Self.recordLines(record, keyMode: keyMode, valueMode: valueMode, utcOffset: utcOffset))
        view = RecordView(text: text, offset: view?.offset ?? 0, keyUsed: k, valueUsed: v)
    }

    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        switch action {
        case .navigate(let n):
            guard var v = view else { return [] }
            v.offset = n.scrolled(v.offset, pageHeight: context.area.height, maxOffset: v.text.maxOffset(in: context.area))
            view = v
            return []
        case .perform(.record(.closeRecord)):
            return [.close]
        case .perform(.record(.resend)):
            return [.open(.produce(topic: record.topic))]
        case .perform(.tail(.valueMode)), .perform(.tail(.keyMode)):
            // The list below cycles too (and says the new modes), so closing keeps them.
            if action == .perform(.tail(.valueMode)) { valueMode = valueMode.next } else { keyMode = keyMode.next }
            rebuild()
            return [.toParent(action)]
        case .perform(.tail):
            return [.toParent(action)]
        case .open, .sortNext, .sortReverse, .perform:
            return []
        }
    }

    public mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] { [] }

    public var status: ViewStatus { ViewStatus() }

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        guard !area.isEmpty, let v = view else { return }
        v.text.render(into: &buffer, area: area, offset: v.offset, glyphs: context.glyphs)
    }

    /// Metadata, key, headers, value.
    static func recordLines(_ r: TailRecord, keyMode: PayloadMode, valueMode: PayloadMode, utcOffset: Int) -> [[Span]] {
        var out: [[Span]] = []
        func field(_ label: String, _ value: String) -> [Span] {
            [Span(label + " ", role: .headerLabel), Span(value, role: .headerValue)]
        }
        let tsType: String
        switch r.timestampType {
        case .createTime: tsType = "create time"
        case .logAppendTime: tsType = "log append time"
        case .none: tsType = "no timestamp type"
        }
        out.append(field("topic", r.topic.sanitizedForTerminal) + [Span("  ")] + field("partition", String(r.partition))
                   + [Span("  ")] + field("offset", String(r.offset)))
        out.append(field("timestamp", r.timestamp < 0 ? "none (\(r.timestamp))"
                         : "\(PayloadFormat.timestamp(r.timestamp, utcOffset: utcOffset)) (\(r.timestamp) ms, \(tsType))"))
        out.append(field("size", "\(Format.bytes(Int64(r.size))) (key \(r.key.map { Format.bytes(Int64($0.count)) } ?? "null"), "
                         + "value \(r.value.map { Format.bytes(Int64($0.count)) } ?? "null"), \(r.headers.count) headers)"))
        // Schema-decoded sides name their format and schema (DecodedPayloadText.swift).
        let key = DecodedPayloadText.section(r.key, decoded: r.decodedKey, mode: keyMode)
        out.append([])
        out.append([Span("Key", role: .title)] + key.title)
        out += key.lines
        out.append([])
        out.append([Span("Headers", role: .title), Span(" (\(r.headers.count))", role: .dim)])
        if r.headers.isEmpty { out.append([Span("none", role: .dim)]) }
        for h in r.headers {
            out.append([Span(h.key.sanitizedForTerminal, role: .jsonKey), Span(": "),
                        Span(PayloadFormat.preview(h.value, mode: .auto), role: h.value == nil ? .dim : .normal)])
        }
        let value = DecodedPayloadText.section(r.value, decoded: r.decodedValue, mode: valueMode)
        out.append([])
        out.append([Span("Value", role: .title)] + value.title)
        out += value.lines
        return out
    }
}
