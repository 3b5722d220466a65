import Foundation
import KafkaTestSupport
import Testing

/// The built binary against real peers (librdkafka mock cluster, its TLS/SASL gateway):
/// config and --command-config through the real client, JSON output, the terminal UI in tmux.
/// Needs the peers' venv (`scripts/setup`); fails loudly when it is missing.
@Suite(.serialized, .timeLimit(.minutes(3))) struct EndToEndCLITests {
    func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test func getTopicsAndBrokersJSONFromAMockCluster() async throws {
        try await MockCluster.with(brokers: 3) { cluster in
            try await cluster.createTopic("cli-e2e", partitions: 3, replicationFactor: 2)
            let (status, out, err) = try await BinaryTests.run(["get", "topics", "-b", cluster.bootstrap, "-o", "json"])
            #expect(status == 0, "\(err)")
            let topics = try #require(try json(out) as? [[String: Any]])
            let t = try #require(topics.first { $0["name"] as? String == "cli-e2e" })
            #expect(t["partitions"] as? Int == 3)
            #expect(t["replication_factor"] as? Int == 2)
            #expect(t["internal"] as? Bool == false)
            #expect(t["offline"] as? Int == 0)

            let (bs, bout, berr) = try await BinaryTests.run(["get", "brokers", "-b", cluster.bootstrap, "-o", "json"])
            #expect(bs == 0, "\(berr)")
            let brokers = try #require(try json(bout) as? [[String: Any]])
            #expect(brokers.count == 3)
            #expect(Set(brokers.compactMap { $0["id"] as? Int }) == [1, 2, 3])
            for b in brokers {
                #expect(Set(b.keys).isSuperset(of: ["id", "host", "port", "rack", "is_controller", "leader_count", "partition_count"]))
            }
        }
    }

    /// `kafscope tail T | head -1`: once the reader closes the pipe, kafscope exits 0 without a crash report.
    @Test func closedStdoutEndsTheTailQuietly() async throws {
        try await MockCluster.with(brokers: 1) { cluster in
            try await cluster.createTopic("piped", partitions: 1, replicationFactor: 1)
            // Far more than a pipe buffer holds, so kafscope is still writing when the pipe closes.
            let value = String(repeating: "x", count: 200)
            try await cluster.produce(topic: "piped", records: (0..<3000).map { .init(key: "k\($0)", value: value) })
            let (p, out, err) = try BinaryTests.start(["tail", "piped", "--from", "beginning", "-o", "text",
                                                       "-b", cluster.bootstrap])
            let first = out.fileHandleForReading.availableData
            #expect(!first.isEmpty)
            try out.fileHandleForReading.close()
            let deadline = Date().addingTimeInterval(20)
            while p.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
            if p.isRunning { p.terminate() }
            p.waitUntilExit()
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(p.terminationReason == .exit && p.terminationStatus == 0, "status \(p.terminationStatus): \(stderr)")
            #expect(!stderr.contains("Fatal error") && !stderr.contains("crashed"), "\(stderr)")
        }
    }

    @Test func commandConfigWithSASLPlainReachesTheGateway() async throws {
        try await MockCluster.with(brokers: 1, security: .sasl(["PLAIN"], users: ["alice": "alice-secret"])) { cluster in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            func props(_ password: String) throws -> String {
                let file = dir.appendingPathComponent("client-\(password.count).properties")
                try """
                    # as kafka-topics.sh --command-config reads it
                    bootstrap.servers=\(cluster.bootstrap)
                    security.protocol=SASL_PLAINTEXT
                    sasl.mechanism=PLAIN
                    sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \\
                        username="alice" password="\(password)";
                    """.write(to: file, atomically: true, encoding: .utf8)
                return file.path
            }
            let (ok, out, err) = try await BinaryTests.run(["get", "brokers", "--command-config", try props("alice-secret"), "-o", "json"])
            #expect(ok == 0, "\(err)")
            #expect((try json(out) as? [[String: Any]])?.count == 1)
            #expect(err.contains("unencrypted"))  // PLAIN over SASL_PLAINTEXT is flagged

            let (bad, _, berr) = try await BinaryTests.run(["get", "brokers", "--command-config", try props("wrong-pw-12345")])
            #expect(bad == 1)
            #expect(berr.contains("error: bootstrap"))
            #expect(berr.contains("SASL"))
            #expect(!berr.contains("wrong-pw-12345"))
        }
    }

    @Test func terminalUIStartsShowsTopicsAndQuits() async throws {
        try await MockCluster.with(brokers: 1) { cluster in
            try await cluster.createTopic("tui-e2e-topic", partitions: 2)
            let binary = try BinaryTests.binary().path
            let tag = "kafscope-cli-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            let exitFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(tag).exit").path
            let state = FileManager.default.temporaryDirectory.appendingPathComponent("\(tag)-state").path
            // TmuxSession spawns tmux with a clean signal mask and no inherited pipes; Foundation's
            // Process left the tmux client unreaped and hung the whole test run.
            let ui = try TmuxSession(
                command: ["sh", "-c", "'\(binary)' -b \(cluster.bootstrap); echo $? > '\(exitFile)'"],
                width: 100, height: 30,
                environment: ["XDG_STATE_HOME": state, "XDG_CONFIG_HOME": "/nonexistent"])
            defer { ui.kill() }
            let screen = try await ui.waitFor(timeout: .seconds(90)) { $0.contains("tui-e2e-topic") }
            #expect(screen.contains("tui-e2e-topic"), "screen was:\n\(screen)")
            try ui.send(":q", "Enter")
            // Waits for the event (the exit file written after kafscope returned); the 120 s bound only
            // ends a hang, it does not decide the result on a slow machine.
            var status: String?
            let deadline = ContinuousClock.now + .seconds(120)
            while status == nil && ContinuousClock.now < deadline {
                if let s = try? String(contentsOfFile: exitFile, encoding: .utf8), s.hasSuffix("\n") { status = s; break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(status?.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "kafscope did not exit after :q")
            // Logs went to the file, not the screen.
            let log = try String(contentsOfFile: state + "/kafscope/kafscope.log", encoding: .utf8)
            #expect(log.contains("terminal UI started"))
        }
    }
}
