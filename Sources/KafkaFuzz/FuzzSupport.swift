// Shared by the mutation loop (main.swift) and the libFuzzer entry (LibFuzzerEntry.swift).
// Built by scripts/fuzz with swiftc; not a package target.
import KafkaProtocol
import KafkaWire

/// Implemented by the generated sample builders (Tests/KafkaProtocolTests/Generated), compiled in.
protocol ProtocolSample: KafkaMessage {
    static func sample(version: Int16, seed: Int) -> Self
    static var defaultValue: Self { get }
}

/// One fuzz input: which API and version to decode as, and the response body (frame without size).
struct FuzzSeed {
    var api: ApiKey
    var version: Int16
    var body: [UInt8]
}

enum DecodeOutcome { case decoded, rejected }

/// Decodes `body` as the response of `api` at `version` (header included), as the client does.
@inline(never)
func decodeResponse(api: ApiKey, version: Int16, body: [UInt8]) -> DecodeOutcome {
    func run<R: KafkaRequestMessage>(_ t: R.Type) -> DecodeOutcome {
        guard R.validVersions.contains(version) else { return .rejected }
        do {
            _ = try KafkaFraming.decodeResponse(R.self, version: version, body: body)
            return .decoded
        } catch {
            return .rejected
        }
    }
    return run(api.requestType)
}

/// Decodes `body` as a request frame (header + body), as a broker would.
@inline(never)
func decodeRequest(api: ApiKey, body: [UInt8]) -> DecodeOutcome {
    func run<R: KafkaRequestMessage>(_ t: R.Type) -> DecodeOutcome {
        do {
            _ = try KafkaFraming.decodeRequest(R.self, frame: body)
            return .decoded
        } catch {
            return .rejected
        }
    }
    return run(api.requestType)
}

/// Response bodies for every API at every version, built from the sample builders
/// (non-default values in every field), with a response header in front.
func sampleSeeds() -> [FuzzSeed] {
    var seeds: [FuzzSeed] = []
    for api in ApiKey.allCases {
        func add<R: KafkaRequestMessage>(_ t: R.Type) {
            guard let sampleType = R.Response.self as? any ProtocolSample.Type else { return }
            for v in R.validVersions {
                for seed in [0, 3] {
                    if let frame = try? encodeSample(sampleType, for: R.self, version: v, seed: seed) {
                        seeds.append(FuzzSeed(api: api, version: v, body: Array(frame.dropFirst(4))))
                    }
                }
            }
        }
        add(api.requestType)
    }
    return seeds
}

func encodeSample<S: ProtocolSample, R: KafkaRequestMessage>(_ s: S.Type, for r: R.Type, version: Int16, seed: Int) throws -> [UInt8] {
    guard let value = S.sample(version: version, seed: seed) as? R.Response else { return [] }
    return try KafkaFraming.encodeResponse(value, for: R.self, version: version, correlationId: Int32(seed))
}

/// Request frames for every API at every version (for the broker-side decoder).
func requestSeeds() -> [FuzzSeed] {
    var seeds: [FuzzSeed] = []
    for api in ApiKey.allCases {
        func add<R: KafkaRequestMessage>(_ t: R.Type) {
            guard let sampleType = R.self as? any ProtocolSample.Type else { return }
            for v in R.validVersions {
                if let frame = try? encodeRequestSample(sampleType, as: R.self, version: v) {
                    seeds.append(FuzzSeed(api: api, version: v, body: Array(frame.dropFirst(4))))
                }
            }
        }
        add(api.requestType)
    }
    return seeds
}

func encodeRequestSample<S: ProtocolSample, R: KafkaRequestMessage>(_ s: S.Type, as r: R.Type, version: Int16) throws -> [UInt8] {
    guard let value = S.sample(version: version, seed: 1) as? R else { return [] }
    return try KafkaFraming.encodeRequest(value, version: version, correlationId: 7, clientId: "fuzz")
}
