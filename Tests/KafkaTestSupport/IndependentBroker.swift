import Foundation

/// The independent fake Kafka cluster (Tests/Peers/fake_broker.py) as a child process.
///
/// Its responses are encoded by kafka-python's protocol classes, never by kafscope's codecs, so a test
/// against it proves kafscope's decoding against bytes another implementation wrote. It is scripted per
/// test: a JSON "scenario" (topics, groups, quorum, log dirs, configs, record batches; see
/// Tests/Peers/README.md), changed while it runs with `set`/`append`, and a request log to assert on.
/// The Swift fake (KafkaClientTests/FakeBroker*.swift) stays for fault injection.
public final class IndependentBroker: Sendable {
    public struct Broker: Sendable, Hashable {
        public let id: Int32
        public let port: Int
        public var address: String { "127.0.0.1:\(port)" }
    }

    public let bootstrap: String
    public let brokers: [Broker]
    /// The API keys it has handlers for (and advertises in ApiVersions).
    public let apiKeys: [Int16]
    private let process: PeerProcess

    private init(process: PeerProcess, bootstrap: String, brokers: [Broker], apiKeys: [Int16]) {
        self.process = process
        self.bootstrap = bootstrap
        self.brokers = brokers
        self.apiKeys = apiKeys
    }

    public static func start(brokers count: Int = 3, scenario: [String: Any] = [:], environment: PeerEnvironment? = nil,
                             timeout: Duration = .seconds(60)) async throws -> IndependentBroker {
        let env = try environment ?? PeerEnvironment.locate()
        let script = try env.script("fake_broker.py")
        let process = try PeerProcess(name: "independent fake broker", executable: env.python,
                                      arguments: ["-u", script.path, "--brokers", String(count)])
        do {
            let line = try await process.awaitReady(timeout: timeout)
            guard let ready = PeerProcess.decode(line), let bootstrap = ready["bootstrap"] as? String,
                  let list = ready["brokers"] as? [[String: Any]] else {
                throw PeerError("independent fake broker: malformed ready line: \(line.prefix(500))")
            }
            let brokers = try list.map { item -> Broker in
                guard let id = item["id"] as? Int, let port = item["port"] as? Int else {
                    throw PeerError("independent fake broker: malformed broker entry in \(line.prefix(500))")
                }
                return Broker(id: Int32(id), port: port)
            }
            let keys = (ready["apis"] as? [Int] ?? []).map(Int16.init)
            let broker = IndependentBroker(process: process, bootstrap: bootstrap, brokers: brokers, apiKeys: keys)
            if !scenario.isEmpty { try await broker.setScenario(scenario) }
            return broker
        } catch {
            process.terminate()
            throw error
        }
    }

    /// Runs `body` with a started fake and stops it afterwards; fails when a handler raised or a request
    /// had no handler (the fake's own bugs must not pass as kafscope's).
    public static func with<T: Sendable>(brokers: Int = 3, scenario: [String: Any],
                                         _ body: (IndependentBroker) async throws -> T) async throws -> T {
        let fake = try await start(brokers: brokers, scenario: scenario)
        let result: T
        do {
            result = try await body(fake)
        } catch {
            // The fake's own failure is usually why the body threw: say so.
            let failures = (try? await fake.failures()) ?? []
            fake.stop()
            if failures.isEmpty { throw error }
            throw PeerError("\(error)\nindependent fake broker failures:\n" + failures.joined(separator: "\n"))
        }
        let failures = try await fake.failures()
        let mismatches = try await fake.mismatches()
        fake.stop()
        guard failures.isEmpty else {
            throw PeerError("independent fake broker failures:\n" + failures.joined(separator: "\n"))
        }
        guard mismatches.isEmpty else {
            throw PeerError("kafscope's requests differ from kafka-python's encoding of the same request:\n"
                            + mismatches.joined(separator: "\n"))
        }
        return result
    }

    /// Sends one control command; returns the answer object (throws on {"ok": false}).
    @discardableResult
    public func command(_ object: [String: Any]) async throws -> [String: Any] {
        let line = try await process.command(try PeerProcess.encode(object))
        return PeerProcess.decode(line) ?? [:]
    }

