/// The `/` filter: a case-insensitive regex over a row's text; a leading `!` keeps the
/// rows that do NOT match. Plain words skip the regex engine (fast on 20,000 rows).
/// Regexes run on `LinearRegex` (linear time, step-budgeted): no pattern can block input.
/// How to filter many rows across ticks: see `FilterScan` below and LinearRegex.swift's header.
public struct RowFilter: Sendable, Hashable {
    /// As typed, including a leading `!`.
    public var text: String

    public init(_ text: String) { self.text = text }

    public var isInverted: Bool { text.hasPrefix("!") }
    public var pattern: String { isInverted ? String(text.dropFirst()) : text }
    public var isEmpty: Bool { pattern.isEmpty }

    /// Compiles the pattern; an invalid or unsupported regex throws a message fit for the prompt line.
    public func compile() throws(LoadError) -> RowMatcher {
        let p = Self.withoutOuterWildcards(pattern)
        let inverted = isInverted
        if p.isEmpty { return RowMatcher(inverted: inverted, kind: .all) }
        let meta: Set<Character> = ["\\", "^", "$", ".", "|", "?", "*", "+", "(", ")", "[", "]", "{", "}"]
        if !p.contains(where: { meta.contains($0) }) {
            return RowMatcher(inverted: inverted, kind: .literal(p.lowercased()))
        }
        return RowMatcher(inverted: inverted, kind: .regex(try LinearRegex(p)))
    }

    /// The pattern without a leading or trailing `.*` (or `.*?`): the search is unanchored,
    /// so they change nothing about whether a row matches; dropping them keeps the NFA's
    /// state set small (a leading one keeps a live thread at every position).
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
}

/// Steps a filter may spend. One step is one NFA state visited or tested (see LinearRegex).
public struct FilterBudget: Sendable, Hashable {
    /// What one keystroke or one tick may spend on filtering: a few milliseconds in a release build.
    public static let perKeystroke = 2_000_000
    /// What one row may cost before it is shown unfiltered and counted as too expensive.
    public static let perRow = 1_000_000

    public var remaining: Int
    public init(steps: Int) { remaining = steps }
    public var isExhausted: Bool { remaining <= 0 }
}

/// The answer for one row. Inversion (`!`) is already applied to `.match`/`.noMatch`.
public enum FilterVerdict: Sendable, Hashable {
    case match, noMatch
    /// The budget ran out before an answer: try again with more, or show the row.
    case outOfBudget
}

/// A compiled filter. Cheap to copy and Sendable, so it may live in screen state or go to a worker.
public struct RowMatcher: Sendable {
    enum Kind: Sendable {
        case all
        case literal(String)
        case regex(LinearRegex)
    }
    let inverted: Bool
    let kind: Kind

    /// `lowered` is the row's text already lower-cased (both engines rely on it); `original` is
    /// the same text as shown. Spends from `budget`; `.outOfBudget` leaves it at or below zero.
    public func evaluate(lowered: String, original: String, budget: inout FilterBudget) -> FilterVerdict {
        let hit: Bool
        switch kind {
        case .all: hit = true
        case .literal(let needle):
            budget.remaining -= max(1, lowered.utf8.count)
            hit = lowered.contains(needle)
        case .regex(let re):
            guard let found = re.firstMatchExists(in: lowered, budget: &budget.remaining) else { return .outOfBudget }
            hit = found
        }
        return hit != inverted ? .match : .noMatch
    }

    /// One row with a budget of `FilterBudget.perRow`; a row too expensive to decide is kept
    /// (shown), never silently dropped.
    public func matches(lowered: String, original: String) -> Bool {
        var budget = FilterBudget(steps: FilterBudget.perRow)
        return evaluate(lowered: lowered, original: original, budget: &budget) != .noMatch
    }
}

/// Filters rows `0..<rowCount` in slices, so a screen can spread the work over ticks: call
/// `advance` with a fresh budget each tick (and on each keystroke) until `isComplete`.
/// A row that alone exceeds `FilterBudget.perRow` is kept in `matched` (shown unfiltered) and
/// counted in `expensiveRows`; `note` then says so for the status line.
public struct FilterScan: Sendable {
    public let matcher: RowMatcher
    public let rowCount: Int
    /// The first row not yet decided.
    public private(set) var nextRow = 0
    /// Rows decided to be shown, in ascending order.
    public private(set) var matched: [Int] = []
    public private(set) var expensiveRows = 0

    public init(matcher: RowMatcher, rowCount: Int) {
        self.matcher = matcher
        self.rowCount = rowCount
    }

    public var isComplete: Bool { nextRow >= rowCount }

    /// "filter too expensive" when some rows could not be decided within their budget.
    public var note: String? {
        expensiveRows == 0 ? nil
            : "filter too expensive for \(expensiveRows) row\(expensiveRows == 1 ? "" : "s"): shown unfiltered"
    }

    /// Decides rows until the budget runs out. `text(row)` gives the row's lowered and shown text.
    /// Makes progress whenever the budget is at least `FilterBudget.perRow`.
    public mutating func advance(budget: inout FilterBudget, text: (Int) -> (lowered: String, original: String)) {
        while nextRow < rowCount, budget.remaining > 0 {
            let allotment = min(FilterBudget.perRow, budget.remaining)
            var rowBudget = FilterBudget(steps: allotment)
            let t = text(nextRow)
            let verdict = matcher.evaluate(lowered: t.lowered, original: t.original, budget: &rowBudget)
            budget.remaining -= allotment - max(0, rowBudget.remaining)
            switch verdict {
            case .match: matched.append(nextRow)
            case .noMatch: break
            case .outOfBudget:
                // Too little left this tick for a row that might still be decidable: retry next tick.
                if allotment < FilterBudget.perRow { budget.remaining = 0; return }
                matched.append(nextRow)
                expensiveRows += 1
            }
            nextRow += 1
        }
    }
}
