/// Parses the `/` filter's regex syntax (see LinearRegex.swift for what is accepted) into a tree,
/// and emits the tree as a Thompson NFA program. Everything that would need backtracking
/// (back-references, lookaround) is refused here with a one-line message.

struct RegexSyntaxError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

indirect enum RegexNode {
    case empty
    case scalar(UInt32)
    case any(dotAll: Bool)
    case set(ScalarClass)
    case assert(Assertion)
    case concat([RegexNode])
    case alternation([RegexNode])
    case repeated(RegexNode, min: Int, max: Int?)
}

struct RegexParser {
    private let cs: [Unicode.Scalar]
    private var i = 0
    private var dotAll = false
    private var multiline = false
    /// Counted repeats are expanded; refuse absurd counts before they are.
    static let maxCount = 1_000

    init(_ pattern: String) { cs = Array(pattern.unicodeScalars) }

    mutating func parse() throws(RegexSyntaxError) -> RegexNode {
        let node = try alternation()
        if i < cs.count {
            // Only an unmatched `)` stops the top level early.
            throw RegexSyntaxError("invalid regex: unbalanced ')' at position \(i + 1)")
        }
        return node
    }

    private var atEnd: Bool { i >= cs.count }
    private func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < cs.count ? cs[i + k] : nil }

    private mutating func alternation() throws(RegexSyntaxError) -> RegexNode {
        var branches = [try concatenation()]
        while peek() == "|" {
            i += 1
            branches.append(try concatenation())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func concatenation() throws(RegexSyntaxError) -> RegexNode {
        var items: [RegexNode] = []
        while let c = peek(), c != "|", c != ")" {
            guard let atom = try atom() else { continue }
            items.append(try quantified(atom))
        }
        if items.isEmpty { return .empty }
        return items.count == 1 ? items[0] : .concat(items)
    }

    private mutating func quantified(_ atom: RegexNode) throws(RegexSyntaxError) -> RegexNode {
        var node = atom
        var quantifiedOnce = false
        while let c = peek() {
            var bounds: (Int, Int?)?
            switch c {
            case "*": bounds = (0, nil); i += 1
            case "+": bounds = (1, nil); i += 1
            case "?": bounds = (0, 1); i += 1
            case "{":
                guard let b = try countedBounds() else { return node }
                bounds = b
            default: return node
            }
            guard let (lo, hi) = bounds else { return node }
            if quantifiedOnce {
                throw RegexSyntaxError("invalid regex: a quantifier follows a quantifier at position \(i)")
            }
            // A lazy `?` or possessive `+` suffix changes which match is found, never whether one is.
            if let s = peek(), s == "?" || s == "+" { i += 1 }
            if case .assert = node { /* repeating an anchor is allowed and means the anchor */ }
            node = .repeated(node, min: lo, max: hi)
            quantifiedOnce = true
        }
        return node
    }

    /// `{n}`, `{n,}`, `{n,m}`, `{,m}`; a `{` that does not start one is a literal.
    private mutating func countedBounds() throws(RegexSyntaxError) -> (Int, Int?)? {
        var k = i + 1
        var body = ""
        while k < cs.count, cs[k] != "}" {
            body.unicodeScalars.append(cs[k])
            k += 1
        }
        guard k < cs.count else { return nil }
        let parts = body.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: " ")
        }
        guard parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
              parts.contains(where: { !$0.isEmpty }) else { return nil }
        let lo = parts[0].isEmpty ? 0 : Int(parts[0]) ?? Int.max
        let hi: Int? = parts.count == 1 ? lo : (parts[1].isEmpty ? nil : Int(parts[1]) ?? Int.max)
        if lo > Self.maxCount || (hi ?? 0) > Self.maxCount {
            throw RegexSyntaxError("filter too complex: repeat counts above \(Self.maxCount) are not supported")
        }
        if let hi, hi < lo {
            throw RegexSyntaxError("invalid regex: {\(lo),\(hi)} has its bounds reversed")
        }
        i = k + 1
        return (lo, hi)
    }

    /// One atom; nil for a flag group like `(?i)` that only changes the parser.
    private mutating func atom() throws(RegexSyntaxError) -> RegexNode? {
        let c = cs[i]
        switch c {
        case "(": return try group()
        case "[": i += 1; return .set(try characterClass())
        case ".": i += 1; return .any(dotAll: dotAll)
        case "^": i += 1; return .assert(multiline ? .lineStart : .textStart)
        case "$": i += 1; return .assert(multiline ? .lineEnd : .textEndOrFinalNewline)
        case "\\": i += 1; return try escape(inClass: false).node
        case "*", "+", "?":
            throw RegexSyntaxError("invalid regex: '\(c)' has nothing to repeat at position \(i + 1)")
        default:
            i += 1
            return .scalar(Self.lowered(c))
        }
    }

    private mutating func group() throws(RegexSyntaxError) -> RegexNode? {
        i += 1  // (
        let savedFlags = (dotAll, multiline)
        var scopedFlags = false
        if peek() == "?" {
            i += 1
            guard let k = peek() else { throw RegexSyntaxError("invalid regex: unfinished group") }
            switch k {
            case ":": i += 1
            case "<" where peek(1) == "=" || peek(1) == "!", "=", "!":
                throw RegexSyntaxError("lookaround (?=, (?!, (?<=, (?<! is not supported by the filter")
            case ">":
                throw RegexSyntaxError("atomic groups (?> are not supported by the filter")
            case "(":
                throw RegexSyntaxError("conditionals (?( are not supported by the filter")
            case "<", "'", "P":
                // A named group: skip the name.
                if k == "P" {
                    i += 1
                    if peek() == "=" || peek() == ">" {
                        throw RegexSyntaxError("back-references are not supported by the filter")
                    }
                }
                let close: Unicode.Scalar = peek() == "'" ? "'" : ">"
                i += 1
                while let n = peek(), n != close { i += 1 }
                guard peek() == close else { throw RegexSyntaxError("invalid regex: unfinished group name") }
                i += 1
            default:
                // Flags: (?is-m) or (?is-m: ...)
                var on = true
                while let f = peek(), f != ")" && f != ":" {
                    switch f {
                    case "-": on = false
                    case "i": break  // always case-insensitive
                    case "s": dotAll = on
                    case "m": multiline = on
                    case "x", "n", "u", "w", "U":
                        throw RegexSyntaxError("the (?\(f)) option is not supported by the filter")
                    default:
                        throw RegexSyntaxError("invalid regex: unknown group option '\(f)'")
                    }
                    i += 1
                }
                guard let end = peek() else { throw RegexSyntaxError("invalid regex: unfinished group") }
                i += 1
                if end == ")" { return nil }  // flags apply to the rest of the enclosing group
                scopedFlags = true
            }
        }
        let inner = try alternation()
        guard peek() == ")" else { throw RegexSyntaxError("invalid regex: expected ')'") }
        i += 1
        if scopedFlags { (dotAll, multiline) = savedFlags }
        return inner
    }

    /// After a backslash. Outside a class, assertions and classes are allowed; inside, only
    /// scalars and classes.
    private mutating func escape(inClass: Bool) throws(RegexSyntaxError) -> (node: RegexNode, scalar: UInt32?) {
        guard let c = peek() else { throw RegexSyntaxError("invalid regex: trailing backslash") }
        i += 1
        func named(_ n: NamedClass, _ negated: Bool) -> (RegexNode, UInt32?) {
            var set = ScalarClass()
            set.named = [(n, negated)]
            return (.set(set), nil)
        }
        func literal(_ v: UInt32) -> (RegexNode, UInt32?) {
            let low = Unicode.Scalar(v).map { Self.lowered($0) } ?? v
            return (.scalar(low), v)
        }
        switch c {
        case "d": return named(.digit, false)
        case "D": return named(.digit, true)
        case "w": return named(.word, false)
        case "W": return named(.word, true)
        case "s": return named(.space, false)
        case "S": return named(.space, true)
        case "h": return named(.horizontalSpace, false)
        case "H": return named(.horizontalSpace, true)
        case "N":
            var set = ScalarClass(); set.ranges = [0x0A...0x0A]; set.negated = true
            return (.set(set), nil)
        case "t": return literal(0x09)
        case "n": return literal(0x0A)
        case "r": return literal(0x0D)
        case "f": return literal(0x0C)
        case "v": return literal(0x0B)
        case "e": return literal(0x1B)
        case "a": return literal(0x07)
        case "0": return literal(0x00)
        case "x": return literal(try hexScalar(braced: peek() == "{", fixed: 2))
        case "u": return literal(try hexScalar(braced: peek() == "{", fixed: 4))
        case "b" where !inClass: return (.assert(.wordBoundary), nil)
        case "b": return literal(0x08)
        case "B" where !inClass: return (.assert(.notWordBoundary), nil)
        case "A" where !inClass: return (.assert(.textStart), nil)
        case "z" where !inClass: return (.assert(.textEnd), nil)
        case "Z" where !inClass: return (.assert(.textEndOrFinalNewline), nil)
        case "1"..."9", "k", "g":
            throw RegexSyntaxError("back-references are not supported by the filter")
        default:
            if c.properties.isAlphabetic || c.properties.numericType != nil {
                throw RegexSyntaxError("invalid regex: unknown escape '\\\(c)'")
            }
            return literal(c.value)
        }
    }

    private mutating func hexScalar(braced: Bool, fixed: Int) throws(RegexSyntaxError) -> UInt32 {
        var digits = ""
        if braced {
            i += 1
            while let d = peek(), d != "}" { digits.unicodeScalars.append(d); i += 1 }
            guard peek() == "}" else { throw RegexSyntaxError("invalid regex: unfinished \\x{...}") }
            i += 1
        } else {
            for _ in 0..<fixed {
                guard let d = peek(), d.properties.isASCIIHexDigit else { break }
                digits.unicodeScalars.append(d)
                i += 1
            }
        }
        guard !digits.isEmpty, let v = UInt32(digits, radix: 16), Unicode.Scalar(v) != nil else {
            throw RegexSyntaxError("invalid regex: bad hexadecimal escape")
        }
        return v
    }

    /// After `[`: members up to the closing `]`.
    private mutating func characterClass() throws(RegexSyntaxError) -> ScalarClass {
        var set = ScalarClass()
        if peek() == "^" { set.negated = true; i += 1 }
        var first = true
        while true {
            guard let c = peek() else { throw RegexSyntaxError("invalid regex: expected ']'") }
            if c == "]" && !first { i += 1; break }
            first = false
            if c == "[" {
                if peek(1) == ":" { try posixClass(into: &set); continue }
                throw RegexSyntaxError("nested classes and set operations are not supported by the filter")
            }
            if (c == "&" && peek(1) == "&") || (c == "-" && peek(1) == "-") || (c == "~" && peek(1) == "~") {
                throw RegexSyntaxError("set operations inside [...] are not supported by the filter")
            }
            let low: UInt32
            i += 1
            if c == "\\" {
                let (node, scalar) = try escape(inClass: true)
                guard let scalar else {
                    guard case .set(let inner) = node, !inner.negated else {
                        throw RegexSyntaxError("invalid regex: \\N cannot be used inside [...]")
                    }
                    set.named += inner.named
                    continue
                }
                low = scalar
            } else {
                low = c.value
            }
            // A range `a-z` (a `-` before `]` is literal).
            if peek() == "-", let h = peek(1), h != "]" {
                i += 1
                let high: UInt32
                i += 1
                if h == "\\" {
                    let (_, scalar) = try escape(inClass: true)
                    guard let scalar else { throw RegexSyntaxError("invalid regex: a class cannot end a range") }
                    high = scalar
                } else if h == "[" {
                    throw RegexSyntaxError("invalid regex: a class cannot end a range")
                } else {
                    high = h.value
                }
                guard low <= high else { throw RegexSyntaxError("invalid regex: range out of order in [...]") }
                set.ranges.append(low...high)
                continue
            }
            set.ranges.append(low...low)
        }
        return set
    }

    private mutating func posixClass(into set: inout ScalarClass) throws(RegexSyntaxError) {
        // At "[:"; read up to ":]".
        var k = i + 2
        var negated = false
        if k < cs.count, cs[k] == "^" { negated = true; k += 1 }
        var name = ""
        while k < cs.count, cs[k] != ":" { name.unicodeScalars.append(cs[k]); k += 1 }
        guard k + 1 < cs.count, cs[k + 1] == "]" else { throw RegexSyntaxError("invalid regex: unfinished [:class:]") }
        let table: [String: NamedClass] = [
            "alpha": .alpha, "digit": .digit, "alnum": .alnum, "space": .space, "upper": .upper,
            "lower": .lower, "punct": .punct, "xdigit": .xdigit, "word": .word, "cntrl": .cntrl,
            "print": .print, "graph": .graph, "blank": .blank,
        ]
        guard let n = table[name] else { throw RegexSyntaxError("invalid regex: unknown class [:\(name):]") }
        set.named.append((n, negated))
        i = k + 2
    }

    static func lowered(_ c: Unicode.Scalar) -> UInt32 {
        if c.value < 0x80 {
            return (0x41...0x5A).contains(c.value) ? c.value + 0x20 : c.value
        }
        let l = c.properties.lowercaseMapping.unicodeScalars
        return l.count == 1 ? l.first!.value : c.value
    }
}

