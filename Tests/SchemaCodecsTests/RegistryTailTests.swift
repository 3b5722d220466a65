import Foundation
import KafkaTestSupport
import XCTest
@testable import SchemaCodecs
@testable import SchemaRegistry

/// `kafscope tail -o json` over records written by confluent-kafka's own serializers into the
/// librdkafka mock cluster, with schemas in the registry simulator; every key and value is
/// compared with fastavro's / the Python protobuf runtime's decoding of the same bytes.
final class RegistryTailTests: XCTestCase {
    func tail(_ topic: String, _ cluster: MockCluster, _ registry: String?, extra: [String] = []) async throws -> [[String: Any]] {
        var args = ["tail", topic, "--from", "beginning", "--exit-at-end", "-o", "json", "-b", cluster.bootstrap]
        if let registry { args += ["--schema-registry", registry] }
        let out = try await KafscopeBinary.run(args + extra)
        XCTAssertEqual(out.status, 0, out.stderr)
        return try out.stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    func assertMatches(_ got: [[String: Any]], _ expected: [[String: Any]], keyFormat: String? = nil, valueFormat: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, expected.count, "record count", file: file, line: line)
        var byOffset: [String: [String: Any]] = [:]
        for g in got { byOffset["\(g["partition"]!)/\(g["offset"]!)"] = g }
        for e in expected {
            guard let g = byOffset["\(e["partition"]!)/\(e["offset"]!)"] else {
                XCTFail("missing record \(e["partition"]!)/\(e["offset"]!)", file: file, line: line); return
            }
            XCTAssertNil(g["value_error"], "\(g["value_error"] ?? "")", file: file, line: line)
            XCTAssertEqual(g["value_format"] as? String, valueFormat, file: file, line: line)
            XCTAssertEqual((g["value_schema_id"] as? NSNumber)?.intValue, (e["value_schema_id"] as? NSNumber)?.intValue, file: file, line: line)
            if let diff = jsonEqual(g["value"], e["value"]) {
                XCTFail("offset \(e["offset"]!): \(diff)", file: file, line: line); return
            }
            if let keyFormat {
                XCTAssertEqual(g["key_format"] as? String, keyFormat, file: file, line: line)
                XCTAssertEqual((g["key_schema_id"] as? NSNumber)?.intValue, (e["key_schema_id"] as? NSNumber)?.intValue, file: file, line: line)
                if let diff = jsonEqual(g["key"], e["key"]) { XCTFail("key at \(e["offset"]!): \(diff)", file: file, line: line); return }
            }
        }
    }

    func testAvroEveryTypeEvolutionAndReferences() async throws {
        let registry = try await RegistrySim.start()
        defer { registry.stop() }
        let cluster = try await MockCluster.start(brokers: 1)
        defer { Task { await cluster.stop() } }
        for (topic, name, count) in [("avro-all", "avro", 40), ("avro-evolution", "evolution", 10), ("avro-refs", "references", 10)] {
            try await cluster.createTopic(topic, partitions: 2)
            let expected = try await SchemaProducer.produce(case: name, topic: topic, bootstrap: cluster.bootstrap,
                                                             registry: registry.url, count: count)
            assertMatches(try await tail(topic, cluster, registry.url), expected, valueFormat: "avro")
        }
        // Evolution: two writer schemas, two ids.
        let evolution = try await tail("avro-evolution", cluster, registry.url)
        let ids = Set(evolution.compactMap { ($0["value_schema_id"] as? NSNumber)?.intValue })
        XCTAssertEqual(ids.count, 2)
        // Each line names the subject version that registered its writer schema: v1 for the older id.
        let versions = Set(evolution.map { "\($0["value_subject"] as? String ?? "nil") v\(($0["value_schema_version"] as? NSNumber)?.intValue ?? 0) id \(($0["value_schema_id"] as? NSNumber)?.intValue ?? 0)" })
        XCTAssertEqual(versions, ["avro-evolution-value v1 id \(ids.min()!)", "avro-evolution-value v2 id \(ids.max()!)"])
        XCTAssertTrue(evolution.allSatisfy { $0["key_subject"] is NSNull && $0["key_schema_version"] is NSNull }, "keys are not framed")
        // Each schema fetched once although 40 records on 2 partitions needed it.
        let paths = try await registry.requestPaths()
        XCTAssertEqual(paths.filter { $0 == "/schemas/ids/1" }.count, 1, "one fetch per tail run: \(paths)")
        XCTAssertEqual(paths.filter { $0 == "/schemas/ids/2" }.count, 2, "avro-evolution was tailed twice: \(paths)")
    }

