import Foundation
import KafkaTestSupport
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

    /// Runs to completion under timeout(1) (a hang fails the test instead of blocking the suite).
    /// posix_spawn + waitpid, not Foundation's Process: in this suite (children inside network
    /// namespaces) Process did not notice the child's exit.
    func run(_ args: [String], env: [String: String] = [:]) async throws -> (status: Int32, out: String, err: String) {
        let outFile = home.appendingPathComponent("out-\(UUID().uuidString.prefix(8))")
        let errFile = home.appendingPathComponent("err-\(UUID().uuidString.prefix(8))")
        let argv = ["/usr/bin/timeout", "-s", "KILL", "90", try Self.binary().path] + args + ["--config", config.path]
        let status = try spawnAndWait(argv, environment: environment(env), stdout: outFile.path, stderr: errFile.path)
        let o = (try? String(contentsOf: outFile, encoding: .utf8)) ?? ""
        let e = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
        return (status, o, e)
    }

    func start(_ args: [String], env: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = try Self.binary()
        p.arguments = args + ["--config", config.path]
        p.environment = environment(env)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return (p, out, err)
    }
}

/// Starts the lab and a mock cluster inside it whose brokers advertise kafka-N (names that resolve
/// only inside the namespace); stops both afterwards, also on failure.
func withLabCluster<T: Sendable>(brokers: Int = 3, _ body: (JumpHostLab, MockCluster) async throws -> T) async throws -> T {
    FileHandle.standardError.write(Data("lab: starting\n".utf8))
    let lab = try JumpHostLab(hosts: (1...brokers).map { "kafka-\($0)" })
    FileHandle.standardError.write(Data("lab: up \(lab.namespace)\n".utf8))
    do {
        let cluster = try await MockCluster.start(brokers: brokers, environment: try lab.peerEnvironment())
        FileHandle.standardError.write(Data("lab: cluster up\n".utf8))
        do {
            for b in cluster.brokers { try await cluster.advertise(b.id, host: "kafka-\(b.id)", port: b.port) }
            let r = try await body(lab, cluster)
            await cluster.stop()
            lab.stop()
            return r
        } catch {
            await cluster.stop()
            throw error
        }
    } catch {
        lab.stop()
        throw error
    }
}

extension MockCluster {
    /// The bootstrap as the jump host sees it.
    nonisolated var labBootstrap: String { "kafka-\(brokers[0].id):\(brokers[0].port)" }
}

/// Spawns `argv` with stdout/stderr to files and waits for it (blocking this thread).
func spawnAndWait(_ argv: [String], environment: [String: String], stdout: String, stderr: String) throws -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let cArgs = argv.map { strdup($0) } + [nil]
    let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
    guard rc == 0 else { throw PeerError("cannot start \(argv[0]): \(String(cString: strerror(rc)))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    // WIFEXITED ? WEXITSTATUS : 128 + signal
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
}

func jsonArray(_ text: String) -> [[String: Any]] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] ?? []
}
