import Foundation
import Testing
import KafkaProtocol
import KafkaWire

/// Response bytes captured from real peers by scripts/capture-golden (librdkafka's mock cluster and
/// the tansu broker), with the values librdkafka's own client reported for the same cluster.
struct GoldenFixture: CustomStringConvertible, Sendable {
    let name: String
    let body: [UInt8]
    let meta: [String: any Sendable]

    var description: String { name }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/golden")

    /// Every fixture in the folder, and why any of them could not be read (`fixturesAreReadable`
    /// fails on those: an unreadable file must not silently drop out of the parameterized tests).
    static let scanned: (fixtures: [GoldenFixture], failures: [String]) = {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            return ([], ["cannot list \(directory.path): \(error)"])
        }
        var fixtures: [GoldenFixture] = [], failures: [String] = []
        for file in names.sorted() where file.hasSuffix(".hex") {
            do {
                fixtures.append(try load(String(file.dropLast(4))))
            } catch {
                failures.append("\(file): \(error)")
            }
        }
        for file in names where file.hasSuffix(".json") && !names.contains(String(file.dropLast(5)) + ".hex") {
            failures.append("\(file) has no .hex beside it")
        }
        return (fixtures, failures)
    }()

    static func all(prefix: String = "") -> [GoldenFixture] {
        scanned.fixtures.filter { prefix.isEmpty || $0.name.contains(prefix) }
    }

    struct Unreadable: Error, CustomStringConvertible { let description: String }

    static func load(_ base: String) throws -> GoldenFixture {
        let hexText = try String(contentsOf: directory.appendingPathComponent(base + ".hex"), encoding: .utf8)
        let json = try Data(contentsOf: directory.appendingPathComponent(base + ".json"))
        guard let meta = try JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw Unreadable(description: "\(base).json is not a JSON object")
        }
        let digits = hexText.filter(\.isHexDigit).count
        guard digits > 0, digits % 2 == 0 else {
            throw Unreadable(description: "\(base).hex holds \(digits) hex digits, not whole bytes")
        }
        return GoldenFixture(name: base, body: bytes(hex: hexText), meta: meta.mapValues { $0 as! (any Sendable) })
    }

    func int(_ key: String) -> Int { (meta[key] as! NSNumber).intValue }
    var version: Int16 { Int16(int("version")) }
    var requestBytes: [UInt8] { bytes(hex: meta["request_hex"] as! String) }
    var brokers: [(id: Int32, host: String, port: Int32)] {
        (meta["brokers"] as! [[String: Any]]).map {
            (Int32(($0["id"] as! NSNumber).intValue), $0["host"] as! String, Int32(($0["port"] as! NSNumber).intValue))
        }
    }
    var topics: [String: [String: Any]] { meta["topics"] as! [String: [String: Any]] }
}

@Suite struct GoldenTests {
    @Test func fixturesArePresent() {
        #expect(GoldenFixture.scanned.failures.isEmpty, "unreadable golden fixtures: \(GoldenFixture.scanned.failures)")
        let all = GoldenFixture.all()
        #expect(all.count >= 14, "run scripts/capture-golden to create the golden fixtures")
        #expect(all.contains { $0.name.hasPrefix("librdkafka-mock-") })
        #expect(all.contains { $0.name.hasPrefix("tansu-") })
    }

    @Test(arguments: GoldenFixture.all(prefix: "-apiversions-v").filter { !$0.name.hasSuffix("unsupported") })
    func apiVersions(_ f: GoldenFixture) throws {
        let (corr, response) = try KafkaFraming.decodeResponse(ApiVersionsRequest.self, version: f.version, body: f.body)
        #expect(corr == Int32(f.int("correlation_id")))
        #expect(response.errorCode == 0)
        let expected = (f.meta["api_ranges"] as! [String: [NSNumber]]).map {
            (Int16($0.key)!, $0.value[0].int16Value, $0.value[1].int16Value)
        }.sorted { $0.0 < $1.0 }
        let got = response.apiKeys.map { ($0.apiKey, $0.minVersion, $0.maxVersion) }.sorted { $0.0 < $1.0 }
        #expect(got.map { "\($0)" } == expected.map { "\($0)" })
        #expect(got.contains { $0.0 == ApiKey.metadata.rawValue })
        #expect(got.contains { $0.0 == ApiKey.apiVersions.rawValue })
        // Our encoder produces the request the script sent, byte for byte.
        let ours = try KafkaFraming.encodeRequest(
            f.version >= 3 ? ApiVersionsRequest(clientSoftwareName: "kafscope", clientSoftwareVersion: "0.1") : ApiVersionsRequest(),
            version: f.version, correlationId: 1, clientId: "kafscope-golden")
        #expect(hex(Array(ours.dropFirst(4))) == hex(f.requestBytes))
        try expectReencodes(ApiVersionsRequest.self, f)
    }

