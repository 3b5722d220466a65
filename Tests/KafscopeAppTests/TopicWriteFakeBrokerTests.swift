import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
import KafkaTestSupport
import Logging
import Testing
import WriteFlow
@testable import KafscopeApp

/// `kafscope topic create|delete|add-partitions|delete-records` against the independent fake broker
/// (responses encoded by kafka-python; it honours validate_only, refuses like Kafka), each change
/// checked with kcat -L (an independent client) and with the requests the fake decoded.
@Suite(.serialized, .timeLimit(.minutes(3))) struct TopicWriteFakeBrokerTests {
    struct Rig {
        let fake: IndependentBroker
        let client: KafkaClient
        let service: KafkaAdminService
        let console: RecordingConsole
        let log: RecordingLog

        func context(readOnly: Bool = false, json: Bool = false) -> GroupWriteContext {
            GroupWriteContext(location: "cluster fake", readOnly: readOnly, json: json,
                              driver: WriteDriver(console: console, logger: log.logger, user: "ops", printSuccess: !json))
        }

        /// kcat -L: topic name -> partition count.
        func kcatTopics() async throws -> [String: Int] {
            let doc = try #require(try await Kcat.json(["-b", fake.bootstrap, "-L", "-J"]).first as? [String: Any])
            var out: [String: Int] = [:]
            for t in doc["topics"] as? [[String: Any]] ?? [] {
                if let name = t["topic"] as? String { out[name] = (t["partitions"] as? [Any])?.count ?? -1 }
            }
            return out
        }

        /// validate_only of each CreateTopics (19) / CreatePartitions (37) the fake decoded.
        func validateFlags(_ api: Int16) async throws -> [Bool] {
            try await fake.requests(apiKey: api).map { $0.request["validate_only"] as? Bool ?? false }
        }
    }

    static var orders: [String: Any] { ["partitions": (0..<3).map { i in
        ["leader": i % 2 + 1, "replicas": [i % 2 + 1, (i + 1) % 2 + 1], "isr": [i % 2 + 1, (i + 1) % 2 + 1], "log_start": 2, "end": 10]
    }] }

    func withRig(_ scenario: [String: Any] = [:], canPrompt: Bool = false, answer: String? = nil,
                 _ body: (Rig) async throws -> Void) async throws {
        var scenario = scenario
        scenario["topics"] = scenario["topics"] ?? ["orders": Self.orders]
        try await IndependentBroker.with(brokers: 2, scenario: scenario) { fake in
            let config = KafkaClientConfig(bootstrap: try HostAddress.parseList(fake.bootstrap), clientId: "kafscope-test",
                                           requestTimeout: .seconds(10), maxReconnectBackoff: .milliseconds(200))
            let client = KafkaClient(config: config, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            let rig = Rig(fake: fake, client: client, service: KafkaAdminService(client: client),
                          console: RecordingConsole(canPrompt: canPrompt, answer: answer), log: RecordingLog())
            do { try await body(rig) } catch { await client.shutdown(); throw error }
            await client.shutdown()
        }
    }

    @Test func createValidatesFirstThenCreatesOnceAndKcatSeesIt() async throws {
        try await withRig { rig in
            let topic = NewTopic(name: "payments", partitions: 4, replicationFactor: 2, configs: [ConfigSetting("retention.ms", "86400000")])
            let code = await TopicWriteCLI.create(topic, validateOnly: false, yes: true, context: rig.context(), service: rig.service)
            #expect(code == 0, "\(rig.console.stderr)")
            let v1 = try await rig.validateFlags(19)
            #expect(v1 == [true, false], "the broker's verdict first, then the one real request")
            let v2 = try await rig.kcatTopics()["payments"]
            #expect(v2 == 4)
            #expect(rig.console.stdout == "created topic payments")
            #expect(rig.log.auditLines == [
                #"audit user=ops kind=topic-create write="create topic" target=payments location="cluster fake" result=ok sent=true "#
                + #"topic=payments partitions=4 replication_factor=2 configs="retention.ms=86400000" detail="created topic payments""#])
            // The config reached the broker as given.
            let sent = try #require(try await rig.fake.requests(apiKey: 19).last?.request["topics"] as? [[String: Any]])
            let configs = try #require(sent.first?["configs"] as? [[String: Any]])
            #expect(configs.first?["name"] as? String == "retention.ms" && configs.first?["value"] as? String == "86400000")
        }
    }

    @Test func validateOnlyAsksTheBrokerAndCreatesNothing() async throws {
        try await withRig { rig in
            let code = await TopicWriteCLI.create(NewTopic(name: "payments", partitions: nil), validateOnly: true, yes: false,
                                                  context: rig.context(json: true), service: rig.service)
            #expect(code == 0, "\(rig.console.stderr)")
            let v3 = try await rig.validateFlags(19)
            #expect(v3 == [true])
            let v4 = try await rig.kcatTopics()["payments"]
            #expect(v4 == nil)
            // The broker's defaults (-1 sent) come back in its answer (CreateTopics v5+).
            #expect(rig.console.stdout == #"{"topic":"payments","action":"create","validate_only":true,"result":"ok","partitions":1,"replication_factor":1,"error":null}"#)
            #expect(rig.log.auditLines.isEmpty, "validation is not a write")
        }
    }

    @Test func refusedCreatesShowTheBrokersCodeAndMessageAndSendNothingReal() async throws {
        let scenario: [String: Any] = [
            "create_policy": ["min_replication_factor": 2, "message": "topics on this cluster need replication factor 2 or more"],
            "refuse": ["19": ["secret": [29, "Authorization failed."]]],
        ]
        try await withRig(scenario) { rig in
            let cases: [(NewTopic, String)] = [
                (NewTopic(name: "solo", partitions: 1, replicationFactor: 1),
                 "POLICY_VIOLATION (44): topics on this cluster need replication factor 2 or more"),
                (NewTopic(name: "wide", partitions: 1, replicationFactor: 3),
                 "INVALID_REPLICATION_FACTOR (38): Replication factor: 3 larger than available brokers: 2."),
                (NewTopic(name: "typo", partitions: 1, replicationFactor: 2, configs: [ConfigSetting("retention.ms", "a week")]),
                 "INVALID_CONFIG (40): Invalid value a week for configuration retention.ms: Not a number of type LONG"),
                (NewTopic(name: "secret", partitions: 1, replicationFactor: 2), "TOPIC_AUTHORIZATION_FAILED (29): Authorization failed."),
            ]
            for (topic, expected) in cases {
                let code = await TopicWriteCLI.create(topic, validateOnly: false, yes: true, context: rig.context(), service: rig.service)
                #expect(code == 1)
                #expect(rig.console.stderr.contains("error: refusing to create topic \(topic.name) on cluster fake: the broker refuses it: \(expected)"),
                        "\(rig.console.stderr)")
            }
            let v5 = try await rig.validateFlags(19)
            #expect(v5 == [true, true, true, true], "only validations were sent")
            let v6 = try await rig.kcatTopics()
            #expect(v6.keys.sorted() == ["orders"])
            #expect(rig.log.auditLines.count == 4 && rig.log.auditLines.allSatisfy { $0.contains("result=refused sent=false") })
        }
    }

    @Test func addPartitionsValidatesWarnsAboutKeysAndGrowsTheTopic() async throws {
        try await withRig(canPrompt: true, answer: "y") { rig in
            let code = await TopicWriteCLI.addPartitions(topic: "orders", total: 5, validateOnly: false, yes: false,
                                                         context: rig.context(), service: rig.service)
            #expect(code == 0, "\(rig.console.stderr)")
            let asked = try #require(rig.console.asked.first)
            #expect(asked.hasPrefix("Add partitions to topic orders (to 5 in total) on cluster fake?\n  3 -> 5 partitions (2 new).\n"))
            #expect(asked.contains("Records with a key will map to other partitions"))
            let v7 = try await rig.validateFlags(37)
            #expect(v7 == [true, false])
            let v8 = try await rig.kcatTopics()["orders"]
            #expect(v8 == 5)
            #expect(rig.log.auditLines.last?.contains("kind=topic-partitions") == true)
            #expect(rig.log.auditLines.last?.contains("partitions=3->5") == true)

            // Fewer than it has: refused before any CreatePartitions, with the count named.
            let fewer = await TopicWriteCLI.addPartitions(topic: "orders", total: 4, validateOnly: true, yes: false,
                                                          context: rig.context(), service: rig.service)
            #expect(fewer == 1)
            #expect(rig.console.stderr.contains("topic orders already has 5 partitions: partitions can only be added"))
            let v9 = try await rig.validateFlags(37)
            #expect(v9.count == 2)
        }
    }

    @Test func deleteRecordsMovesTheLogStartAndSaysHowManyGo() async throws {
        try await withRig(canPrompt: true, answer: "orders") { rig in
            let code = await TopicWriteCLI.deleteRecords(topic: "orders", partitions: [0, 2], before: 6, yes: false,
                                                         context: rig.context(json: true), service: rig.service)
            #expect(code == 0, "\(rig.console.stderr)")
            let asked = try #require(rig.console.asked.first)
            #expect(asked.contains("partition 0: log start 2 -> 6 (4 records, end 10)"))
            #expect(asked.contains("8 records deleted in all; this cannot be undone"))
            #expect(asked.hasSuffix("Type orders to confirm: "), "irreversible: the topic's name is typed")
            let shape = try #require(try await rig.service.topicShape("orders"))
            #expect(shape.earliest == [0: 6, 1: 2, 2: 6])
            #expect(rig.console.stdout == #"{"topic":"orders","action":"delete-records","validate_only":false,"result":"ok","partitions":["#
                + #"{"partition":0,"low_watermark":6,"error":null},{"partition":2,"low_watermark":6,"error":null}],"error":null}"#)
            #expect(rig.log.auditLines.last?.contains(#"log_start="0 2->6, 2 2->6""#) == true, "\(rig.log.auditLines)")

            // Past the end: refused with the partition's end named, nothing sent.
            let before = try await rig.fake.requests(apiKey: 21).count
            let past = await TopicWriteCLI.deleteRecords(topic: "orders", partitions: [1], before: 11, yes: true,
                                                         context: rig.context(), service: rig.service)
            #expect(past == 1)
            #expect(rig.console.stderr.contains("partition 1 ends at offset 10: --before 11 is past its end"))
            let v10 = try await rig.fake.requests(apiKey: 21)
            #expect(v10.count == before)
        }
    }

    @Test func deleteNeedsTheTypedNameAndKcatNoLongerSeesTheTopic() async throws {
        try await withRig(canPrompt: true, answer: "order") { rig in
            let wrong = await TopicWriteCLI.delete(["orders"], yes: false, context: rig.context(), service: rig.service)
            #expect(wrong == 1)
            #expect(rig.console.stderr.contains("cancelled delete topic orders on cluster fake"), "\(rig.console.stderr)")
            let asked = try #require(rig.console.asked.first)
            #expect(asked.contains("3 partitions, replication factor 2, 24 records retained."))
            let v11 = try await rig.fake.requests(apiKey: 20)
            #expect(v11.isEmpty)
            let v12 = try await rig.kcatTopics()["orders"]
            #expect(v12 == 3)
        }
        try await withRig(canPrompt: true, answer: "orders") { rig in
            let code = await TopicWriteCLI.delete(["orders"], yes: false, context: rig.context(), service: rig.service)
            #expect(code == 0, "\(rig.console.stderr)")
            let v13 = try await rig.kcatTopics()["orders"]
            #expect(v13 == nil)
            #expect(rig.log.auditLines == [
                #"audit user=ops kind=topic-delete write="delete topic" target=orders location="cluster fake" result=ok sent=true "#
                + #"topic=orders detail="deleted topic orders""#])
        }
    }

    @Test func deleteRefusedByTheBrokerNamesItsError() async throws {
        try await withRig(["refuse": ["20": ["orders": [73, "Topic deletion is disabled."]]]]) { rig in
            let code = await TopicWriteCLI.delete(["orders", "missing"], yes: true, context: rig.context(json: true), service: rig.service)
            #expect(code == 1)
            #expect(rig.console.stderr.contains("error: delete topic orders on cluster fake failed: TOPIC_DELETION_DISABLED (73): Topic deletion is disabled."))
            #expect(rig.console.stderr.contains("refusing to delete topic missing on cluster fake: topic missing does not exist"))
            #expect(rig.console.stdout.contains(#""result":"refused","error":{"code":73,"name":"TOPIC_DELETION_DISABLED","message":"Topic deletion is disabled."}"#))
            let v14 = try await rig.kcatTopics()["orders"]
            #expect(v14 == 3)
        }
    }

    @Test func readOnlyAndNoTerminalRefuseEveryTopicWriteBeforeAnyRequest() async throws {
        try await withRig { rig in
            _ = try await rig.fake.requests(clear: true)
            let ro = rig.context(readOnly: true)
            var codes: [Int32] = []
            codes.append(await TopicWriteCLI.create(NewTopic(name: "x", partitions: 1), validateOnly: false, yes: true, context: ro, service: rig.service))
            codes.append(await TopicWriteCLI.delete(["orders"], yes: true, context: ro, service: rig.service))
            codes.append(await TopicWriteCLI.addPartitions(topic: "orders", total: 9, validateOnly: false, yes: true, context: ro, service: rig.service))
            codes.append(await TopicWriteCLI.deleteRecords(topic: "orders", partitions: [], before: -1, yes: true, context: ro, service: rig.service))
            #expect(codes == [1, 1, 1, 1])
            let v15 = try await rig.fake.requests().filter { [19, 20, 21, 37].contains($0.apiKey) }
            #expect(v15.isEmpty, "read-only: nothing sent")
            #expect(rig.console.stderr.components(separatedBy: "kafscope is in read-only mode").count - 1 == 4)

            // No terminal and no --yes: refused after the check, nothing written.
            let tty = await TopicWriteCLI.delete(["orders"], yes: false, context: rig.context(), service: rig.service)
            #expect(tty == 1)
            #expect(rig.console.stderr.contains("no terminal to ask for confirmation on; pass --yes to confirm"))
            let v16 = try await rig.fake.requests(apiKey: 20)
            #expect(v16.isEmpty)
            let v17 = try await rig.kcatTopics()["orders"]
            #expect(v17 == 3)
            #expect(rig.log.auditLines.count == 5 && rig.log.auditLines.allSatisfy { $0.contains("result=refused sent=false") })
        }
    }
}
