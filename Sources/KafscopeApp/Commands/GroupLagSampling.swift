import ClusterModel
import Foundation
import KafscopeConfig
import LagHealth

/// `get groups --sample DURATION` and `--watch`: the lag status needs offsets read at least twice,
/// some time apart; each read is one ordinary groups() refresh (no extra requests per partition).
enum GroupLagSampling {
    /// How many reads `--sample` takes over `duration`: one every ~5 s, at least two, at most 13.
    static func sampleCount(_ duration: Double) -> Int { min(13, max(2, Int((duration / 5).rounded(.down)) + 1)) }

    /// Reads the groups `sampleCount` times spread over `duration` and answers the last read (whose
    /// status, rates and ETA come from all of them).
    static func sample(_ service: any ClusterService, over duration: Double,
                       sleep: (Double) async throws -> Void) async throws -> Partial<[GroupSummary]> {
        let n = sampleCount(duration)
        var last = try await service.groups()
        for _ in 1..<n {
            try await sleep(duration / Double(n - 1))
            last = try await service.groups()
        }
        return last
    }

    /// One line per group whose status changed since the previous read (the first status a group
    /// gets counts as a change), until `maxReads` reads (nil: until interrupted).
    static func watch(_ service: any ClusterService, every interval: Double, format: OutputFormat,
                      console: any CommandConsole, maxReads: Int?, now: () -> Date,
                      sleep: (Double) async throws -> Void) async throws {
        var previous: [String: LagStatus] = [:]
        var reads = 0
        while maxReads.map({ reads < $0 }) ?? true {
            if reads > 0 { try await sleep(interval) }
            reads += 1
            let p: Partial<[GroupSummary]>
            do { p = try await service.groups() } catch {
                console.err("error: \(TextTable.clean(String(describing: error)))\n")
                continue
            }
            let at = now()
            for g in p.value.sorted(by: { $0.group < $1.group }) {
                guard let status = g.health?.status, previous[g.group] != status else { continue }
                console.out(line(g, status: status, previous: previous[g.group], at: at, format: format))
                previous[g.group] = status
            }
        }
    }

    static func line(_ g: GroupSummary, status: LagStatus, previous: LagStatus?, at: Date, format: OutputFormat) -> String {
        let time = ISO8601DateFormatter().string(from: at)
        switch format {
        case .json:
            return JSONValue.object([
                ("time", .string(time)), ("group", .string(g.group)), ("status", .string(status.rawValue)),
                ("previous", .optional(previous?.rawValue)), ("lag", .optional(g.lag)), ("lag_partial", .bool(g.lagPartial)),
                ("reason", .optional(g.health?.reason)),
            ]).serialized() + "\n"
        case .table:
            let was = previous.map { " (was \($0.rawValue))" } ?? ""
            let lag = ClusterFormat.lagText(g.lag, g.lagCompleteness)
            return TextTable.clean("\(time) \(g.group) \(status.rawValue)\(was) lag \(lag): \(g.health?.reason ?? "")") + "\n"
        }
    }

    /// `--sample` / `--watch` values: "30s", "2m", or seconds.
    static func duration(_ text: String, option: String) throws -> Double {
        guard let d = LagThresholds.parseDuration(text), d >= 1, d <= 86_400 else {
            throw CommandFailure("\(option) expects a duration from 1s to 24h like 30s, 2m or 90, not '\(TextTable.clean(text))'")
        }
        return d
    }
}
