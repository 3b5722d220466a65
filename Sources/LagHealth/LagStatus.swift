/// How a consumer group (or one of its partitions) is doing, in the manner of Burrow's
/// consumer lag evaluation: judged from the movement of offsets over a window, not from a
/// lag threshold. Ordered by severity, so the worst of several is their maximum.
public enum LagStatus: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Caught up, catching up, or keeping pace.
    case ok = "OK"
    /// Offsets advance, but the lag grew across the window.
    case warning = "WARNING"
    /// The committed offset has not moved for `LagRules.stalledAfter` while there is lag.
    case stalled = "STALLED"
    /// No progress for longer than `LagRules.stoppedAfter` and no active member.
    case stopped = "STOPPED"
    /// Offsets could not be read (coordinator or partition leader failing).
    case error = "ERROR"

    var severity: Int {
        switch self {
        case .ok: return 0
        case .warning: return 1
        case .stalled: return 2
        case .stopped: return 3
        case .error: return 4
        }
    }

    public static func < (a: LagStatus, b: LagStatus) -> Bool { a.severity < b.severity }
}

/// The thresholds the rules use; configurable per context.
public struct LagRules: Sendable, Hashable {
    /// Seconds of samples the rules look at (Burrow's sliding window).
    public var window: Double
    /// Seconds without progress after which a lagging partition is STALLED.
    public var stalledAfter: Double
    /// Seconds without progress, with no active member, after which a lagging partition is STOPPED.
    public var stoppedAfter: Double
    /// The shortest span of samples (seconds) a trend rule may judge; shorter windows are not yet judged.
    public var minimumSpan: Double

    public init(window: Double = 600, stalledAfter: Double = 60, stoppedAfter: Double = 300, minimumSpan: Double = 1) {
        self.window = max(0, window)
        self.stalledAfter = max(0, stalledAfter)
        self.stoppedAfter = max(0, stoppedAfter)
        self.minimumSpan = max(0, minimumSpan)
    }
}
