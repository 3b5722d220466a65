import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
import KafkaTestSupport
import Logging
import Testing
import WriteFlow
@testable import KafscopeApp

/// Configs (DescribeConfigs with synonyms, IncrementalAlterConfigs) and ACLs (DescribeAcls) against the
/// independent fake broker: neither tansu nor the librdkafka mock answers them, and the fake's
/// responses are encoded by kafka-python, so kafscope's codecs are checked against another implementation.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ConfigAclFakeBrokerTests {
    static let secret = "s3cret-Value"
    static let brokerSecret = "hunter2-on-disk"

    static func scenario() -> [String: Any] {
        let pw = "listener.name.internal.ssl.keystore.password"
        return [
            "topics": ["orders": [
                "partitions": [["leader": 1, "replicas": [1], "isr": [1]]],
                "configs": [
                    "retention.ms": ["value": "86400000", "source": 1, "default": "604800000",
                                     "synonyms": [["retention.ms", "86400000", 1], ["log.retention.ms", "604800000", 4]]],
                    "cleanup.policy": ["value": "delete", "source": 5, "synonyms": [["log.cleanup.policy", "delete", 5]]],
                    "min.insync.replicas": ["value": "1", "source": 5],
                ],
            ]],
            "broker_configs": [
                "1": [
                    "log.retention.ms": ["value": "604800000", "source": 4, "synonyms": [["log.retention.ms", "604800000", 4]]],
                    pw: ["value": brokerSecret, "sensitive": true, "source": 2, "synonyms": [[pw, brokerSecret, 2]]],
                    "broker.id": ["value": "1", "source": 4, "read_only": true],
                ],
                "": ["log.retention.ms": ["value": "604800000", "source": 5]],
            ],
            "acls": [
                ["resource_type": 2, "name": "orders", "pattern": 3, "principal": "User:alice", "host": "*", "operation": 3, "permission": 3],
                ["resource_type": 2, "name": "ord", "pattern": 4, "principal": "User:bob", "host": "10.0.0.1", "operation": 4, "permission": 3],
                ["resource_type": 2, "name": "*", "pattern": 3, "principal": "User:ops", "host": "*", "operation": 8, "permission": 3],
                ["resource_type": 2, "name": "payments", "pattern": 3, "principal": "User:alice", "host": "*", "operation": 2, "permission": 2],
                ["resource_type": 3, "name": "billing", "pattern": 3, "principal": "User:alice", "host": "*", "operation": 3, "permission": 3],
            ],
        ]
    }

    struct Rig {
        let fake: IndependentBroker
        let service: KafkaAdminService
        let console: RecordingConsole
        let log: RecordingLog

        func context(readOnly: Bool = false, json: Bool = false) -> GroupWriteContext {
            GroupWriteContext(location: "cluster fake", readOnly: readOnly, json: json,
                              driver: WriteDriver(console: console, logger: log.logger, user: "ops", printSuccess: !json))
        }

        /// validate_only of each IncrementalAlterConfigs the fake decoded.
        func alterFlags() async throws -> [Bool] {
            try await fake.requests(apiKey: 44).map { $0.request["validate_only"] as? Bool ?? false }
        }

        func value(_ resource: ConfigResource, _ key: String) async throws -> ConfigEntry? {
            try await service.describeConfigs(resource).first { $0.name == key }
        }

        /// Everything kafscope showed or logged.
        var everything: String { ([console.stdout, console.stderr] + console.asked + log.lines).joined(separator: "\n") }
    }

    func withRig(_ extra: [String: Any] = [:], canPrompt: Bool = false, answer: String? = nil,
                 _ body: (Rig) async throws -> Void) async throws {
        let scenario = Self.scenario().merging(extra) { _, new in new }
        try await IndependentBroker.with(brokers: 2, scenario: scenario) { fake in
            let config = KafkaClientConfig(bootstrap: try HostAddress.parseList(fake.bootstrap), clientId: "kafscope-test",
                                           requestTimeout: .seconds(10), maxReconnectBackoff: .milliseconds(200))
            let client = KafkaClient(config: config, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            let rig = Rig(fake: fake, service: KafkaAdminService(client: client),
                          console: RecordingConsole(canPrompt: canPrompt, answer: answer), log: RecordingLog())
            do { try await body(rig) } catch { await client.shutdown(); throw error }
            await client.shutdown()
        }
    }

    @Test func describeConfigsHasSourcesSynonymsAndNoSensitiveValue() async throws {
        try await withRig { rig in
            let topic = try await rig.service.describeConfigs(.topic("orders"))
            let retention = try #require(topic.first { $0.name == "retention.ms" })
            #expect(retention.value == "86400000" && retention.source == .topic)
            #expect(retention.synonyms == [ConfigSynonym(name: "retention.ms", value: "86400000", source: .topic),
                                           ConfigSynonym(name: "log.retention.ms", value: "604800000", source: .staticBroker)])
            let broker = try await rig.service.describeConfigs(.broker(1))
            let table = AdminFormat.configsTable(broker)
            let json = AdminFormat.configsJSON(broker).serialized()
            #expect(table.contains("listener.name.internal.ssl.keystore.password  [sensitive]  dynamic_broker  yes"), "\(table)")
            #expect(table.contains("broker.id                                     1            static_broker   no         yes"), "\(table)")
            #expect(json.contains(#"{"name":"broker.id","value":"1","source":"static_broker","sensitive":false,"read_only":true,"synonyms":[]}"#))
            // The fake sends the secret inside the synonym (a careless broker could): kafscope drops it.
            #expect(!table.contains(Self.brokerSecret) && !json.contains(Self.brokerSecret))
            let sent = try #require(try await rig.fake.requests(apiKey: 32).last)
            #expect(sent.request["include_synonyms"] as? Bool == true)
        }
    }

    /// `describe topic` lists where each non-default config is also defined (text) and every config with
    /// source, sensitive, read-only and synonyms (`config_details` in JSON), read with one DescribeConfigs.
    @Test func describeTopicShowsSynonyms() async throws {
        try await withRig { rig in
            let detail = try await rig.service.topic(named: "orders")
            let text = ClusterFormat.topicDetailText(detail)
            let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("retention.ms") }, "\(text)")
            #expect(row.contains("86400000") && row.contains("static_broker:log.retention.ms=604800000"), "\(row)")
            #expect(text.contains("CONFIG") && text.contains("SYNONYMS"))
            let json = ClusterFormat.topicDetailJSON(detail).serialized()
            #expect(json.contains(#"{"name":"retention.ms","value":"86400000","source":"dynamic_topic","sensitive":false,"read_only":false,"#
                + #""synonyms":[{"name":"retention.ms","value":"86400000","source":"dynamic_topic"},"#
                + #"{"name":"log.retention.ms","value":"604800000","source":"static_broker"}]}"#), "\(json)")
            #expect(json.contains(#""configs":{"#), "the name -> value object stays for scripts that read it")
            let sent = try #require(try await rig.fake.requests(apiKey: 32).last)
            #expect(sent.request["include_synonyms"] as? Bool == true)
        }
    }

    @Test func topicAlterConfigShowsTheDiffValidatesThenAppliesIncrementally() async throws {
        try await withRig(canPrompt: true, answer: "y") { rig in
            let code = await ConfigWriteCLI.alter(.topic("orders"), changes: [.set("retention.ms", "3600000"), .set("cleanup.policy", "compact"),
                                                                               .delete("min.insync.replicas")],
                                                  dryRun: false, yes: false, context: rig.context(), service: rig.service)
            #expect(code == 0, "\(rig.console.stderr)")
            let asked = try #require(rig.console.asked.first)
            #expect(asked.hasPrefix("""
                Change the configs of topic orders on cluster fake?
                  retention.ms: 86400000 (dynamic_topic) -> 3600000
                  cleanup.policy: delete (default) -> compact
                  min.insync.replicas: 1 (default) (unchanged)
                """), "\(asked)")
            let flags = try await rig.alterFlags()
            #expect(flags == [true, false], "the broker's verdict, then the change")
            let changes = try #require(try await rig.fake.requests(apiKey: 44).last?.note["changes"] as? [[Any]])
            #expect(changes.map { "\($0[0]) \($0[1])" } == ["retention.ms 0", "cleanup.policy 0", "min.insync.replicas 1"],
                    "SET, SET, DELETE: incremental operations, never the whole set")
            let retention = try await rig.value(.topic("orders"), "retention.ms")
            #expect(retention?.value == "3600000" && retention?.source == .topic)
            let policy = try await rig.value(.topic("orders"), "cleanup.policy")
            #expect(policy?.value == "compact" && policy?.source == .topic)
            #expect(rig.log.auditLines == [
                #"audit user=ops kind=config-change write="change the configs of topic" target=orders location="cluster fake" "#
                + #"result=ok sent=true resource="topic orders" changes="retention.ms: 86400000 (dynamic_topic) -> 3600000; "#
                + #"cleanup.policy: delete (default) -> compact" detail="changed 2 configs of topic orders""#])
        }
    }

    @Test func dryRunDeleteShowsTheFallbackAndChangesNothing() async throws {
        try await withRig { rig in
            let code = await ConfigWriteCLI.alter(.topic("orders"), changes: [.delete("retention.ms")], dryRun: true, yes: false,
                                                  context: rig.context(readOnly: true, json: true), service: rig.service)
            #expect(code == 0, "\(rig.console.stderr)")
            #expect(rig.console.stdout == #"{"resource_type":"topic","resource":"orders","dry_run":true,"result":"ok","changes":[{"key":"retention.ms","#
                + #""kind":"removed","old":"86400000","old_source":"dynamic_topic","new":null,"fallback":"604800000 (static_broker log.retention.ms)"}],"error":null}"#)
            let flags = try await rig.alterFlags()
            #expect(flags == [true], "a dry run only validates (allowed in read-only mode)")
            let retention = try await rig.value(.topic("orders"), "retention.ms")
            #expect(retention?.value == "86400000")
            #expect(rig.log.auditLines.isEmpty)
        }
    }

    @Test func refusedChangesShowTheBrokersCodeAndMessage() async throws {
        try await withRig(["refuse": ["44": ["orders": [44, "retention.ms below 1 hour is not allowed here"]]]]) { rig in
            let policy = await ConfigWriteCLI.alter(.topic("orders"), changes: [.set("retention.ms", "1000")], dryRun: false, yes: true,
                                                    context: rig.context(), service: rig.service)
            #expect(policy == 1)
            #expect(rig.console.stderr.contains("refusing to change the configs of topic orders on cluster fake: the broker refuses it: "
                + "POLICY_VIOLATION (44): retention.ms below 1 hour is not allowed here"), "\(rig.console.stderr)")
        }
        try await withRig(["refuse": ["44": ["": [31, "Cluster authorization failed."]]]]) { rig in
            let unknown = await ConfigWriteCLI.alter(.topic("orders"), changes: [.set("retention.msec", "1")], dryRun: true, yes: false,
                                                     context: rig.context(), service: rig.service)
            #expect(unknown == 1)
            #expect(rig.console.stderr.contains("the broker refuses it: INVALID_CONFIG (40): Unknown topic config name: retention.msec"))
            let bad = await ConfigWriteCLI.alter(.topic("orders"), changes: [.set("retention.ms", "a week")], dryRun: false, yes: true,
                                                 context: rig.context(), service: rig.service)
            #expect(bad == 1)
            #expect(rig.console.stderr.contains("INVALID_CONFIG (40): Invalid value a week for configuration retention.ms: Not a number of type LONG"))
            let readOnlyKey = await ConfigWriteCLI.alter(.broker(1), changes: [.set("broker.id", "7")], dryRun: false, yes: true,
                                                         context: rig.context(), service: rig.service)
            #expect(readOnlyKey == 1)
            #expect(rig.console.stderr.contains("INVALID_CONFIG (40): Cannot update these configs dynamically: [broker.id]"), "\(rig.console.stderr)")
            let denied = await ConfigWriteCLI.alter(.brokerDefault, changes: [.set("log.retention.ms", "1")], dryRun: false, yes: true,
                                                    context: rig.context(), service: rig.service)
            #expect(denied == 1)
            #expect(rig.console.stderr.contains("CLUSTER_AUTHORIZATION_FAILED (31): Cluster authorization failed."))
            let flags = try await rig.alterFlags()
            #expect(flags.allSatisfy { $0 }, "only validations were sent: \(flags)")
        }
    }

    @Test func brokerSecretsAreMaskedInDiffJSONAuditAndPrompt() async throws {
        try await withRig(canPrompt: true, answer: "y") { rig in
            let key = "listener.name.internal.ssl.keystore.password"
            let code = await ConfigWriteCLI.alter(.broker(1), changes: [.set(key, Self.secret)], dryRun: false, yes: false,
                                                  context: rig.context(json: true), service: rig.service)
            #expect(code == 0, "\(rig.console.stderr)")
            #expect(rig.console.asked.first?.contains("\(key): [sensitive] (dynamic_broker) -> [sensitive]") == true)
            #expect(rig.console.stdout.contains(#""old":"[sensitive]","old_source":"dynamic_broker","new":"[sensitive]""#))
            let described = AdminFormat.configsJSON(try await rig.service.describeConfigs(.broker(1))).serialized()
                + AdminFormat.configsTable(try await rig.service.describeConfigs(.broker(1)))
            #expect(described.contains(#""name":"listener.name.internal.ssl.keystore.password","value":"[sensitive]""#))
            #expect(!rig.everything.contains(Self.secret) && !rig.everything.contains(Self.brokerSecret), "\(rig.everything)")
            #expect(!described.contains(Self.secret) && !described.contains(Self.brokerSecret), "\(described)")
            // The broker got the real value, from broker 1's own connection.
            let sent = try #require(try await rig.fake.requests(apiKey: 44).last)
            #expect(sent.broker == 1)
            let changes = try #require(sent.note["changes"] as? [[Any]])
            #expect(changes.first?[2] as? String == Self.secret)

            // The cluster-wide default: resource name "" (any broker).
            let def = await ConfigWriteCLI.alter(.brokerDefault, changes: [.set("log.retention.ms", "86400000")], dryRun: false, yes: true,
                                                 context: rig.context(), service: rig.service)
            #expect(def == 0, "\(rig.console.stderr)")
            let last = try #require(try await rig.fake.requests(apiKey: 44).last)
            #expect((last.request["resources"] as? [[String: Any]])?.first?["resource_name"] as? String == "")
            #expect(rig.log.auditLines.last?.contains(#"target=default qualifier="(the cluster-wide broker default)""#) == true)
            let now = try await rig.value(.brokerDefault, "log.retention.ms")
            #expect(now?.value == "86400000" && now?.source == .dynamicDefaultBroker)
        }
    }

    @Test func readOnlyRefusesConfigChangesBeforeAnyRequest() async throws {
        try await withRig { rig in
            let topic = await ConfigWriteCLI.alter(.topic("orders"), changes: [.set("retention.ms", "1")], dryRun: false, yes: true,
                                                   context: rig.context(readOnly: true), service: rig.service)
            let broker = await ConfigWriteCLI.alter(.brokerDefault, changes: [.delete("log.retention.ms")], dryRun: false, yes: true,
                                                    context: rig.context(readOnly: true), service: rig.service)
            #expect(topic == 1 && broker == 1)
            let sent = try await rig.fake.requests(apiKey: 44)
            #expect(sent.isEmpty)
            #expect(rig.console.stderr.contains("refusing to change the configs of topic orders on cluster fake: kafscope is in read-only mode"))
            #expect(rig.log.auditLines.count == 2 && rig.log.auditLines.allSatisfy { $0.contains("result=refused sent=false") })
        }
    }

    @Test func describeAclsFiltersLikeKafka() async throws {
        try await withRig { rig in
            func names(_ f: AclFilter) async throws -> [String] {
                try await rig.service.describeAcls(f).map { "\($0.principal) \($0.operationName) \($0.permissionName) \($0.resourceTypeName):\($0.resourceName) \($0.patternTypeName)" }
            }
            let applying = try await names(.applying(toTopic: "orders"))
            #expect(applying == ["User:ops DESCRIBE ALLOW TOPIC:* LITERAL", "User:bob WRITE ALLOW TOPIC:ord PREFIXED",
                                 "User:alice READ ALLOW TOPIC:orders LITERAL"])
            let literal = try await names(AclFilter(resourceType: AclNames.topic, resourceName: "orders", pattern: .literal))
            #expect(literal == ["User:alice READ ALLOW TOPIC:orders LITERAL"])
            let prefixed = try await names(AclFilter(resourceType: AclNames.topic, resourceName: "ord", pattern: .prefixed))
            #expect(prefixed == ["User:bob WRITE ALLOW TOPIC:ord PREFIXED"])
            let alice = try await names(AclFilter(principal: "User:alice"))
            #expect(alice == ["User:alice READ ALLOW TOPIC:orders LITERAL", "User:alice ALL DENY TOPIC:payments LITERAL",
                              "User:alice READ ALLOW GROUP:billing LITERAL"])
            let group = try await rig.service.describeAcls(.applying(toGroup: "billing"))
            #expect(AdminFormat.aclsTable(group) == """
                PRINCIPAL   HOST  OPERATION  PERMISSION  RESOURCE-TYPE  RESOURCE-NAME  PATTERN-TYPE
                User:alice  *     READ       ALLOW       GROUP          billing        LITERAL

                """)
            #expect(AdminFormat.aclsJSON(group).serialized() == #"[{"principal":"User:alice","host":"*","operation":"READ","permission":"ALLOW","#
                + #""resource_type":"GROUP","resource_name":"billing","pattern_type":"LITERAL"}]"#)
            let sent = try #require(try await rig.fake.requests(apiKey: 29).first)
            #expect(sent.note["pattern"] as? Int == 2 && sent.note["name"] as? String == "orders", "MATCH on the wire")
        }
        try await withRig(["acl_error": [54, "No Authorizer is configured."]]) { rig in
            // A typed refusal (the TUI explains it instead of showing an empty list); the CLI's text is unchanged.
            let refused = await #expect(throws: AclListRefused.self) { _ = try await rig.service.describeAcls(.all) }
            #expect(refused?.refusal.code == 54)
            #expect(refused.map { String(describing: $0) } == "cannot list ACLs: SECURITY_DISABLED (54): No Authorizer is configured. "
                + "(no authorizer is configured on the cluster)")
        }
    }
}
