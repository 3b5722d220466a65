/// A regex matcher whose running time is linear in the input: a Thompson NFA simulated over
/// Unicode scalars, with a step budget so one keystroke can never block the UI.
///
/// Why not Swift's `Regex`: it backtracks with no time limit, so `(a|aa)+$` over `"a"*40 + "!"`
/// ran for minutes on the UI thread (Ctrl-C included). Here every input scalar advances a set of
/// at most `program.count` states, so a row of n scalars costs at most about n × states steps,
/// and the caller's budget stops the work before that if it must.
///
/// ## Using it (the `/` filter)
///
///     let matcher = try RowFilter(typed).compile()          // throws a one-line LoadError
///     var budget = FilterBudget(steps: FilterBudget.perKeystroke)
///     switch matcher.evaluate(lowered: row.lowercased(), original: row, budget: &budget) {
///     case .match, .noMatch: ...                            // inversion (`!`) already applied
///     case .outOfBudget: ...                                // keep the row for the next tick
///     }
///
/// To filter many rows across ticks, keep a `FilterScan` in the screen state and call
/// `advance(budget:text:)` once per tick (and once per keystroke) until `isComplete`; a row that
/// alone costs more than `FilterBudget.perRow` is counted in `expensiveRows` and shown (never
/// hidden), and `note` gives the "filter too expensive" text for the status line.
///
/// ## Syntax (what the filter accepted from Swift's `Regex`, minus what cannot run in linear time)
/// Literals; `.`; `[...]` / `[^...]` with ranges, escapes and `[:alpha:]`-style POSIX classes;
/// `\d \D \w \W \s \S \h \H \N`; `\t \n \r \f \v \e \a \0 \xHH \x{H…} \uHHHH`; escaped punctuation;
/// anchors `^ $ \A \z \Z \b \B`; groups `( )`, `(?: )`, `(?<name> )`, `(?P<name> )`, `(?'name' )`;
/// flags `(?i)` (always on), `(?s)`, `(?m)` and their scoped forms `(?s: )`; alternation `|`;
/// quantifiers `* + ? {n} {n,} {n,m} {,m}` with lazy `?` or possessive `+` suffixes (for a
/// match/no-match answer lazy and greedy are the same; possessive is read as greedy).
/// Refused with a message: back-references, lookaround, atomic groups, conditionals, set
/// operations inside classes, and patterns over `LinearRegex.maxInstructions` states.
/// Matching is case-insensitive, unanchored, over Unicode scalars (not grapheme clusters).
public struct LinearRegex: Sendable {
    /// A ceiling on compiled states: `a{1000}{1000}` would otherwise expand to a million.
    public static let maxInstructions = 4_000

    let program: [Instruction]
    let classes: [ScalarClass]

    public init(_ pattern: String) throws(LoadError) {
        var parser = RegexParser(pattern)
        let tree: RegexNode
        do { tree = try parser.parse() } catch { throw LoadError(error.message) }
        var emitter = RegexEmitter()
        do { try emitter.emitRoot(tree) } catch { throw LoadError(error.message) }
        program = emitter.program
        classes = emitter.classes
    }

    /// The number of compiled states (the cost of one input scalar, at most).
    public var stateCount: Int { program.count }

    /// Searches `text` (already lower-cased by the caller) for a match anywhere.
    /// Returns nil when the budget ran out first; the budget is decremented by the steps spent.
    public func firstMatchExists(in text: String, budget: inout Int) -> Bool? {
        var sim = NFASimulation(regex: self)
        return sim.run(text.unicodeScalars, budget: &budget)
    }
}

// MARK: - The matcher's parts

enum Assertion: Sendable {
    case textStart, textEnd, textEndOrFinalNewline, lineStart, lineEnd, wordBoundary, notWordBoundary
}

enum Instruction: Sendable {
    case scalar(UInt32)          // compared to the lowered input scalar
    case any(dotAll: Bool)
    case set(Int)                // index into `classes`
    case split(Int, Int)
    case jump(Int)
    case assert(Assertion)
    case match
}

/// A character class: ranges plus named classes, possibly negated. Tested against the scalar and
/// its upper-case form, since the input is lower-cased and `[A-Z]` must still match.
struct ScalarClass: Sendable {
    var ranges: [ClosedRange<UInt32>] = []
    var named: [(NamedClass, negated: Bool)] = []
    var negated = false

    func contains(_ s: Unicode.Scalar) -> Bool {
        let hit = rawContains(s) || Self.upper(s).map(rawContains) == true
        return hit != negated
    }

    private func rawContains(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        for r in ranges where r.contains(v) { return true }
        for (n, neg) in named where n.contains(s) != neg { return true }
        return false
    }

    static func upper(_ s: Unicode.Scalar) -> Unicode.Scalar? {
        if s.value < 0x80 {
            return (0x61...0x7A).contains(s.value) ? Unicode.Scalar(s.value - 0x20) : nil
        }
        let u = s.properties.uppercaseMapping.unicodeScalars
        guard u.count == 1, let first = u.first, first != s else { return nil }
        return first
    }
}

enum NamedClass: Sendable {
    case digit, word, space, horizontalSpace, alpha, alnum, upper, lower, punct, xdigit, cntrl, print, graph, blank

