import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
import KafkaTestSupport
import Logging
import Testing
import WriteFlow
@testable import KafscopeApp

/// Topic writes against the real peers: tansu (CreateTopics, DeleteTopics; no CreatePartitions, and
/// it applies validate-only CreateTopics) and the librdkafka mock (no topic-admin APIs at all).
@Suite(.serialized, .timeLimit(.minutes(3))) struct TopicWritePeerTests {
    func service(_ bootstrap: String) throws -> (KafkaClient, KafkaAdminService) {
        let config = KafkaClientConfig(bootstrap: try HostAddress.parseList(bootstrap), clientId: "kafscope-test",
                                       requestTimeout: .seconds(10), maxReconnectBackoff: .milliseconds(200))
        let client = KafkaClient(config: config, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        return (client, KafkaAdminService(client: client))
    }

    func context(_ console: RecordingConsole, _ log: RecordingLog) -> GroupWriteContext {
        GroupWriteContext(location: "cluster peer", readOnly: false, json: false,
                          driver: WriteDriver(console: console, logger: log.logger, user: "ops"))
    }

    @Test func tansuCreatesAndDeletesAndSaysItIgnoredValidateOnly() async throws {
        try await TansuBroker.with { tansu in
            let (client, service) = try service(tansu.bootstrap)
            defer { Task { await client.shutdown() } }
            let console = RecordingConsole(canPrompt: true, answer: "events")
            let log = RecordingLog()
            // tansu 0.6 creates the topic on a validate-only request: kafscope notices and says so
            // instead of reporting a confirmed create (or a confusing TOPIC_ALREADY_EXISTS).
            let created = await TopicWriteCLI.create(NewTopic(name: "events", partitions: 3), validateOnly: false, yes: true,
                                                     context: context(console, log), service: service)
            #expect(created == 1)
            #expect(console.stderr.contains("the broker ignored validate-only and created topic events while validating it"), "\(console.stderr)")
            let shape = try await service.topicShape("events")
            #expect(shape?.partitionCount == 3)

            let again = await TopicWriteCLI.create(NewTopic(name: "events", partitions: 3), validateOnly: false, yes: true,
                                                   context: context(console, log), service: service)
            #expect(again == 1)
            #expect(console.stderr.contains("refusing to create topic events on cluster peer: topic events already exists"))

            let grown = await TopicWriteCLI.addPartitions(topic: "events", total: 4, validateOnly: false, yes: true,
                                                          context: context(console, log), service: service)
            #expect(grown == 1)
            #expect(console.stderr.contains("CreatePartitions is not supported by this broker"))

            let deleted = await TopicWriteCLI.delete(["events"], yes: false, context: context(console, log), service: service)
            #expect(deleted == 0, "\(console.stderr)")
            #expect(console.asked.last?.hasPrefix("Delete topic events on cluster peer?\n  3 partitions, replication factor 1, 0 records retained.") == true)
            let gone = try await service.topicShape("events")
            #expect(gone == nil)
            #expect(log.auditLines.last?.contains("kind=topic-delete") == true && log.auditLines.last?.contains("result=ok sent=true") == true)
        }
    }

    @Test func theMockHasNoTopicAdminAndSaysSo() async throws {
        try await MockCluster.with(brokers: 1) { mock in
            try await mock.createTopic("orders", partitions: 2)
            let (client, service) = try service(mock.bootstrap)
            defer { Task { await client.shutdown() } }
            let console = RecordingConsole()
            let log = RecordingLog()
            let code = await TopicWriteCLI.create(NewTopic(name: "x", partitions: 1), validateOnly: true, yes: false,
                                                  context: context(console, log), service: service)
            #expect(code == 1)
            #expect(console.stderr.contains("CreateTopics is not supported by this broker"), "\(console.stderr)")
            let records = await TopicWriteCLI.deleteRecords(topic: "orders", partitions: [0], before: -1, yes: true,
                                                            context: context(console, log), service: service)
            #expect(records == 1)
            #expect(console.stderr.contains("DeleteRecords is not supported by this broker"), "\(console.stderr)")
        }
    }
}