/// Emits a tree as instructions; counted repeats are expanded, bounded by `maxInstructions`.
struct RegexEmitter {
    var program: [Instruction] = []
    var classes: [ScalarClass] = []

    mutating func emitRoot(_ node: RegexNode) throws(RegexSyntaxError) {
        try emit(node)
        program.append(.match)
    }

    private mutating func append(_ i: Instruction) throws(RegexSyntaxError) {
        if program.count >= LinearRegex.maxInstructions {
            throw RegexSyntaxError("filter too complex: more than \(LinearRegex.maxInstructions) states")
        }
        program.append(i)
    }

    private mutating func emit(_ node: RegexNode) throws(RegexSyntaxError) {
        switch node {
        case .empty: break
        case .scalar(let v): try append(.scalar(v))
        case .any(let dotAll): try append(.any(dotAll: dotAll))
        case .set(let s):
            classes.append(s)
            try append(.set(classes.count - 1))
        case .assert(let a): try append(.assert(a))
        case .concat(let items):
            for item in items { try emit(item) }
        case .alternation(let branches):
            // split L1, next; L1: a; jump end; next: split L2, ...
            var jumps: [Int] = []
            for (k, b) in branches.enumerated() {
                if k < branches.count - 1 {
                    let split = program.count
                    try append(.split(split + 1, -1))
                    try emit(b)
                    jumps.append(program.count)
                    try append(.jump(-1))
                    program[split] = .split(split + 1, program.count)
                } else {
                    try emit(b)
                }
            }
            for j in jumps { program[j] = .jump(program.count) }
        case .repeated(let inner, let lo, let hi):
            for _ in 0..<lo { try emit(inner) }
            if let hi {
                // (inner (inner (...)?)?)? : each optional copy may skip to the end.
                var splits: [Int] = []
                for _ in lo..<hi {
                    splits.append(program.count)
                    try append(.split(program.count + 1, -1))
                    try emit(inner)
                }
                for s in splits { program[s] = .split(s + 1, program.count) }
            } else {
                // L: split body, end; body; jump L
                let loop = program.count
                try append(.split(loop + 1, -1))
                try emit(inner)
                try append(.jump(loop))
                program[loop] = .split(loop + 1, program.count)
            }
        }
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
