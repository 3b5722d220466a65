import Foundation
import XCTest
@testable import SchemaCodecs

/// Random messages (nested, imported, oneof, maps, packed and unpacked repeated, proto2 and
/// proto3, well-known types) serialized by the Python protobuf runtime must decode to the JSON its
/// own printer gives (json_format, field names as written).
final class ProtobufDifferentialTests: XCTestCase {
    func testMessagesMatchThePythonRuntime() async throws {
        let cases = try await SchemaPeers.cases("proto-cases", count: 50, seed: 11)
        XCTAssertEqual(cases.count, 200)
        var schemas: [String: ProtoSchema] = [:]
        for c in cases {
            let file = c["file"] as! String
            let sources = c["sources"] as! [String: String]
            let schema = try schemas[file] ?? ProtoSchema(text: sources[file]!, fileName: file,
                                                          imports: sources.filter { $0.key != file })
            schemas[file] = schema
            let type = try schema.message(atPath: c["path"] as! [Int])
            XCTAssertEqual(type.fullName, c["message"] as? String)
            let payload = [UInt8](Data(base64Encoded: c["payload_b64"] as! String)!)
            let text = try schema.decodeJSON(payload, as: type)
            if let diff = jsonEqual(try parseJSON(text), c["expected"]) {
                XCTFail("\(type.fullName): \(diff)\nours: \(text)\nexpected: \(c["expected"]!)")
                return
            }
        }
    }
}
