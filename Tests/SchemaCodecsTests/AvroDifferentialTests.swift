import Foundation
import XCTest
@testable import SchemaCodecs

/// Random values of every Avro type and logical type, written and read back by fastavro, must
/// decode to the same JSON in kafscope (rules in README "Schema Registry").
final class AvroDifferentialTests: XCTestCase {
    func testEveryTypeMatchesFastavro() async throws {
        let cases = try await SchemaPeers.cases("avro-cases", count: 60, seed: 7)
        XCTAssertEqual(cases.count, 120)
        var parsed: [String: AvroSchema] = [:]
        for c in cases {
            let name = c["name"] as! String
            let schema = try parsed[name] ?? AvroSchema.parse(c["schema"] as! String, references: c["references"] as! [String])
            parsed[name] = schema
            let payload = [UInt8](Data(base64Encoded: c["payload_b64"] as! String)!)
            let text = try schema.decodeJSON(payload)
            let ours = try parseJSON(text)
            if let diff = jsonEqual(ours, c["expected"]) {
                XCTFail("\(name): \(diff)\nours: \(text)")
                return
            }
        }
    }

    func testTruncatedPayloadIsAnErrorNotACrash() async throws {
        let cases = try await SchemaPeers.cases("avro-cases", count: 3, seed: 3)
        for c in cases {
            let schema = try AvroSchema.parse(c["schema"] as! String, references: c["references"] as! [String])
            let payload = [UInt8](Data(base64Encoded: c["payload_b64"] as! String)!)
            for cut in 0..<payload.count {
                XCTAssertThrowsError(try schema.decodeJSON(Array(payload[..<cut])), "cut at \(cut)")
            }
        }
    }
}
