// Mutation fuzzer for the response (and request) decoders. Seeds: golden peer fixtures plus
// sample encodings of every response at every version. Any trap aborts the process; the last
// input is then written to the crash file. Usage: see scripts/fuzz.
import Foundation
import KafkaProtocol
import KafkaWire

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

var iterations = 1_000_000
var seconds: Double? = nil
var rngSeed: UInt64 = 0x6B61_6673
var fixturesDir = "Tests/KafkaProtocolTests/Fixtures/golden"
var corpusDir: String? = nil
var crashFile = "kafka-fuzz-crash.bin"
var bench = false
var args = Array(CommandLine.arguments.dropFirst())
while !args.isEmpty {
    let a = args.removeFirst()
    func value() -> String {
        guard !args.isEmpty else { print("missing value for \(a)"); exit(2) }
        return args.removeFirst()
    }
    switch a {
    case "--iterations": iterations = Int(value()) ?? iterations
    case "--seconds": seconds = Double(value())
    case "--seed": rngSeed = UInt64(value()) ?? rngSeed
    case "--fixtures": fixturesDir = value()
    case "--write-corpus": corpusDir = value()
    case "--crash-file": crashFile = value()
    case "--bench": bench = true
    default: print("unknown argument \(a)"); exit(2)
    }
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

// MARK: benchmarks

if bench {
    var response = MetadataResponse(brokers: (1...6).map { .init(nodeId: $0, host: "broker-\($0).kafka.internal", port: 9092, rack: "rack-\($0 % 3)") },
                                     clusterId: "bench-cluster", controllerId: 1)
    for t in 0..<2000 {
        response.topics.append(.init(
            errorCode: 0, name: "topic-\(t)-events", topicId: KafkaUUID(high: UInt64(t), low: 42), isInternal: false,
            partitions: (0..<3).map { p in .init(partitionIndex: Int32(p), leaderId: Int32(p + 1), leaderEpoch: 5,
                                                 replicaNodes: [1, 2, 3], isrNodes: [1, 2, 3], offlineReplicas: []) },
            topicAuthorizedOperations: -2147483648))
    }
    let frame = try KafkaFraming.encodeResponse(response, for: MetadataRequest.self, version: 12, correlationId: 1)
    let body = Array(frame.dropFirst(4))
    var best = Double.infinity
    var total = 0.0
    let runs = 50
    for _ in 0..<runs {
        let t0 = now()
        let (_, decoded) = try KafkaFraming.decodeResponse(MetadataRequest.self, version: 12, body: body)
        let dt = now() - t0
        precondition(decoded.topics.count == 2000)
        best = min(best, dt)
        total += dt
    }
    print(String(format: "Metadata v12 response, 2000 topics x 3 partitions (%d bytes): decode best %.2f ms, mean %.2f ms",
                 body.count, best * 1000, total / Double(runs) * 1000))
    var t0 = now()
    for _ in 0..<runs { _ = try KafkaFraming.encodeResponse(response, for: MetadataRequest.self, version: 12, correlationId: 1) }
    print(String(format: "  encode mean %.2f ms", (now() - t0) / Double(runs) * 1000))

    let data = [UInt8]((0..<(64 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 131) })
    t0 = now()
    let crc = CRC32C.checksum(data)
    let dt = now() - t0
    print(String(format: "CRC32C over 64 MiB: %.0f MB/s (crc %08x)", 64.0 * 1.048576 / dt, crc))
    // A typical record batch is ~1 KiB; how many batch checksums per second.
    let batch = Array(data[0..<1024])
    var acc: UInt32 = 0
    t0 = now()
    for _ in 0..<200_000 { acc &+= CRC32C.checksum(batch) }
    print(String(format: "CRC32C 1 KiB batches: %.2f M/s (%u)", 0.2 / (now() - t0), acc))
    exit(0)
}

// MARK: seeds

var seeds: [FuzzSeed] = []
var goldenCount = 0
if let names = try? FileManager.default.contentsOfDirectory(atPath: fixturesDir) {
    for name in names.sorted() where name.hasSuffix(".hex") {
        let base = (fixturesDir as NSString).appendingPathComponent(String(name.dropLast(4)))
        guard let hexText = try? String(contentsOfFile: base + ".hex", encoding: .utf8),
              let json = try? Data(contentsOf: URL(fileURLWithPath: base + ".json")),
              let meta = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
              let apiName = meta["api"] as? String, let version = meta["version"] as? Int,
              let api = ApiKey.allCases.first(where: { $0.name == apiName }) else { continue }
        var bytes: [UInt8] = []
        var hi: UInt8? = nil
        for c in hexText.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - 87
            default: continue
            }
            if let h = hi { bytes.append(h << 4 | v); hi = nil } else { hi = v }
        }
        seeds.append(FuzzSeed(api: api, version: Int16(version), body: bytes))
        goldenCount += 1
    }
}
let sampled = sampleSeeds()
seeds += sampled
let requests = requestSeeds()
print("seeds: \(goldenCount) golden peer responses, \(sampled.count) sample responses (\(ApiKey.allCases.count) APIs, all versions), \(requests.count) sample requests")
guard !seeds.isEmpty else { print("no seeds"); exit(1) }

