import Foundation
import KafkaTestSupport
import Testing

// The real binary in tmux with the Schema Registry simulator: records written by confluent-kafka's
// own AvroSerializer and ProtobufSerializer while the tail is open show as decoded JSON, the record
// view names the format, schema id, subject and version, and `:schemas` lists the subjects the
// serializers registered. Expected values come from fastavro / the Python protobuf runtime.

/// The JSON value previewed in the tail table's row for `offset` (nil when the row is not there).
private func previewedValue(_ screen: String, offset: Int) -> NSDictionary? {
    for line in screen.split(separator: "\n") {
        let cells = line.trimmingCharacters(in: CharacterSet(charactersIn: "│ ")).split(separator: " ", omittingEmptySubsequences: true)
        guard cells.count > 4, cells[2] == Substring(String(offset)),
              let open = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}") else { continue }
        return (try? JSONSerialization.jsonObject(with: Data(line[open...close].utf8))) as? NSDictionary
    }
    return nil
}

@Suite(.serialized, .timeLimit(.minutes(4))) struct SchemaTmuxTests {
    @Test func avroAndProtobufRecordsShowDecodedInTheTailAndTheRecordView() async throws {
        let binary = try kafscopeBinary()
        let cluster = try await MockCluster.start(brokers: 1)
        let registry = try await RegistrySim.start()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-schema-tui-\(UUID().uuidString)")
        defer {
            registry.stop()
            try? FileManager.default.removeItem(at: home)
        }
        do {
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            try await cluster.createTopic("orders-avro", partitions: 1)
            try await cluster.createTopic("payments-proto", partitions: 1)
            let tmux = try TmuxSession(command: [binary, "-b", cluster.bootstrap, "--schema-registry", registry.url],
                                       width: 140, height: 40,
                                       environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8", "HOME": home.path,
                                                     "XDG_CONFIG_HOME": home.path, "XDG_STATE_HOME": home.path])
            defer { tmux.kill() }
            _ = try await tmux.waitFor { $0.contains("orders-avro") }

            // Avro: two writer versions of one subject (order_v1 / order_v2).
            try tmux.type(":tail orders-avro")
            try tmux.send("Enter")
            var screen = try await tmux.waitFor { $0.contains("Waiting for new records") }
            #expect(screen.contains("Waiting for new records"), "tail caught up before producing:\n\(screen)")
            let avro = try await SchemaProducer.produce(case: "evolution", topic: "orders-avro", bootstrap: cluster.bootstrap,
                                                         registry: registry.url, count: 4)
            screen = try await tmux.waitFor { s in avro.allSatisfy { previewedValue(s, offset: $0["offset"] as! Int) != nil } }
            for record in avro {
                let expected = try #require(record["value"] as? NSDictionary)
                let shown = previewedValue(screen, offset: record["offset"] as! Int)
                #expect(shown == expected, "offset \(record["offset"]!): fastavro read \(expected), the table shows \(String(describing: shown)):\n\(screen)")
            }
            let newestAvro = try #require(avro.max { ($0["offset"] as! Int) < ($1["offset"] as! Int) })
            #expect(!screen.contains("00 00 00 00"), "no framed bytes shown as hex:\n\(screen)")
            // The newest row is selected (follow): Enter opens it.
            try tmux.send("Enter")
            let avroID = try #require(newestAvro["value_schema_id"] as? Int)
            screen = try await tmux.waitFor { $0.contains("Value (avro") }
            #expect(screen.contains("Value (avro · schema \(avroID) · orders-avro-value v2)"), "record view label:\n\(screen)")
            #expect(screen.contains("\"item\": \"pear\""), "indented decoded JSON:\n\(screen)")
            try tmux.send("Escape")
            _ = try await tmux.waitFor { !$0.contains("Value (avro") }

            // Protobuf (message index [0], a message with imports), tailed the same way.
            try tmux.type(":tail payments-proto")
            try tmux.send("Enter")
            screen = try await tmux.waitFor { $0.contains("Tail payments-proto") && $0.contains("Waiting for new records") }
            let proto = try await SchemaProducer.produce(case: "protobuf", topic: "payments-proto", bootstrap: cluster.bootstrap,
                                                          registry: registry.url, count: 1)
            let order = try #require(proto.first)
            let protoID = try #require(order["value_schema_id"] as? Int)
            screen = try await tmux.waitFor { $0.contains("payments-proto") && $0.contains("{") && !$0.contains("Waiting for new records") }
            try tmux.send("Enter")
            screen = try await tmux.waitFor { $0.contains("Value (protobuf") }
            #expect(screen.contains("Value (protobuf · schema \(protoID) · payments-proto-value v1)"), "record view label:\n\(screen)")
            // int64 as a string, as protobuf's JSON mapping writes it (the id is absent when it is 0).
            let id = (order["value"] as? [String: Any])?["id"] as? String
            #expect(screen.contains(id.map { "\"id\": \"\($0)\"" } ?? "\"customer\""), "the decoded Order:\n\(screen)")
            try tmux.send("Escape")
            _ = try await tmux.waitFor { !$0.contains("Value (protobuf") }

            // :schemas lists what the serializers registered.
            try tmux.type(":schemas")
            try tmux.send("Enter")
            screen = try await tmux.waitFor { $0.contains("orders-avro-value") && $0.contains("payments-proto-value") }
            let avroRow = screen.split(separator: "\n").first { $0.contains("orders-avro-value") }.map(String.init) ?? ""
            #expect(avroRow.contains("v2") && avroRow.contains("AVRO"), "\(avroRow)\n\(screen)")
            let protoRow = screen.split(separator: "\n").first { $0.contains("payments-proto-value") }.map(String.init) ?? ""
            #expect(protoRow.contains("PROTOBUF"), "\(protoRow)\n\(screen)")
            try tmux.type(":q")
            try tmux.send("Enter")
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }
}
