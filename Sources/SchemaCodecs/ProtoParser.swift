/// A .proto (proto2/proto3) parser: enough of the language to decode messages. Options, services,
/// extensions and reserved ranges are read and skipped.
struct ProtoParser {
    enum Token: Equatable {
        case ident(String)
        case number(String)
        case string(String)
        case symbol(Character)
    }

    var tokens: [(Token, Int)] = []  // token and line
    var pos = 0
    var syntax = "proto2"
    var depth = 0

    static func parse(_ text: String, fileName: String) throws -> ProtoFileDefinition {
        var p = ProtoParser()
        p.tokens = try tokenize(text)
        return try p.file(fileName)
    }

    static func tokenize(_ text: String) throws -> [(Token, Int)] {
        var out: [(Token, Int)] = []
        let chars = Array(text.unicodeScalars)
        var i = 0
        var line = 1
        func isIdent(_ c: Unicode.Scalar) -> Bool {
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" || c == "."
        }
        while i < chars.count {
            let c = chars[i]
            if c == "\n" { line += 1; i += 1; continue }
            if c == " " || c == "\t" || c == "\r" || c == "\u{0C}" || c == "\u{0B}" { i += 1; continue }
            if c == "/" && i + 1 < chars.count && chars[i + 1] == "/" {
                while i < chars.count && chars[i] != "\n" { i += 1 }
                continue
            }
            if c == "/" && i + 1 < chars.count && chars[i + 1] == "*" {
                i += 2
                while i + 1 < chars.count && !(chars[i] == "*" && chars[i + 1] == "/") { if chars[i] == "\n" { line += 1 }; i += 1 }
                i += 2
                continue
            }
            if c == "\"" || c == "'" {
                var s = ""
                i += 1
                while i < chars.count && chars[i] != c {
                    if chars[i] == "\\" && i + 1 < chars.count { s.unicodeScalars.append(chars[i]); i += 1 }
                    if chars[i] == "\n" { throw DecodeError(".proto line \(line): unterminated string") }
                    s.unicodeScalars.append(chars[i])
                    i += 1
                }
                guard i < chars.count else { throw DecodeError(".proto line \(line): unterminated string") }
                i += 1
                out.append((.string(s), line))
                continue
            }
            if (c >= "0" && c <= "9") || ((c == "-" || c == "+") && i + 1 < chars.count && chars[i + 1] >= "0" && chars[i + 1] <= "9") {
                var s = String(c)
                i += 1
                while i < chars.count && (isIdent(chars[i]) || ((chars[i] == "-" || chars[i] == "+") && (s.last == "e" || s.last == "E"))) {
                    s.unicodeScalars.append(chars[i]); i += 1
                }
                out.append((.number(s), line))
                continue
            }
            if isIdent(c) {
                var s = ""
                while i < chars.count && isIdent(chars[i]) { s.unicodeScalars.append(chars[i]); i += 1 }
                out.append((.ident(s), line))
                continue
            }
            out.append((.symbol(Character(c)), line))
            i += 1
        }
        return out
    }

    var line: Int { pos < tokens.count ? tokens[pos].1 : (tokens.last?.1 ?? 0) }

    func fail(_ what: String) -> DecodeError { DecodeError(".proto line \(line): \(what)") }

    func peek() -> Token? { pos < tokens.count ? tokens[pos].0 : nil }

    mutating func next() throws -> Token {
        guard pos < tokens.count else { throw fail("unexpected end of file") }
        defer { pos += 1 }
        return tokens[pos].0
    }

    mutating func ident() throws -> String {
        guard case .ident(let s) = try next() else { pos -= 1; throw fail("expected a name") }
        return s
    }

    mutating func expect(_ c: Character) throws {
        guard case .symbol(c) = try next() else { pos -= 1; throw fail("expected '\(c)'") }
    }

    mutating func accept(_ c: Character) -> Bool {
        if case .symbol(c) = peek() { pos += 1; return true }
        return false
    }

