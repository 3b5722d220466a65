import Foundation
import KafkaTestSupport
import Testing

// Issue 18 on the real screens: the `kafscope` binary in tmux against the independent fake broker
// (its answers are encoded by kafka-python; it honours validate_only and refuses like Kafka). From
// Topics, C creates a topic once the broker's verdict is on screen; the topic's config editor shows
// the broker's refusal of a bad value with code and message, then the diff old -> new and the verdict
// of a good one, and applies it; ctrl-d on the topic's detail deletes it once its name is typed.
// kcat -L (an independent client) sees the topic appear and go; the fake's request log shows each
// write validated first and sent once. Waits poll the screen (hang guards); what passes or fails is
// what the screen shows and what the cluster then holds.

private func kcatTopics(_ bootstrap: String) async throws -> [String: Int] {
    let doc = try #require(try await Kcat.json(["-b", bootstrap, "-L", "-J"]).first as? [String: Any])
    var out: [String: Int] = [:]
    for t in doc["topics"] as? [[String: Any]] ?? [] {
        if let name = t["topic"] as? String { out[name] = (t["partitions"] as? [Any])?.count ?? -1 }
    }
    return out
}

/// Waits for the screen to satisfy `predicate` and fails the test when it never does (`waitFor` only
/// returns the last capture).
private func waitUntil(_ tmux: TmuxSession, _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
                       _ predicate: (String) -> Bool) async throws -> String {
    let screen = try await tmux.waitFor(predicate)
    #expect(predicate(screen), "never on screen: \(what)\n\(screen)", sourceLocation: sourceLocation)
    return screen
}

