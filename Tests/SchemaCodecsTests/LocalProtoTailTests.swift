import Foundation
import KafkaTestSupport
import XCTest

/// `kafscope tail --value-proto FILE --value-type pkg.Message` for topics written without a
/// registry: plain Protobuf bytes from the Python runtime, read through the .proto text (imports
/// from its directory, well-known types built in) and through protoc's FileDescriptorSet; every
/// value compared with the Python runtime's own JSON rendering of the message it wrote.
final class LocalProtoTailTests: XCTestCase {
    func tailJSON(_ args: [String]) async throws -> [[String: Any]] {
        let out = try await KafscopeBinary.run(args)
        XCTAssertEqual(out.status, 0, out.stderr)
        return try out.stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    func testValuesWrittenWithoutARegistryDecodeFromTheProtoFileAndFromADescriptorSet() async throws {
        let cluster = try await MockCluster.start(brokers: 1)
        defer { Task { await cluster.stop() } }
        try await cluster.createTopic("bare", partitions: 2)
        let descriptors = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-bare-\(getpid()).desc")
        defer { try? FileManager.default.removeItem(at: descriptors) }
        // No registry is contacted for this case; the URL only satisfies the script's arguments.
        let expected = try await SchemaProducer.produce(case: "protobuf-bare", topic: "bare", bootstrap: cluster.bootstrap,
                                                         registry: "http://127.0.0.1:9", count: 30,
                                                         extra: ["--descriptor-out", descriptors.path])
        XCTAssertEqual(expected.count, 30)
        let proto = try PeerEnvironment.locate().repoRoot.appendingPathComponent("Tests/Peers/schemas/shop.proto").path
        for source in [proto, descriptors.path] {
            let got = try await tailJSON(["tail", "bare", "--from", "beginning", "--exit-at-end", "-o", "json", "-b", cluster.bootstrap,
                                          "--value-proto", source, "--value-type", "kafscope.shop.Order"])
            XCTAssertEqual(got.count, expected.count, source)
            var byOffset: [String: [String: Any]] = [:]
            for g in got { byOffset["\(g["partition"]!)/\(g["offset"]!)"] = g }
            for e in expected {
                let g = try XCTUnwrap(byOffset["\(e["partition"]!)/\(e["offset"]!)"], "missing \(e["partition"]!)/\(e["offset"]!)")
                XCTAssertNil(g["value_error"], "\(source): \(g["value_error"] ?? "")")
                XCTAssertEqual(g["value_format"] as? String, "protobuf", source)
                XCTAssertEqual(g["key"] as? String, e["key"] as? String, "keys stay text")
                if let diff = jsonEqual(g["value"], e["value"]) { XCTFail("\(source) offset \(e["offset"]!): \(diff)"); return }
            }
        }
        // A type the file does not define is a clear error before anything is read.
        let wrong = try await KafscopeBinary.run(["tail", "bare", "--from", "beginning", "--exit-at-end", "-b", cluster.bootstrap,
                                                  "--value-proto", proto, "--value-type", "kafscope.shop.Nope"])
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.stderr.contains("kafscope.shop.Nope"), wrong.stderr)
    }
}