    mutating func integer() throws -> Int64 {
        guard case .number(let s) = try next() else { pos -= 1; throw fail("expected a number") }
        let neg = s.hasPrefix("-")
        let body = neg || s.hasPrefix("+") ? String(s.dropFirst()) : s
        let v: Int64?
        if body.hasPrefix("0x") || body.hasPrefix("0X") { v = Int64(body.dropFirst(2), radix: 16) }
        else if body.count > 1 && body.hasPrefix("0") { v = Int64(body.dropFirst(), radix: 8) }
        else { v = Int64(body) }
        guard let v else { throw fail("bad number \(s)") }
        return neg ? -v : v
    }

    /// Skips to the end of a statement: `;` or a balanced `{ ... }` block.
    mutating func skipStatement() throws {
        var braces = 0
        var brackets = 0
        while true {
            let t = try next()
            switch t {
            case .symbol("{"): braces += 1
            case .symbol("}"):
                braces -= 1
                if braces == 0 && brackets == 0 { _ = accept(";"); return }
                if braces < 0 { throw fail("unbalanced '}'") }
            case .symbol("["): brackets += 1
            case .symbol("]"): brackets -= 1
            case .symbol(";") where braces == 0 && brackets == 0: return
            default: break
            }
        }
    }

    mutating func file(_ name: String) throws -> ProtoFileDefinition {
        var f = ProtoFileDefinition(name: name, package: "", syntax: "proto2", imports: [], messages: [], enums: [])
        while let t = peek() {
            switch t {
            case .ident("syntax"), .ident("edition"):
                pos += 1
                try expect("=")
                guard case .string(let s) = try next() else { throw fail("expected the syntax string") }
                syntax = s == "proto3" ? "proto3" : "proto2"
                f.syntax = syntax
                try expect(";")
            case .ident("package"):
                pos += 1
                f.package = try ident()
                try expect(";")
            case .ident("import"):
                pos += 1
                if case .ident(let m) = peek(), m == "public" || m == "weak" { pos += 1 }
                guard case .string(let s) = try next() else { throw fail("expected the import path") }
                f.imports.append(s)
                try expect(";")
            case .ident("message"):
                pos += 1
                f.messages.append(try message(into: &f.messages))
            case .ident("enum"):
                pos += 1
                f.enums.append(try enumeration())
            case .symbol(";"):
                pos += 1
            default:
                // option, service, extend: nothing decoding needs.
                try skipStatement()
            }
        }
        return f
    }

    /// Parses `Name { ... }` after `message`. `siblings` receives nothing (kept for symmetry).
    mutating func message(into siblings: inout [ProtoMessageDefinition]) throws -> ProtoMessageDefinition {
        depth += 1
        defer { depth -= 1 }
        guard depth < DecodeLimits.maxSchemaDepth else { throw fail("messages nest too deeply") }
        let name = try ident()
        try expect("{")
        var m = ProtoMessageDefinition(name: name, fields: [], messages: [], enums: [], oneofs: [], isMapEntry: false)
        try messageBody(&m, oneof: nil)
        return m
    }