    /// Replaces the whole scenario (and forgets fetch sessions and built record logs).
    public func setScenario(_ scenario: [String: Any]) async throws {
        try await command(["cmd": "scenario", "scenario": scenario])
    }

    /// Sets one value inside the scenario, e.g. `["topics", "t", "partitions", 0, "leader"]`.
    public func set(_ path: [Any], to value: Any) async throws {
        try await command(["cmd": "set", "path": path, "value": value])
    }

    /// Appends record batches (scenario batch specs) to a partition; returns its new end offset.
    @discardableResult
    public func append(topic: String, partition: Int, batches: [[String: Any]]) async throws -> Int64 {
        let answer = try await command(["cmd": "append", "topic": topic, "partition": partition, "batches": batches])
        return Int64(answer["end"] as? Int ?? -1)
    }

    /// The next responses to `apiKey` carry these ThrottleTimeMs values.
    public func throttle(apiKey: Int16, milliseconds: [Int]) async throws {
        try await command(["cmd": "throttle", "api_key": Int(apiKey), "ms": milliseconds])
    }

    /// The request log (decoded by kafka-python), optionally for one API only.
    public func requests(apiKey: Int16? = nil, clear: Bool = false) async throws -> [LoggedRequest] {
        var cmd: [String: Any] = ["cmd": "requests", "clear": clear]
        if let apiKey { cmd["api_key"] = Int(apiKey) }
        let answer = try await command(cmd)
        return (answer["requests"] as? [[String: Any]] ?? []).map(LoggedRequest.init)
    }

    /// Handler exceptions and requests without a handler, as text.
    public func failures() async throws -> [String] {
        let answer = try await command(["cmd": "failures"])
        return (answer["failures"] as? [[String: Any]] ?? []).map { entry in
            if let trace = entry["failure"] as? String { return "broker \(entry["broker"] ?? "?"): \(trace)" }
            return "broker \(entry["broker"] ?? "?"): no handler for api \(entry["api_key"] ?? "?") v\(entry["version"] ?? "?")"
        }
    }

    /// Requests whose bytes differ from kafka-python's encoding of what it decoded from them (the fake
    /// re-encodes every request): a byte-level check of kafscope's encoders against an independent one.
    public func mismatches() async throws -> [String] {
        let answer = try await command(["cmd": "mismatches"])
        return (answer["mismatches"] as? [[String: Any]] ?? []).map { m in
            "api \(m["api_key"] ?? "?") v\(m["version"] ?? "?") to broker \(m["broker"] ?? "?"): \(m["sent_length"] ?? "?") bytes sent, "
                + "\(m["reencoded_length"] ?? "?") re-encoded, first difference at byte \(m["first_difference"] ?? "?"): "
                + "sent …\(m["sent"] ?? "")… re-encoded …\(m["reencoded"] ?? "")…"
        }
    }

    public func stop() { process.terminate() }
}

/// One request as the fake decoded it (field names as in kafka-python: snake_case of the schema's).
public struct LoggedRequest: @unchecked Sendable {
    public let broker: Int32
    public let apiKey: Int16
    public let version: Int16
    public let request: [String: Any]
    /// What the handler noted (e.g. the names it answered for, fetch session ids).
    public let note: [String: Any]

    init(_ entry: [String: Any]) {
        broker = Int32(entry["broker"] as? Int ?? -1)
        apiKey = Int16(entry["api_key"] as? Int ?? -1)
        version = Int16(entry["version"] as? Int ?? -1)
        request = entry["request"] as? [String: Any] ?? [:]
        note = entry["note"] as? [String: Any] ?? [:]
    }

    public var names: [String] { note["names"] as? [String] ?? [] }
    public func int(_ key: String) -> Int? { note[key] as? Int }
    /// Fetch: "topic:partition" -> fetch offset listed in the request.
    public var sent: [String: Int] { note["sent"] as? [String: Int] ?? [:] }
    public var forgotten: [String] { note["forgotten"] as? [String] ?? [] }
    public var answered: [String] { note["answered"] as? [String] ?? [] }
}
