import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

// Schema Registry peers shared by the schema tests and the end-to-end tests.

/// Launches Tests/Peers/registry_sim.py (a Schema Registry REST simulator) on a free loopback port.
public final class RegistrySim: @unchecked Sendable {
    public struct Hello: Decodable, Sendable {
        public var port: Int
        public var scheme: String
        public var ca: String?
        public var client_cert: String?
        public var client_key: String?
    }
    public let hello: Hello
    private let process: Process
    private let stdinPipe: Pipe

    public var url: String { "\(hello.scheme)://127.0.0.1:\(hello.port)" }

    private init(hello: Hello, process: Process, stdinPipe: Pipe) {
        self.hello = hello
        self.process = process
        self.stdinPipe = stdinPipe
    }

    deinit { stop() }

    public static func start(_ arguments: [String] = []) async throws -> RegistrySim {
        let env = try PeerEnvironment.locate()
        let process = Process()
        process.executableURL = env.python
        process.arguments = [try env.script("registry_sim.py").path, "--port", "0", "--exit-on-stdin-eof"] + arguments
        let stdinPipe = Pipe(), stdoutPipe = Pipe()
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = FileHandle.standardError
        try process.run()
        let line = await firstLine(of: stdoutPipe.fileHandleForReading)
        guard let line, let hello = try? JSONDecoder().decode(Hello.self, from: Data(line.utf8)) else {
            process.terminate()
            throw PeerError("registry simulator did not start (first line: \(line ?? "<none>"))")
        }
        return RegistrySim(hello: hello, process: process, stdinPipe: stdinPipe)
    }

    public func stop() {
        if process.isRunning { process.terminate() }
        try? stdinPipe.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// Control API (plain HTTP only): `/__sim/inject`, `/__sim/requests`.
    public func control(_ method: String, _ path: String, body: [String: Any]? = nil) async throws -> Data {
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = method
        if let body { request.httpBody = try JSONSerialization.data(withJSONObject: body) }
        let (data, _) = try await URLSession.shared.data(for: request)
        return data
    }

    public func requestPaths() async throws -> [String] {
        let list = try JSONSerialization.jsonObject(with: try await control("GET", "/__sim/requests")) as! [[String: Any]]
        return list.map { $0["path"] as! String }
    }
}

/// Produces through confluent-kafka's serializers (Tests/Peers/schema_records.py produce).
public enum SchemaProducer {
    public static func produce(case name: String, topic: String, bootstrap: String, registry: String, count: Int,
                        seed: Int = 1, quiet: Bool = false, extra: [String] = []) async throws -> [[String: Any]] {
        let env = try PeerEnvironment.locate()
        var args = [try env.script("schema_records.py").path, "produce", "--case", name, "--topic", topic,
                    "--bootstrap", bootstrap, "--registry", registry, "--count", String(count), "--seed", String(seed)]
        if quiet { args.append("--quiet") }
        args += extra
        let out = try await CommandRunner.run(env.python, args, timeout: .seconds(300))
        guard out.status == 0 else { throw PeerError("schema_records.py produce \(name) failed: \(out.stderr.suffix(3000))") }
        return try out.stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }
}

