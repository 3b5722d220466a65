import ClusterModel
import TerminalCore

/// One version of a subject: id, type, references, and the schema text highlighted (Avro and
/// JSON Schema indented as JSON, Protobuf's .proto with its keywords marked). Scrolls like the
/// record view.
public struct SchemaTextScreen: Screen {
    public static let make: ScreenRegistry.Factory = { route in
        if case .schema(let subject, let version) = route { return SchemaTextScreen(subject: subject, version: version) }
        return nil
    }

    public let subject: String
    public let version: Int
    public var route: Route { .schema(subject: subject, version: version) }
    public private(set) var data = Loadable<SubjectSchema>()
    public private(set) var text = TextView(lines: [])
    public private(set) var offset = 0

    public init(subject: String, version: Int) {
        self.subject = subject
        self.version = version
    }

    public var unusedGlobalActions: Set<Action> { [.navigation(.open), .navigation(.sort), .navigation(.sortReverse)] }

    public mutating func load(context: ScreenContext) -> [Effect] {
        data.begin()
        return [.load(.schema(subject: subject, version: version))]
    }

    public mutating func leave() -> [Effect] { [.cancel(.schema)] }

    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        guard case .navigate(let n) = action else { return [] }
        offset = n.scrolled(offset, pageHeight: context.area.height, maxOffset: text.maxOffset(in: context.area))
        return []
    }

    public mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] {
        guard case .schema(let s, let v, let r) = result, s == subject, v == version else { return [] }
        data.apply(r, at: time)
        if case .success(let schema) = r {
            text = TextView(lines: SchemaText.lines(schema))
            offset = min(offset, text.maxOffset(in: context.area))
        }
        return []
    }

    public var status: ViewStatus { data.status }

    public var titleDetail: String {
        guard let d = data.value else { return "" }
        return "[id \(d.schemaID) \(d.type)]"
    }

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        if let (message, role) = placeholder(status, what: "version \(version) of \(subject)", glyphs: context.glyphs) {
            renderMessage(message, role: role, into: &buffer, area: area)
            return
        }
        text.render(into: &buffer, area: area, offset: offset, glyphs: context.glyphs)
    }
}

/// Schema text for screens: a header, then the text highlighted by type.
public enum SchemaText {
    public static func lines(_ s: SubjectSchema) -> [[Span]] {
        func field(_ label: String, _ value: String) -> [Span] {
            [Span(label + " ", role: .headerLabel), Span(value.sanitizedForTerminal, role: .headerValue)]
        }
        var out: [[Span]] = []
        out.append(field("subject", s.subject) + [Span("  ")] + field("version", String(s.version))
                   + [Span("  ")] + field("id", String(s.schemaID)) + [Span("  ")] + field("type", s.type))
        if !s.references.isEmpty {
            out.append([Span("References", role: .title), Span(" (\(s.references.count))", role: .dim)])
            for r in s.references {
                out.append([Span(r.name.sanitizedForTerminal, role: .jsonKey), Span(" → ", role: .dim),
                            Span("\(r.subject) v\(r.version)".sanitizedForTerminal)])
            }
        }
        out.append([])
        out += body(s.schema, type: s.type)
        return out
    }

    /// Avro / JSON Schema as indented, highlighted JSON; .proto text with keywords marked.
    public static func body(_ schema: String, type: String) -> [[Span]] {
        if type.uppercased() != "PROTOBUF", let pretty = JSONHighlight.pretty(schema) {
            return JSONHighlight.lines(pretty).map { $0.map { Span($0.text.sanitizedForTerminal, style: $0.style) } }
        }
        let text = schema.replacingOccurrences(of: "\t", with: "    ")
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { proto(String($0)) }
    }

    static let protoKeywords: Set<String> = [
        "syntax", "package", "import", "option", "message", "enum", "oneof", "map", "repeated", "optional",
        "required", "reserved", "service", "rpc", "returns", "extend", "extensions", "to", "max", "public", "weak", "stream",
    ]

    /// One .proto line: comments dim, keywords as keys, string literals as strings, numbers as numbers.
    static func proto(_ line: String) -> [Span] {
        let clean = line.sanitizedForTerminal
        var spans: [Span] = []
        var code = Substring(clean)
        var comment: Substring = ""
        if let c = clean.range(of: "//") {
            code = clean[..<c.lowerBound]
            comment = clean[c.lowerBound...]
        }
        var word = ""
        var inString = false
        func flushWord() {
            guard !word.isEmpty else { return }
            let role: Role = protoKeywords.contains(word) ? .jsonKey : (word.first!.isNumber ? .jsonNumber : .normal)
            spans.append(Span(word, role: role))
            word = ""
        }
        for ch in code {
            if inString {
                word.append(ch)
                if ch == "\"" { spans.append(Span(word, role: .jsonString)); word = ""; inString = false }
            } else if ch == "\"" {
                flushWord()
                word = "\""
                inString = true
            } else if ch.isLetter || ch.isNumber || ch == "_" || ch == "." {
                word.append(ch)
            } else {
                flushWord()
                spans.append(Span(String(ch)))
            }
        }
        if inString { spans.append(Span(word, role: .jsonString)) } else { flushWord() }
        if !comment.isEmpty { spans.append(Span(String(comment), role: .dim)) }
        // Adjacent plain characters merged, so a line is a few spans, not one per character.
        var merged: [Span] = []
        for s in spans {
            if let last = merged.last, last.style == s.style { merged[merged.count - 1].text += s.text } else { merged.append(s) }
        }
        return merged
    }

    /// The schema on one line for a table cell (whitespace runs collapsed).
    public static func oneLine(_ schema: String) -> String {
        PayloadFormat.collapse(String(schema.prefix(512))).sanitizedForTerminal
    }
}