    @Test func apiVersionsUnsupportedFromMockCluster() throws {
        let f = try GoldenFixture.load("librdkafka-mock-apiversions-v3-unsupported")
        // The error code sits right after the correlation id in every ApiVersions version.
        var r = WireReader(f.body)
        #expect(try r.readInt32() == 1)
        #expect(try r.readInt16() == 35)
        // The rest is not in Kafka's v0 layout; decoding must fail cleanly rather than trap.
        #expect(throws: (any Error).self) {
            try KafkaFraming.decodeResponse(ApiVersionsRequest.self, version: 0, body: f.body)
        }
        let fallback = try KafkaFraming.decodeApiVersionsResponse(body: f.body, requestedVersion: 3)
        #expect(fallback.correlationId == 1)
        #expect(fallback.response.errorCode == 35)
        #expect(fallback.response.apiKeys.isEmpty)
        #expect(fallback.decodedVersion == 0)
    }

    @Test func apiVersionsUnsupportedInKafkasV0Layout() throws {
        // What a Kafka broker sends for a too-new ApiVersions request: v0 layout, its own range.
        let v0 = ApiVersionsResponse(errorCode: 35, apiKeys: [.init(apiKey: 18, minVersion: 0, maxVersion: 2)])
        let frame = try KafkaFraming.encodeResponse(v0, for: ApiVersionsRequest.self, version: 0, correlationId: 4)
        let got = try KafkaFraming.decodeApiVersionsResponse(body: Array(frame.dropFirst(4)), requestedVersion: 3)
        #expect(got.correlationId == 4)
        #expect(got.decodedVersion == 0)
        #expect(got.response.apiKeys.first?.maxVersion == 2)
        // A normal reply decodes at the requested version.
        let f = try GoldenFixture.load("tansu-apiversions-v3")
        let normal = try KafkaFraming.decodeApiVersionsResponse(body: f.body, requestedVersion: 3)
        #expect(normal.decodedVersion == 3)
        #expect(normal.response.errorCode == 0)
        #expect(!normal.response.apiKeys.isEmpty)
    }

    @Test(arguments: GoldenFixture.all(prefix: "-metadata-v"))
    func metadata(_ f: GoldenFixture) throws {
        let (corr, response) = try KafkaFraming.decodeResponse(MetadataRequest.self, version: f.version, body: f.body)
        #expect(corr == Int32(f.int("correlation_id")))
        let brokers = response.brokers.map { "\($0.nodeId)@\($0.host):\($0.port)" }.sorted()
        #expect(brokers == f.brokers.map { "\($0.id)@\($0.host):\($0.port)" }.sorted())
        #expect(!brokers.isEmpty)
        if f.version >= 2 {
            #expect(response.clusterId == f.meta["cluster_id"] as? String)
        }
        if f.version >= 1 {
            #expect(response.controllerId == Int32(f.int("controller_id")))
        }
        let topics = response.topics.filter { !($0.name ?? "").hasPrefix("__") }
        #expect(Set(topics.compactMap(\.name)) == Set(f.topics.keys))
        for t in topics {
            let name = try #require(t.name)
            let exp = try #require(f.topics[name])
            #expect(t.errorCode == 0)
            #expect(t.partitions.count == (exp["partitions"] as! NSNumber).intValue, "\(name)")
            let leaders = exp["leaders"] as! [String: NSNumber]
            let replicas = exp["replicas"] as! [String: [NSNumber]]
            for p in t.partitions {
                #expect(p.leaderId == leaders["\(p.partitionIndex)"]?.int32Value, "\(name)/\(p.partitionIndex)")
                #expect(p.replicaNodes == replicas["\(p.partitionIndex)"]?.map(\.int32Value), "\(name)/\(p.partitionIndex)")
            }
            if f.version >= 10 { #expect(t.topicId != .zero) }
        }
        let ours = try KafkaFraming.encodeRequest(
            MetadataRequest(topics: nil, allowAutoTopicCreation: f.version >= 4 ? false : true),
            version: f.version, correlationId: 2, clientId: "kafscope-golden")
        #expect(hex(Array(ours.dropFirst(4))) == hex(f.requestBytes))
        try expectReencodes(MetadataRequest.self, f)
    }

    @Test(arguments: GoldenFixture.all(prefix: "-listoffsets-"))
    func listOffsets(_ f: GoldenFixture) throws {
        let (corr, response) = try KafkaFraming.decodeResponse(ListOffsetsRequest.self, version: f.version, body: f.body)
        #expect(corr == Int32(f.int("correlation_id")))
        let topic = try #require(response.topics.first)
        #expect(topic.name == f.meta["topic"] as? String)
        let p = try #require(topic.partitions.first)
        #expect(p.partitionIndex == Int32(f.int("partition")))
        #expect(p.errorCode == 0)
        #expect(p.offset == Int64(f.int("expected_offset")))
        if f.int("timestamp") == -1 { #expect(p.offset == Int64(f.int("produced"))) }
        let request = ListOffsetsRequest(replicaId: -1, topics: [.init(
            name: topic.name, partitions: [.init(partitionIndex: p.partitionIndex, timestamp: Int64(f.int("timestamp")))])])
        let ours = try KafkaFraming.encodeRequest(request, version: f.version, correlationId: 3, clientId: "kafscope-golden")
        #expect(hex(Array(ours.dropFirst(4))) == hex(f.requestBytes))
        try expectReencodes(ListOffsetsRequest.self, f)
    }

    @Test(arguments: GoldenFixture.all())
    func everyTruncationThrows(_ f: GoldenFixture) throws {
        guard let key = ApiKey(rawValue: Int16(f.int("version")) >= 0 ? apiKey(of: f) : -1) else {
            Issue.record("unknown api in \(f.name)")
            return
        }
        let version = f.version
        // Peers may leave stray bytes after the response (the librdkafka mock does), so only cuts
        // before the end of what the decoder consumes must fail.
        let consumed = try consumedLength(key.requestType, version: version, body: f.body)
        #expect(consumed > 0 && consumed <= f.body.count)
        for cut in 0..<consumed {
            let prefix = Array(f.body[0..<cut])
            #expect(throws: (any Error).self, "\(f.name) cut at \(cut)") {
                try decodeAny(key.requestType, version: version, body: prefix)
            }
        }
    }

    func apiKey(of f: GoldenFixture) -> Int16 {
        switch f.meta["api"] as! String {
        case "ApiVersions": return 18
        case "Metadata": return 3
        case "ListOffsets": return 2
        default: return -1
        }
    }

    /// Re-encoding the decoded response and decoding that again gives the same value. (Bytes can
    /// differ: tansu writes default-valued tagged fields that Kafka's encoders omit, and the
    /// librdkafka mock appends a stray byte to Metadata v12.)
    func expectReencodes<R: KafkaRequestMessage>(_ type: R.Type, _ f: GoldenFixture) throws {
        let (corr, response) = try KafkaFraming.decodeResponse(R.self, version: f.version, body: f.body)
        let frame = try KafkaFraming.encodeResponse(response, for: R.self, version: f.version, correlationId: corr)
        #expect(frame.count - 4 <= f.body.count, "\(f.name): our encoding is longer than the peer's")
        let (corr2, again) = try KafkaFraming.decodeResponse(R.self, version: f.version, body: Array(frame.dropFirst(4)))
        #expect(corr2 == corr)
        #expect(again == response, "\(f.name): value changed after re-encoding")
    }
}

func consumedLength<R: KafkaRequestMessage>(_ type: R.Type, version: Int16, body: [UInt8]) throws -> Int {
    var r = WireReader(body)
    let hv = KafkaFraming.responseHeaderVersion(apiKey: R.apiKey, flexible: R.isFlexible(version))
    _ = try ResponseHeader(from: &r, version: hv)
    _ = try R.Response(from: &r, version: version)
    return r.offset
}

func decodeAny<R: KafkaRequestMessage>(_ type: R.Type, version: Int16, body: [UInt8]) throws {
    _ = try KafkaFraming.decodeResponse(R.self, version: version, body: body)
}
