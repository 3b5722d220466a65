import Foundation
import KafkaTestSupport
import Testing

/// Issue 17 item 5: the demo's living groups (tansu and five real consumer processes, started by
/// demo.py as scripts/demo does) in the real terminal UI, reached with `:ctx tansu`. Each status
/// shows for its group. The demo's context uses short lag thresholds (30 s window, 10 s stalled,
/// 20 s stopped), so the statuses come from real offsets moving over time; the test only waits for
/// the screen (a generous hang guard: tansu's joins take ~20 s), it never times anything itself.
@Suite(.serialized, .timeLimit(.minutes(6))) struct LivingGroupsTmuxTests {
    static let expected = [
        ("billing-live", "OK"), ("search-reindex", "OK"), ("analytics-batch", "WARNING"),
        ("fraud-scorer", "STALLED"), ("legacy-export", "STOPPED"),
    ]

    /// The Groups screen row of `group`, if on screen.
    static func row(_ screen: String, _ group: String) -> String? {
        screen.split(separator: "\n").first { $0.contains(" \(group) ") }.map(String.init)
    }

    @Test func eachLivingGroupShowsItsStatusInTheDemo() async throws {
        let demo = try await DemoPeer.start()
        do {
            let home = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-living-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: home) }
            let tmux = try TmuxSession(command: [try kafscopeBinary(), "--config", demo.configPath, "--context", "demo"],
                                       width: 140, height: 30,
                                       environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8", "HOME": home.path,
                                                     "XDG_CONFIG_HOME": home.path, "XDG_STATE_HOME": home.path])
            defer { tmux.kill() }
            _ = try await tmux.waitFor { $0.contains("orders") }
            try tmux.type(":ctx tansu")
            try tmux.send("Enter")
            _ = try await tmux.waitFor { $0.contains("ctx tansu") }
            try tmux.type(":groups")
            try tmux.send("Enter")
            // Every group with its status at once (statuses move as the consumers do; all five hold
            // together once the joins are done and the thresholds have passed).
            let screen = try await tmux.waitFor(timeout: .seconds(240)) { s in
                Self.expected.allSatisfy { group, status in Self.row(s, group)?.contains(" \(status) ") == true }
            }
            // Members: the four running consumers are members of Stable groups; the stopped one has none.
            for (group, _) in Self.expected where group != "legacy-export" {
                let line = try #require(Self.row(screen, group))
                #expect(line.contains("Stable"), "\(line)")
            }
            #expect(Self.row(screen, "legacy-export")?.contains("Empty") == true, "\(screen)")
            // Falling behind says so in its ETA; the backlog being caught up has one.
            #expect(Self.row(screen, "analytics-batch")?.contains("behind") == true, "\(screen)")
            #expect(screen.contains("not OK"), "the title counts the groups in trouble:\n\(screen)")

            // The topic they all read: its consuming groups with the same statuses, worst first.
            try tmux.type(":topic deliveries")
            try tmux.send("Enter")
            _ = try await tmux.waitFor { $0.contains("Groups 5") }
            try tmux.send("Tab")
            try tmux.send("Tab")
            let topic = try await tmux.waitFor(timeout: .seconds(60)) { s in
                Self.expected.allSatisfy { group, status in Self.row(s, group)?.contains(" \(status) ") == true }
            }
            let order = Self.expected.map(\.0).compactMap { g in topic.range(of: " \(g) ").map { (g, $0.lowerBound) } }
                .sorted { $0.1 < $1.1 }.map(\.0)
            #expect(order.first == "legacy-export", "STOPPED first:\n\(topic)")
            // Enter opens the group: the member and each partition's committed offset.
            try tmux.send("Enter")
            let group = try await tmux.waitFor(timeout: .seconds(60)) { $0.contains("CURRENT-OFFSET") && $0.contains("legacy-export") }
            #expect(group.contains("deliveries") && group.contains("STOPPED"), "\(group)")
        } catch {
            await demo.stop()
            throw error
        }
        await demo.stop()
    }
}
