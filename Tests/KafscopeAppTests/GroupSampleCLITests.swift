import ClusterModel
import Foundation
import KafkaTestSupport
import KafscopeConfig
import LagHealth
import Testing
@testable import KafscopeApp

/// `get groups --sample` and `--watch` (issue 17): the binary against the librdkafka mock with the
/// context's `[contexts.NAME.lag]` thresholds, and the watch loop on a scripted service.
@Suite(.serialized, .timeLimit(.minutes(3))) struct GroupSampleCLITests {
    func json(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    /// `stuck` has lag and never commits; `done` is caught up. With stalled_after = 1 s from the
    /// config, a 2 s sample judges stuck STALLED and done OK; without --sample the fields are null.
    @Test func sampleGivesStatusAndRatesAndWithoutItTheyAreNull() async throws {
        try await MockCluster.with(brokers: 2) { mock in
            try await mock.createTopic("jobs", partitions: 2)
            for p in Int32(0)..<2 {
                try await mock.setLeader(topic: "jobs", partition: p, broker: p + 1)
                _ = try await mock.produce(topic: "jobs", records: (0..<20).map { MockCluster.Record(key: nil, value: "j\($0)", partition: p) })
            }
            try await mock.commitOffsets(group: "stuck", topic: "jobs", offsets: [0: 5, 1: 5])
            try await mock.commitOffsets(group: "done", topic: "jobs", offsets: [0: 20, 1: 20])
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-lag-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let config = dir.appendingPathComponent("config.toml")
            try """
                [contexts.mock]
                bootstrap = "\(mock.bootstrap)"
                groups = ["stuck", "done"]

                [contexts.mock.lag]
                stalled_after = "1s"
                stopped_after = 600
                """.write(to: config, atomically: true, encoding: .utf8)
            let base = ["get", "groups", "--config", config.path, "--context", "mock", "-o", "json"]

            let (s1, out1, err1) = try await BinaryTests.run(base)
            #expect(s1 == 0, "\(err1)")
            for g in try json(out1) {
                for k in ["status", "consume_rate", "produce_rate"] {
                    #expect(g[k] is NSNull, "\(k) without --sample: \(g)")
                }
                // Time lag needs one read only (its size depends on the wall clock: only its presence is checked).
                #expect(g["lag_seconds"] is Double || g["lag_seconds"] is Int, "\(g)")
            }

            let (s2, out2, err2) = try await BinaryTests.run(base + ["--sample", "2s"])
            #expect(s2 == 0, "\(err2)")
            let groups = Dictionary(uniqueKeysWithValues: try json(out2).map { ($0["group"] as! String, $0) })
            let stuck = try #require(groups["stuck"])
            #expect(stuck["status"] as? String == "STALLED", "\(stuck)")
            #expect(stuck["lag"] as? Int == 30)
            #expect(stuck["consume_rate"] as? Double == 0 && stuck["produce_rate"] as? Double == 0)
            #expect(stuck["falling_behind"] as? Bool == true && stuck["eta_seconds"] is NSNull)
            let done = try #require(groups["done"])
            #expect(done["status"] as? String == "OK" && done["eta_seconds"] as? Double == 0, "\(done)")

            let (s3, _, err3) = try await BinaryTests.run(base + ["--sample", "soon"])
            #expect(s3 == 2 && err3.contains("--sample expects a duration"), "\(err3)")
        }
    }

    /// A service whose groups change status on a script, one listing per read.
    final class ScriptedGroups: ClusterService, @unchecked Sendable {
        var script: [[(String, LagStatus?)]]
        var reads = 0
        init(_ script: [[(String, LagStatus?)]]) { self.script = script }
        func overview() async throws -> ClusterOverview { throw UserFacingError("unused") }
        func topics() async throws -> Partial<[TopicSummary]> { throw UserFacingError("unused") }
        func topic(named name: String) async throws -> TopicDetail { throw UserFacingError("unused") }
        func group(named name: String) async throws -> GroupDetail { throw UserFacingError("unused") }
        func groups() async throws -> Partial<[GroupSummary]> {
            let step = script[min(reads, script.count - 1)]
            reads += 1
            return Partial(step.map { name, status in
                let p = PartitionHealth(key: PartitionKey(topic: "t", partition: 0), status: status, reason: "why \(reads)", lag: 7)
                return GroupSummary(group: name, lag: 7, health: GroupHealth(group: name, partitions: [p]))
            })
        }
    }

    @Test func watchPrintsALinePerStatusChange() async throws {
        let service = ScriptedGroups([
            [("a", nil), ("b", .ok)],
            [("a", .ok), ("b", .ok)],
            [("a", .ok), ("b", .stalled)],
            [("a", .ok), ("b", .stalled)],
            [("a", .error), ("b", .ok)],
        ])
        let console = CommandRecorder()
        var slept: [Double] = []
        try await GroupLagSampling.watch(service, every: 5, format: .table, console: console, maxReads: 5,
                                         now: { Date(timeIntervalSince1970: 1_765_000_000) }, sleep: { slept.append($0) })
        let t = "2025-12-06T05:46:40Z"
        #expect(console.stdout == """
            \(t) b OK lag 7: t-0: why 1
            \(t) a OK lag 7: t-0: why 2
            \(t) b STALLED (was OK) lag 7: t-0: why 3
            \(t) a ERROR (was OK) lag 7: t-0: why 5
            \(t) b OK (was STALLED) lag 7: t-0: why 5

            """)
        #expect(slept == [5, 5, 5, 5])

        let jsonConsole = CommandRecorder()
        try await GroupLagSampling.watch(ScriptedGroups([[("g", .ok)], [("g", .stopped)]]), every: 1, format: .json,
                                         console: jsonConsole, maxReads: 2, now: { Date(timeIntervalSince1970: 0) }, sleep: { _ in })
        #expect(jsonConsole.stdout.split(separator: "\n").last == #"{"time":"1970-01-01T00:00:00Z","group":"g","status":"STOPPED","previous":"OK","lag":7,"lag_partial":false,"reason":"t-0: why 2"}"#)
    }

    @Test func sampleSpreadsItsReadsOverTheDuration() async throws {
        #expect(GroupLagSampling.sampleCount(1) == 2 && GroupLagSampling.sampleCount(10) == 3 && GroupLagSampling.sampleCount(600) == 13)
        let service = ScriptedGroups([[("g", .ok)]])
        var slept: [Double] = []
        _ = try await GroupLagSampling.sample(service, over: 10, sleep: { slept.append($0) })
        #expect(service.reads == 3 && slept == [5, 5])
    }

    @Test func lagThresholdsFromTheConfigFile() throws {
        let text = """
            [contexts.prod]
            bootstrap = ["k:9092"]
            [contexts.prod.lag]
            window = "15m"
            stalled_after = 90
            stopped_after = "1h30m"
            """
        let f = try ConfigFile.parse(text, path: "c.toml", environment: fakeEnvironment())
        #expect(f.context(named: "prod")?.lag == LagThresholds(window: 900, stalledAfter: 90, stoppedAfter: 5_400))
        for (bad, message) in [("stalled_after = \"soon\"", "expected a duration"), ("window = 0", "expected 1 to 604800 seconds"),
                               ("stalled_after = 600\nstopped_after = 60", "must not be shorter than stalled_after"),
                               ("stall_after = 60", "stall_after")] {
            let e = #expect(throws: ConfigError.self) {
                try ConfigFile.parse("[contexts.p]\n[contexts.p.lag]\n\(bad)\n", path: "c.toml", environment: fakeEnvironment())
            }
            #expect(e?.description.contains(message) == true, "\(bad): \(e?.description ?? "")")
        }
        #expect(LagThresholds.parseDuration("500ms") == 0.5 && LagThresholds.parseDuration("2h") == 7_200)
        #expect(LagThresholds.parseDuration("10x") == nil && LagThresholds.parseDuration("m") == nil)
    }
}
