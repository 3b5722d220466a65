import ClusterModel
import TerminalCore

/// How the tail shows a key or value that a schema decoded (or failed to): in `auto` mode the
/// decoded JSON, titled with the format, schema id, subject and version; a failure shows its
/// reason and the raw bytes in hex. Other modes (`m`/`M`) show the raw bytes as before, still
/// naming the schema. Nothing here can trap on what a record holds.
enum DecodedPayloadText {
    /// The record view's title suffix and lines for one side, and the mode used.
    static func section(_ bytes: [UInt8]?, decoded: SchemaDecoded?, mode: PayloadMode) -> (title: [Span], lines: [[Span]], used: PayloadMode) {
        guard let d = decoded, bytes != nil else {
            let plain = PayloadFormat.detail(bytes, mode: mode)
            return ([Span(" (\(plain.used.rawValue))", role: .dim)], plain.lines, plain.used)
        }
        let label = d.label.sanitizedForTerminal
        guard mode == .auto else {
            let plain = PayloadFormat.detail(bytes, mode: mode)
            return ([Span(" (\(plain.used.rawValue) of the raw bytes; \(label))", role: .dim)], plain.lines, plain.used)
        }
        if let reason = d.error {
            let raw = PayloadFormat.detail(bytes, mode: .hex)
            let lines = [[Span("not decoded: \(reason)".sanitizedForTerminal, role: .statusError)],
                         [Span("raw bytes (\(bytes?.count ?? 0)):", role: .dim)]] + raw.lines
            return ([Span(" (\(label), not decoded)", role: .statusError)], lines, .hex)
        }
        let json = d.json ?? "null"
        let lines: [[Span]]
        if json.utf8.count <= PayloadFormat.detailLimit, let pretty = JSONHighlight.pretty(json) {
            lines = JSONHighlight.lines(pretty).map { $0.map { Span($0.text.sanitizedForTerminal, style: $0.style) } }
        } else {
            lines = [[Span(String(json.prefix(PayloadFormat.detailLimit)).sanitizedForTerminal)]]
        }
        return ([Span(" (\(label))", role: .dim)], lines, .json)
    }

    /// The table's one-line preview.
    static func preview(_ bytes: [UInt8]?, decoded: SchemaDecoded?, mode: PayloadMode) -> TableCell {
        guard let bytes else { return TableCell("null", role: .dim) }
        guard mode == .auto, let d = decoded else { return TableCell(PayloadFormat.preview(bytes, mode: mode)) }
        if let reason = d.error {
            return TableCell("not decoded (\(d.label)): \(reason)".sanitizedForTerminal, role: .statusError)
        }
        let json = d.json ?? "null"
        return TableCell(PayloadFormat.collapse(String(json.prefix(512))).sanitizedForTerminal + (json.utf8.count > 512 ? "…" : ""))
    }
}
