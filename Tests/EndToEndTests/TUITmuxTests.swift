import Foundation
import KafkaTestSupport
import Testing

// The real `kafscope` binary in tmux (a private server per test) against a librdkafka mock
// cluster: what the screens show must be the cluster's real data, the terminal must survive
// resizes and be restored on exit, read-only mode must refuse writes visibly, and the tail
// must show a record produced after it opened.

/// `.build/debug/kafscope` under the repository root (or KAFSCOPE_BIN). These tests build nothing:
/// `swift build --product kafscope` must have run first.
/// One tmux server on a private socket, so the shared server's settings (NO_COLOR) never apply.
private struct TmuxPane {
    let socket: String
    let session = "kafscope"

    init() {
        socket = "kafscope-tui-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    @discardableResult
    func run(_ args: [String]) throws -> String {
        guard let tmux = PeerEnvironment.which("tmux") else { throw PeerError("tmux is not installed") }
        // Not Foundation.Process: the tmux server it starts would inherit test threads' blocked
        // signals and Foundation's fds, and the run hangs (see /work/team/peers-api.md).
        return try CleanSpawn.run(tmux.path, ["-L", socket, "-f", "/dev/null"] + args, captureOutput: true).output
    }

    /// Starts `command` (argv, shell-quoted here) in a detached session of `width`x`height`.
    /// The shell wrapper prints the exit status and stays, so the restored terminal can be checked.
    func start(_ command: [String], width: Int, height: Int) throws {
        let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let shell = "\(quoted); echo KAFSCOPE_EXIT=$?; sleep 60"
        try run(["new-session", "-d", "-s", session, "-x", String(width), "-y", String(height), "sh", "-c", shell])
    }

    func keys(_ keys: String...) throws { try run(["send-keys", "-t", session] + keys) }
    func literal(_ text: String) throws { try run(["send-keys", "-t", session, "-l", text]) }
    func command(_ line: String) throws { try literal(":" + line); try keys("Enter") }
    func screen() throws -> String { try run(["capture-pane", "-p", "-t", session]) }
    func screenWithEscapes() throws -> String { try run(["capture-pane", "-p", "-e", "-t", session]) }
    func resize(_ width: Int, _ height: Int) throws {
        try run(["resize-window", "-t", session, "-x", String(width), "-y", String(height)])
    }
    /// pane_width x pane_height and the pane's current command.
    func pane() throws -> (width: Int, height: Int, command: String) {
        let f = try run(["display-message", "-p", "-t", session, "#{pane_width} #{pane_height} #{pane_current_command}"])
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        return (Int(f.first ?? "") ?? -1, Int(f.dropFirst().first ?? "") ?? -1, f.dropFirst(2).joined(separator: " "))
    }

    /// Polls until `ok` holds; returns the last capture either way.
    func wait(_ what: String = "", timeout: Duration = .seconds(90), _ ok: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            last = try screen()
            if ok(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        return last
    }

    func kill() { _ = try? run(["kill-server"]) }
}

/// A config file with two contexts on the same cluster: one writable, one read-only.
private func writeConfig(dir: URL, bootstrap: String, connectURL: String?) throws -> URL {
    let brokers = bootstrap.split(separator: ",").map { "\"\($0)\"" }.joined(separator: ", ")
    var toml = """
    [contexts.mock]
    bootstrap = [\(brokers)]
    refresh_seconds = 2

    [contexts.mock-ro]
    bootstrap = [\(brokers)]
    read_only = true

    """
    if let connectURL {
        toml += """

        [contexts.mock-ro.connect]
        QA = "\(connectURL)"

        """
    }
    let file = dir.appendingPathComponent("config.toml")
    try toml.write(to: file, atomically: true, encoding: .utf8)
    return file
}

private func environment(home: URL) -> [String] {
    ["env", "-u", "NO_COLOR", "TERM=xterm-256color", "LANG=C.UTF-8", "HOME=\(home.path)",
     "XDG_CONFIG_HOME=\(home.path)", "XDG_STATE_HOME=\(home.path)"]
}

private func lines(_ s: String) -> [Substring] { s.split(separator: "\n", omittingEmptySubsequences: false) }

@Suite(.serialized, .timeLimit(.minutes(4))) struct TUITmuxTests {
    let topics = [("orders", 6), ("payments", 3), ("audit-log", 1)]

    func withCluster(connect: Bool = false, _ body: (MockCluster, URL, URL, String) async throws -> Void) async throws {
        let binary = try kafscopeBinary()
        let cluster = try await MockCluster.start(brokers: 3)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-tui-\(UUID().uuidString)")
        var sim: ConnectSimulator?
        do {
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            for (name, parts) in topics { try await cluster.createTopic(name, partitions: parts, replicationFactor: 3) }
            try await cluster.produce(topic: "orders", records: (0..<12).map {
                MockCluster.Record(key: "k\($0)", value: "{\"n\":\($0)}")
            })
            if connect { sim = try await ConnectSimulator.start(name: "QA") }
            let config = try writeConfig(dir: home, bootstrap: cluster.bootstrap, connectURL: sim?.url)
            try await body(cluster, home, config, binary)
        } catch {
            sim?.stop()
            await cluster.stop()
            try? FileManager.default.removeItem(at: home)
            throw error
        }
        sim?.stop()
        await cluster.stop()
        try? FileManager.default.removeItem(at: home)
    }

    @Test func browsesTheMockClusterSurvivesResizesAndRestoresTheTerminal() async throws {
        try await withCluster { cluster, home, config, binary in
            let tmux = TmuxPane()
            defer { tmux.kill() }
            try tmux.start(environment(home: home) + [binary, "--config", config.path, "--context", "mock"],
                           width: 120, height: 40)

            // Topics (the first screen): names and partition counts from the mock.
            var screen = try await tmux.wait { s in topics.allSatisfy { s.contains($0.0) } }
            for (name, parts) in topics {
                let row = lines(screen).first(where: { $0.contains(name) })
                #expect(row?.split(separator: " ").contains(Substring(String(parts))) == true,
                        "topic \(name) with \(parts) partitions:\n\(screen)")
            }
            #expect(screen.contains("mock"), "context name in the header:\n\(screen)")
            // Colour: the private server has no NO_COLOR, so styles reach the pane.
            #expect(try tmux.screenWithEscapes().contains("\u{1b}["), "escape sequences in capture-pane -e")

            // Brokers: ids and the real listener ports.
            try tmux.command("brokers")
            screen = try await tmux.wait { s in cluster.brokers.allSatisfy { s.contains(String($0.port)) } }
            for b in cluster.brokers {
                let row = lines(screen).first { $0.contains(String(b.port)) }
                #expect(row?.split(separator: " ").contains(Substring(String(b.id))) == true,
                        "broker \(b.id) at \(b.address):\n\(screen)")
            }

            // Enter on a topic opens its partitions.
            try tmux.command("topics")
            _ = try await tmux.wait { $0.contains("payments") }
            try tmux.literal("/payments")
            try tmux.keys("Enter")
            _ = try await tmux.wait { !$0.contains("orders") || $0.contains("[1/") }
            try tmux.keys("Enter")
            screen = try await tmux.wait { $0.contains("partitions 3") }
            #expect(screen.contains("partitions 3"), "topic detail of payments:\n\(screen)")
            #expect(screen.contains("LEADER") && screen.contains("ISR"), "partition table:\n\(screen)")

            // Groups: the screen opens (the mock cannot list groups; the screen must say so, not die).
            try tmux.command("groups")
            screen = try await tmux.wait { $0.contains("Groups") && !$0.contains("Loading groups") }
            #expect(screen.contains("Groups"), "groups screen:\n\(screen)")

            // Resizes: redrawn at each size, still alive.
            for (w, h) in [(60, 16), (200, 50), (20, 5), (100, 30)] {
                try tmux.resize(w, h)
                screen = try await tmux.wait(timeout: .seconds(60)) { s in
                    let ls = lines(s)
                    let widest = ls.map { $0.count }.max() ?? 0
                    // Something drawn that uses the new width (the header spans it), nothing wider.
                    return widest <= w && widest >= min(w, 20) - 2
                }
                let pane = try tmux.pane()
                #expect(pane.width == w && pane.height == h, "pane resized to \(w)x\(h): \(pane)")
                #expect(!screen.contains("KAFSCOPE_EXIT="), "still running at \(w)x\(h): \(pane)\n\(screen)")
                let widest = lines(screen).map { $0.count }.max() ?? 0
                #expect(widest <= w && widest >= min(w, 20) - 2, "redrawn at \(w)x\(h):\n\(screen)")
            }
            try tmux.command("topics")
            _ = try await tmux.wait { $0.contains("/payments") }
            try tmux.keys("Escape")  // clears the remembered filter
            screen = try await tmux.wait { $0.contains("orders") && $0.contains("payments") }
            #expect(screen.contains("orders"), "usable again after resizes:\n\(screen)")

            // Help.
            try tmux.literal("?")
            screen = try await tmux.wait { $0.contains("Help") }
            #expect(screen.contains("Help"), "help overlay:\n\(screen)")
            try tmux.keys("Escape")
            _ = try await tmux.wait { !$0.contains("Help") }

            // :q exits with status 0 and leaves the alternate screen.
            try tmux.command("q")
            screen = try await tmux.wait(timeout: .seconds(60)) { $0.contains("KAFSCOPE_EXIT=") }
            #expect(screen.contains("KAFSCOPE_EXIT=0"), "clean exit:\n\(screen)")
            #expect(!screen.contains("payments"), "terminal restored (the UI is gone):\n\(screen)")
        }
    }

