import Foundation
import KafkaTestSupport
import Testing

// The real binary in tmux against a mock Kafka cluster and two Connect simulators: a keypress
// and its confirmation must produce exactly the expected request, and the new state must show.

/// The kafscope executable beside the test bundle (built with `swift build --product kafscope`),
/// or KAFSCOPE_BIN.
private struct Tmux {
    let session: String

    @discardableResult
    static func run(_ args: [String]) throws -> String {
        guard let tmux = PeerEnvironment.which("tmux") else { throw PeerError("tmux is not installed") }
        // Not Foundation.Process: the tmux server it starts would inherit test threads' blocked
        // signals and Foundation's fds, and the run hangs (see /work/team/peers-api.md).
        return try CleanSpawn.run(tmux.path, args, captureOutput: true).output
    }

    func keys(_ keys: String...) throws { try Tmux.run(["send-keys", "-t", session] + keys) }
    func literal(_ text: String) throws { try Tmux.run(["send-keys", "-t", session, "-l", text]) }
    func screen() throws -> String { try Tmux.run(["capture-pane", "-p", "-t", session]) }

    /// Waits until the screen satisfies `ok`; returns the last capture either way.
    func wait(timeout: Duration = .seconds(90), _ ok: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            last = try screen()
            if ok(last) { return last }
            try await Task.sleep(for: .milliseconds(150))
        }
        return last
    }

    func kill() { _ = try? Tmux.run(["kill-session", "-t", session]) }
}

@Suite(.timeLimit(.minutes(3))) struct ConnectTmuxTests {
    @Test func pauseFromTheConnectorsScreen() async throws {
        let binary = try kafscopeBinary()
        let cluster = try await MockCluster.start(brokers: 1)
        do {
            try await run(binary: binary, cluster: cluster)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    func run(binary: String, cluster: MockCluster) async throws {
        let qa = try await ConnectSimulator.start(name: "QA", stateDelayMs: 400)
        defer { qa.stop() }
        let dev = try await ConnectSimulator.start(name: "DEV", version: "3.4.0")
        defer { dev.stop() }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }

        let tmux = Tmux(session: "kafscope-connect-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let command = [
            "env", "XDG_CONFIG_HOME=\(home.path)", "XDG_STATE_HOME=\(home.path)", "TERM=xterm-256color",
            binary, "-b", cluster.bootstrap, "--connect", "QA=\(qa.url)", "--connect", "DEV=\(dev.url)",
        ].map { "'\($0)'" }.joined(separator: " ")
        try Tmux.run(["new-session", "-d", "-s", tmux.session, "-x", "120", "-y", "30", command])
        defer { tmux.kill() }

        // Up and drawing, then to the connectors screen.
        _ = try await tmux.wait { $0.contains("Topics") || $0.contains("topics") }
        try tmux.literal(":connectors")
        try tmux.keys("Enter")
        var screen = try await tmux.wait { $0.contains("orders-source") && $0.contains("payments-s3-sink") }
        #expect(screen.contains("QA") && screen.contains("DEV"), "both clusters listed:\n\(screen)")

        // Select QA's orders-source with the filter, then p.
        try tmux.literal("/QA orders-source")
        try tmux.keys("Enter")
        _ = try await tmux.wait { $0.contains("[1/8]") }
        try await qa.clearRequests()
        try await dev.clearRequests()
        try tmux.literal("p")
        screen = try await tmux.wait { $0.contains("Really pause connector?") && $0.contains("orders-source on Connect cluster QA") }
        #expect(screen.contains("Really pause connector?") && screen.contains("orders-source on Connect cluster QA"),
                "confirmation naming cluster and connector:\n\(screen)")
        #expect(try await qa.actionRequests().isEmpty, "nothing sent before confirmation")

        try tmux.literal("y")
        screen = try await tmux.wait { $0.contains("PAUSED") && $0.contains("RUNNING → PAUSED") }
        #expect(screen.contains("PAUSED"), "new state on screen:\n\(screen)")
        #expect(screen.contains("QA/orders-source: connector RUNNING → PAUSED"), "transition shown:\n\(screen)")
        #expect(!screen.contains("kafscope.connect") && !screen.contains("notice"), "no log line on the screen:\n\(screen)")

        let sent = try await qa.actionRequests()
        #expect(sent.map { "\($0.method) \($0.path)?\($0.raw_query)" } == ["PUT /connectors/orders-source/pause?"])
        #expect(sent.allSatisfy { $0.query["forward"] == nil })
        #expect(try await dev.actionRequests().isEmpty)

        try tmux.keys("C-c")
    }
}