if let dir = corpusDir {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let keys = ApiKey.allCases
    for (i, s) in (seeds + requests).enumerated() {
        let keyIndex = UInt8(keys.firstIndex(of: s.api)!)
        let vIndex = UInt8(s.version - s.api.requestType.validVersions.lowerBound)
        let side: UInt8 = i < seeds.count ? 0 : 1
        let data = Data([keyIndex, vIndex, side] + s.body)
        try data.write(to: URL(fileURLWithPath: (dir as NSString).appendingPathComponent(String(format: "seed-%05d", i))))
    }
    print("wrote \(seeds.count + requests.count) corpus files to \(dir)")
    exit(0)
}

// MARK: crash capture

// The input being decoded lives in a preallocated buffer so the trap handler can write it out.
let crashCapacity = 1 << 22
nonisolated(unsafe) let crashBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: crashCapacity)
nonisolated(unsafe) var crashLength = 0
nonisolated(unsafe) var crashFD: Int32 = -1
crashFD = open(crashFile + ".pending", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
for sig in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT] {
    signal(sig) { s in
        if crashFD >= 0 { _ = write(crashFD, crashBuffer, crashLength) }
        let msg = "kafka-fuzz: CRASH (signal \(s)); input saved\n"
        msg.utf8CString.withUnsafeBufferPointer { _ = write(2, $0.baseAddress, $0.count - 1) }
        _exit(70)
    }
}

@inline(__always)
func remember(_ api: ApiKey, _ version: Int16, _ body: [UInt8]) {
    // Layout: api key (2), version (2), body.
    let n = min(body.count, crashCapacity - 4)
    crashBuffer[0] = UInt8(truncatingIfNeeded: api.rawValue >> 8); crashBuffer[1] = UInt8(truncatingIfNeeded: api.rawValue)
    crashBuffer[2] = UInt8(truncatingIfNeeded: version >> 8); crashBuffer[3] = UInt8(truncatingIfNeeded: version)
    body.withUnsafeBufferPointer { crashBuffer.advanced(by: 4).update(from: $0.baseAddress!, count: n) }
    crashLength = n + 4
}

// MARK: mutation loop

var rng = SplitMix64(state: rngSeed)
let interesting8: [UInt8] = [0x00, 0x01, 0x02, 0x7F, 0x80, 0xFE, 0xFF]
let interesting32: [UInt32] = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFFE]

