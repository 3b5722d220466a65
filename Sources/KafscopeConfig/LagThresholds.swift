/// `[contexts.NAME.lag]`: the window and thresholds of the consumer-lag status rules (README
/// "Consumer lag status"). Every field is optional; unset ones keep the built-in defaults.
///
/// ```toml
/// [contexts.prod.lag]
/// window = "10m"          # samples the trend rules look at
/// stalled_after = "1m"    # committed offset unmoved this long with lag: STALLED
/// stopped_after = "5m"    # ... and no active member: STOPPED
/// ```
/// Durations are a number of seconds or a string like "90s", "10m", "2h", "1h30m".
public struct LagThresholds: Sendable, Hashable {
    public var window: Double?
    public var stalledAfter: Double?
    public var stoppedAfter: Double?

    public init(window: Double? = nil, stalledAfter: Double? = nil, stoppedAfter: Double? = nil) {
        self.window = window
        self.stalledAfter = stalledAfter
        self.stoppedAfter = stoppedAfter
    }

    static let keys: Set<String> = ["window", "stalled_after", "stopped_after"]

    /// "90s", "10m", "2h", "1h30m", "1d", or a bare number of seconds; nil when not a duration.
    public static func parseDuration(_ text: String) -> Double? {
        let s = text.trimmed.lowercased()
        guard !s.isEmpty else { return nil }
        if let v = Double(s) { return v.isFinite && v >= 0 ? v : nil }
        var total = 0.0, number = ""
        var sawUnit = false
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c.isNumber || c == "." {
                number.append(c)
                i = s.index(after: i)
                continue
            }
            var unit = String(c)
            if c == "m", s.index(after: i) < s.endIndex, s[s.index(after: i)] == "s" {
                unit = "ms"
                i = s.index(after: i)
            }
            guard let n = Double(number) else { return nil }
            let scale: Double
            switch unit {
            case "ms": scale = 0.001
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            case "d": scale = 86_400
            default: return nil
            }
            total += n * scale
            number = ""
            sawUnit = true
            i = s.index(after: i)
        }
        guard number.isEmpty, sawUnit, total.isFinite else { return nil }
        return total
    }
}

extension Reader {
    /// The `[contexts.NAME.lag]` table; rejects unknown keys and impossible thresholds.
    func lagThresholds(_ root: TOMLNode, _ path: [String]) throws(ConfigError) -> LagThresholds {
        guard case .table = node(root, path)! else {
            throw error(path, "expected a table (window, stalled_after, stopped_after)")
        }
        try rejectUnknown(root, path, allowed: LagThresholds.keys)
        var t = LagThresholds()
        t.window = try lagDuration(root, path + ["window"], range: 1...604_800)
        t.stalledAfter = try lagDuration(root, path + ["stalled_after"], range: 1...604_800)
        t.stoppedAfter = try lagDuration(root, path + ["stopped_after"], range: 1...604_800)
        if let stalled = t.stalledAfter, let stopped = t.stoppedAfter, stopped < stalled {
            throw error(path + ["stopped_after"], "must not be shorter than stalled_after (a stopped group is stalled first)")
        }
        return t
    }

    func lagDuration(_ root: TOMLNode, _ path: [String], range: ClosedRange<Double>) throws(ConfigError) -> Double? {
        guard let n = node(root, path) else { return nil }
        let v: Double
        switch n {
        case .integer(let i): v = Double(i)
        case .float(let d): v = d
        case .string(let s):
            guard let d = LagThresholds.parseDuration(s) else {
                throw error(path, "expected a duration like \"90s\", \"10m\" or \"1h\", found \"\(s)\"")
            }
            v = d
        default: throw error(path, "expected a duration (seconds, or a string like \"10m\"), found \(n.kindName)")
        }
        guard range.contains(v) else {
            throw error(path, "expected \(Int(range.lowerBound)) to \(Int(range.upperBound)) seconds, found \(v)")
        }
        return v
    }
}
