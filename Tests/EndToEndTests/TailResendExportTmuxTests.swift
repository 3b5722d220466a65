import Foundation
import KafkaTestSupport
import Testing

/// Issue 16 item 4 in the real binary (tmux) against the librdkafka mock: a record arrives in the
/// tail, is opened, re-sent with `P` to another topic (confirmation naming cluster and topic) and
/// read back there byte for byte; then `e` exports the tail's buffer to a JSONL file, which
/// `kafscope produce --format jsonl` writes into a third topic whose records are the source's,
/// byte for byte.
@Suite(.serialized, .timeLimit(.minutes(5))) struct TailResendExportTmuxTests {
    static func tailJSON(_ binary: String, _ topic: String, _ bootstrap: String) async throws -> [Substring] {
        let out = try await ChildProcess.check([binary, "tail", topic, "--from", "beginning", "--exit-at-end", "-o", "json",
                                               "-b", bootstrap])
        return out.split(separator: "\n")
    }

    /// Made to fail once by sending the composer's value as `Array(value.text.utf8)` for a kept
    /// binary value (the copy in "dst" was empty), and once by exporting with `\r\n` line ends
    /// (the export file differed from `tail -o json`'s lines).
    @Test func resendARecordThenExportTheBufferAndProduceItBack() async throws {
        let binary = try kafscopeBinary()
        try await MockCluster.with(brokers: 1) { mock in
            for (t, n) in [("src", 2), ("dst", 2), ("copy", 2)] {
                try await mock.createTopic(t, partitions: n, replicationFactor: 1)
            }
            let lab = try TUIHome("resend", mockBootstrap: mock.bootstrap)
            defer { lab.remove() }
            let home = lab.home, config = lab.config, env = lab.environment()

            let ui = try TmuxSession(command: [binary, "--config", config.path, "--context", "mock"], width: 120, height: 32,
                                     environment: env)
            defer { ui.kill() }
            _ = try await ui.waitFor { $0.contains("src") && $0.contains("copy") }
            try ui.type(":tail src")
            try ui.send("Enter")
            var screen = try await ui.waitFor { $0.contains("Tail src") && $0.contains("Waiting for new records") }
            #expect(screen.contains("Waiting for new records"), "tail caught up:\n\(screen)")

            // Three records into src (text with commas in a header, a tombstone, binary bytes last).
            let binaryValue = Data([0x00, 0xFF, 0x1B, 0x5B, 0x32, 0x4A, 0x0D, 0x0A, 0xC3, 0x28, 0x41])
            let input = home.appendingPathComponent("in.jsonl")
            try """
            {"partition":0,"key":"k1","value":"hello, world","headers":[{"key":"trace","value":"a,b=c"}]}
            {"partition":1,"key":"gone","value":null,"headers":[]}
            {"partition":1,"key":{"base64":"AP8="},"value":{"base64":"\(binaryValue.base64EncodedString())"},"headers":[{"key":"bin","value":{"base64":"AAE="}},{"key":"n","value":null}]}

            """.write(to: input, atomically: true, encoding: .utf8)
            try await ChildProcess.check([binary, "produce", "src", "--format", "jsonl", "--keep-partitions", "--file", input.path,
                                          "--yes", "-b", mock.bootstrap])
            screen = try await ui.waitFor { $0.contains("Tail src [3]") }
            #expect(screen.contains("Tail src [3]"), "three records in the tail:\n\(screen)")

            // The newest record (binary) is selected: open it, re-send it to dst.
            try ui.send("Enter")
            screen = try await ui.waitFor { $0.contains("Record src partition 1 offset 1") }
            try ui.type("P")
            screen = try await ui.waitFor { $0.contains("Produce to src") && $0.contains("re-sending src p1@1") }
            #expect(screen.contains("binary, 11 bytes, kept as is"), "the binary value kept:\n\(screen)")
            try ui.send("BTab", "BTab")
            try ui.send("C-u")
            try ui.type("dst")
            try ui.send("Tab")
            screen = try await ui.waitFor { $0.contains("(2 partitions)") && $0.contains("Topic") && $0.contains("dst") }
            try ui.send("C-s")
            screen = try await ui.waitFor { $0.contains("Really produce 1 record to topic?") }
            #expect(screen.contains("dst on cluster mock"), "confirmation names cluster and topic:\n\(screen)")
            #expect(screen.contains("a re-send of src partition 1 offset 1"), "\(screen)")
            try ui.type("y")
            screen = try await ui.waitFor { $0.contains("written to dst partition 1 at offset 0") }
            #expect(screen.contains("written to dst partition 1 at offset 0"), "where it went:\n\(screen)")

            // Read back: the copy in dst is the source record, byte for byte (key, value, headers).
            let source = try await Self.tailJSON(binary, "src", mock.bootstrap)
            let copied = try await Self.tailJSON(binary, "dst", mock.bootstrap)
            #expect(source.count == 3 && copied.count == 1, "\(source) \(copied)")
            let original = try #require(source.first { $0.contains("\"bin\"") })
            func without(_ line: Substring, _ fields: [String]) throws -> [String: String] {
                let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                var out: [String: String] = [:]
                for (k, v) in o where !fields.contains(k) {
                    out[k] = String(decoding: try JSONSerialization.data(withJSONObject: [v], options: [.sortedKeys]), as: UTF8.self)
                }
                return out
            }
            let a = try without(original, ["topic", "offset", "timestamp"])
            let b = try without(try #require(copied.first), ["topic", "offset", "timestamp"])
            #expect(a == b, "re-sent record differs:\n\(original)\n\(copied)")
            #expect(original.contains(binaryValue.base64EncodedString()))

            // Back to the tail; export its buffer.
            try ui.send("Escape")
            _ = try await ui.waitFor { $0.contains("Record src partition 1 offset 1") }
            try ui.send("Escape")
            _ = try await ui.waitFor { $0.contains("Tail src [3]") && !$0.contains("Record src") }
            let export = home.appendingPathComponent("export.jsonl")
            try ui.type("e")
            screen = try await ui.waitFor { $0.contains("Export 3 records to: src-") }
            #expect(screen.contains(".jsonl_"), "a default file name:\n\(screen)")
            try ui.send("C-u")
            try ui.type(export.path)
            try ui.send("Enter")
            screen = try await ui.waitFor { $0.contains("Exported 3 records") }
            #expect(screen.contains("Exported 3 records"), "the final line:\n\(screen)")
            #expect(screen.contains(export.path), "names the file:\n\(screen)")
            // Again to the same file: asked before overwriting; n keeps it.
            screen = try await Self.export(ui, to: export.path)
            #expect(screen.contains("exists: overwrite it? y/n"), "asked before overwriting:\n\(screen)")
            try ui.send("Escape", "Escape")

            // The export is tail -o json's lines exactly, and produce --format jsonl copies it byte for byte.
            let exported = try String(contentsOf: export, encoding: .utf8)
            #expect(Set(exported.split(separator: "\n")) == Set(source), "export vs tail -o json:\n\(exported)\n\(source)")
            try await ChildProcess.check([binary, "produce", "copy", "--format", "jsonl", "--keep-partitions", "--keep-timestamps",
                                          "--file", export.path, "--yes", "-b", mock.bootstrap])
            let copy = try await Self.tailJSON(binary, "copy", mock.bootstrap)
            let renamed = copy.map { $0.replacingOccurrences(of: "\"topic\":\"copy\"", with: "\"topic\":\"src\"") }
            #expect(Set(renamed) == Set(exported.split(separator: "\n").map(String.init)),
                    "copy vs export:\n\(renamed)\n\(exported)")
            #expect(copy.count == 3)
        }
    }
    /// `e` in the tail of src (three records), the path typed over the default, Enter; returns the screen
    /// once the path exists and the overwrite question is up.
    static func export(_ ui: TmuxSession, to path: String) async throws -> String {
        try ui.type("e")
        _ = try await ui.waitFor { $0.contains("Export 3 records to: src-") }
        try ui.send("C-u")
        try ui.type(path)
        try ui.send("Enter")
        return try await ui.waitFor { $0.contains("exists: overwrite it? y/n") }
    }

    /// Quitting while an export is still writing waits for it and tells its end on stderr after the
    /// screen is gone. The export goes to a named pipe nobody reads yet, so it cannot finish before the
    /// quit (a regular file always did); the test reads the pipe only once the quit is waiting.
    /// Made to fail once with TerminalUI dropping `reportsAfterExit` (stderr empty after quit).
    @Test func quittingWaitsForAnExportAndTellsItsEndOnStderr() async throws {
        let binary = try kafscopeBinary()
        try await MockCluster.with(brokers: 1) { mock in
            try await mock.createTopic("src", partitions: 1, replicationFactor: 1)
            let lab = try TUIHome("exportquit", mockBootstrap: mock.bootstrap)
            defer { lab.remove() }
            let pipe = lab.home.appendingPathComponent("pipe.jsonl")
            guard mkfifo(pipe.path, 0o600) == 0 else { throw PeerError("mkfifo \(pipe.path) failed") }
            let stderrFile = lab.home.appendingPathComponent("stderr.txt")
            let statusFile = lab.home.appendingPathComponent("status.txt")
            // The shell keeps the pane after kafscope exits only long enough to record how it ended.
            let script = "\"$0\" --config \"$1\" --context mock 2>\"$2\"; echo $? >\"$3\""
            let ui = try TmuxSession(command: ["/bin/sh", "-c", script, binary, lab.config.path, stderrFile.path, statusFile.path],
                                     width: 120, height: 32, environment: lab.environment())
            defer { ui.kill() }
            _ = try await ui.waitFor { $0.contains("src") }
            try ui.type(":tail src")
            try ui.send("Enter")
            _ = try await ui.waitFor { $0.contains("Tail src") && $0.contains("Waiting for new records") }
            try await mock.produce(topic: "src", records: (0..<3).map { MockCluster.Record(key: nil, value: Array("v\($0)".utf8), partition: 0) })
            var screen = try await ui.waitFor { $0.contains("Tail src [3]") }
            #expect(screen.contains("Tail src [3]"), "\(screen)")
            screen = try await Self.export(ui, to: pipe.path)
            #expect(screen.contains("exists: overwrite it? y/n"), "\(screen)")
            try ui.type("y")
            try ui.type(":q")
            try ui.send("Enter")
            screen = try await ui.waitFor { $0.contains("before quitting") }
            // (The line wraps: the path is long.)
            let joined = screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            #expect(joined.contains("Finishing the export of 3 records to \(pipe.path) before quitting"), "\(screen)")
            #expect(!FileManager.default.fileExists(atPath: statusFile.path), "kafscope did not wait for the export")

            // Now read the pipe: the export ends, then kafscope exits and says how it ended.
            let read = try await ChildProcess.check(["/bin/cat", pipe.path])
            #expect(read.split(separator: "\n").count == 3, "\(read)")
            var waited = 0
            while !FileManager.default.fileExists(atPath: statusFile.path), waited < 900 {
                try await Task.sleep(for: .milliseconds(100)); waited += 1
            }
            let status = try String(contentsOf: statusFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(status == "0")
            let stderr = try String(contentsOf: stderrFile, encoding: .utf8)
            #expect(stderr.contains("kafscope: Exported 3 records (") && stderr.contains(") to \(pipe.path)"), "stderr:\n\(stderr)")
        }
    }

    /// A re-send that keeps the original timestamp: the Timestamp field set to "original", the
    /// confirmation names the time, and the copy read back with `tail -o json` carries the source's
    /// timestamp (2020-01-02T03:04:05.678Z), not the time it was sent. Made to fail once by not passing
    /// `draft.timestamp` to the producer in ComposerProduceService (the copy had the time of sending).
    @Test func resendKeepsTheOriginalTimestampWhenAsked() async throws {
        let binary = try kafscopeBinary()
        try await MockCluster.with(brokers: 1) { mock in
            for t in ["src", "dst"] { try await mock.createTopic(t, partitions: 2, replicationFactor: 1) }
            let lab = try TUIHome("resend-ts", mockBootstrap: mock.bootstrap)
            defer { lab.remove() }
            let home = lab.home, config = lab.config, env = lab.environment()
            let ui = try TmuxSession(command: [binary, "--config", config.path, "--context", "mock"], width: 120, height: 32,
                                     environment: env)
            defer { ui.kill() }
            _ = try await ui.waitFor { $0.contains("src") && $0.contains("dst") }
            try ui.type(":tail src")
            try ui.send("Enter")
            _ = try await ui.waitFor { $0.contains("Tail src") && $0.contains("Waiting for new records") }

            let original: Int64 = 1_577_934_245_678  // 2020-01-02T03:04:05.678Z
            let input = home.appendingPathComponent("in.jsonl")
            try """
            {"partition":0,"timestamp":\(original),"key":"k1","value":"late order","headers":[]}

            """.write(to: input, atomically: true, encoding: .utf8)
            try await ChildProcess.check([binary, "produce", "src", "--format", "jsonl", "--keep-partitions", "--keep-timestamps",
                                          "--file", input.path, "--yes", "-b", mock.bootstrap])
            _ = try await ui.waitFor { $0.contains("Tail src [1]") }
            try ui.send("Enter")
            _ = try await ui.waitFor { $0.contains("Record src partition 0 offset 0") }
            try ui.type("P")
            var screen = try await ui.waitFor { $0.contains("re-sending src p0@0") }
            #expect(screen.contains("< now >") && screen.contains("now | original (2020-01-02T03:04:05.678Z)"),
                    "the default is now, the original is offered:\n\(screen)")
            // To dst, keeping the original timestamp.
            try ui.send("BTab", "BTab", "C-u")
            try ui.type("dst")
            try ui.send("Tab")
            _ = try await ui.waitFor { $0.contains("(2 partitions)") && $0.contains("dst") }
            try ui.send("Tab", "Tab", "Tab", "Tab", "Space")
            screen = try await ui.waitFor { $0.contains("< original >") }
            #expect(screen.contains("time  2020-01-02T03:04:05.678Z (the original's)"), "the preview says which:\n\(screen)")
            try ui.send("C-s")
            screen = try await ui.waitFor { $0.contains("Really produce 1 record to topic?") }
            #expect(screen.contains("timestamp: the original's, 2020-01-02T03:04:05.678Z"), "the confirmation says which:\n\(screen)")
            try ui.type("y")
            _ = try await ui.waitFor { $0.contains("written to dst partition 0 at offset 0") }

            let copied = try await Self.tailJSON(binary, "dst", mock.bootstrap)
            #expect(copied.count == 1, "\(copied)")
            let line = try #require(copied.first)
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect((o["timestamp"] as? NSNumber)?.int64Value == original, "\(copied)")
            #expect(o["timestamp_type"] as? String == "create_time", "\(copied)")
            #expect(o["value"] as? String == "late order", "\(copied)")
        }
    }
}
