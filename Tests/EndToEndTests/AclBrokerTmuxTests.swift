import Foundation
import KafkaTestSupport
import Testing

// Issue 18's read screens on the real binary in tmux, against the independent fake broker (its
// DescribeAcls and DescribeConfigs answers are encoded by kafka-python, never by kafscope's codecs):
// :acls lists the cluster's ACLs, then says what SECURITY_DISABLED means once the broker refuses;
// Enter on Brokers opens broker 1's configs with source, read-only flag and synonyms, the sensitive
// value masked (the fake sends its synonym's value in clear: it must never reach the screen); the topic detail's ACLs
// section lists what applies to the topic (literal, prefix, wildcard). Waits poll the screen (hang
// guards); what passes or fails is what the screen shows.

private func waitUntil(_ tmux: TmuxSession, _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
                       _ predicate: (String) -> Bool) async throws -> String {
    let screen = try await tmux.waitFor(predicate)
    #expect(predicate(screen), "never on screen: \(what)\n\(screen)", sourceLocation: sourceLocation)
    return screen
}

@Suite(.serialized, .timeLimit(.minutes(4))) struct AclBrokerTmuxTests {
    static let secret = "hunter2-in-clear"

    static func scenario() -> [String: Any] { [
        "topics": ["orders": ["partitions": [["leader": 1, "replicas": [1], "isr": [1], "log_start": 0, "end": 5]]]],
        "broker_configs": [
            "1": [
                "log.retention.ms": ["value": "86400000", "source": 3,
                                     "synonyms": [["log.retention.ms", "86400000", 3], ["log.retention.hours", "168", 4]]],
                "listener.name.internal.ssl.keystore.password": ["value": secret, "sensitive": true, "source": 2,
                                                                 "synonyms": [["listener.name.internal.ssl.keystore.password", secret, 2]]],
                "broker.id": ["value": "1", "source": 4, "read_only": true],
            ],
        ],
        "acls": [
            ["resource_type": 2, "name": "orders", "pattern": 3, "principal": "User:alice", "host": "*", "operation": 3, "permission": 3],
            ["resource_type": 2, "name": "ord", "pattern": 4, "principal": "User:bob", "host": "10.0.0.7", "operation": 4, "permission": 3],
            ["resource_type": 2, "name": "*", "pattern": 3, "principal": "User:ops", "host": "*", "operation": 8, "permission": 3],
            ["resource_type": 2, "name": "payments", "pattern": 3, "principal": "User:mallory", "host": "*", "operation": 2, "permission": 2],
            ["resource_type": 3, "name": "billing", "pattern": 3, "principal": "User:carol", "host": "*", "operation": 3, "permission": 3],
        ],
    ] }

    /// Made to fail once by letting the runtime treat the refusal as a plain failure (the wait for "No
    /// authorizer is configured on this cluster" then ran out; the rest of the test still passed).
    @Test func aclsAndTheBrokerDetailOnTheRealScreens() async throws {
        let binary = try kafscopeBinary()
        try await IndependentBroker.with(brokers: 2, scenario: Self.scenario()) { fake in
            let lab = try TUIHome("acls", fakeBootstrap: fake.bootstrap)
            defer { lab.remove() }
            let tmux = try TmuxSession(command: [binary, "--config", lab.config.path, "--context", "fake"], width: 140, height: 34,
                                       environment: lab.environment())
            defer { tmux.kill() }
            _ = try await waitUntil(tmux, "orders") { $0.contains("orders") }

            // :acls: every ACL with its seven fields.
            try tmux.type(":acls")
            try tmux.send("Enter")
            var screen = try await waitUntil(tmux, "the ACL list") { $0.contains("User:mallory") && $0.contains("User:carol") }
            for word in ["PRINCIPAL", "HOST", "OPERATION", "PERMISSION", "RESOURCE", "PATTERN", "10.0.0.7", "PREFIXED", "DENY",
                         "TOPIC", "GROUP", "billing", "* (all)"] {
                #expect(screen.contains(word), "\(word) on :acls\n\(screen)")
            }
            #expect(screen.contains("ACLs [5] 1 deny"), "\(screen)")
            // Filtered like the other lists.
            try tmux.send("/")
            try tmux.type("bob")
            try tmux.send("Enter")
            screen = try await waitUntil(tmux, "only bob") { !$0.contains("User:alice") && $0.contains("User:bob") }

            // The broker refuses: the screen says what that means, not "No ACLs".
            try await fake.set(["acl_error"], to: [54, "No Authorizer is configured on the broker"])
            try tmux.send("Escape")
            try tmux.send("r")
            screen = try await waitUntil(tmux, "No authorizer is configured") { $0.contains("No authorizer is configured on this cluster") }
            #expect(screen.contains("SECURITY_DISABLED"), "\(screen)")
            #expect(!screen.contains("No ACLs"), "\(screen)")
            try await fake.set(["acl_error"], to: NSNull())

            // Brokers -> Enter: broker 1's configs.
            try tmux.type(":brokers")
            try tmux.send("Enter")
            _ = try await waitUntil(tmux, "the broker list") { $0.contains("Brokers") && $0.contains("ADDRESS") }
            try tmux.send("Enter")
            screen = try await waitUntil(tmux, "broker 1's configs") { $0.contains("Broker 1") && $0.contains("log.retention.ms") }
            #expect(screen.contains("dynamic cluster default"), "\(screen)")
            #expect(screen.contains("[sensitive]"), "\(screen)")
            #expect(screen.contains("ro"), "\(screen)")
            #expect(!screen.contains(Self.secret), "the sensitive value stays masked\n\(screen)")
            // Enter on log.retention.ms (the second row by name) lists its synonyms.
            try tmux.send("/")
            try tmux.type("log.retention")
            try tmux.send("Enter")
            try tmux.send("Enter")
            screen = try await waitUntil(tmux, "synonyms of log.retention.ms") { $0.contains("Synonyms of log.retention.ms") && $0.contains("log.retention.hours") }
            #expect(!screen.contains(Self.secret), "\(screen)")

            // The topic detail's ACLs: literal, prefix and wildcard; not payments' DENY.
            try tmux.type(":topic orders")
            try tmux.send("Enter")
            _ = try await waitUntil(tmux, "the ACL tab") { $0.contains("Topic orders") && $0.contains("ACLs 3") }
            for _ in 0..<3 { try tmux.send("Tab") }
            screen = try await waitUntil(tmux, "the applying ACLs") { $0.contains("prefix ord") && $0.contains("wildcard *") }
            #expect(screen.contains("User:alice") && screen.contains("literal"), "\(screen)")
            #expect(!screen.contains("User:mallory"), "\(screen)")
        }
    }
}
