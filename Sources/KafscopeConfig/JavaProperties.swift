/// A `.properties` file as java.util.Properties reads it: `=`, `:` or whitespace separators,
/// `#`/`!` comment lines, backslash line continuations and escapes (\t \n \r \f \uXXXX, \x -> x).
public struct JavaProperties: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var key: String
        public var value: String
        /// 1-based line where the logical line starts.
        public var line: Int
    }

    /// In file order; a repeated key keeps every entry, `value(for:)` returns the last one (Java semantics).
    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    public func entry(_ key: String) -> Entry? { entries.last { $0.key == key } }
    public func value(for key: String) -> String? { entry(key)?.value }

    public static func parse(_ text: String, file: String? = nil) throws(ConfigError) -> JavaProperties {
        // Split on \n, \r\n or \r, as Properties.load does.
        var physical: [String] = []
        var current = ""
        var chars = text.unicodeScalars.makeIterator()
        var pendingCR = false
        while let c = chars.next() {
            if pendingCR {
                pendingCR = false
                if c == "\n" { continue }
            }
            if c == "\n" { physical.append(current); current = "" }
            else if c == "\r" { physical.append(current); current = ""; pendingCR = true }
            else { current.unicodeScalars.append(c) }
        }
        physical.append(current)

        var entries: [Entry] = []
        var i = 0
        while i < physical.count {
            let startLine = i + 1
            var logical = physical[i].drop(while: { $0 == " " || $0 == "\t" || $0 == "\u{0C}" })
            i += 1
            if logical.isEmpty { continue }
            if logical.first == "#" || logical.first == "!" { continue }
            // An odd number of trailing backslashes continues onto the next line.
            var joined = String(logical)
            while endsWithOddBackslashes(joined) {
                joined.removeLast()
                guard i < physical.count else { break }
                logical = physical[i].drop(while: { $0 == " " || $0 == "\t" || $0 == "\u{0C}" })
                joined += logical
                i += 1
            }
            let (rawKey, rawValue) = splitKeyValue(joined)
            let key = try unescape(rawKey, file: file, line: startLine)
            let value = try unescape(rawValue, file: file, line: startLine, key: key)
            entries.append(Entry(key: key, value: value, line: startLine))
        }
        return JavaProperties(entries: entries)
    }

    private static func endsWithOddBackslashes(_ s: String) -> Bool {
        var n = 0
        for c in s.reversed() {
            if c == "\\" { n += 1 } else { break }
        }
        return n % 2 == 1
    }

    /// The key ends at the first unescaped '=', ':' or whitespace; one separator and the
    /// whitespace around it are skipped.
    private static func splitKeyValue(_ line: String) -> (String, String) {
        let scalars = Array(line.unicodeScalars)
        var k = 0
        var escaped = false
        while k < scalars.count {
            let c = scalars[k]
            if escaped { escaped = false; k += 1; continue }
            if c == "\\" { escaped = true; k += 1; continue }
            if c == "=" || c == ":" || c == " " || c == "\t" || c == "\u{0C}" { break }
            k += 1
        }
        var v = k
        while v < scalars.count, scalars[v] == " " || scalars[v] == "\t" || scalars[v] == "\u{0C}" { v += 1 }
        if v < scalars.count, scalars[v] == "=" || scalars[v] == ":" {
            v += 1
            while v < scalars.count, scalars[v] == " " || scalars[v] == "\t" || scalars[v] == "\u{0C}" { v += 1 }
        }
        var key = String.UnicodeScalarView()
        key.append(contentsOf: scalars[0..<k])
        var value = String.UnicodeScalarView()
        value.append(contentsOf: scalars[v...])
        return (String(key), String(value))
    }

    private static func unescape(_ s: String, file: String?, line: Int, key: String? = nil) throws(ConfigError) -> String {
        guard s.contains("\\") else { return s }
        var out = String.UnicodeScalarView()
        var it = Array(s.unicodeScalars)[...]
        while let c = it.popFirst() {
            guard c == "\\" else { out.append(c); continue }
            guard let e = it.popFirst() else { break }
            switch e {
            case "t": out.append("\t")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "f": out.append("\u{0C}")
            case "u":
                let hex = String(String.UnicodeScalarView(it.prefix(4)))
                guard hex.count == 4, let code = UInt32(hex, radix: 16) else {
                    throw ConfigError(file: file, line: line, key: key, "malformed \\uXXXX escape")
                }
                it = it.dropFirst(4)
                // Surrogate pairs written as two \u escapes.
                if (0xD800...0xDBFF).contains(code), it.count >= 6, it.first == "\\",
                   it.dropFirst().first == "u",
                   let low = UInt32(String(String.UnicodeScalarView(it.dropFirst(2).prefix(4))), radix: 16),
                   (0xDC00...0xDFFF).contains(low) {
                    it = it.dropFirst(6)
                    let combined = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    if let scalar = Unicode.Scalar(combined) { out.append(scalar) }
                } else if let scalar = Unicode.Scalar(code) {
                    out.append(scalar)
                } else {
                    out.append("\u{FFFD}")
                }
            default: out.append(e)
            }
        }
        return String(out)
    }
}

