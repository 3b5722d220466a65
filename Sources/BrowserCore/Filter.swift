/// The `/` filter: a case-insensitive regex over a row's text; a leading `!` keeps the
/// rows that do NOT match. Plain words skip the regex engine (fast on 20,000 rows).
public struct RowFilter: Sendable, Hashable {
    /// As typed, including a leading `!`.
    public var text: String

    public init(_ text: String) { self.text = text }

    public var isInverted: Bool { text.hasPrefix("!") }
    public var pattern: String { isInverted ? String(text.dropFirst()) : text }
    public var isEmpty: Bool { pattern.isEmpty }

    /// Compiles the pattern; an invalid regex throws a message fit for the prompt line.
    public func compile() throws(LoadError) -> RowMatcher {
        let p = pattern
        let inverted = isInverted
        if p.isEmpty { return RowMatcher(inverted: inverted, kind: .all) }
        let meta: Set<Character> = ["\\", "^", "$", ".", "|", "?", "*", "+", "(", ")", "[", "]", "{", "}"]
        if !p.contains(where: { meta.contains($0) }) {
            return RowMatcher(inverted: inverted, kind: .literal(p.lowercased()))
        }
        do {
            let regex = try Regex(p).ignoresCase()
            return RowMatcher(inverted: inverted, kind: .regex(regex))
        } catch {
            throw LoadError("invalid regex: \(Self.describe(error))")
        }
    }

    private static func describe(_ error: any Error) -> String {
        // The regex parser's messages are single lines like "expected ')'".
        let text = String(describing: error)
        return text.split(separator: "\n").first.map(String.init) ?? "cannot parse"
    }
}

/// A compiled filter. Used inside `update` only, never stored in state.
public struct RowMatcher {
    enum Kind {
        case all
        case literal(String)
        case regex(Regex<AnyRegexOutput>)
    }
    let inverted: Bool
    let kind: Kind

    /// `lowered` is the row's text already lower-cased (literal matching relies on it);
    /// `original` is the same text as shown, for the regex.
    public func matches(lowered: String, original: String) -> Bool {
        let hit: Bool
        switch kind {
        case .all: hit = true
        case .literal(let needle): hit = lowered.contains(needle)
        case .regex(let re): hit = (try? re.firstMatch(in: original)) != nil
        }
        return hit != inverted
    }
}