    func testProtobufNestedImportedOneofMapsAndKeysInAnotherFormat() async throws {
        let registry = try await RegistrySim.start()
        defer { registry.stop() }
        let cluster = try await MockCluster.start(brokers: 1)
        defer { Task { await cluster.stop() } }
        try await cluster.createTopic("proto", partitions: 1)
        let expected = try await SchemaProducer.produce(case: "protobuf", topic: "proto", bootstrap: cluster.bootstrap,
                                                         registry: registry.url, count: 40)
        assertMatches(try await tail("proto", cluster, registry.url), expected, valueFormat: "protobuf")

        try await cluster.createTopic("keyed", partitions: 1)
        let keyed = try await SchemaProducer.produce(case: "keyed", topic: "keyed", bootstrap: cluster.bootstrap,
                                                      registry: registry.url, count: 5)
        assertMatches(try await tail("keyed", cluster, registry.url), keyed, keyFormat: "protobuf", valueFormat: "avro")

        try await cluster.createTopic("json", partitions: 1)
        let json = try await SchemaProducer.produce(case: "json", topic: "json", bootstrap: cluster.bootstrap,
                                                     registry: registry.url, count: 5)
        assertMatches(try await tail("json", cluster, registry.url), json, valueFormat: "json-schema")
    }

    func testUnknownIdCorruptPayloadAndRegistryDownAreErrorsPerRecord() async throws {
        let registry = try await RegistrySim.start()
        let cluster = try await MockCluster.start(brokers: 1)
        defer { Task { await cluster.stop() } }
        try await cluster.createTopic("mixed", partitions: 1)
        let good = try await SchemaProducer.produce(case: "evolution", topic: "mixed", bootstrap: cluster.bootstrap,
                                                     registry: registry.url, count: 1)
        XCTAssertEqual(good.count, 1)
        _ = try await cluster.produce(topic: "mixed", records: [
            MockCluster.Record(key: nil, value: [0, 0, 0, 0x30, 0x39, 0xC3, 0x28]),    // id 12345: not registered (404)
            MockCluster.Record(key: nil, value: [0, 0, 0, 0, 1, 0xFF]),                // id 1, truncated Avro
            MockCluster.Record(key: nil, value: Array("plain text".utf8)),
        ], partition: 0)
        let lines = try await tail("mixed", cluster, registry.url)
        XCTAssertEqual(lines.count, 4)
        XCTAssertNil(lines[0]["value_error"])
        XCTAssertEqual(lines[1]["value_schema_id"] as? Int, 12345)
        XCTAssertTrue((lines[1]["value_error"] as? String ?? "").contains("not found"), "\(lines[1])")
        XCTAssertEqual((lines[1]["value"] as? [String: Any])?["base64"] as? String, "AAAAMDnDKA==")
        XCTAssertTrue((lines[2]["value_error"] as? String ?? "").contains("truncated") || (lines[2]["value_error"] as? String ?? "").contains("past the end"), "\(lines[2])")
        XCTAssertEqual(lines[3]["value"] as? String, "plain text")
        XCTAssertEqual(lines[3]["value_format"] as? String, "text")

        // The registry goes away: every framed record says why, the tail still reaches the end.
        registry.stop()
        let down = try await tail("mixed", cluster, registry.url)
        XCTAssertEqual(down.count, 4)
        XCTAssertTrue((down[0]["value_error"] as? String ?? "").contains("unreachable"), "\(down[0])")
        XCTAssertEqual(down[3]["value"] as? String, "plain text")
    }

