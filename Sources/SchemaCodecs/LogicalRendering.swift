/// Text forms of logical values: dates `YYYY-MM-DD`, times `HH:MM:SS.fff[fff]`, RFC 3339 UTC
/// timestamps, decimals as strings with their scale, uuids, Avro durations.
enum LogicalRendering {
    /// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
    static func civil(days: Int64) -> (Int64, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// `v` in decimal, zero-padded to `width` digits; written in place (no temporary array: this
    /// runs several times per timestamp).
    static func pad(_ v: Int64, _ width: Int, _ out: inout JSONWriter) {
        var count = 1
        var n = v.magnitude / 10
        while n > 0 { count += 1; n /= 10 }
        let total = max(width, count)
        let start = out.bytes.count
        out.bytes.append(contentsOf: repeatElement(48, count: total))
        var m = v.magnitude
        var i = start + total - 1
        repeat { out.bytes[i] = UInt8(48 + m % 10); m /= 10; i -= 1 } while m > 0
    }

    static func writeDate(days: Int64, _ out: inout JSONWriter) -> Bool {
        let (y, m, d) = civil(days: days)
        guard y >= 0, y <= 9999 else { return false }
        pad(y, 4, &out); out.byte(45); pad(Int64(m), 2, &out); out.byte(45); pad(Int64(d), 2, &out)
        return true
    }

    /// Outside years 0000-9999 the raw number is shown: RFC 3339 has no form for it.
    static func date(days: Int64, _ out: inout JSONWriter) {
        let (y, _, _) = civil(days: days)
        guard y >= 0, y <= 9999 else { out.int(days); return }
        out.byte(34); _ = writeDate(days: days, &out); out.byte(34)
    }

    static func writeTime(_ units: Int64, perSecond: Int64, digits: Int, _ out: inout JSONWriter) {
        let secs = units / perSecond
        let frac = units % perSecond
        pad(secs / 3600, 2, &out); out.byte(58); pad(secs / 60 % 60, 2, &out); out.byte(58); pad(secs % 60, 2, &out)
        out.byte(46); pad(frac, digits, &out)
    }

    static func timeOfDay(_ units: Int64, perSecond: Int64, digits: Int, _ out: inout JSONWriter) {
        guard units >= 0, units < 86_400 * perSecond else { out.int(units); return }
        out.byte(34); writeTime(units, perSecond: perSecond, digits: digits, &out); out.byte(34)
    }

    static func timestamp(_ units: Int64, perSecond: Int64, digits: Int, utc: Bool, _ out: inout JSONWriter) {
        let perDay = 86_400 * perSecond
        var days = units / perDay
        var rest = units % perDay
        if rest < 0 { rest += perDay; days -= 1 }
        let (y, _, _) = civil(days: days)
        guard y >= 0, y <= 9999 else { out.int(units); return }
        out.byte(34)
        _ = writeDate(days: days, &out)
        out.byte(84)
        writeTime(rest, perSecond: perSecond, digits: digits, &out)
        if utc { out.byte(90) }
        out.byte(34)
    }

    /// Two's-complement big-endian unscaled value, shown with exactly `scale` fraction digits.
    static func decimal(_ bytes: ArraySlice<UInt8>, scale: Int, _ out: inout JSONWriter) {
        out.byte(34)
        if bytes.isEmpty { writeScaled(Array("0".utf8), negative: false, scale: scale, &out); out.byte(34); return }
        let negative = bytes.first! >= 0x80
        var magnitude = Array(bytes)
        if negative {
            // Two's complement negate: invert and add one.
            for i in magnitude.indices { magnitude[i] = ~magnitude[i] }
            var i = magnitude.count - 1
            while i >= 0 { magnitude[i] &+= 1; if magnitude[i] != 0 { break }; i -= 1 }
        }
        writeScaled(toDecimalDigits(magnitude), negative: negative, scale: scale, &out)
        out.byte(34)
    }

    /// Big-endian unsigned bytes to decimal digits (schoolbook division by 10^9).
    static func toDecimalDigits(_ be: [UInt8]) -> [UInt8] {
        var limbs: [UInt32] = []  // base 2^32, most significant first
        var start = be.count % 4
        if start > 0 {
            var v: UInt32 = 0
            for b in be[0..<start] { v = v << 8 | UInt32(b) }
            limbs.append(v)
        }
        while start < be.count {
            var v: UInt32 = 0
            for b in be[start..<(start + 4)] { v = v << 8 | UInt32(b) }
            limbs.append(v)
            start += 4
        }
        while let f = limbs.first, f == 0 { limbs.removeFirst() }
        if limbs.isEmpty { return [48] }
        var chunks: [UInt32] = []  // base 10^9, least significant first
        while !limbs.isEmpty {
            var rem: UInt64 = 0
            for i in limbs.indices {
                let cur = rem << 32 | UInt64(limbs[i])
                limbs[i] = UInt32(cur / 1_000_000_000)
                rem = cur % 1_000_000_000
            }
            chunks.append(UInt32(rem))
            while let f = limbs.first, f == 0 { limbs.removeFirst() }
        }
        var digits = Array(String(chunks.last!).utf8)
        for c in chunks.dropLast().reversed() {
            let s = Array(String(c).utf8)
            digits += [UInt8](repeating: 48, count: 9 - s.count) + s
        }
        return digits
    }

    static func writeScaled(_ digits: [UInt8], negative: Bool, scale: Int, _ out: inout JSONWriter) {
        if negative && digits != [48] { out.byte(45) }
        if scale == 0 { out.bytes.append(contentsOf: digits); return }
        if digits.count > scale {
            out.bytes.append(contentsOf: digits[..<(digits.count - scale)])
            out.byte(46)
            out.bytes.append(contentsOf: digits[(digits.count - scale)...])
        } else {
            out.byte(48); out.byte(46)
            for _ in 0..<(scale - digits.count) { out.byte(48) }
            out.bytes.append(contentsOf: digits)
        }
    }

    static func uuid(_ b: ArraySlice<UInt8>, _ out: inout JSONWriter) {
        out.byte(34)
        for (i, x) in b.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.byte(45) }
            out.byte(JSONWriter.hex[Int(x >> 4)]); out.byte(JSONWriter.hex[Int(x & 15)])
        }
        out.byte(34)
    }

    /// Avro duration: three little-endian unsigned 32-bit numbers.
    static func duration(_ b: ArraySlice<UInt8>, _ out: inout JSONWriter) {
        func u32(_ at: Int) -> Int64 {
            let s = b.startIndex + at
            return Int64(UInt32(b[s]) | UInt32(b[s + 1]) << 8 | UInt32(b[s + 2]) << 16 | UInt32(b[s + 3]) << 24)
        }
        out.raw("{\"months\":"); out.int(u32(0))
        out.raw(",\"days\":"); out.int(u32(4))
        out.raw(",\"milliseconds\":"); out.int(u32(8))
        out.byte(125)
    }
}
