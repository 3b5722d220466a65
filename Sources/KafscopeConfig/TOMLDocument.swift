import TOMLKit

/// A parsed TOML value copied out of TOMLKit into plain Swift values, so validation code
/// and tests never touch the C++ nodes.
public indirect enum TOMLNode: Sendable, Hashable {
    case table([(String, TOMLNode)])
    case array([TOMLNode])
    case string(String)
    case integer(Int)
    case float(Double)
    case bool(Bool)
    /// Dates and times: kafscope has no use for them; kept so errors can name the type.
    case other(String)

    public static func == (a: TOMLNode, b: TOMLNode) -> Bool {
        switch (a, b) {
        case (.table(let x), .table(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.array(let x), .array(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.integer(let x), .integer(let y)): return x == y
        case (.float(let x), .float(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.other(let x), .other(let y)): return x == y
        default: return false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .table(let kv): h.combine(0); for (k, v) in kv { h.combine(k); h.combine(v) }
        case .array(let a): h.combine(1); h.combine(a)
        case .string(let s): h.combine(2); h.combine(s)
        case .integer(let i): h.combine(3); h.combine(i)
        case .float(let d): h.combine(4); h.combine(d)
        case .bool(let b): h.combine(5); h.combine(b)
        case .other(let o): h.combine(6); h.combine(o)
        }
    }

    /// "a string", "an integer" ..., for "expected X, found Y" messages.
    public var kindName: String {
        switch self {
        case .table: return "a table"
        case .array: return "an array"
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a number"
        case .bool: return "a boolean"
        case .other(let k): return "a \(k)"
        }
    }

    public subscript(key: String) -> TOMLNode? {
        guard case .table(let kv) = self else { return nil }
        return kv.first { $0.0 == key }?.1
    }

    /// Parses TOML text; syntax errors carry the file and line.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> TOMLNode {
        do {
            let table = try TOMLTable(string: text)
            return convert(table)
        } catch let e as TOMLParseError {
            throw ConfigError(file: file, line: e.source.begin.line, "invalid TOML: \(e.description)")
        } catch {
            throw ConfigError(file: file, "invalid TOML: \(error)")
        }
    }

    static func convert(_ v: TOMLValueConvertible) -> TOMLNode {
        switch v.type {
        case .table:
            guard let t = v.table else { return .table([]) }
            // TOMLKit's key order is not the file's; sort for stable output.
            return .table(t.keys.sorted().compactMap { k in t[k].map { (k, convert($0)) } })
        case .array:
            guard let a = v.array else { return .array([]) }
            return .array(a.map { convert($0) })
        case .string: return .string(v.string ?? "")
        case .int: return .integer(v.int ?? 0)
        case .double: return .float(v.double ?? 0)
        case .bool: return .bool(v.bool ?? false)
        case .date: return .other("date")
        case .time: return .other("time")
        case .dateTime: return .other("date-time")
        }
    }
}

/// Finds the line a dotted key was written on, by scanning headers (`[a.b]`) and `key =` lines.
/// TOMLKit does not expose node positions, so this recovers them for error messages.
struct TOMLLineIndex: Sendable {
    private var lines: [String: Int] = [:]

    init(text: String) {
        var table: [String] = []
        var lineNo = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNo += 1
            let line = raw.trimmed
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                let inner = line.hasPrefix("[[") ? line.dropFirst(2) : line.dropFirst(1)
                guard let close = inner.firstIndex(of: "]") else { continue }
                table = Self.splitKey(String(inner[..<close]))
                let path = table.joined(separator: ".")
                if lines[path] == nil { lines[path] = lineNo }
                continue
            }
            guard let eq = Self.firstUnquoted("=", in: line) else { continue }
            let key = Self.splitKey(String(line[..<eq]))
            guard !key.isEmpty else { continue }
            let path = (table + key).joined(separator: ".")
            if lines[path] == nil { lines[path] = lineNo }
        }
    }

    /// The line of `path`, or of its closest written ancestor.
    func line(of path: [String]) -> Int? {
        var p = path
        while !p.isEmpty {
            if let l = lines[p.joined(separator: ".")] { return l }
            p.removeLast()
        }
        return nil
    }

    static func firstUnquoted(_ ch: Character, in s: String) -> String.Index? {
        var quote: Character?
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == ch {
                return i
            }
            i = s.index(after: i)
        }
        return nil
    }

    /// `a."b.c".d` -> ["a", "b.c", "d"].
    static func splitKey(_ s: String) -> [String] {
        var parts: [String] = []
        var cur = ""
        var quote: Character?
        for c in s {
            if let q = quote {
                if c == q { quote = nil } else { cur.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "." {
                parts.append(cur.trimmed); cur = ""
            } else {
                cur.append(c)
            }
        }
        parts.append(cur.trimmed)
        return parts.filter { !$0.isEmpty }
    }
}