    func contains(_ s: Unicode.Scalar) -> Bool {
        let p = s.properties
        switch self {
        case .digit: return p.numericType == .decimal
        case .word: return p.isAlphabetic || p.numericType == .decimal || s == "_" || p.generalCategory == .nonspacingMark
            || p.generalCategory == .connectorPunctuation
        case .space: return p.isWhitespace
        case .horizontalSpace, .blank: return s == " " || s == "\t" || (p.generalCategory == .spaceSeparator)
        case .alpha: return p.isAlphabetic
        case .alnum: return p.isAlphabetic || p.numericType == .decimal
        // Input is lower-cased, so upper/lower both mean "a cased letter" under case-insensitivity.
        case .upper, .lower: return p.isLowercase || p.isUppercase
        case .punct: return p.generalCategory.isPunctuation || (s.value < 0x80 && p.generalCategory.isSymbol)
        case .xdigit: return (0x30...0x39).contains(s.value) || (0x61...0x66).contains(s.value) || (0x41...0x46).contains(s.value)
        case .cntrl: return p.generalCategory == .control
        case .print: return p.generalCategory != .control && p.generalCategory != .unassigned
        case .graph: return p.generalCategory != .control && !p.isWhitespace && p.generalCategory != .unassigned
        }
    }
}

extension Unicode.GeneralCategory {
    var isPunctuation: Bool {
        switch self {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }
    var isSymbol: Bool {
        switch self {
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol: return true
        default: return false
        }
    }
}

/// The Thompson simulation: two state lists swapped per input scalar, a generation stamp per
/// state so each is added once per position. Each state added or tested is one step.
struct NFASimulation {
    let program: [Instruction]
    let classes: [ScalarClass]
    private var seenAt: [Int]
    private var generation = 0
    private var stack: [Int] = []

    init(regex: LinearRegex) {
        program = regex.program
        classes = regex.classes
        seenAt = Array(repeating: -1, count: regex.program.count)
    }

    mutating func run(_ text: String.UnicodeScalarView, budget: inout Int) -> Bool? {
        var index = text.startIndex
        var previous: Unicode.Scalar? = nil
        var matched = false
        // One generation per input position: the states carried into a position and the new
        // start thread share it, so no state is listed twice.
        generation += 1
        var current: [Int] = [], next: [Int] = []
        current.reserveCapacity(program.count)
        next.reserveCapacity(program.count)
        while true {
            let scalar: Unicode.Scalar? = index < text.endIndex ? text[index] : nil
            let afterIndex = scalar == nil ? index : text.index(after: index)
            let after: Unicode.Scalar? = afterIndex < text.endIndex ? text[afterIndex] : nil
            let here = Position(previous: previous, current: scalar, afterCurrent: after)
            // An unanchored search: a new thread starts at every position (a lazy `.*?` prefix).
            if !addThread(0, to: &current, at: here, budget: &budget, matched: &matched) { return nil }
            if matched { return true }
            guard let c = scalar else { return false }
            generation += 1
            var afterNext: Unicode.Scalar? = nil
            if after != nil {
                let i2 = text.index(after: afterIndex)
                if i2 < text.endIndex { afterNext = text[i2] }
            }
            let there = Position(previous: c, current: after, afterCurrent: afterNext)
            next.removeAll(keepingCapacity: true)
            for pc in current {
                budget -= 1
                if budget < 0 { return nil }
                let advances: Bool
                switch program[pc] {
                case .scalar(let v): advances = c.value == v
                case .any(let dotAll): advances = dotAll || c != "\n"
                case .set(let k): advances = classes[k].contains(c)
                default: advances = false
                }
                if advances {
                    if !addThread(pc + 1, to: &next, at: there, budget: &budget, matched: &matched) { return nil }
                    if matched { return true }
                }
            }
            swap(&current, &next)
            previous = c
            index = afterIndex
        }
    }

    struct Position {
        let previous: Unicode.Scalar?
        let current: Unicode.Scalar?
        let afterCurrent: Unicode.Scalar?

        func holds(_ a: Assertion) -> Bool {
            switch a {
            case .textStart: return previous == nil
            case .textEnd: return current == nil
            case .textEndOrFinalNewline: return current == nil || (current == "\n" && afterCurrent == nil)
            case .lineStart: return previous == nil || previous == "\n"
            case .lineEnd: return current == nil || current == "\n"
            case .wordBoundary: return Self.isWord(previous) != Self.isWord(current)
            case .notWordBoundary: return Self.isWord(previous) == Self.isWord(current)
            }
        }

        static func isWord(_ s: Unicode.Scalar?) -> Bool {
            guard let s else { return false }
            return NamedClass.word.contains(s)
        }
    }

    /// Follows jumps, splits and assertions from `start`, adding the consuming states reached.
    /// Returns false when the budget ran out.
    private mutating func addThread(_ start: Int, to list: inout [Int], at position: Position,
                                    budget: inout Int, matched: inout Bool) -> Bool {
        stack.removeAll(keepingCapacity: true)
        stack.append(start)
        while let pc = stack.popLast() {
            if seenAt[pc] == generation { continue }
            seenAt[pc] = generation
            budget -= 1
            if budget < 0 { return false }
            switch program[pc] {
            case .jump(let to): stack.append(to)
            case .split(let a, let b): stack.append(b); stack.append(a)
            case .assert(let a): if position.holds(a) { stack.append(pc + 1) }
            case .match: matched = true; return true
            case .scalar, .any, .set: list.append(pc)
            }
        }
        return true
    }
}
