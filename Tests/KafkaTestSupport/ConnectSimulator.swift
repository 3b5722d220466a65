import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Launches Tests/Peers/connect_sim.py (a Kafka Connect REST simulator) on a free loopback
/// port and talks to its test-only `/__sim/` control API. Owned by the "connect" helper.
public final class ConnectSimulator: @unchecked Sendable {
    /// One request the simulator received (control requests excluded).
    public struct Request: Decodable, Sendable, Hashable {
        public var method: String
        public var path: String
        public var query: [String: [String]]
        public var raw_query: String
        public var body: String
        public var auth_user: String?
    }

    public struct LaunchError: Error, CustomStringConvertible {
        public var description: String
    }

    public let name: String
    public let port: Int
    public let scheme: String
    private let process: Process
    private let stdinPipe: Pipe
    private let lock = NSLock()
    private var stopped = false

    public var url: String { "\(scheme)://127.0.0.1:\(port)" }

    private init(name: String, port: Int, scheme: String, process: Process, stdinPipe: Pipe) {
        self.name = name
        self.port = port
        self.scheme = scheme
        self.process = process
        self.stdinPipe = stdinPipe
    }

    deinit { stop() }

    /// The repository root, found from this file's location.
    public static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The peers' python (PeerEnvironment: KAFSCOPE_PYTHON or the venv), else python3 on PATH:
    /// the simulator needs only the standard library.
    public static func pythonPath() throws -> String {
        if let peers = try? PeerEnvironment.locate() { return peers.python.path }
        let env = ProcessInfo.processInfo.environment
        let venv = repoRoot.appendingPathComponent(".venv/bin/python").path
        for dir in (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw LaunchError(description: "connect simulator: no python found (looked for KAFSCOPE_PYTHON, \(venv), python3 on PATH)")
    }

    /// Starts one simulator. `extraArguments` passes e.g. `--basic-auth u:p` or `--certfile`.
    public static func start(name: String, scenario: String = "demo", version: String = "3.7.0",
                             stateDelayMs: Int = 300, extraArguments: [String] = []) async throws -> ConnectSimulator {
        let script = repoRoot.appendingPathComponent("Tests/Peers/connect_sim.py").path
        guard FileManager.default.fileExists(atPath: script) else {
            throw LaunchError(description: "connect simulator: \(script) is missing")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try pythonPath())
        process.arguments = [script, "--port", "0", "--scenario", scenario, "--version", version,
                             "--state-delay-ms", String(stateDelayMs), "--exit-on-stdin-eof"] + extraArguments
        let stdinPipe = Pipe()
        let stdoutPipe = Pipe()
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = FileHandle.standardError
        try process.run()
        let line = await firstLine(of: stdoutPipe.fileHandleForReading, limit: 4096)
        struct Hello: Decodable { var port: Int; var scheme: String? }
        guard let line, let hello = try? JSONDecoder().decode(Hello.self, from: Data(line.utf8)) else {
            process.terminate()
            process.waitUntilExit()
            throw LaunchError(description: "connect simulator \(name) did not start (first line: \(line ?? "<none>"))")
        }
        return ConnectSimulator(name: name, port: hello.port, scheme: hello.scheme ?? "http", process: process, stdinPipe: stdinPipe)
    }

    /// Stops the simulator and waits for it to exit. Safe to call twice.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        if process.isRunning { process.terminate() }
        try? stdinPipe.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    // MARK: Control API

    public func requests() async throws -> [Request] {
        let body = try await control("GET", "/__sim/requests")
        return try JSONDecoder().decode([Request].self, from: Data(body.utf8))
    }

    /// Requests excluding `GET /` and listings, i.e. what actions were sent.
    public func actionRequests() async throws -> [Request] {
        try await requests().filter { $0.method != "GET" }
    }

    /// The next `count` requests (matching `path` substring and `method` when given) answer 409.
    public func inject409(count: Int, path: String = "", method: String = "") async throws {
        try await inject(status: 409, count: count, path: path, method: method)
    }

    public func inject(status: Int, count: Int, path: String = "", method: String = "", message: String? = nil,
                       sleepMs: Int = 0) async throws {
        var spec: [String: Any] = ["status": status, "count": count, "path": path, "method": method, "sleep_ms": sleepMs]
        if let message { spec["message"] = message }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
        _ = try await control("POST", "/__sim/inject", body: json)
    }

    /// Back to the scenario's connectors, no recorded requests, no injections.
    public func reset() async throws { _ = try await control("POST", "/__sim/reset") }

    /// State changes (pause, resume, restart, ...) wait until `release()`: tests decide when the
    /// worker applies them instead of racing a delay.
    public func hold() async throws { _ = try await control("POST", "/__sim/hold") }
    public func release() async throws { _ = try await control("POST", "/__sim/release") }

    public func clearRequests() async throws { _ = try await control("POST", "/__sim/clear-requests") }

    /// Sends a plain HTTP/1.0 request on loopback (no HTTP library needed in test support).
    public func control(_ method: String, _ path: String, body: String = "") async throws -> String {
        let port = self.port
        precondition(scheme == "http", "control API over HTTPS is not supported by this launcher")
        return try await Task.detached { try Self.rawHTTP(port: port, method: method, path: path, body: body) }.value
    }

    static func rawHTTP(port: Int, method: String, path: String, body: String) throws -> String {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw LaunchError(description: "socket() failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw LaunchError(description: "connect simulator on port \(port) is not reachable") }
        let request = "\(method) \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        var bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeMutableBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, 0) }
            guard n > 0 else { throw LaunchError(description: "send to simulator failed") }
            sent += n
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw LaunchError(description: "bad answer from simulator") }
        let statusLine = text[..<split.lowerBound].split(separator: "\r\n").first ?? ""
        guard statusLine.contains(" 200") else { throw LaunchError(description: "simulator control \(path): \(statusLine)") }
        return String(text[split.upperBound...])
    }

    /// A loopback URL where nothing listens (a port held bound, never listening), for unreachable-worker tests.
    public static func closedPortURL() throws -> String {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw LaunchError(description: "socket() failed") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        // Kept bound and never listening for the life of the test process (the descriptor is not
        // closed on purpose): a connect is refused, and no other test's listener can take the port
        // meanwhile (a closed port was once reused by a simulator of a concurrent test).
        return "http://127.0.0.1:\(UInt16(bigEndian: bound.sin_port))"
    }
}
