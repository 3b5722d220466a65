import Foundation
import KafkaTestSupport
import Testing

/// `kafscope produce` run as a subprocess against the librdkafka mock: the tail -> produce round
/// trip, kcat-style lines, per-record failures and the write flow's refusals.
@Suite(.serialized) struct ProduceCLITests {
    static func binary() throws -> URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("kafscope")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let fallback = PeerEnvironment.repoRoot.appendingPathComponent(".build/debug/kafscope")
        guard FileManager.default.isExecutableFile(atPath: fallback.path) else { throw PeerError("kafscope binary not built") }
        return fallback
    }

    /// Runs kafscope without a controlling terminal (setsid) and with no user config.
    static func kafscope(_ args: [String], stdoutFile: URL? = nil) async throws -> CommandRunner.Output {
        var env = ProcessInfo.processInfo.environment
        env["XDG_CONFIG_HOME"] = "/nonexistent-kafscope-test"
        env["XDG_STATE_HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-test-state").path
        guard let setsid = PeerEnvironment.which("setsid") else { throw PeerError("peer missing: setsid (util-linux) is not on PATH") }
        return try await CommandRunner.run(setsid, ["-w", try binary().path] + args, environment: env, timeout: .seconds(120))
    }

    static func temp(_ name: String, _ contents: Data) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-produce-\(getpid())-\(name)")
        try contents.write(to: url)
        return url
    }

    @Test func tailToProduceCopiesATopicByteForByte() async throws {
        try await MockCluster.with(brokers: 3) { mock in
            try await mock.createTopic("src", partitions: 3, replicationFactor: 1)
            try await mock.createTopic("dst", partitions: 3, replicationFactor: 1)
            var source: [MockCluster.Record] = []
            for i in 0..<300 {
                let binaryKey: [UInt8] = [0xff, 0x00, UInt8(i & 0xff), 0xc3]  // not UTF-8
                let value: [UInt8]? = i % 7 == 0 ? nil : (i % 2 == 0 ? Array("text \(i) ✓".utf8) : [0x80, 0x00, 0x0a, UInt8(i & 0xff)])
                source.append(MockCluster.Record(key: i % 5 == 0 ? nil : binaryKey, value: value,
                                                 headers: [.init("h", [0xfe, UInt8(i & 0xff)]), .init("t", "x")],
                                                 partition: Int32(i % 3), timestamp: 1_600_000_000_000 + Int64(i)))
            }
            try await mock.produce(topic: "src", records: source)
            let tail = try await Self.kafscope(["tail", "src", "--from", "beginning", "--exit-at-end", "-o", "json", "-b", mock.bootstrap])
            #expect(tail.status == 0, "\(tail.stderr)")
            let file = try Self.temp("roundtrip.jsonl", Data(tail.stdout.utf8))
            let produce = try await Self.kafscope(["produce", "dst", "--format", "jsonl", "--keep-partitions", "--keep-timestamps",
                                                   "--file", file.path, "--yes", "-b", mock.bootstrap])
            #expect(produce.status == 0, "\(produce.stderr)")
            #expect(produce.stdout.contains("produced 300 records"), "\(produce.stdout)")
            let a = try await ConfluentPeer.consume(bootstrap: mock.bootstrap, topic: "src")
            let b = try await ConfluentPeer.consume(bootstrap: mock.bootstrap, topic: "dst")
            #expect(a.count == 300)
            #expect(a == b, "the copy differs")
        }
    }

    @Test func linesWithAKeySeparatorAndHeadersLikeKcat() async throws {
        try await MockCluster.with(brokers: 1) { mock in
            try await mock.createTopic("lines", partitions: 4, replicationFactor: 1)
            let file = try Self.temp("lines.txt", Data("k1::v1\nk2::v::2\nno-separator\n".utf8))
            let out = try await Self.kafscope(["produce", "lines", "-K", "::", "--header", "src=cli", "--compression", "zstd",
                                               "--file", file.path, "--yes", "-b", mock.bootstrap])
            #expect(out.status == 0, "\(out.stderr)")
            let read = try await ConfluentPeer.consume(bootstrap: mock.bootstrap, topic: "lines")
            let pairs = Set(read.map { "\($0.key.map { String(decoding: $0, as: UTF8.self) } ?? "null")=\(String(decoding: $0.value ?? [], as: UTF8.self))" })
            #expect(pairs == ["k1=v1", "k2=v::2", "null=no-separator"])
            #expect(read.allSatisfy { $0.headers == ["src"] && $0.headerValues == [Array("cli".utf8)] })
            #expect(out.stdout.contains("FIRST OFFSET"))
        }
    }

    /// `-K '\t'` as kcat takes it: a tab, not a backslash and a `t`. Made to fail once by passing -K's text
    /// through unescaped (`Array($0.utf8)` in ProduceCommand.send): every record got a null key.
    @Test func aKeySeparatorWithKcatsEscapes() async throws {
        try await MockCluster.with(brokers: 1) { mock in
            try await mock.createTopic("tabs", partitions: 2, replicationFactor: 1)
            let file = try Self.temp("tabs.tsv", Data("k1\tv1\nk2\tv\t2\nno-tab\n".utf8))
            let out = try await Self.kafscope(["produce", "tabs", "-K", "\\t", "--file", file.path, "--yes", "-b", mock.bootstrap])
            #expect(out.status == 0, "\(out.stderr)")
            let read = try await ConfluentPeer.consume(bootstrap: mock.bootstrap, topic: "tabs")
            let pairs = Set(read.map { "\($0.key.map { String(decoding: $0, as: UTF8.self) } ?? "null")=\(String(decoding: $0.value ?? [], as: UTF8.self))" })
            #expect(pairs == ["k1=v1", "k2=v\t2", "null=no-tab"])
        }
    }

    /// `tail -F app.log | kafscope produce logs --yes`: piped lines reach the topic while the pipe stays
    /// open (before, nothing went out until 2,000 lines or the end of input), and Ctrl-C then ends the
    /// run with exit 130, the summary and an audit line naming the interruption. Waits are for events
    /// (the records read back; the process's exit), each bounded only as a hang guard. Made to fail once
    /// by leaving ProduceInterrupt out of ProduceCommand.send (Ctrl-C killed the run by the signal: no summary, no audit line).
    @Test func pipedLinesGoOutAsReadAndCtrlCSendsWhatWasRead() async throws {
        try await MockCluster.with(brokers: 1) { mock in
            try await mock.createTopic("live", partitions: 1, replicationFactor: 1)
            let state = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-live-\(getpid())")
            try? FileManager.default.removeItem(at: state)
            var env = ProcessInfo.processInfo.environment
            env["XDG_CONFIG_HOME"] = "/nonexistent-kafscope-test"
            env["XDG_STATE_HOME"] = state.path
            let process = Process()
            process.executableURL = try Self.binary()
            process.arguments = ["produce", "live", "--yes", "-b", mock.bootstrap]
            process.environment = env
            let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
            process.standardInput = stdin
            process.standardOutput = stdout
            process.standardError = stderr
            // Waited for without blocking a thread of the test pool (set before run: no exit is missed).
            let (exited, exit) = AsyncStream<Void>.makeStream()
            process.terminationHandler = { _ in exit.yield(); exit.finish() }
            try process.run()
            defer { if process.isRunning { process.terminate() } }
            stdin.fileHandleForWriting.write(Data("l1\nl2\nl3\n".utf8))
            var seen: [ConfluentPeer.Message] = []
            for _ in 0..<60 where seen.count < 3 {
                seen = try await ConfluentPeer.consume(bootstrap: mock.bootstrap, topic: "live")
            }
            #expect(seen.map { String(decoding: $0.value ?? [], as: UTF8.self) } == ["l1", "l2", "l3"], "lines sent while the pipe is open")
            // An unfinished line when Ctrl-C comes is not sent.
            stdin.fileHandleForWriting.write(Data("half".utf8))
            process.interrupt()
            nonisolated(unsafe) let running = process
            let hangGuard = Task {
                try await Task.sleep(for: .seconds(60))
                if running.isRunning { running.terminate() }
            }
            for await _ in exited { break }
            hangGuard.cancel()
            let out = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let err = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationReason == .exit && process.terminationStatus == 130, "\(process.terminationReason.rawValue) \(process.terminationStatus) \(err)")
            #expect(out.contains("produced 3 records") && out.contains("interrupted (Ctrl-C) after input line 3"), "\(out)")
            let log = (try? String(contentsOf: state.appendingPathComponent("kafscope/kafscope.log"), encoding: .utf8)) ?? ""
            #expect(log.contains("audit ") && log.contains("interrupted (Ctrl-C)"), "\(log)")
            #expect(try await ConfluentPeer.consume(bootstrap: mock.bootstrap, topic: "live").count == 3)
        }
    }

    /// Lines go to the producer in chunks (ranges of one buffer); a record the broker refuses must still be
    /// named by its own line. The mock refuses the first Produce request (INVALID_RECORD, not retriable):
    /// the lines reported failed are exactly the lines missing from the topic.
    @Test func recordsTheBrokerRefusesAreNamedByTheirLines() async throws {
        try await MockCluster.with(brokers: 1) { mock in
            try await mock.createTopic("refused", partitions: 3, replicationFactor: 1)
            let count = 3_000
            let text = (1...count).map { "k\($0 % 97)::line-\($0)" }.joined(separator: "\n") + "\n"
            let file = try Self.temp("refused.txt", Data(text.utf8))
            try await mock.pushRequestErrors(apiKey: 0, codes: [87])
            let out = try await Self.kafscope(["produce", "refused", "-K", "::", "--file", file.path, "--yes", "-o", "json",
                                               "-b", mock.bootstrap])
            #expect(out.status == 1, "\(out.stderr)")
            let summary = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
            let failed = (summary?["failed"] as? [[String: Any]]) ?? []
            #expect(!failed.isEmpty, "\(out.stdout)")
            #expect(failed.allSatisfy { ($0["error"] as? String)?.contains("INVALID_RECORD") == true }, "\(failed.prefix(3))")
            let failedLines = Set(failed.compactMap { $0["line"] as? Int })
            let read = try await ConfluentPeer.consume(bootstrap: mock.bootstrap, topic: "refused")
            let present = Set(read.compactMap { $0.value.flatMap { Int(String(decoding: $0, as: UTF8.self).dropFirst(5)) } })
            #expect(present.count + failedLines.count == count)
            #expect(failedLines == Set(1...count).subtracting(present))
            // stderr names the first 20, a line each, and counts the rest; the JSON above has every one.
            #expect(out.stderr.components(separatedBy: "\n  line ").count - 1 == 20, "\(out.stderr)")
            #expect(out.stderr.contains("\n  ... and \(failed.count - 20) more"), "\(out.stderr)")
        }
    }

    @Test func aBadLineIsNamedAndExitsOneWhileTheRestIsSent() async throws {
        try await MockCluster.with(brokers: 1) { mock in
            try await mock.createTopic("mixed", partitions: 1, replicationFactor: 1)
            let file = try Self.temp("mixed.jsonl", Data("{\"key\":\"a\",\"value\":\"1\"}\n{not json\n{\"key\":null,\"value\":{\"base64\":\"AAE=\"}}\n".utf8))
            let out = try await Self.kafscope(["produce", "mixed", "--format", "jsonl", "--file", file.path, "--yes", "-b", mock.bootstrap])
            #expect(out.status == 1)
            // The failure is a line of its own under the headline (it used to follow a literal `\n`).
            #expect(out.stderr.contains("; 1 failed\n  line 2: not a JSON object\n"), "\(out.stderr)")
            let read = try await ConfluentPeer.consume(bootstrap: mock.bootstrap, topic: "mixed")
            #expect(read.map(\.value) == [Array("1".utf8), [0, 1]])
        }
    }

    @Test func readOnlyAndNoTerminalWithoutYesAreRefusedBeforeAnythingIsSent() async throws {
        try await MockCluster.with(brokers: 1) { mock in
            try await mock.createTopic("guarded", partitions: 1, replicationFactor: 1)
            let file = try Self.temp("guarded.txt", Data("x\n".utf8))
            let ro = try await Self.kafscope(["produce", "guarded", "--readonly", "--yes", "--file", file.path, "-b", mock.bootstrap])
            #expect(ro.status == 1)
            #expect(ro.stderr.contains("read-only"), "\(ro.stderr)")
            let noTTY = try await Self.kafscope(["produce", "guarded", "--file", file.path, "-b", mock.bootstrap])
            #expect(noTTY.status == 1)
            #expect(noTTY.stderr.contains("--yes"), "\(noTTY.stderr)")
            let missing = try await Self.kafscope(["produce", "no-such-topic", "--yes", "--file", file.path, "-b", mock.bootstrap])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("does not exist"), "\(missing.stderr)")
            let read = try await ConfluentPeer.consume(bootstrap: mock.bootstrap, topic: "guarded")
            #expect(read.isEmpty)
        }
    }
}
