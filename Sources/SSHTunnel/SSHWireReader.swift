/// Reads the SSH wire encoding (RFC 4251 §5: uint32, string, mpint) from bytes we were handed;
/// every read is bounds-checked so a truncated or hostile file is an error, never a trap.
struct SSHWireReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    struct Truncated: Error {}

    var remaining: Int { bytes.count - offset }
    var rest: [UInt8] { Array(bytes[offset...]) }

    mutating func uint32() throws -> UInt32 {
        guard remaining >= 4 else { throw Truncated() }
        var v: UInt32 = 0
        for i in 0..<4 { v = v << 8 | UInt32(bytes[offset + i]) }
        offset += 4
        return v
    }

    mutating func take(_ n: Int) throws -> [UInt8] {
        guard n >= 0, remaining >= n else { throw Truncated() }
        defer { offset += n }
        return Array(bytes[offset..<(offset + n)])
    }

    mutating func string() throws -> [UInt8] { try take(Int(try uint32())) }

    mutating func text() throws -> String { String(decoding: try string(), as: UTF8.self) }

    /// An unsigned mpint without its sign-padding zero.
    mutating func mpint() throws -> [UInt8] {
        var b = try string()
        while b.first == 0 { b.removeFirst() }
        return b
    }
}

enum SSHWireWriter {
    static func string(_ b: [UInt8]) -> [UInt8] {
        let n = UInt32(b.count)
        return [UInt8(n >> 24), UInt8((n >> 16) & 0xff), UInt8((n >> 8) & 0xff), UInt8(n & 0xff)] + b
    }

    static func string(_ s: String) -> [UInt8] { string(Array(s.utf8)) }

    static func uint32(_ n: UInt32) -> [UInt8] {
        [UInt8(n >> 24), UInt8((n >> 16) & 0xff), UInt8((n >> 8) & 0xff), UInt8(n & 0xff)]
    }
}
