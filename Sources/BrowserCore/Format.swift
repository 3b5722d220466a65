import ClusterModel
import LagHealth
import TerminalCore

/// Number, size and time formatting for the views. Pure: time zones come in as an offset.
public enum Format {
    /// 1234567 -> "1,234,567".
    public static func count<T: BinaryInteger>(_ n: T) -> String {
        let neg = n < 0
        var digits = String(neg ? (0 - n).magnitude : n.magnitude)
        var out = ""
        while digits.count > 3 {
            out = "," + digits.suffix(3) + out
            digits.removeLast(3)
        }
        return (neg ? "-" : "") + digits + out
    }

    /// 1234567 -> "1.2M"; exact below 10,000.
    public static func compact(_ n: Int64) -> String {
        let a = n.magnitude
        let sign = n < 0 ? "-" : ""
        if a < 10_000 { return sign + String(a) }
        let units: [(Double, String)] = [(1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
        let d = Double(a)
        for (scale, suffix) in units where d >= scale {
            return sign + oneDecimal(d / scale) + suffix
        }
        return sign + String(a)
    }

    /// A group's total lag with its completeness: "211", "~211" (some partitions counted from an
    /// earlier end offset), "112+" (some partitions left out: a lower bound).
    public static func lag(_ n: Int64, _ completeness: LagCompleteness) -> String {
        switch completeness {
        case .complete: return compact(n)
        case .estimated: return "~" + compact(n)
        case .partial: return compact(n) + "+"
        }
    }

    /// Bytes in binary units: "512 B", "1.5 KiB", "12.0 GiB".
    public static func bytes(_ n: Int64) -> String {
        if n < 1024 { return "\(n) B" }
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var v = Double(n) / 1024
        var i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        return oneDecimal(v) + " " + units[i]
    }

    /// "12.3" without Foundation; values are rounded half up.
    static func oneDecimal(_ v: Double) -> String {
        let tenths = Int64((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// Seconds since the epoch -> "HH:MM:SS" at the given offset from UTC.
    public static func clock(_ time: Double, utcOffset: Int) -> String {
        guard time.isFinite else { return "--:--:--" }
        var s = (Int64(time.rounded(.down)) + Int64(utcOffset)) % 86_400
        if s < 0 { s += 86_400 }
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60))"
    }

    /// A duration in the largest sensible unit: "42s", "5m", "3h", "2d".
    public static func age(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        let s = max(0, Int64(seconds))
        if s < 120 { return "\(s)s" }
        if s < 7200 { return "\(s / 60)m" }
        if s < 172_800 { return "\(s / 3600)h" }
        return "\(s / 86_400)d"
    }

    /// Records per second: "0", "0.4/s", "12/s", "1.2k/s".
    public static func rate(_ perSecond: Double?) -> String {
        guard let r = perSecond, r.isFinite else { return "-" }
        if r <= 0 { return r == 0 ? "0/s" : "-" + rate(-r) }
        if r < 10 { return oneDecimal(r) + "/s" }
        return compact(Int64(r.rounded())) + "/s"
    }

    /// Time to catch up: "0" caught up, "42s"/"7m"/"3h", "behind" when the group will not catch up,
    /// "-" when unknown.
    public static func eta(_ health: GroupHealth?) -> String {
        guard let h = health else { return "-" }
        if h.fallingBehind { return "behind" }
        return eta(h.etaSeconds)
    }

    public static func eta(_ seconds: Double?) -> String {
        guard let s = seconds else { return "-" }
        return s == 0 ? "0" : age(s.rounded(.up))
    }

    /// Time lag: "0" caught up, "42s", "7m", "-" unknown.
    public static func timeLag(_ seconds: Double?) -> String {
        guard let s = seconds else { return "-" }
        return s <= 0 ? "0" : age(s)
    }

    /// A time lag that is only a lower bound (some partition's was not read) ends in `+`, as a
    /// partial lag does.
    public static func timeLag(_ seconds: Double?, partial: Bool) -> String {
        let t = timeLag(seconds)
        return partial && seconds != nil ? t + "+" : t
    }

    /// Replica lists: "1,2,3".
    public static func ids(_ ids: [Int32]) -> String { ids.map(String.init).joined(separator: ",") }

    /// Sparkline of the last `width` values, scaled between their minimum and maximum so a
    /// trend shows even on a large base (a flat series stays at the lowest level).
    public static func sparkline(_ values: [Int64], width: Int, glyphs: Glyphs) -> String {
        guard width > 0, !values.isEmpty else { return "" }
        let shown = values.suffix(width).map(Double.init)
        return String(Sparkline(shown, minimum: shown.min()).characters(width: width, glyphs: glyphs))
    }
}
