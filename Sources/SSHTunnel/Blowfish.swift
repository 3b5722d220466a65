/// Blowfish as bcrypt_pbkdf needs it (OpenSSH passphrase-protected keys): the key schedule with
/// salt ("expandstate") and without ("expand0state"), and block encryption. Nothing else uses it.
///
/// The initial P-array and S-boxes are the hexadecimal digits of pi after the point; they are
/// computed here (Machin's formula on a fixed-point big number) instead of being pasted as tables.
struct Blowfish {
    var p: [UInt32]
    var s: [UInt32]  // 4 boxes of 256, one after the other

    static let initial: [UInt32] = PiDigits.fractionWords(count: 18 + 1024)

    init() {
        let w = Self.initial
        p = Array(w[0..<18])
        s = Array(w[18..<(18 + 1024)])
    }

    @inline(__always)
    private func f(_ x: UInt32) -> UInt32 {
        let a = s[Int(x >> 24)], b = s[256 + Int((x >> 16) & 0xff)]
        let c = s[512 + Int((x >> 8) & 0xff)], d = s[768 + Int(x & 0xff)]
        return ((a &+ b) ^ c) &+ d
    }

    func encipher(_ l: inout UInt32, _ r: inout UInt32) {
        var xl = l, xr = r
        xl ^= p[0]
        var i = 1
        while i <= 16 {
            xr ^= f(xl) ^ p[i]
            xl ^= f(xr) ^ p[i + 1]
            i += 2
        }
        xr ^= p[17]
        l = xr
        r = xl
    }

    /// Next 4 bytes of `data` as a big-endian word, wrapping around.
    static func streamWord(_ data: [UInt8], _ j: inout Int) -> UInt32 {
        var w: UInt32 = 0
        for _ in 0..<4 {
            if j >= data.count { j = 0 }
            w = (w << 8) | UInt32(data[j])
            j += 1
        }
        return w
    }

    mutating func expandState(data: [UInt8], key: [UInt8]) {
        var j = 0
        for i in 0..<18 { p[i] ^= Self.streamWord(key, &j) }
        var l: UInt32 = 0, r: UInt32 = 0
        j = 0
        var i = 0
        while i < 18 {
            l ^= Self.streamWord(data, &j); r ^= Self.streamWord(data, &j)
            encipher(&l, &r)
            p[i] = l; p[i + 1] = r
            i += 2
        }
        i = 0
        while i < 1024 {
            l ^= Self.streamWord(data, &j); r ^= Self.streamWord(data, &j)
            encipher(&l, &r)
            s[i] = l; s[i + 1] = r
            i += 2
        }
    }

    mutating func expand0State(key: [UInt8]) {
        var j = 0
        for i in 0..<18 { p[i] ^= Self.streamWord(key, &j) }
        var l: UInt32 = 0, r: UInt32 = 0
        var i = 0
        while i < 18 {
            encipher(&l, &r)
            p[i] = l; p[i + 1] = r
            i += 2
        }
        i = 0
        while i < 1024 {
            encipher(&l, &r)
            s[i] = l; s[i + 1] = r
            i += 2
        }
    }
}

/// The fractional hexadecimal digits of pi, as 32-bit words.
enum PiDigits {
    static func fractionWords(count: Int) -> [UInt32] {
        let n = count + 3  // guard words absorb truncation error
        // Fixed point: word 0 is the integer part, words 1...n the fraction.
        var pi = [UInt32](repeating: 0, count: n + 1)
        addArctan(&pi, inverse: 5, factor: 16, sign: 1)
        addArctan(&pi, inverse: 239, factor: 4, sign: -1)
        return Array(pi[1...count])
    }

    /// acc += sign * factor * atan(1/inverse), by the alternating series.
    private static func addArctan(_ acc: inout [UInt32], inverse x: UInt32, factor: UInt32, sign: Int) {
        var power = [UInt32](repeating: 0, count: acc.count)
        power[0] = factor
        divide(&power, by: x)  // factor / x
        var term = power
        var k: UInt32 = 0
        let x2 = x * x
        while !term.allSatisfy({ $0 == 0 }) {
            // term = power / (2k+1)
            let positive = (k % 2 == 0) == (sign > 0)
            if positive { add(&acc, term) } else { subtract(&acc, term) }
            divide(&power, by: x2)
            k += 1
            term = power
            divide(&term, by: 2 * k + 1)
        }
    }

    private static func divide(_ a: inout [UInt32], by d: UInt32) {
        var rem: UInt64 = 0
        for i in 0..<a.count {
            let cur = (rem << 32) | UInt64(a[i])
            a[i] = UInt32(cur / UInt64(d))
            rem = cur % UInt64(d)
        }
    }

    private static func add(_ a: inout [UInt32], _ b: [UInt32]) {
        var carry: UInt64 = 0
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            let s = UInt64(a[i]) + UInt64(b[i]) + carry
            a[i] = UInt32(truncatingIfNeeded: s)
            carry = s >> 32
        }
    }

    private static func subtract(_ a: inout [UInt32], _ b: [UInt32]) {
        var borrow: Int64 = 0
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            var d = Int64(a[i]) - Int64(b[i]) - borrow
            if d < 0 { d += 1 << 32; borrow = 1 } else { borrow = 0 }
            a[i] = UInt32(d)
        }
    }
}
