import Foundation
import XCTest
@testable import SchemaCodecs

/// Random and mutated inputs never trap the decoders: each either decodes or throws a DecodeError.
/// Counts are bounded so the suite stays quick; the generator is seeded so a failure reproduces.
final class DecoderFuzzTests: XCTestCase {
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    }

    func mutations(of seeds: [[UInt8]], count: Int, seed: UInt64) -> [[UInt8]] {
        var rng = SplitMix(state: seed)
        var out: [[UInt8]] = []
        for i in 0..<count {
            if i % 5 == 0 {
                out.append((0..<rng.below(64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
                continue
            }
            var b = seeds[rng.below(seeds.count)]
            for _ in 0...rng.below(4) {
                guard !b.isEmpty else { break }
                switch rng.below(4) {
                case 0: b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next())
                case 1: b.removeSubrange(rng.below(b.count)...)
                case 2: b.insert(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F], at: rng.below(b.count))
                default: b[rng.below(b.count)] ^= 0x80
                }
            }
            out.append(b)
        }
        return out
    }

    func testAvroDecoderNeverTraps() async throws {
        let cases = try await SchemaPeers.cases("avro-cases", count: 10, seed: 5)
        let schema = try AvroSchema.parse(cases[0]["schema"] as! String)
        let seeds = cases.filter { $0["name"] as? String == "everything.avsc" }
            .map { [UInt8](Data(base64Encoded: $0["payload_b64"] as! String)!) }
        var decoded = 0, rejected = 0
        for input in mutations(of: seeds, count: 20_000, seed: 42) {
            do { _ = try schema.decodeJSON(input); decoded += 1 } catch is DecodeError { rejected += 1 }
        }
        XCTAssertGreaterThan(rejected, 1000)
        XCTAssertEqual(decoded + rejected, 20_000)
    }

    func testProtobufDecoderNeverTraps() async throws {
        let cases = try await SchemaPeers.cases("proto-cases", count: 10, seed: 5)
        let sources = cases[0]["sources"] as! [String: String]
        let schema = try ProtoSchema(text: sources["shop.proto"]!, fileName: "shop.proto",
                                     imports: sources.filter { $0.key != "shop.proto" })
        let order = try schema.message(atPath: [1])
        let seeds = cases.filter { $0["message"] as? String == "kafscope.shop.Order" }
            .map { [UInt8](Data(base64Encoded: $0["payload_b64"] as! String)!) }
        var decoded = 0, rejected = 0
        for input in mutations(of: seeds, count: 20_000, seed: 43) {
            do { _ = try schema.decodeJSON(input, as: order); decoded += 1 } catch is DecodeError { rejected += 1 }
        }
        XCTAssertGreaterThan(rejected, 1000)
        XCTAssertEqual(decoded + rejected, 20_000)
    }

    func testHostileSchemasAndPayloadsAreBounded() throws {
        // A recursive record whose payload claims endless nesting stops at the depth cap.
        let list = try AvroSchema.parse(#"{"type":"record","name":"L","fields":[{"name":"next","type":["null","L"]}]}"#)
        XCTAssertThrowsError(try list.decodeJSON([UInt8](repeating: 2, count: 10_000))) { e in
            XCTAssertTrue("\(e)".contains("nests deeper"), "\(e)")
        }
        // An array claiming billions of items in a few bytes.
        let arr = try AvroSchema.parse(#"{"type":"array","items":"null"}"#)
        XCTAssertThrowsError(try arr.decodeJSON([0xFE, 0xFF, 0xFF, 0xFF, 0x0F]))
        // Schema texts nested far too deep, and garbage schema texts.
        let deep = String(repeating: #"{"type":"array","items":"#, count: 500) + #""int""# + String(repeating: "}", count: 500)
        XCTAssertThrowsError(try AvroSchema.parse(deep))
        XCTAssertThrowsError(try AvroSchema.parse("not json"))
        XCTAssertThrowsError(try AvroSchema.parse(#"{"type":"record","name":"R","fields":[{"name":"a","type":"Missing"}]}"#))
        let deepProto = String(repeating: "message M {", count: 300) + String(repeating: "}", count: 300)
        XCTAssertThrowsError(try ProtoSchema(text: deepProto))
        XCTAssertThrowsError(try ProtoSchema(text: "message A { Missing x = 1; }"))
        XCTAssertThrowsError(try ProtoSchema(text: "message A { int32 x = ; }"))
        let self_ = try ProtoSchema(text: "syntax = \"proto3\"; message N { N next = 1; }")
        var nested: [UInt8] = []
        for _ in 0..<200 { nested = [0x0A] + varint(UInt64(nested.count)) + nested }
        XCTAssertThrowsError(try self_.decodeJSON(nested, as: self_.message(atPath: [0])))
    }

    func varint(_ v: UInt64) -> [UInt8] {
        var v = v, out: [UInt8] = []
        repeat { out.append(UInt8(v & 0x7F) | (v > 0x7F ? 0x80 : 0)); v >>= 7 } while v > 0
        return out
    }

    func testFramingAndMessageIndexes() throws {
        XCTAssertNil(ConfluentFrame.detect([1, 0, 0, 0, 1]))
        XCTAssertNil(ConfluentFrame.detect([0, 0, 0, 1]))
        XCTAssertEqual(ConfluentFrame.detect([0, 0, 0, 1, 2, 9])?.schemaID, 258)
        XCTAssertEqual(try ConfluentFrame.messageIndexes([0], at: 0).path, [0])
        // count 3 (zig-zag 6), then 2, 0, 1 (zig-zag 4, 0, 2)
        XCTAssertEqual(try ConfluentFrame.messageIndexes([6, 4, 0, 2, 99], at: 0).path, [2, 0, 1])
        XCTAssertEqual(try ConfluentFrame.messageIndexes([6, 4, 0, 2, 99], at: 0).next, 4)
        XCTAssertThrowsError(try ConfluentFrame.messageIndexes([0x80], at: 0))
        XCTAssertThrowsError(try ConfluentFrame.messageIndexes([1], at: 0))
    }

    func testJSONSchemaPayloadIsValidatedAndEscaped() throws {
        XCTAssertEqual(try JSONSchemaPayload.decodeJSON(Array(#"{"b":[1,2.5,true,null],"a":"\u001b[31m"}"#.utf8)),
                       #"{"a":"\u001b[31m","b":[1,2.5,true,null]}"#)
        XCTAssertThrowsError(try JSONSchemaPayload.decodeJSON(Array("{oops".utf8)))
    }
}
