import Foundation
import KafkaTestSupport
import Testing

/// The produce composer in the real binary (tmux) against the librdkafka mock: a record composed
/// in one kafscope (key, a value through $EDITOR, a header, an explicit partition), confirmed in a
/// dialog naming cluster and topic, shows up in the tail of a second kafscope, and kcat reads it
/// back byte for byte. The read-only context offers no produce key.
@Suite(.serialized, .timeLimit(.minutes(4))) struct ProduceComposerTmuxTests {
    @Test func aRecordComposedInTheTUIArrivesInTheTail() async throws {
        let binary = try kafscopeBinary()
        try await MockCluster.with(brokers: 1) { mock in
            try await mock.createTopic("orders", partitions: 3, replicationFactor: 1)
            try await mock.createTopic("other", partitions: 1, replicationFactor: 1)
            let lab = try TUIHome("composer", config: """
            [contexts.mock]
            bootstrap = ["\(mock.bootstrap)"]

            [contexts.mock-ro]
            bootstrap = ["\(mock.bootstrap)"]
            read_only = true
            """)
            defer { lab.remove() }
            let home = lab.home, config = lab.config
            // The "editor": prefixes what it was given, as a person editing the file would change it.
            let editor = home.appendingPathComponent("editor.sh")
            try "#!/bin/sh\nprintf 'edited: %s\\n' \"$(cat \"$1\")\" > \"$1.new\" && mv \"$1.new\" \"$1\"\n"
                .write(to: editor, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: editor.path)
            let env = lab.environment(["EDITOR": editor.path, "VISUAL": ""])

            // The tail, open before anything is produced.
            let tail = try TmuxSession(command: [binary, "--config", config.path, "--context", "mock"], width: 120, height: 30,
                                       environment: env)
            defer { tail.kill() }
            _ = try await tail.waitFor { $0.contains("orders") }
            try tail.type(":tail orders")
            try tail.send("Enter")
            var screen = try await tail.waitFor { $0.contains("Tail orders") && $0.contains("Waiting for new records") }
            #expect(screen.contains("Waiting for new records"), "tail caught up before producing:\n\(screen)")

            // The composer in a second kafscope.
            let ui = try TmuxSession(command: [binary, "--config", config.path, "--context", "mock"], width: 120, height: 30,
                                     environment: env)
            defer { ui.kill() }
            _ = try await ui.waitFor { $0.contains("orders") && $0.contains("other") }
            try ui.type("/^orders$")
            try ui.send("Enter")
            _ = try await ui.waitFor { !$0.contains("other") }
            try ui.type("P")
            screen = try await ui.waitFor { $0.contains("Produce to orders") && $0.contains("(3 partitions)") }
            #expect(screen.contains("Produce to orders"), "composer open:\n\(screen)")
            try ui.type("hello from tmux")
            try ui.send("C-o")
            screen = try await ui.waitFor { $0.contains("edited: hello from tmux") }
            #expect(screen.contains("edited: hello from tmux"), "value from $EDITOR:\n\(screen)")
            try ui.send("BTab")
            try ui.type("k-tmux")
            try ui.send("Tab", "Tab")
            try ui.type("src=tmux")
            try ui.send("Tab")
            try ui.type("2")
            screen = try await ui.waitFor { $0.contains("Sends: key 6 bytes, value 23 bytes, 1 header") }
            #expect(screen.contains("Sends: key 6 bytes, value 23 bytes, 1 header"), "preview:\n\(screen)")
            try ui.send("C-s")
            screen = try await ui.waitFor { $0.contains("Really produce 1 record to topic?") }
            #expect(screen.contains("orders on cluster mock"), "confirmation names cluster and topic:\n\(screen)")
            try ui.type("y")
            screen = try await ui.waitFor { $0.contains("written to orders partition 2 at offset 0") }
            #expect(screen.contains("written to orders partition 2 at offset 0"), "assigned partition and offset:\n\(screen)")

            // The tail sees it.
            screen = try await tail.waitFor { $0.contains("edited: hello from tmux") }
            let row = screen.split(separator: "\n").first { $0.contains("edited: hello from tmux") }
            #expect(row?.contains("k-tmux") == true, "the record in the tail:\n\(screen)")
            // kcat reads exactly what was composed.
            let read = try await Kcat.json(["-C", "-b", mock.bootstrap, "-t", "orders", "-p", "2", "-o", "beginning", "-e", "-J", "-q"])
                .compactMap { $0 as? [String: Any] }
            #expect(read.count == 1)
            #expect(read.first?["key"] as? String == "k-tmux")
            #expect(read.first?["payload"] as? String == "edited: hello from tmux")
            #expect((read.first?["headers"] as? [String]) == ["src", "tmux"])

            // Read-only: no produce key; P says why and opens nothing.
            let ro = try TmuxSession(command: [binary, "--config", config.path, "--context", "mock-ro"], width: 120, height: 30,
                                     environment: env)
            defer { ro.kill() }
            _ = try await ro.waitFor { $0.contains("orders") }
            try ro.type("P")
            screen = try await ro.waitFor { $0.contains("Read-only mode") }
            #expect(screen.contains("Read-only mode"), "P refused in read-only:\n\(screen)")
            #expect(!screen.contains("Produce to"))
        }
    }
}
