import Foundation
import KafkaTestSupport
import Testing

/// The built `kafscope` binary's admin commands against the independent fake broker: exit status 1 and
/// nothing sent in read-only mode, JSON on stdout, the audit line in the log file, secrets nowhere.
@Suite(.serialized, .timeLimit(.minutes(3))) struct AdminBinaryTests {
    static var scenario: [String: Any] { [
        "topics": ["orders": ["partitions": [["leader": 1, "replicas": [1], "isr": [1], "end": 5]],
                              "configs": ["retention.ms": ["value": "86400000", "source": 1]]]],
        "broker_configs": ["1": ["ssl.keystore.password": ["value": "pw-on-broker", "sensitive": true, "source": 2]]],
        "acls": [["resource_type": 2, "name": "orders", "pattern": 3, "principal": "User:alice", "host": "*", "operation": 3, "permission": 3]],
    ] }

    func logDir() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-admin-binary-\(getpid())").path
    }

    @Test func readOnlyRefusesEveryAdminWriteWithExitStatusOneAndSendsNothing() async throws {
        try await IndependentBroker.with(brokers: 1, scenario: Self.scenario) { fake in
            let writes: [[String]] = [
                ["topic", "create", "t", "--partitions", "2", "--yes"],
                ["topic", "delete", "orders", "--yes"],
                ["topic", "add-partitions", "orders", "--total", "3", "--yes"],
                ["topic", "delete-records", "orders", "--before", "end", "--yes"],
                ["topic", "alter-config", "orders", "--set", "retention.ms=1", "--yes"],
                ["broker", "alter-config", "--default", "--set", "log.retention.ms=1", "--yes"],
                ["broker", "alter-config", "1", "--delete", "log.retention.ms", "--yes"],
            ]
            for args in writes {
                let (code, _, err) = try await BinaryTests.run(["-b", fake.bootstrap, "--readonly"] + args + ["-o", "json"],
                                                               env: ["XDG_STATE_HOME": logDir()])
                #expect(code == 1, "\(args)")
                #expect(err.contains("kafscope is in read-only mode"), "\(args): \(err)")
            }
            let writesSent = try await fake.requests().filter { [19, 20, 21, 37, 44].contains($0.apiKey) }
            #expect(writesSent.isEmpty, "read-only: not even a validation was sent")
        }
    }

    @Test func createJSONAuditLineAndMaskedBrokerConfigsFromTheBinary() async throws {
        try await IndependentBroker.with(brokers: 1, scenario: Self.scenario) { fake in
            let dir = logDir()
            let (code, out, err) = try await BinaryTests.run(["-b", fake.bootstrap, "topic", "create", "events", "--partitions", "2",
                                                              "-c", "cleanup.policy=compact", "--yes", "-o", "json"], env: ["XDG_STATE_HOME": dir])
            #expect(code == 0, "\(err)")
            #expect(out == #"{"topic":"events","action":"create","validate_only":false,"result":"ok","partitions":2,"replication_factor":1,"error":null}"# + "\n")
            let log = try String(contentsOfFile: dir + "/kafscope/kafscope.log", encoding: .utf8)
            #expect(log.contains(#"kind=topic-create write="create topic" target=events"#), "\(log.suffix(2000))")

            let (acode, acls, _) = try await BinaryTests.run(["-b", fake.bootstrap, "get", "acls", "--topic", "orders", "-o", "json"])
            #expect(acode == 0)
            #expect(acls == #"[{"principal":"User:alice","host":"*","operation":"READ","permission":"ALLOW","resource_type":"TOPIC","resource_name":"orders","pattern_type":"LITERAL"}]"# + "\n")

            let (bcode, broker, berr) = try await BinaryTests.run(["-b", fake.bootstrap, "describe", "broker", "1"])
            #expect(bcode == 0, "\(berr)")
            #expect(broker.contains("ssl.keystore.password  [sensitive]  dynamic_broker  yes        no"), "\(broker)")
            #expect(!broker.contains("pw-on-broker"))

            let (dcode, diff, derr) = try await BinaryTests.run(["-b", fake.bootstrap, "topic", "alter-config", "orders", "--set",
                                                                 "retention.ms=3600000", "--dry-run"])
            #expect(dcode == 0, "\(derr)")
            #expect(diff.hasPrefix("retention.ms: 86400000 (dynamic_topic) -> 3600000\nvalid: the broker would accept this change"))
        }
    }
}
