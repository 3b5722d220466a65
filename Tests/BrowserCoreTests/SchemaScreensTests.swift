@testable import BrowserCore
import ClusterModel
import Foundation
import KafkaTestSupport
import TerminalCore
import Testing

/// A registry as the screens see it: two subjects (one with a subject-level compatibility), one
/// whose latest version cannot be read, and versions with references.
struct FixtureSchemaRegistry: SchemaRegistryService {
    var displayURL: String { "http://registry.test:8081" }
    static let avroV1 = #"{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"}]}"#
    static let avroV2 = #"{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"},{"name":"note","type":["null","string"],"default":null}]}"#
    static let proto = "syntax = \"proto3\";\npackage shop;\n// a comment\nmessage Payment {\n  int64 id = 1;\n  string memo = 2;\n}"

    func subjects() async throws -> Partial<[SubjectSummary]> {
        Partial([
            SubjectSummary(name: "orders-value", latestVersion: 2, schemaID: 3, type: "AVRO", compatibility: "FULL"),
            SubjectSummary(name: "payments-value", latestVersion: 1, schemaID: 4, type: "PROTOBUF", compatibility: "BACKWARD",
                           compatibilityIsGlobal: true),
            SubjectSummary(name: "broken-value", compatibility: "BACKWARD", compatibilityIsGlobal: true, error: "HTTP 500"),
        ], errors: [SourceError(source: "schema registry", message: "broken-value: HTTP 500")])
    }

    func subject(named name: String) async throws -> SubjectDetail {
        if name == "payments-value" {
            return SubjectDetail(subject: name, versions: [SubjectSchema(subject: name, version: 1, schemaID: 4, type: "PROTOBUF", schema: Self.proto)],
                                 compatibility: "BACKWARD")
        }
        guard name == "orders-value" else { throw LoadError("Schema Registry: \(name) not found") }
        return SubjectDetail(subject: name, versions: [
            SubjectSchema(subject: name, version: 1, schemaID: 1, type: "AVRO", schema: Self.avroV1),
            SubjectSchema(subject: name, version: 2, schemaID: 3, type: "AVRO", schema: Self.avroV2,
                          references: [SchemaReference(name: "shop.Money", subject: "money", version: 1)]),
        ], compatibility: "FULL")
    }

    func schema(subject: String, version: Int) async throws -> SubjectSchema {
        if subject == "payments-value" { return SubjectSchema(subject: subject, version: 1, schemaID: 4, type: "PROTOBUF", schema: Self.proto) }
        let d = try await self.subject(named: subject)
        guard let v = d.versions.first(where: { $0.version == version }) else { throw LoadError("version \(version) not found") }
        return v
    }
}

@Suite struct SchemaScreensTests {
    /// Runs the harness's loads, answering Schema Registry ones from the fixture through the
    /// runtime's own dispatch (SchemaLoads), as the app would.
    static func settle(_ h: inout Harness, registry: (any SchemaRegistryService)?) async {
        for _ in 0..<20 {
            guard let i = h.queue.firstIndex(where: {
                if case .load(let r) = $0.effect, [.subjects, .subject, .schema].contains(r.kind) { return true }
                return false
            }) else { break }
            let request = h.queue.remove(at: i)
            guard case .load(let r) = request.effect else { continue }
            h.send(.loaded(await SchemaLoads.perform(r, registry), at: h.now, for: request.from))
        }
        await h.settle()
    }

    static func open(_ command: String, registry: (any SchemaRegistryService)? = FixtureSchemaRegistry(),
                     size: Size = Size(width: 100, height: 24)) async -> Harness {
        var h = Harness(size: size)
        await h.settle()
        h.command(command)
        await settle(&h, registry: registry)
        return h
    }

    @Test func withoutARegistryTheScreenSaysHowToConfigureOne() async {
        let h = await Self.open("schemas", registry: nil)
        #expect(h.state.route == .subjects)
        #expect(h.text().contains("no Schema Registry is configured"), "\(h.text())")
        #expect(h.text().contains("--schema-registry"))
    }