func mutate(_ input: [UInt8], pool: [FuzzSeed], rng: inout SplitMix64) -> [UInt8] {
    var b = input
    let rounds = 1 + Int(rng.next() % 3)
    for _ in 0..<rounds {
        switch rng.next() % 10 {
        case 0 where !b.isEmpty:
            let i = Int(rng.next() % UInt64(b.count)); b[i] ^= UInt8(1 << (rng.next() % 8))
        case 1 where !b.isEmpty:
            b[Int(rng.next() % UInt64(b.count))] = interesting8[Int(rng.next() % UInt64(interesting8.count))]
        case 2 where b.count >= 4:
            let i = Int(rng.next() % UInt64(b.count - 3))
            let v = interesting32[Int(rng.next() % UInt64(interesting32.count))]
            if rng.next() % 2 == 0 {
                b[i] = UInt8(v >> 24); b[i + 1] = UInt8(v >> 16 & 0xFF); b[i + 2] = UInt8(v >> 8 & 0xFF); b[i + 3] = UInt8(v & 0xFF)
            } else {
                b[i] = UInt8(v >> 8 & 0xFF); b[i + 1] = UInt8(v & 0xFF)
            }
        case 3 where !b.isEmpty:
            b.removeLast(Int(rng.next() % UInt64(b.count)))
        case 4:
            let i = b.isEmpty ? 0 : Int(rng.next() % UInt64(b.count + 1))
            let n = 1 + Int(rng.next() % 8)
            b.insert(contentsOf: (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: i)
        case 5 where b.count > 2:
            let i = Int(rng.next() % UInt64(b.count))
            let n = min(b.count - i, 1 + Int(rng.next() % 16))
            b.removeSubrange(i..<(i + n))
        case 6 where b.count > 2:
            let i = Int(rng.next() % UInt64(b.count))
            let n = min(b.count - i, 1 + Int(rng.next() % 32))
            let j = Int(rng.next() % UInt64(b.count))
            b.insert(contentsOf: b[i..<(i + n)], at: j)
        case 7:
            // Varint bomb: an over-long or huge unsigned varint.
            let i = b.isEmpty ? 0 : Int(rng.next() % UInt64(b.count))
            b.insert(contentsOf: rng.next() % 2 == 0 ? [0xFF, 0xFF, 0xFF, 0xFF, 0x0F] : [0x80, 0x80, 0x80, 0x80, 0x80, 0x01], at: i)
        case 8 where !b.isEmpty:
            // Splice with another seed.
            let other = pool[Int(rng.next() % UInt64(pool.count))].body
            let cut = Int(rng.next() % UInt64(b.count))
            let from = other.isEmpty ? 0 : Int(rng.next() % UInt64(other.count))
            b = Array(b[..<cut]) + other[from...]
        default:
            if !b.isEmpty { b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next()) }
        }
    }
    return b
}

var ran = 0
var decoded = 0
var rejected = 0
var requestRuns = 0
let start = now()
var lastReport = start
while true {
    if let s = seconds {
        if ran % 1024 == 0, now() - start >= s { break }
    } else if ran >= iterations {
        break
    }
    let fromRequests = rng.next() % 8 == 0
    let seed = fromRequests ? requests[Int(rng.next() % UInt64(requests.count))] : seeds[Int(rng.next() % UInt64(seeds.count))]
    var version = seed.version
    if rng.next() % 10 == 0 {
        let r = seed.api.requestType.validVersions
        version = r.lowerBound + Int16(rng.next() % UInt64(r.upperBound - r.lowerBound + 1))
    }
    let input = mutate(seed.body, pool: seeds, rng: &rng)
    remember(seed.api, version, input)
    let outcome = fromRequests ? decodeRequest(api: seed.api, body: input) : decodeResponse(api: seed.api, version: version, body: input)
    if fromRequests { requestRuns += 1 }
    switch outcome {
    case .decoded: decoded += 1
    case .rejected: rejected += 1
    }
    ran += 1
    if ran % 100_000 == 0 {
        let t = now()
        if t - lastReport >= 10 {
            lastReport = t
            print(String(format: "  %d inputs, %.0f/s", ran, Double(ran) / (t - start)))
        }
    }
}
let elapsed = now() - start
// Also every seed, unmutated, at its own version must decode.
var seedFailures = 0
for s in seeds where decodeResponse(api: s.api, version: s.version, body: s.body) != .decoded { seedFailures += 1 }
close(crashFD)
unlink(crashFile + ".pending")
print(String(format: "kafka-fuzz: %d inputs ran without a crash in %.1f s (%.0f/s): %d decoded, %d rejected with an error; %d were request frames; rng seed %llu",
             ran, elapsed, Double(ran) / elapsed, decoded, rejected, requestRuns, rngSeed))
if seedFailures > 0 {
    print("kafka-fuzz: \(seedFailures) unmutated seed(s) failed to decode")
    exit(1)
}
