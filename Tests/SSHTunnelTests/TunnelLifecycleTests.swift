import Foundation
import KafkaTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// The jump host goes away under a running tail and comes back.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct TunnelLifecycleTests {
    /// Waits (polling, 90 s hang guard) until `done` holds; the failure message says what was seen.
    static func until(_ what: String, _ seen: @escaping () -> String, _ done: @escaping () -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(90))
        while !done() {
            if clock.now >= deadline { throw PeerError("gave up waiting for \(what); seen: \(seen().suffix(3000))") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static func records(_ text: String) -> [[String: Any]] { jsonLines(text) }

    /// sshd (and every session it forked) is killed while the tail runs; records produced during the
    /// outage and after it arrive once each, in offset order per partition, and stderr says what
    /// happened to the jump host and when it came back.
    @Test func aTailSurvivesTheJumpHostGoingAwayWithoutGapsOrDuplicates() async throws {
        try await withLabCluster { lab, cluster in
            try await cluster.createTopic("events", partitions: 3, replicationFactor: 1)
            var sent: [String] = []
            func produce(_ range: Range<Int>) async throws {
                let batch = range.map { i in MockCluster.Record(key: "k\(i)", value: "event-\(i)", partition: Int32(i % 3)) }
                sent += batch.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }
                try await cluster.produce(topic: "events", records: batch)
            }
            try await produce(0..<600)
            // Short keepalives so a silently dead link is noticed too; the kill here closes TCP anyway.
            let k = try Kafscope(lab: lab, bootstrap: cluster.labBootstrap)
            try k.trust(lab)
            let tail = try k.start(["tail", "events", "--from", "beginning", "-o", "json"])
            do {
                let count = { Self.records(tail.stdout).count }
                try await Self.until("the first 600 records", { tail.stdout + tail.stderr }) { count() >= 600 }

                await lab.killSSHD()
                try await Self.until("the tail to notice the jump host is gone", { tail.stderr }) {
                    tail.stderr.contains("SSH connection to root@\(lab.sshAddress):\(lab.sshPort) lost")
                }
                try await produce(600..<1200)       // written while the tunnel is down
                try await lab.startSSHD()
                try await Self.until("the records written during the outage", { tail.stdout + tail.stderr }) { count() >= 1200 }
                try await produce(1200..<1800)      // and after it
                try await Self.until("the records written after the outage", { tail.stdout + tail.stderr }) { count() >= 1800 }
                #expect(tail.isRunning, "the tail must keep running through the outage: \(tail.stderr)")
            } catch {
                await tail.stop()
                throw error
            }
            await tail.stop()

            let got = Self.records(tail.stdout)
            #expect(got.count == 1800, "\(got.count) records; stderr: \(tail.stderr)")
            #expect((got.compactMap { $0["value"] as? String }).sorted() == sent.sorted())
            // Per partition: offsets strictly increasing with no hole (the mock's offsets are dense).
            for p in 0..<3 {
                let offsets = got.filter { $0["partition"] as? Int == p }.compactMap { $0["offset"] as? Int }
                #expect(offsets == Array(0..<offsets.count), "partition \(p): \(offsets.prefix(20))...")
            }
            #expect(tail.stderr.contains("SSH connection to root@\(lab.sshAddress):\(lab.sshPort) re-established"), "\(tail.stderr)")
        }
    }

    /// A jump host whose SSH port refuses: the first attempt's reason ends the command (it used to
    /// wait for the background reconnect loop, which never ends while the host stays down). The
    /// harness's 120 s only keeps a hang from blocking the suite.
    @Test func aJumpHostThatRefusesEndsTheCommandWithTheReason() async throws {
        try await withLabCluster(brokers: 1) { lab, cluster in
            let k = try Kafscope(lab: lab, bootstrap: cluster.labBootstrap,
                                 sshTable: ["host": "root@\(lab.sshAddress):\(lab.sshPort + 1)"])
            try k.trust(lab)
            let r = try await k.run(["get", "topics"], timeout: .seconds(120))
            #expect(r.status != 0, "\(r.out)\(r.err)")
            #expect(r.err.contains("cannot reach SSH jump host root@\(lab.sshAddress):\(lab.sshPort + 1): connection refused"), "\(r.err)")
        }
    }
}