    @Test func subjectsListLatestVersionTypeAndCompatibility() async {
        let h = await Self.open("schemas")
        let text = h.text()
        #expect(text.contains("Schema Registry subjects"))
        let orders = text.split(separator: "\n").first { $0.contains("orders-value") }.map(String.init) ?? ""
        #expect(orders.contains("v2") && orders.contains("AVRO") && orders.contains("FULL") && !orders.contains("global"), "\(orders)")
        let payments = text.split(separator: "\n").first { $0.contains("payments-value") }.map(String.init) ?? ""
        #expect(payments.contains("PROTOBUF") && payments.contains("BACKWARD (global)"), "\(payments)")
        // The unreadable subject keeps its row, marked, and the reason is shown.
        let broken = text.split(separator: "\n").first { $0.contains("broken-value") && $0.contains("BACKWARD") }.map(String.init) ?? ""
        #expect(broken.contains("error"), "\(broken)")
        #expect(text.contains("HTTP 500"))
    }

    @Test func enterOpensVersionsNewestFirstThenTheSchemaText() async throws {
        var h = await Self.open("schemas orders-value")
        #expect(h.state.route == .subject("orders-value"))
        var lines = h.text().split(separator: "\n").map(String.init)
        let v2 = try #require(lines.firstIndex { $0.contains("v2") && $0.contains("AVRO") })
        let v1 = try #require(lines.firstIndex { $0.contains("v1") && $0.contains("AVRO") })
        #expect(v2 < v1, "newest first:\n\(lines.joined(separator: "\n"))")
        #expect(h.text().contains("compatibility FULL"))
        h.press("open")
        await Self.settle(&h, registry: FixtureSchemaRegistry())
        #expect(h.state.route == .schema(subject: "orders-value", version: 2))
        lines = h.text().split(separator: "\n").map(String.init)
        let text = lines.joined(separator: "\n")
        #expect(text.contains("subject orders-value") && text.contains("id 3") && text.contains("type AVRO"), "\(text)")
        #expect(text.contains("shop.Money") && text.contains("money v1"), "\(text)")
        // Indented JSON, keys highlighted.
        #expect(text.contains("\"fields\": ["), "\(text)")
        let buf = h.screen()
        let y = try #require(lines.firstIndex { $0.contains("\"namespace\"") })
        let x = try #require(lines[y].range(of: "\"namespace\"")).lowerBound.utf16Offset(in: lines[y])
        #expect(buf[x + 1, y].style.role == .jsonKey)
    }

    // MARK: Whole screens at the three snapshot sizes

    static func snapshots(_ command: String, _ name: String, then: (inout Harness) async -> Void = { _ in },
                          sourceLocation: SourceLocation = #_sourceLocation) async {
        for size in snapshotSizes {
            var h = await open(command, size: size)
            await then(&h)
            expectSnapshot(h.screen(), "\(name)_\(size.width)x\(size.height)", sourceLocation: sourceLocation)
        }
    }

    @Test func subjectsSnapshots() async { await Self.snapshots("schemas", "schemas_subjects") }

    @Test func subjectVersionsSnapshots() async { await Self.snapshots("schemas orders-value", "schemas_versions") }

    @Test func avroSchemaTextSnapshots() async {
        await Self.snapshots("schemas orders-value", "schemas_avro_text") { h in
            h.press("open")
            await Self.settle(&h, registry: FixtureSchemaRegistry())
        }
    }

    @Test func protobufSchemaTextSnapshots() async {
        await Self.snapshots("schemas", "schemas_protobuf_text") { h in
            h.press("down")  // from broken-value, past orders-value, to payments-value
            h.press("down")
            h.press("open")
            await Self.settle(&h, registry: FixtureSchemaRegistry())
            h.press("open")
            await Self.settle(&h, registry: FixtureSchemaRegistry())
        }
    }

