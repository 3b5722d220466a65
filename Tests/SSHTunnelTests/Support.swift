import Foundation
import KafkaTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built `kafscope` binary, run with a private HOME (its own ~/.ssh) and config file.
struct Kafscope {
    let home: URL
    let config: URL

    static func binary() throws -> URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("kafscope")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        for path in [".build/debug/kafscope"] where FileManager.default.isExecutableFile(atPath: path) {
            return URL(fileURLWithPath: path)
        }
        throw PeerError("kafscope executable not found next to the test bundle; run swift build --build-tests")
    }

    /// A HOME with ~/.ssh and a config whose context `lab` goes through the lab's sshd.
    init(lab: JumpHostLab, bootstrap: String, sshTable: [String: String] = [:], connect: [String: String] = [:],
         extra: String = "") throws {
        home = lab.dir.appendingPathComponent("home-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".ssh"), withIntermediateDirectories: true)
        config = home.appendingPathComponent("config.toml")
        var ssh = ["host": "root@\(lab.sshAddress):\(lab.sshPort)", "identity_file": lab.clientKey.path]
        for (k, v) in sshTable { ssh[k] = v }
        var text = "default_context = \"lab\"\n[contexts.lab]\nbootstrap = \"\(bootstrap)\"\n\(extra)\n[contexts.lab.ssh]\n"
        for (k, v) in ssh.sorted(by: { $0.key < $1.key }) where !v.isEmpty {
            text += v == "true" || v == "false" ? "\(k) = \(v)\n" : "\(k) = \"\(v)\"\n"
        }
        if !connect.isEmpty {
            text += "[contexts.lab.connect]\n"
            for (k, v) in connect { text += "\(k) = \"\(v)\"\n" }
        }
        try text.write(to: config, atomically: true, encoding: .utf8)
    }

    var knownHosts: URL { home.appendingPathComponent(".ssh/known_hosts") }

    func trust(_ lab: JumpHostLab) throws {
        try (lab.knownHostsLine() + "\n").write(to: knownHosts, atomically: true, encoding: .utf8)
    }

    func environment(_ extra: [String: String]) -> [String: String] {
        var e = ProcessInfo.processInfo.environment
        e["HOME"] = home.path
        e["XDG_CONFIG_HOME"] = "/nonexistent-kafscope-test"
        e["XDG_STATE_HOME"] = home.appendingPathComponent("state").path
        e.removeValue(forKey: "SSH_AUTH_SOCK")
        for (k, v) in extra { e[k] = v }
        return e
    }

    /// Runs to completion (killed after 90 s, which fails the test instead of hanging the suite).
    /// ChildProcess, not Foundation's Process: see ChildProcess for why.
    func run(_ args: [String], env: [String: String] = [:], timeout: Duration = .seconds(90)) async throws -> (status: Int32, out: String, err: String) {
        let r = try await ChildProcess.run([try Self.binary().path] + args + ["--config", config.path],
                                           environment: environment(env), timeout: timeout)
        return (r.status, r.stdout, r.stderr)
    }

    /// Starts a long-running command (a tail) with its output in files under HOME; the caller stops it.
    func start(_ args: [String], env: [String: String] = [:]) throws -> ChildProcess {
        let tag = UUID().uuidString.prefix(8)
        return try ChildProcess.spawn([try Self.binary().path] + args + ["--config", config.path],
                                      environment: environment(env),
                                      stdout: home.appendingPathComponent("out-\(tag)").path,
                                      stderr: home.appendingPathComponent("err-\(tag)").path)
    }
}

/// Starts the lab and a mock cluster inside it whose brokers advertise kafka-N (names that resolve
/// only inside the namespace); stops both afterwards, also on failure.
func withLabCluster<T: Sendable>(brokers: Int = 3, _ body: (JumpHostLab, MockCluster) async throws -> T) async throws -> T {
    let lab = try await JumpHostLab.start(hosts: (1...brokers).map { "kafka-\($0)" } + ["connect-qa", "registry", "connect-alias"])
    do {
        let cluster = try await MockCluster.start(brokers: brokers, environment: try await lab.peerEnvironment())
        do {
            for b in cluster.brokers { try await cluster.advertise(b.id, host: "kafka-\(b.id)", port: b.port) }
            let r = try await body(lab, cluster)
            await cluster.stop()
            await lab.stop()
            return r
        } catch {
            await cluster.stop()
            throw error
        }
    } catch {
        await lab.stop()
        throw error
    }
}

extension MockCluster {
    /// The bootstrap as the jump host sees it.
    nonisolated var labBootstrap: String { "kafka-\(brokers[0].id):\(brokers[0].port)" }
}

func jsonLines(_ text: String) -> [[String: Any]] {
    text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
}

/// The Connect REST simulator (Tests/Peers/connect_sim.py) inside the lab's namespace.
struct LabConnectSimulator {
    let lab: JumpHostLab
    let process: ChildProcess
    let port: Int

    /// The simulator's request log (GET /__sim/requests), fetched from inside the namespace.
    func requests() async throws -> String {
        let python = try PeerEnvironment.locate().python.path
        return try await lab.inside(python, "-c", "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())",
                                    "http://127.0.0.1:\(port)/__sim/requests")
    }
}

extension JumpHostLab {
    func startConnectSimulator(extraArguments: [String] = []) async throws -> LabConnectSimulator {
        let p = try await startPeer("connect_sim.py", ["--scenario", "demo", "--state-delay-ms", "0"] + extraArguments)
        return LabConnectSimulator(lab: self, process: p.process, port: p.port)
    }

    /// A simulator from Tests/Peers inside the namespace, once it printed its {"port": N} line.
    func startPeer(_ script: String, _ arguments: [String]) async throws -> (process: ChildProcess, port: Int) {
        let env = try PeerEnvironment.locate()
        let log = dir.appendingPathComponent("\(script)-\(UUID().uuidString.prefix(6)).log").path
        let p = try spawnInside([env.python.path, "-u", env.peersDirectory.appendingPathComponent(script).path,
                                 "--port", "0"] + arguments, log: log)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(60))
        while clock.now < deadline {
            for line in p.stdout.split(separator: "\n") {
                if let o = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any], let port = o["port"] as? Int {
                    return (p, port)
                }
            }
            if !p.isRunning { throw PeerError("\(script) exited: \(p.stdout)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        await p.stop()
        throw PeerError("\(script) did not announce its port: \(p.stdout)")
    }
}

func jsonArray(_ text: String) -> [[String: Any]] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] ?? []
}

extension JumpHostLab {
    /// The server the test started on `port` inside the lab is there, and cannot be reached from
    /// here (see `reachability(ofPortInside:)`: a host-side listener with the same port number is
    /// not the lab's server and cannot make this fail).
    func expectOnlyInside(_ port: Int, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let r = try await reachability(ofPortInside: port)
        #expect(r.inside, "\(what) does not listen on port \(port) inside the lab", sourceLocation: sourceLocation)
        #expect(!r.fromOutside, "\(what) is reachable from outside at \(sshAddress):\(port)", sourceLocation: sourceLocation)
    }
}