    mutating func messageBody(_ m: inout ProtoMessageDefinition, oneof: Int?) throws {
        while true {
            guard let t = peek() else { throw fail("unexpected end of file inside message \(m.name)") }
            switch t {
            case .symbol("}"):
                pos += 1
                return
            case .symbol(";"):
                pos += 1
            case .ident("message") where oneof == nil:
                pos += 1
                m.messages.append(try message(into: &m.messages))
            case .ident("enum") where oneof == nil:
                pos += 1
                m.enums.append(try enumeration())
            case .ident("oneof") where oneof == nil:
                pos += 1
                let name = try ident()
                try expect("{")
                m.oneofs.append(name)
                try messageBody(&m, oneof: m.oneofs.count - 1)
            case .ident("option"), .ident("reserved"), .ident("extensions"), .ident("extend"):
                try skipStatement()
            case .ident("map"):
                pos += 1
                try expect("<")
                let k = try ident()
                try expect(",")
                let v = try ident()
                try expect(">")
                let fname = try ident()
                try expect("=")
                let number = try integer()
                try fieldOptions()
                try expect(";")
                let entryName = Self.mapEntryName(fname)
                m.messages.append(ProtoMessageDefinition(
                    name: entryName,
                    fields: [ProtoFieldDefinition(name: "key", number: 1, label: .optional, typeName: k, oneofIndex: nil),
                             ProtoFieldDefinition(name: "value", number: 2, label: .optional, typeName: v, oneofIndex: nil)],
                    messages: [], enums: [], oneofs: [], isMapEntry: true))
                m.fields.append(ProtoFieldDefinition(name: fname, number: try fieldNumber(number), label: .repeated,
                                                     typeName: entryName, oneofIndex: nil))
            default:
                try field(&m, oneof: oneof)
            }
        }
    }

    static func mapEntryName(_ field: String) -> String {
        var out = ""
        var upper = true
        for c in field {
            if c == "_" { upper = true; continue }
            out += upper ? c.uppercased() : String(c)
            upper = false
        }
        return out + "Entry"
    }

    func fieldNumber(_ n: Int64) throws -> Int32 {
        guard n >= 1, n <= 536_870_911 else { throw fail("field number \(n) is out of range") }
        return Int32(n)
    }

    mutating func field(_ m: inout ProtoMessageDefinition, oneof: Int?) throws {
        var label: ProtoLabel = syntax == "proto3" ? .implicit : .optional
        var type = try ident()
        switch type {
        case "optional": label = .optional; type = try ident()
        case "required": label = .required; type = try ident()
        case "repeated": label = .repeated; type = try ident()
        default: break
        }
        if oneof != nil { label = .optional }
        if type == "group" {
            let name = try ident()
            try expect("=")
            let number = try fieldNumber(try integer())
            try fieldOptions()
            try expect("{")
            var g = ProtoMessageDefinition(name: name, fields: [], messages: [], enums: [], oneofs: [], isMapEntry: false)
            try messageBody(&g, oneof: nil)
            m.messages.append(g)
            var f = ProtoFieldDefinition(name: name.lowercased(), number: number, label: label, typeName: name, oneofIndex: oneof)
            f.isGroup = true
            m.fields.append(f)
            return
        }
        let name = try ident()
        try expect("=")
        let number = try fieldNumber(try integer())
        try fieldOptions()
        try expect(";")
        m.fields.append(ProtoFieldDefinition(name: name, number: number, label: label, typeName: type, oneofIndex: oneof))
    }

    /// `[packed = true, default = 3, (custom).x = ...]`: decoding accepts packed and unpacked alike.
    mutating func fieldOptions() throws {
        guard case .symbol("[") = peek() else { return }
        var brackets = 0
        repeat {
            let t = try next()
            if case .symbol("[") = t { brackets += 1 }
            if case .symbol("]") = t { brackets -= 1 }
        } while brackets > 0
    }

    mutating func enumeration() throws -> ProtoEnumDefinition {
        let name = try ident()
        try expect("{")
        var e = ProtoEnumDefinition(name: name, values: [])
        while true {
            guard let t = peek() else { throw fail("unexpected end of file inside enum \(name)") }
            switch t {
            case .symbol("}"):
                pos += 1
                return e
            case .symbol(";"):
                pos += 1
            case .ident("option"), .ident("reserved"):
                try skipStatement()
            default:
                let value = try ident()
                try expect("=")
                let n = try integer()
                guard n >= Int64(Int32.min), n <= Int64(Int32.max) else { throw fail("enum value \(n) is out of range") }
                try fieldOptions()
                try expect(";")
                e.values.append((value, Int32(n)))
            }
        }
    }
}