@Suite(.serialized, .timeLimit(.minutes(4))) struct TopicAdminTmuxTests {
    /// Made to fail once by answering the delete's typed-name dialog with `y` (the wait for the name
    /// prompt passed, but "deleted topic audit-trail" never came and kcat still listed the topic).
    @Test func createATopicEditAConfigWithTheDiffThenDeleteItWithTheTypedName() async throws {
        let binary = try kafscopeBinary()
        let scenario: [String: Any] = ["topics": ["orders": ["partitions": [
            ["leader": 1, "replicas": [1], "isr": [1], "log_start": 0, "end": 5],
        ]]]]
        try await IndependentBroker.with(brokers: 2, scenario: scenario) { fake in
            let lab = try TUIHome("topicadmin", fakeBootstrap: fake.bootstrap)
            defer { lab.remove() }
            let tmux = try TmuxSession(command: [binary, "--config", lab.config.path, "--context", "fake"], width: 130, height: 34,
                                       environment: lab.environment())
            defer { tmux.kill() }
            _ = try await waitUntil(tmux, "orders") { $0.contains("orders") }

            // Create: the broker's verdict first, then the confirmation naming cluster and topic.
            try tmux.send("C")
            var screen = try await waitUntil(tmux, "Create a topic") { $0.contains("Create a topic") }
            try tmux.type("audit-trail")
            try tmux.send("Tab"); try tmux.type("2")
            try tmux.send("Tab"); try tmux.type("1")
            try tmux.send("Tab"); try tmux.type("cleanup.policy=compact")
            try tmux.send("Enter")
            screen = try await waitUntil(tmux, "the broker would create it: 2 partitions, replication factor 1.") { $0.contains("the broker would create it: 2 partitions, replication factor 1.") }
            #expect(try await kcatTopics(fake.bootstrap)["audit-trail"] == nil, "validation created nothing")
            try tmux.send("Enter")
            screen = try await waitUntil(tmux, "Really create topic?") { $0.contains("Really create topic?") }
            #expect(screen.contains("audit-trail on cluster fake"), "the dialog names topic and cluster:\n\(screen)")
            try tmux.send("y")
            screen = try await waitUntil(tmux, "created topic audit-trail") { $0.contains("created topic audit-trail") && !$0.contains("Create a topic") }
            #expect(try await kcatTopics(fake.bootstrap)["audit-trail"] == 2)
            let creates = try await fake.requests(apiKey: 19).map { $0.request["validate_only"] as? Bool ?? false }
            #expect(creates == [true, false], "validated, then created once")

            // Its configs: a bad value is refused with the broker's code and message; a good one shows the diff.
            try tmux.type(":topic audit-trail")
            try tmux.send("Enter")
            screen = try await waitUntil(tmux, "Topic audit-trail") { $0.contains("Topic audit-trail") && $0.contains("Partitions 2") }
            try tmux.send("E")
            screen = try await waitUntil(tmux, "Edit configs of topic audit-trail") { $0.contains("Edit configs of topic audit-trail") && $0.contains("cleanup.policy") }
            try tmux.send("a")
            try tmux.type("retention.ms=a week")
            try tmux.send("Enter")
            screen = try await waitUntil(tmux, "the broker refuses: INVALID_CONFIG (40): Invalid value a week for configuration") { $0.contains("the broker refuses: INVALID_CONFIG (40): Invalid value a week for configuration") }
            try tmux.send("a")
            try tmux.type("retention.ms=86400000")
            try tmux.send("Enter")
            screen = try await waitUntil(tmux, "the broker would accept this (validate-only)") { $0.contains("the broker would accept this (validate-only)") }
            #expect(screen.contains("Changes to topic audit-trail (old -> new):"), "the diff:\n\(screen)")
            #expect(screen.range(of: #"retention\.ms: .*-> 86400000"#, options: .regularExpression) != nil, "old -> new:\n\(screen)")
            try tmux.send("C-s")
            screen = try await waitUntil(tmux, "Really change the configs of topic?") { $0.contains("Really change the configs of topic?") }
            #expect(screen.contains("audit-trail on cluster fake") && screen.contains("-> 86400000"), "dialog with the diff:\n\(screen)")
            try tmux.send("y")
            screen = try await waitUntil(tmux, "changed 1 config of topic audit-trail") { $0.contains("changed 1 config of topic audit-trail") }
            screen = try await waitUntil(tmux, "retention.ms 86400000 dynamic_topic read back") { $0.range(of: #"retention\.ms\s+86400000\s+dynamic_topic"#, options: .regularExpression) != nil }
            let alters = try await fake.requests(apiKey: 44).map { $0.request["validate_only"] as? Bool ?? false }
            #expect(alters == [true, true, false], "two verdicts (refused, accepted), then one IncrementalAlterConfigs")

            // Delete from the topic's detail: the name must be typed.
            try tmux.send("Escape")
            screen = try await waitUntil(tmux, "Topic audit-trail") { $0.contains("Topic audit-trail") && $0.contains("Partitions 2") }
            try tmux.send("C-d")
            screen = try await waitUntil(tmux, "Type audit-trail to confirm:") { $0.contains("Type audit-trail to confirm:") }
            #expect(screen.contains("Really delete topic?"), "\(screen)")
            try tmux.type("audit-trail")
            try tmux.send("Enter")
            screen = try await waitUntil(tmux, "deleted topic audit-trail") { $0.contains("deleted topic audit-trail") }
            #expect(!screen.contains("Topic audit-trail"), "the detail of the deleted topic closed:\n\(screen)")
            #expect(try await kcatTopics(fake.bootstrap)["audit-trail"] == nil)
            #expect(try await fake.requests(apiKey: 20).count == 1)
        }
    }

    /// Against tansu, a real broker (CreateTopics, DeleteTopics) that applies a validate-only
    /// CreateTopics: the form says the broker ignored validate-only and created the topic instead of
    /// showing a verdict it did not give; the topic is then deleted from the list with its name typed.
    /// (kcat cannot talk to tansu: the topic list read again is the check.) Made to fail once by
    /// reporting the validation as accepted (the wait for "ignored validate-only" ran out).
    @Test func onTansuTheFormSaysTheBrokerCreatedWhileValidatingAndTheListDeletesIt() async throws {
        let binary = try kafscopeBinary()
        try await TansuBroker.with { tansu in
            let lab = try TUIHome("topicadmin-tansu", config: "[contexts.tansu]\nbootstrap = [\"\(tansu.bootstrap)\"]\nrefresh_seconds = 2\n")
            defer { lab.remove() }
            let tmux = try TmuxSession(command: [binary, "--config", lab.config.path, "--context", "tansu"], width: 140, height: 34,
                                       environment: lab.environment())
            defer { tmux.kill() }
            _ = try await waitUntil(tmux, "Topics") { $0.contains("Topics") }
            try tmux.send("C")
            _ = try await waitUntil(tmux, "Create a topic") { $0.contains("Create a topic") }
            try tmux.type("ledger")
            try tmux.send("Tab"); try tmux.type("3")
            try tmux.send("Enter")
            var screen = try await waitUntil(tmux, "ignored validate-only") {
                $0.contains("the broker ignored validate-only and created topic ledger while validating it")
            }
            #expect(!screen.contains("Really create topic?"), "no confirmation for a verdict the broker did not give:\n\(screen)")
            try tmux.send("Escape")
            screen = try await waitUntil(tmux, "ledger in the list") { $0.range(of: #"ledger\s+3\s"#, options: .regularExpression) != nil }
            try tmux.send("/")
            try tmux.type("^ledger$")
            try tmux.send("Enter")
            try tmux.send("C-d")
            screen = try await waitUntil(tmux, "Type ledger to confirm:") { $0.contains("Type ledger to confirm:") }
            #expect(screen.contains("3 partitions"), "what the topic holds:\n\(screen)")
            try tmux.type("ledger")
            try tmux.send("Enter")
            screen = try await waitUntil(tmux, "deleted topic ledger") { $0.contains("deleted topic ledger") }
            try tmux.send("Escape")
            screen = try await waitUntil(tmux, "ledger gone from the list") {
                $0.contains("Topics") && $0.range(of: #"ledger\s+3\s"#, options: .regularExpression) == nil
            }
        }
    }
}