    @Test func decodedRecordViewSnapshots() async {
        for size in snapshotSizes {
            var h = await TailScreenTests.open(size: size)
            let value = SchemaDecoded(format: "avro", schemaID: 3, subject: "orders-value", version: 2,
                                      json: #"{"id":1,"customer":{"name":"acme","tier":"GOLD"},"total":"12.50","note":null}"#)
            h.deliver(.tail(.records([Self.decodedRecord(value)])), at: h.now)
            h.press("open")
            expectSnapshot(h.screen(), "schemas_record_view_\(size.width)x\(size.height)")
        }
    }

    @Test func protobufSchemaTextMarksKeywordsAndComments() {
        let lines = SchemaText.body(FixtureSchemaRegistry.proto, type: "PROTOBUF")
        let message = try? #require(lines.first { $0.contains { $0.text == "message" } })
        #expect(message?.first { $0.text == "message" }?.style.role == .jsonKey)
        #expect(lines.first { $0.contains { $0.text.contains("// a comment") } }?.last?.style.role == .dim)
        #expect(lines.flatMap { $0 }.contains { $0.text == "\"proto3\"" && $0.style.role == .jsonString })
        // Hostile text from a registry never reaches the terminal raw.
        let hostile = SchemaText.body("message A { // \u{1b}]52;c;aGk=\u{7} \u{202e} }", type: "PROTOBUF")
        #expect(!hostile.flatMap { $0 }.contains { $0.text.unicodeScalars.contains { TerminalControls.isActive($0) } })
    }

    // MARK: Record view

    static func decodedRecord(_ value: SchemaDecoded?, key: SchemaDecoded? = nil) -> TailRecord {
        var r = TailScreenTests.record(0, value: [0, 0, 0, 0, 3, 2, 0x0a, 0x68, 0x69])
        r.decodedValue = value
        r.decodedKey = key
        return r
    }

    @Test func recordViewNamesFormatSchemaSubjectAndVersion() async throws {
        var h = await TailScreenTests.open(size: Size(width: 100, height: 30))
        let value = SchemaDecoded(format: "avro", schemaID: 3, subject: "orders-value", version: 2,
                                  json: #"{"id":1,"note":"hi \u001b[2J"}"#)
        let key = SchemaDecoded(format: "protobuf", schemaID: 5, subject: "orders-key", version: 1, json: #"{"k":"7"}"#)
        h.deliver(.tail(.records([Self.decodedRecord(value, key: key)])), at: h.now)
        // The table previews the decoded JSON, not the framed bytes.
        #expect(h.text().contains(#"{"id":1,"note":"#), "\(h.text())")
        h.press("open")
        let text = h.text()
        #expect(text.contains("Value (avro · schema 3 · orders-value v2)"), "\(text)")
        #expect(text.contains("Key (protobuf · schema 5 · orders-key v1)"), "\(text)")
        #expect(text.contains("\"note\": \"hi"), "\(text)")
        #expect(!text.unicodeScalars.contains("\u{1b}"))
        // `m` shows the raw bytes, still naming the schema.
        h.press("valueMode")
        #expect(h.text().contains("of the raw bytes; avro · schema 3 · orders-value v2"), "\(h.text())")
    }

    @Test func aDecodeFailureShowsTheReasonAndTheRawBytes() async throws {
        var h = await TailScreenTests.open(size: Size(width: 100, height: 30))
        let failed = SchemaDecoded(format: "confluent", schemaID: 99, error: "Schema Registry http://r: schema id 99 not found")
        h.deliver(.tail(.records([Self.decodedRecord(failed)])), at: h.now)
        #expect(h.text().contains("not decoded (confluent · schema 99)"), "\(h.text())")
        h.press("open")
        let text = h.text()
        #expect(text.contains("Value (confluent · schema 99, not decoded)"), "\(text)")
        #expect(text.contains("not decoded: Schema Registry http://r: schema id 99 not found"), "\(text)")
        #expect(text.contains("00000000  00 00 00 00 03 02 0a 68"), "\(text)")
    }

    @Test func theFilterFindsDecodedContent() async throws {
        var h = await TailScreenTests.open()
        let value = SchemaDecoded(format: "avro", schemaID: 3, json: #"{"customer":"zebra-42"}"#)
        h.deliver(.tail(.records([Self.decodedRecord(value), TailScreenTests.record(1)])), at: h.now)
        h.key(.character("/"))
        h.type("zebra-42")
        h.key(.enter)
        #expect(try TailScreenTests.tail(h).rowCount == 1)
    }
}
