/// Kafka's 128-bit UUID (topic ids, incarnation ids). Shown as Kafka shows it: base64url without padding.
public struct KafkaUUID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public static let zero = KafkaUUID(high: 0, low: 0)

    @inlinable
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Builds a UUID from exactly 16 bytes; returns nil for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var h: UInt64 = 0
        var l: UInt64 = 0
        for (i, b) in bytes.enumerated() {
            if i < 8 { h = h << 8 | UInt64(b) } else { l = l << 8 | UInt64(b) }
        }
        self.init(high: h, low: l)
    }

    /// Parses the base64url (padded or not) form Kafka prints, e.g. "AAAAAAAAAAAAAAAAAAAAAA".
    public init?(string: String) {
        var s = Array(string.utf8)
        while s.last == UInt8(ascii: "=") { s.removeLast() }
        guard s.count == 22 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(17)
        var acc: UInt32 = 0
        var bits = 0
        for c in s {
            guard let v = KafkaUUID.base64Value(c) else { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        // 22 chars carry 132 bits: the 4 spare bits must be zero for a canonical form.
        guard out.count == 16, acc & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        self.init(bytes: out)
    }

    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            out[i] = UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * i))
            out[8 + i] = UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * i))
        }
        return out
    }

    public var description: String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let b = bytes
        var out: [UInt8] = []
        out.reserveCapacity(22)
        var i = 0
        while i + 3 <= 15 {
            let n = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            i += 3
        }
        let n = UInt32(b[15]) << 16
        out.append(alphabet[Int(n >> 18 & 63)])
        out.append(alphabet[Int(n >> 12 & 63)])
        return String(decoding: out, as: UTF8.self)
    }

    public static func < (a: KafkaUUID, b: KafkaUUID) -> Bool {
        (a.high, a.low) < (b.high, b.low)
    }

    private static func base64Value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"), UInt8(ascii: "+"): return 62
        case UInt8(ascii: "_"), UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