/// One login module entry of `sasl.jaas.config`:
/// `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";`
public struct JAASEntry: Sendable, Hashable {
    public var loginModule: String
    public var controlFlag: String
    public var options: [String: String]

    /// Parses the JAAS text; option values may be quoted ("..." with \" and \\ escapes) or bare.
    /// The text holds a password: an error names the position (1-based character) and the kind of
    /// problem, never a token of the text, because a malformed entry cannot say which token is secret.
    public static func parse(_ text: String) throws(AddressError) -> [JAASEntry] {
        var entries: [JAASEntry] = []
        let all = Array(text.unicodeScalars)
        var s = all[...]
        func position() -> Int { s.startIndex + 1 }
        func fail(_ what: String, at pos: Int? = nil) -> AddressError {
            AddressError("\(what) at character \(pos ?? position()) of \(all.count) (entry \(entries.count + 1))")
        }
        func skipSpace() { while let c = s.first, c.properties.isWhitespace { s.removeFirst() } }
        func word() -> String {
            var w = String.UnicodeScalarView()
            while let c = s.first, !c.properties.isWhitespace, c != "=", c != ";", c != "\"" {
                w.append(c); s.removeFirst()
            }
            return String(w)
        }
        while true {
            skipSpace()
            if s.isEmpty { break }
            let moduleAt = position()
            let module = word()
            guard !module.isEmpty else { throw fail("expected a login module class name", at: moduleAt) }
            skipSpace()
            let flagAt = position()
            let flag = word()
            guard ["required", "requisite", "sufficient", "optional"].contains(flag.lowercased()) else {
                throw fail(flag.isEmpty ? "expected the control flag 'required' after the login module name"
                    : "expected the control flag 'required' after the login module name, found another word", at: flagAt)
            }
            var options: [String: String] = [:]
            while true {
                skipSpace()
                guard let c = s.first else { throw fail("missing ';' at the end of the JAAS entry", at: all.count) }
                if c == ";" { s.removeFirst(); break }
                let keyAt = position()
                let key = word()
                guard !key.isEmpty else {
                    throw fail(c == "\"" ? "expected an option name, found a quoted value" : "expected an option name before '='", at: keyAt)
                }
                skipSpace()
                guard s.first == "=" else {
                    // Option names are safe to name only when they are the ones Kafka knows.
                    let named = ["username", "password"].contains(key) ? " \(key)" : ""
                    throw fail("expected '=' after option\(named) (a value with spaces must be quoted)", at: keyAt)
                }
                s.removeFirst()
                skipSpace()
                var value = String.UnicodeScalarView()
                if s.first == "\"" {
                    let quoteAt = position()
                    s.removeFirst()
                    var closed = false
                    while let ch = s.popFirst() {
                        if ch == "\\", let next = s.popFirst() { value.append(next); continue }
                        if ch == "\"" { closed = true; break }
                        value.append(ch)
                    }
                    guard closed else { throw fail("unterminated quoted value: the quote opened", at: quoteAt) }
                } else {
                    value = word().unicodeScalars
                }
                options[key] = String(value)
            }
            entries.append(JAASEntry(loginModule: module, controlFlag: flag, options: options))
        }
        guard !entries.isEmpty else { throw AddressError("empty JAAS configuration") }
        return entries
    }
}
