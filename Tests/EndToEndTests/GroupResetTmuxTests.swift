import Foundation
import KafkaTestSupport
import Testing

// Issue 15 item 4 on the real screens: the `kafscope` binary in tmux against the librdkafka mock.
// From the group detail, R opens the reset form; its preview is on screen and follows the spec;
// Enter asks to confirm naming the group; y commits; the form then shows the offsets read back,
// and the group detail the new committed offsets and lag. Waits poll the screen (hang guards);
// what passes or fails is what the screen shows and what the cluster then holds.

/// `.build/debug/kafscope` under the repository root (or KAFSCOPE_BIN); built by `swift build`.
private func lines(_ s: String) -> [String] { s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

/// The table rows of topic orders (not the scope field's example text).
private func orderRows(_ s: String) -> [String] {
    lines(s).filter { $0.range(of: #"│\s*\S?\s*orders\s+\d"#, options: .regularExpression) != nil }
}

@Suite(.serialized, .timeLimit(.minutes(4))) struct GroupResetTmuxTests {
    /// Made to fail once by sending the form's Enter to the table (no write): the dialog never came
    /// and the wait for "Really reset offsets" ran out.
    @Test func resetFromTheGroupDetailWithThePreviewThenTheNewOffsetsAndLag() async throws {
        let binary = try kafscopeBinary()
        let mock = try await MockCluster.start(brokers: 3)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-reset-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        do {
            // orders: 3 partitions x 10 records; billing committed 4 on each (lag 6 each, 18 in all).
            try await mock.createTopic("orders", partitions: 3, replicationFactor: 1)
            for p in Int32(0)..<3 {
                try await mock.setLeader(topic: "orders", partition: p, broker: p + 1)
                try await mock.produce(topic: "orders", records: (0..<10).map { .init(key: nil, value: "v\($0)", partition: p) })
            }
            try await mock.commitOffsets(group: "billing", topic: "orders", offsets: [0: 4, 1: 4, 2: 4])
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            let brokers = mock.bootstrap.split(separator: ",").map { "\"\($0)\"" }.joined(separator: ", ")
            let config = home.appendingPathComponent("config.toml")
            try """
            [contexts.mock]
            bootstrap = [\(brokers)]
            groups = ["billing"]
            refresh_seconds = 2

            """.write(to: config, atomically: true, encoding: .utf8)
            let tmux = try TmuxSession(command: [binary, "--config", config.path, "--context", "mock"], width: 130, height: 32,
                                       environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8", "HOME": home.path,
                                                     "XDG_CONFIG_HOME": home.path, "XDG_STATE_HOME": home.path])
            defer { tmux.kill() }
            _ = try await tmux.waitFor { $0.contains("orders") }
            try tmux.type(":group billing")
            try tmux.send("Enter")
            var screen = try await tmux.waitFor { $0.contains("CURRENT-OFFSET") && $0.contains("lag 18") }
            #expect(screen.contains("<R> reset offsets"), "the key is offered:\n\(screen)")

            try tmux.send("R")
            screen = try await tmux.waitFor { $0.contains("3 partitions, 3 changing; lag 18 -> 30.") }
            #expect(screen.contains("Reset offsets of group billing"), "the form:\n\(screen)")
            #expect(screen.contains("to-earliest") && screen.contains("LAG-BEFORE") && screen.contains("LAG-AFTER"), "preview:\n\(screen)")
            // The preview follows the spec: to-offset, then a value past the end is clamped.
            try tmux.send("Right"); try tmux.send("Right")
            screen = try await tmux.waitFor { $0.contains("type an offset") }
            try tmux.send("Tab")
            try tmux.type("99")
            screen = try await tmux.waitFor { $0.contains("99 is past the log end: clamped to 10") }
            #expect(screen.contains("3 partitions, 3 changing; lag 18 -> 0."), "clamped plan:\n\(screen)")
            for _ in 0..<2 { try tmux.send("BSpace") }
            try tmux.type("7")
            screen = try await tmux.waitFor { $0.contains("3 partitions, 3 changing; lag 18 -> 9.") }
            let previewRows = orderRows(screen)
            #expect(previewRows.count == 3 && previewRows.allSatisfy { $0.contains(" 4 ") && $0.contains(" 7 ") }, "preview rows:\n\(screen)")

            try tmux.send("Enter")
            // Both dialog lines: a capture can land between the dialog's first and second drawn line.
            screen = try await tmux.waitFor {
                $0.contains("Really reset offsets of consumer group?") && $0.contains("billing (--to-offset 7, --all-topics) on cluster mock")
            }
            #expect(screen.contains("billing (--to-offset 7, --all-topics) on cluster mock"), "the dialog names the group:\n\(screen)")
            try tmux.send("y")
            screen = try await tmux.waitFor { $0.contains("applied; NEW and LAG-AFTER as read back") }
            let applied = orderRows(screen)
            #expect(applied.count == 3 && applied.allSatisfy { $0.contains(" 7 ") && $0.contains(" 3 ") }, "read back:\n\(screen)")

            try tmux.send("Escape")
            screen = try await tmux.waitFor { $0.contains("CURRENT-OFFSET") && $0.contains("lag 9") }
            let rows = orderRows(screen)
            #expect(rows.count == 3 && rows.allSatisfy { $0.contains(" 7 ") && $0.contains(" 10 ") }, "the group detail after:\n\(screen)")
        } catch {
            await mock.stop()
            throw error
        }
        await mock.stop()
    }
}
