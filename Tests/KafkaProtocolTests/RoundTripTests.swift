import Testing
import KafkaProtocol
import KafkaWire

/// Encodes a sample at every valid version, decodes it back, re-encodes it, and feeds every
/// truncated prefix to the decoder. Returns how many versions were exercised.
func exerciseAllVersions<M: ProtocolSample>(_ type: M.Type) throws -> Int {
    var versions = 0
    for version in M.validVersions {
        let sample = M.sample(version: version, seed: 0)
        let encoded = try sample.encoded(version: version)
        var reader = WireReader(encoded)
        let decoded = try M(from: &reader, version: version)
        #expect(decoded == sample, "\(M.self) v\(version): decoded value differs from the sample")
        #expect(reader.isAtEnd, "\(M.self) v\(version): \(reader.remaining) byte(s) left after decoding")
        #expect(try decoded.encoded(version: version) == encoded, "\(M.self) v\(version): re-encoding differs")
        // Equal bytes for sample and default would mean the sample left a field at its default.
        if try M.defaultValue.encoded(version: version) == encoded {
            #expect(sample == M.defaultValue, "\(M.self) v\(version): sample encodes like the default")
        }
        // A second seed gives other values and still round-trips.
        let other = M.sample(version: version, seed: 5)
        #expect(try M(bytes: other.encoded(version: version), version: version) == other)
        // Every strict prefix must throw, never trap or succeed.
        for cut in 0..<encoded.count {
            var r = WireReader(encoded[0..<cut])
            do {
                _ = try M(from: &r, version: version)
                Issue.record("\(M.self) v\(version): decoding a \(cut)-byte prefix of \(encoded.count) succeeded")
            } catch {}
        }
        versions += 1
    }
    // Versions outside the range are refused both ways.
    let bad = M.validVersions.upperBound + 1
    #expect(throws: KafkaCodecError.unsupportedVersion(message: "\(M.self)", version: bad)) {
        try M.defaultValue.encoded(version: bad)
    }
    var zeros = WireReader([UInt8](repeating: 0, count: 64))
    #expect(throws: KafkaCodecError.self) { try M(from: &zeros, version: bad) }
    return versions
}

@Suite struct RoundTripTests {
    @Test func everyMessageAtEveryVersion() throws {
        var messages = 0
        var versions = 0
        for type in allSampleTypes {
            versions += try exerciseAllVersions(type)
            messages += 1
        }
        let expected = allSampleTypes.reduce(0) { $0 + $1.validVersions.count }
        #expect(messages == 186)
        #expect(versions == expected)
        #expect(versions >= 600)
        print("round-tripped \(messages) messages at \(versions) message-versions")
    }

    @Test func requestAndResponseTypesPairUp() {
        #expect(ApiKey.allCases.count == 88)
        #expect(ApiKey.apiVersions.rawValue == 18)
        #expect(ApiKey.metadata.rawValue == 3)
        #expect(ApiKey.metadata.name == "Metadata")
        #expect(ApiKey.listOffsets.name == "ListOffsets")
        for key in ApiKey.allCases {
            #expect(key.requestType.apiKey == key)
            #expect("\(key.responseType)" == key.name + "Response")
            #expect("\(key.requestType)" == key.name + "Request")
        }
        #expect(KafkaMessageTypes.all.count == 186)
    }
}