    func testSlowRegistryTimesOutAndAuthTLSWork() async throws {
        let registry = try await RegistrySim.start()
        defer { registry.stop() }
        _ = try await registry.control("POST", "/__sim/inject", body: ["path": "/schemas/ids/7", "sleep_ms": 3000, "count": 1])
        let client = try SchemaRegistryClient(endpoint: try RegistryEndpoint(url: registry.url, timeout: .milliseconds(500)))
        let cache = SchemaCache(client: client)
        // The answer comes after 3 s: without the 0.5 s timeout this would succeed, so the failure
        // saying "timed out" is the proof (no wall clock decides).
        guard case .failure(let e) = await cache.schema(id: 7) else { return XCTFail("expected a timeout") }
        XCTAssertTrue(e.message.contains("timed out"), e.message)
        await client.shutdown()

        let secure = try await RegistrySim.start(["--tls", "--client-auth", "--basic-auth", "alice:s3cret"])
        defer { secure.stop() }
        let ok = try SchemaRegistryClient(endpoint: try RegistryEndpoint(
            url: "https://alice:s3cret@127.0.0.1:\(secure.hello.port)", caFile: secure.hello.ca,
            certFile: secure.hello.client_cert, keyFile: secure.hello.client_key))
        let subjects = try await ok.subjects()
        XCTAssertEqual(subjects, [])
        let compatibility = try await ok.globalCompatibility()
        XCTAssertEqual(compatibility, "BACKWARD")
        await ok.shutdown()
        let wrong = try SchemaRegistryClient(endpoint: try RegistryEndpoint(
            url: "https://127.0.0.1:\(secure.hello.port)", username: "alice", password: "nope", caFile: secure.hello.ca,
            certFile: secure.hello.client_cert, keyFile: secure.hello.client_key))
        do {
            _ = try await wrong.subjects()
            XCTFail("expected 401")
        } catch let e as RegistryError {
            XCTAssertEqual(e.kind, .unauthorized)
            XCTAssertFalse(e.message.contains("nope"))
        }
        await wrong.shutdown()
        let untrusted = try SchemaRegistryClient(endpoint: try RegistryEndpoint(url: "https://127.0.0.1:\(secure.hello.port)"))
        do { _ = try await untrusted.subjects(); XCTFail("expected a TLS failure") } catch let e as RegistryError {
            XCTAssertEqual(e.kind, .unreachable, e.message)
        }
        await untrusted.shutdown()
    }

    func testSubjectCommands() async throws {
        let registry = try await RegistrySim.start()
        defer { registry.stop() }
        let cluster = try await MockCluster.start(brokers: 1)
        defer { Task { await cluster.stop() } }
        try await cluster.createTopic("orders", partitions: 1)
        _ = try await SchemaProducer.produce(case: "evolution", topic: "orders", bootstrap: cluster.bootstrap,
                                             registry: registry.url, count: 2)
        let list = try await KafscopeBinary.run(["get", "subjects", "--schema-registry", registry.url, "-o", "json"])
        XCTAssertEqual(list.status, 0, list.stderr)
        let items = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as! [[String: Any]]
        XCTAssertEqual(items.map { $0["subject"] as? String }, ["orders-value"])
        XCTAssertEqual(items.first?["latest_version"] as? Int, 2)
        XCTAssertEqual(items.first?["compatibility"] as? String, "BACKWARD")
        let v1 = try await KafscopeBinary.run(["describe", "subject", "orders-value", "--version", "1", "--schema-registry", registry.url])
        XCTAssertEqual(v1.status, 0, v1.stderr)
        XCTAssertTrue(v1.stdout.contains("Version:       1 (versions: 1, 2)"), v1.stdout)
        XCTAssertTrue(v1.stdout.contains("\"item\""), v1.stdout)
        XCTAssertFalse(v1.stdout.contains("quantity"), v1.stdout)
        let missing = try await KafscopeBinary.run(["describe", "subject", "nope", "--schema-registry", registry.url])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("not found"), missing.stderr)
    }
}
