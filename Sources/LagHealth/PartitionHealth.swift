/// The verdict on one partition: status, the reason in words, and the rates behind it.
public struct PartitionHealth: Sendable, Hashable {
    public var key: PartitionKey
    /// nil until two samples at least `LagRules.minimumSpan` apart exist (or no committed offset).
    public var status: LagStatus?
    public var reason: String
    public var lag: Int64?
    /// Committed offsets per second over the window.
    public var consumeRate: Double?
    /// End offsets (records produced) per second over the window.
    public var produceRate: Double?
    /// Seconds until caught up: 0 when caught up, nil when unknown or falling behind.
    public var etaSeconds: Double?
    /// The group consumes no faster than records arrive while it has lag: it will not catch up.
    public var fallingBehind: Bool

    public init(key: PartitionKey, status: LagStatus?, reason: String, lag: Int64?, consumeRate: Double? = nil,
                produceRate: Double? = nil, etaSeconds: Double? = nil, fallingBehind: Bool = false) {
        self.key = key
        self.status = status
        self.reason = reason
        self.lag = lag
        self.consumeRate = consumeRate
        self.produceRate = produceRate
        self.etaSeconds = etaSeconds
        self.fallingBehind = fallingBehind
    }
}

/// The rules, applied to one partition's samples (oldest first). Pure: `now` is the caller's.
public enum PartitionEvaluator {
    /// - Parameters:
    ///   - samples: every kept sample of the partition, oldest first.
    ///   - hasActiveMembers: whether the group has members now (nil: unknown).
    ///   - readError: why the latest refresh could not read this partition's offsets, if it could not.
    public static func evaluate(_ key: PartitionKey, samples: [OffsetSample], now: Double, hasActiveMembers: Bool?,
                                readError: String?, rules: LagRules) -> PartitionHealth {
        guard let latest = samples.last else {
            return PartitionHealth(key: key, status: readError == nil ? nil : .error,
                                   reason: readError ?? "no sample yet", lag: nil)
        }
        if let readError {
            return PartitionHealth(key: key, status: .error, reason: readError, lag: nil)
        }
        guard let current = latest.committed else {
            return PartitionHealth(key: key, status: nil, reason: "no committed offset", lag: nil)
        }
        guard let lag = latest.lag else {
            return PartitionHealth(key: key, status: .error, reason: "end offset unreadable (partition leader unavailable)",
                                   lag: nil)
        }

        // The window ends at the latest sample, so a late verdict still sees the samples that led to it.
        let window = samples.filter { $0.at >= latest.at - rules.window && $0.lag != nil }
        var health = PartitionHealth(key: key, status: nil, reason: "", lag: lag)
        if let first = window.first, let last = window.last, last.at - first.at >= rules.minimumSpan, window.count >= 2 {
            let span = last.at - first.at
            health.consumeRate = Double(last.committed! - first.committed!) / span
            health.produceRate = Double(last.end! - first.end!) / span
        }

        if lag == 0 {
            // Caught up now; still unjudged from one sample (the status is about movement).
            health.status = health.consumeRate == nil ? nil : .ok
            health.reason = "caught up"
            health.etaSeconds = 0
            return health
        }
        if let consume = health.consumeRate, let produce = health.produceRate {
            if consume > produce {
                health.etaSeconds = Double(lag) / (consume - produce)
            } else {
                health.fallingBehind = true
            }
        }
        guard health.consumeRate != nil, let first = window.first, let last = window.last else {
            health.reason = "waiting for a second sample"
            return health
        }

        let stillFor = now - unmovedSince(samples, committed: current)
        if stillFor >= rules.stalledAfter {
            if hasActiveMembers != true, stillFor >= rules.stoppedAfter {
                health.status = .stopped
                health.reason = "offset \(current) has not moved for \(Self.seconds(stillFor)) and the group has no active member"
            } else {
                health.status = .stalled
                health.reason = "offset \(current) has not moved for \(Self.seconds(stillFor)) with lag \(lag)"
            }
            return health
        }

        let lags = window.map { $0.lag! }
        var rises = 0, falls = 0
        for (a, b) in zip(lags, lags.dropFirst()) {
            if b > a { rises += 1 } else if b < a { falls += 1 }
        }
        if last.lag! > first.lag!, rises > falls, last.committed! > first.committed! {
            health.status = .warning
            health.reason = "lag grew from \(first.lag!) to \(last.lag!) over \(Self.seconds(last.at - first.at)) while offsets advanced"
            return health
        }
        health.status = .ok
        if last.committed! == first.committed! {
            health.reason = "offset \(current) unchanged for \(Self.seconds(stillFor))"
        } else {
            health.reason = last.lag! < first.lag! ? "catching up" : "keeping pace"
        }
        return health
    }

    /// The time of the earliest sample from which on the committed offset has stayed `committed`.
    static func unmovedSince(_ samples: [OffsetSample], committed: Int64) -> Double {
        var since = samples.last!.at
        for s in samples.reversed() {
            guard s.committed == committed else { break }
            since = s.at
        }
        return since
    }

    /// "42s", "7m", "3h": the coarse durations reasons use.
    static func seconds(_ s: Double) -> String {
        let v = max(0, s)
        if v < 120 { return "\(Int(v.rounded()))s" }
        if v < 7_200 { return "\(Int((v / 60).rounded()))m" }
        return "\(Int((v / 3_600).rounded()))h"
    }
}
