import Foundation
import KafkaTestSupport
import Testing

// The real `kafscope` in tmux, for what the terminal adapter does with the keys a terminal sends
// and with the screen it leaves behind (issue 13 items 8 and 9), and how the Brokers table gives
// its width away (item 7). Waits are on what the pane shows; the bounds only turn a hang into a
// failure.

private func binary() throws -> String {
    if let explicit = ProcessInfo.processInfo.environment["KAFSCOPE_BIN"], !explicit.isEmpty { return explicit }
    let path = PeerEnvironment.repoRoot.appendingPathComponent(".build/debug/kafscope").path
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw PeerError("kafscope binary missing at \(path): run `swift build --build-tests` first (or set KAFSCOPE_BIN)")
    }
    return path
}

/// kafscope in a private tmux server, behind a shell that prints its exit status and stays, so the
/// screen it leaves can be read.
private final class Pane {
    let tmux: TmuxSession
    let home: URL

    init(bootstrap: String, term: String, width: Int, height: Int) throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-term-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let brokers = bootstrap.split(separator: ",").map { "\"\($0)\"" }.joined(separator: ", ")
        let config = home.appendingPathComponent("config.toml")
        try "[contexts.mock]\nbootstrap = [\(brokers)]\nrefresh_seconds = 2\n".write(to: config, atomically: true, encoding: .utf8)
        let program = [try binary(), "--config", config.path, "--context", "mock"]
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        tmux = try TmuxSession(
            command: ["sh", "-c", "unset NO_COLOR; \(program); echo KAFSCOPE_EXIT=$?; sleep 120"],
            width: width, height: height,
            environment: ["TERM": term, "LANG": "C.UTF-8", "HOME": home.path,
                          "XDG_CONFIG_HOME": home.path, "XDG_STATE_HOME": home.path])
    }

    deinit {
        tmux.kill()
        try? FileManager.default.removeItem(at: home)
    }

    /// Waits until `ok` holds and returns that screen; fails with the last screen otherwise.
    func waitFor(_ what: String, timeout: Duration = .seconds(60), _ ok: (String) -> Bool) async throws -> String {
        let screen = try await tmux.waitFor(timeout: timeout, ok)
        guard ok(screen) else { throw PeerError("waited for \(what); the pane shows:\n\(screen)") }
        return screen
    }

    func quit() async throws -> String {
        try tmux.type(":q")
        try tmux.send("Enter")
        return try await waitFor("kafscope to exit") { $0.contains("KAFSCOPE_EXIT=") }
    }
}

private func rows(_ screen: String) -> [Substring] { screen.split(separator: "\n", omittingEmptySubsequences: false) }

@Suite(.serialized, .timeLimit(.minutes(4))) struct TerminalTmuxTests {
    /// Issue 13 item 8: Esc, then `:brokers` and Enter arriving in the same read (one SSH packet).
    /// Read as Alt-: the command line never opened and the letters went to the Topics screen.
    @Test func escapeThenACommandInOneWriteRunsTheCommand() async throws {
        let cluster = try await MockCluster.start(brokers: 3)
        do {
            try await cluster.createTopic("orders", partitions: 3, replicationFactor: 3)
            let pane = try Pane(bootstrap: cluster.bootstrap, term: "xterm-256color", width: 120, height: 30)
            _ = try await pane.waitFor("the Topics screen") { $0.contains("orders") }
            // One send-keys: tmux writes the keys to the pane in one write.
            try pane.tmux.send("Escape", ":brokers", "Enter")
            let screen = try await pane.waitFor("the Brokers screen") { s in
                s.contains("Brokers") && cluster.brokers.allSatisfy { s.contains(":\($0.port)") }
            }
            #expect(screen.contains("ADDRESS"), "Brokers table:\n\(screen)")
            let exit = try await pane.quit()
            #expect(exit.contains("KAFSCOPE_EXIT=0"), "clean exit:\n\(exit)")
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    /// Issue 13 item 7: at 100 columns with a broker down (the mock refuses its connections), the
    /// Brokers screen shows that broker's error, and ADDRESS is no wider than its addresses while
    /// the error is cut short (it was dropped and ADDRESS padded to 50 characters).
    @Test func aDownBrokersErrorIsShownAt100Columns() async throws {
        let cluster = try await MockCluster.start(brokers: 3)
        do {
            try await cluster.createTopic("orders", partitions: 3, replicationFactor: 3)
            try await cluster.setBrokerDown(3)
            let down = cluster.brokers.first { $0.id == 3 }!
            let pane = try Pane(bootstrap: cluster.brokers.filter { $0.id != 3 }.map(\.address).joined(separator: ","),
                                term: "xterm-256color", width: 100, height: 20)
            _ = try await pane.waitFor("the Topics screen") { $0.contains("orders") }
            try pane.tmux.type(":brokers")
            try pane.tmux.send("Enter")
            // The mock leaves a down broker out of its metadata while partitions still name it:
            // kafscope lists it with the reason.
            func brokerRow(_ s: String) -> Substring? {
                rows(s).first { $0.split(separator: " ").dropFirst().first == "3" || $0.contains("✖    3 ") }
            }
            let screen = try await pane.waitFor("broker 3's error on the Brokers screen") { s in
                s.contains("ADDRESS") && brokerRow(s)?.contains("broker 3") == true
            }
            let header = try #require(rows(screen).first { $0.contains("ADDRESS") }, "\(screen)")
            #expect(header.contains("ERROR"), "ERROR column at 100 columns:\n\(screen)")
            let row = try #require(brokerRow(screen))
            let widest = cluster.brokers.filter { $0.id != down.id }.map { $0.address.count }.max()!
            if row.contains("…") {
                let start = try #require(header.range(of: "ADDRESS")).lowerBound
                let next = try #require(header[start...].dropFirst("ADDRESS".count).firstIndex { $0 != " " })
                let addressWidth = header.distance(from: start, to: next) - 1
                #expect(addressWidth <= max(widest, "ADDRESS".count) + 1,
                        "ADDRESS padded to \(addressWidth) while the error is cut short:\n\(screen)")
            }
            let exit = try await pane.quit()
            #expect(exit.contains("KAFSCOPE_EXIT=0"), "clean exit:\n\(exit)")
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    /// Issue 13 item 9: TERM=linux and TERM=vt100 have no alternate screen, so the last frame stayed
    /// after `:q` and the shell printed over it. xterm-256color (rmcup) is the control case.
    @Test(arguments: ["linux", "vt100", "xterm-256color"])
    func theScreenIsCleanAfterQuitting(term: String) async throws {
        // No cluster needed: the UI draws its frame and the connection error for a closed port.
        let pane = try Pane(bootstrap: "127.0.0.1:9", term: term, width: 100, height: 20)
        _ = try await pane.waitFor("the Topics screen with its error") { $0.contains("ctx mock") && $0.contains("Topics") }
        let screen = try await pane.quit()
        let lines = rows(screen)
        #expect(lines.first?.hasPrefix("KAFSCOPE_EXIT=0") == true, "exit status on the first row (cursor homed):\n\(screen)")
        let leftovers = lines.dropFirst().filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(leftovers.isEmpty, "TERM=\(term): the UI is left on the screen:\n\(screen)")
    }
}