    @Test func tailShowsARecordProducedAfterItOpened() async throws {
        try await withCluster { cluster, home, config, binary in
            let tmux = TmuxPane()
            defer { tmux.kill() }
            try tmux.start(environment(home: home) + [binary, "--config", config.path, "--context", "mock"],
                           width: 120, height: 40)
            _ = try await tmux.wait { $0.contains("orders") }
            try tmux.command("tail orders")
            var screen = try await tmux.wait { $0.contains("Tail orders") && $0.contains("Waiting for new records") }
            #expect(screen.contains("Tail orders") && screen.contains("Waiting for new records"),
                    "tail screen caught up (end offsets read) before producing:\n\(screen)")
            let marker = "e2e-\(UInt32.random(in: 0...UInt32.max))"
            let produced = ContinuousClock.now
            let delivery = try await cluster.produce(topic: "orders", records: [
                MockCluster.Record(key: marker, value: "{\"marker\":\"\(marker)\",\"amount\":12.5}",
                                   headers: [MockCluster.Header("source", "e2e")]),
            ])
            screen = try await tmux.wait { $0.contains(marker) }
            let seen = ContinuousClock.now - produced
            #expect(screen.contains(marker), "record produced after opening shown:\n\(screen)")
            let row = lines(screen).first { $0.contains(marker) }
            #expect(row?.contains(String(delivery[0].offset)) == true, "offset \(delivery[0].offset) in the row: \(row ?? "")")
            print("tail latency: \(seen)")

            // Enter opens it: pretty JSON and the header.
            try tmux.keys("Enter")
            screen = try await tmux.wait { $0.contains("Value (json)") }
            #expect(screen.contains("\"amount\": 12.5"), "pretty JSON value:\n\(screen)")
            #expect(screen.contains("source: e2e"), "header:\n\(screen)")
            try tmux.keys("Escape")
            // Wait for Esc to land (the record view closes) before typing the command.
            _ = try await tmux.wait { $0.contains("TIME") && !$0.contains("Value (json)") }
            try tmux.command("q")
            screen = try await tmux.wait(timeout: .seconds(60)) { $0.contains("KAFSCOPE_EXIT=") }
            #expect(screen.contains("KAFSCOPE_EXIT=0"), "clean exit:\n\(screen)")
        }
    }

    /// TERM=dumb cannot address the cursor: curses would pile every row onto the last line.
    /// The UI must refuse with a message saying why and exit non-zero (no cluster needed).
    @Test func dumbTerminalIsRefusedWithAClearMessage() async throws {
        let binary = try kafscopeBinary()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-tui-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let config = try writeConfig(dir: home, bootstrap: "127.0.0.1:9", connectURL: nil)
        let tmux = TmuxPane()
        defer { tmux.kill() }
        var env = environment(home: home)
        env = env.map { $0.hasPrefix("TERM=") ? "TERM=dumb" : $0 }
        try tmux.start(env + [binary, "--config", config.path, "--context", "mock"], width: 120, height: 20)
        let screen = try await tmux.wait(timeout: .seconds(90)) { $0.contains("KAFSCOPE_EXIT=") }
        #expect(screen.contains("TERM=dumb cannot position the cursor"), "reason shown:\n\(screen)")
        #expect(screen.contains("KAFSCOPE_EXIT=1"), "non-zero exit:\n\(screen)")
        #expect(!screen.contains("ctx mock"), "no UI drawn:\n\(screen)")
    }

    @Test func readOnlyContextRefusesWritesVisibly() async throws {
        try await withCluster(connect: true) { _, home, config, binary in
            let tmux = TmuxPane()
            defer { tmux.kill() }
            try tmux.start(environment(home: home) + [binary, "--config", config.path, "--context", "mock-ro"],
                           width: 120, height: 30)
            var screen = try await tmux.wait { $0.contains("orders") }
            #expect(screen.contains("read-only"), "read-only marked in the header:\n\(screen)")
            try tmux.command("connectors")
            screen = try await tmux.wait { $0.contains("orders-source") }
            try tmux.literal("/orders-source")
            try tmux.keys("Enter")
            screen = try await tmux.wait { $0.contains("[1/") }
            // The write actions do not exist in read-only mode: no hint offers them.
            #expect(!screen.contains("<p> pause") && !screen.contains("<s> stop"), "write hints offered:\n\(screen)")
            try tmux.literal("p")
            screen = try await tmux.wait(timeout: .seconds(60)) { $0.contains("Read-only mode") }
            #expect(screen.contains("Read-only mode: p would pause the connector"), "refusal visible:\n\(screen)")
            #expect(!screen.contains("Really pause"), "no confirmation offered:\n\(screen)")
            try tmux.command("q")
            screen = try await tmux.wait(timeout: .seconds(60)) { $0.contains("KAFSCOPE_EXIT=") }
            #expect(screen.contains("KAFSCOPE_EXIT=0"), "clean exit:\n\(screen)")
        }
    }
}
