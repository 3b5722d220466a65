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
        let p = Self.withoutOuterWildcards(pattern)
        let inverted = isInverted
        if p.isEmpty { return RowMatcher(inverted: inverted, kind: .all) }
        let meta: Set<Character> = ["\\", "^", "$", ".", "|", "?", "*", "+", "(", ")", "[", "]", "{", "}"]
        if !p.contains(where: { meta.contains($0) }) {
            return RowMatcher(inverted: inverted, kind: .literal(p.lowercased()))
        }
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(p).ignoresCase()
        } catch {
            throw LoadError("invalid regex: \(Self.describe(error))")
        }
        // The engine backtracks with no time limit, on the UI thread: `(x+)+y` over a long
        // value never returns and freezes the screen (Ctrl-C included).
        if Self.hasNestedRepetition(p) {
            throw LoadError("nested repetition like (a+)+ can run forever on long values; drop one of the repeats")
        }
        return RowMatcher(inverted: inverted, kind: .regex(regex))
    }

    /// The pattern without a leading or trailing `.*` (or `.*?`): the search is unanchored,
    /// so they change nothing about whether a row matches, but a leading one makes the
    /// engine scan to the end from every position: `.*foo` over a 64 KiB value froze the
    /// screen for over 30 s.
    static func withoutOuterWildcards(_ pattern: String) -> String {
        var p = Substring(pattern)
        while p.hasPrefix(".*") {
            let rest = p.dropFirst(2)
            if rest.hasPrefix("?") { p = rest.dropFirst(); continue }
            // `.*+` (possessive) or `.**` are not the plain wildcard.
            if let c = rest.first, "+*{".contains(c) { break }
            p = rest
        }
        while p.hasSuffix(".*") || p.hasSuffix(".*?") {
            let cut = p.hasSuffix("?") ? 3 : 2
            let head = p.dropLast(cut)
            // An escaped dot (`\.*`) is a literal; count the backslashes before it.
            let slashes = head.reversed().prefix { $0 == "\\" }.count
            if slashes % 2 == 1 { break }
            // `x.*` after a quantifier-less `|` or `(` still leaves a valid, equivalent pattern
            // only at the top level: stop at a group or alternative boundary.
            if let last = head.last, "|(".contains(last) { break }
            p = head
        }
        return String(p)
    }

    /// True when a repeated group (`(...)*`, `+`, `{n,}`) itself contains a repeat: the
    /// pattern shape whose backtracking is exponential. Escapes and [classes] are skipped.
    static func hasNestedRepetition(_ pattern: String) -> Bool {
        let cs = Array(pattern)
        var groups: [Bool] = []  // per open group: holds a repeat
        var i = 0
        var lastWasAtom = false
        func isRepeat(at j: Int) -> Bool {
            guard j < cs.count else { return false }
            switch cs[j] {
            case "*", "+": return true
            case "{":
                // {n,} or {n,m} with m > 1 repeat; {1} or {0,1} do not matter here.
                var k = j + 1
                var body = ""
                while k < cs.count, cs[k] != "}" { body.append(cs[k]); k += 1 }
                guard k < cs.count else { return false }
                let parts = body.split(separator: ",", omittingEmptySubsequences: false)
                guard parts.allSatisfy({ $0.allSatisfy(\.isNumber) }), let first = parts.first, !first.isEmpty else { return false }
                if parts.count == 1 { return (Int(first) ?? 0) > 1 }
                return parts.count == 2 && (parts[1].isEmpty || (Int(parts[1]) ?? 0) > 1)
            default: return false
            }
        }
        func markRepeat() { if !groups.isEmpty { groups[groups.count - 1] = true } }
        while i < cs.count {
            let c = cs[i]
            switch c {
            case "\\":
                i += 2
                lastWasAtom = true
                continue
            case "[":
                // A class is one atom; a ] right after [ or [^ is literal.
                var k = i + 1
                if k < cs.count, cs[k] == "^" { k += 1 }
                if k < cs.count, cs[k] == "]" { k += 1 }
                while k < cs.count, cs[k] != "]" { if cs[k] == "\\" { k += 1 }; k += 1 }
                i = k + 1
                lastWasAtom = true
                continue
            case "(":
                groups.append(false)
                lastWasAtom = false
            case ")":
                let inner = groups.popLast() ?? false
                if isRepeat(at: i + 1) {
                    if inner { return true }
                    markRepeat()
                } else if inner {
                    markRepeat()
                }
                lastWasAtom = true
                // Skip the quantifier (and a lazy/possessive mark) so it is not counted twice.
                i += 1
                while i < cs.count, "*+?{".contains(cs[i]) {
                    if cs[i] == "{" { while i < cs.count, cs[i] != "}" { i += 1 } }
                    i += 1
                }
                continue
            case "*", "+", "{":
                if lastWasAtom, isRepeat(at: i) { markRepeat() }
                lastWasAtom = false
                if c == "{" { while i < cs.count, cs[i] != "}" { i += 1 } }
                // A following ? or + only makes this repeat lazy or possessive.
                while i + 1 < cs.count, cs[i + 1] == "?" || cs[i + 1] == "+" { i += 1 }
            default:
                lastWasAtom = c != "|" && c != "?"
            }
            i += 1
        }
        return false
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
