import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
#if canImport(Glibc)
import Glibc
#endif

/// `kafscope-bench lagstatus BOOTSTRAP GROUPS_FILE [--runs N]`: one refresh of many groups' lag as
/// the Groups screen does it, three ways, each the second refresh of a fresh client (coordinators
/// known): lag only (committed and end offsets), lag + time lag with no record timestamp cached yet
/// (the Fetch of record timestamps), and lag + time lag + status (the first refresh was a sample
/// that cached timestamps, so rates and status exist). Prints one JSON line per way: wall and CPU seconds (this
/// process, all threads: the machine may be shared) and requests per broker and API.
enum LagStatusBench {
    static func run(_ args: [String]) async {
        guard args.count >= 2, let addresses = try? HostAddress.parseList(args[0]),
              let text = try? String(contentsOfFile: args[1], encoding: .utf8) else {
            print("usage: kafscope-bench lagstatus HOST:PORT[,...] GROUPS_FILE [--runs N]")
            return
        }
        let groups = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
        var runs = 3
        if let i = args.firstIndex(of: "--runs"), i + 1 < args.count, let n = Int(args[i + 1]) { runs = max(1, n) }
        for way in ["lag", "lag+time-lag", "lag+time-lag+status"] {
            var walls: [Double] = [], cpus: [Double] = []
            var counts: [Int32: [String: Int]] = [:]
            var judged = 0, withTimeLag = 0
            for _ in 0..<runs {
                let client = KafkaClient(config: KafkaClientConfig(bootstrap: addresses))
                let service = KafkaAdminService(client: client, knownGroups: groups)
                // Connections and metadata first: the refresh, not the connection setup, is measured.
                _ = try? await client.metadata(refresh: true)
                // A first refresh caches coordinators (as a Groups screen on its second refresh has them);
                // for status it is also the first sample and caches record timestamps. The measured
                // refresh comes over a second later (status needs two samples at least 1 s apart).
                _ = await service.groupDetails(named: groups, timeLags: way == "lag+time-lag+status")
                try? await Task.sleep(for: .milliseconds(1_100))
                let before = client.counterSnapshot()
                let cpu0 = cpuSeconds(), wall0 = ContinuousClock.now
                var result: [GroupDetail] = []
                if way == "lag" {
                    result = await service.groupDetails(named: groups, timeLags: false).value
                } else {
                    result = await service.groupDetails(named: groups).value
                }
                let wall = ContinuousClock.now - wall0
                cpus.append(cpuSeconds() - cpu0)
                walls.append(Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18)
                counts = client.counterSnapshot().subtracting(before).perBroker
                judged = result.filter { $0.health?.status != nil }.count
                withTimeLag = result.filter { $0.lagSeconds != nil }.count
                await client.shutdown()
            }
            let perBroker = counts.keys.sorted().map { b in
                "\"\(b)\": {" + counts[b]!.keys.sorted().map { "\"\($0)\": \(counts[b]![$0]!)" }.joined(separator: ", ") + "}"
            }.joined(separator: ", ")
            print(#"{"way": "\#(way)", "groups": \#(groups.count), "wall_s_median": \#(fmt(median(walls))), "cpu_s_median": \#(fmt(median(cpus))), "groups_with_time_lag": \#(withTimeLag), "groups_with_status": \#(judged), "requests_per_broker": {\#(perBroker)}}"#)
        }
    }

    static func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
    static func fmt(_ v: Double) -> String { String(format: "%.4f", v) }

    /// CPU time of this process (user + system, every thread).
    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
