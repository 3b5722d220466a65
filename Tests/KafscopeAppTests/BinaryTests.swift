import Foundation
import KafkaTestSupport
import Testing

/// Runs the built `kafscope` executable as a subprocess: exit statuses as a shell sees them.
@Suite struct BinaryTests {
    static func binary() throws -> URL {
        // The test bundle sits in the build directory next to the executable.
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("kafscope")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        for path in [".build-cli/debug/kafscope", ".build/debug/kafscope"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return URL(fileURLWithPath: path)
        }
        throw BinaryMissing()
    }

    struct BinaryMissing: Error, CustomStringConvertible {
        var description: String {
            "kafscope executable not found next to the test bundle; build it first: swift build --scratch-path .build-cli --product kafscope"
        }
    }

    /// Runs the binary to completion. Waits without blocking a thread of the test runner's pool: a
    /// synchronous wait here held one of the two pool threads on CI for a whole kafscope run and
    /// starved every other test's peers.
    static func run(_ args: [String], env: [String: String] = [:]) async throws -> (Int32, String, String) {
        let out = try await CommandRunner.run(try binary(), args, environment: environment(env))
        return (out.status, out.stdout, out.stderr)
    }

    /// The test environment: no user config or state, plus `extra`.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var e = ProcessInfo.processInfo.environment
        e["XDG_CONFIG_HOME"] = "/nonexistent-kafscope-test"
        e["XDG_STATE_HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-test-state").path
        for (k, v) in extra { e[k] = v }
        return e
    }

    /// Starts the binary with piped stdout/stderr, no stdin and no user config or state.
    static func start(_ args: [String], env: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = try binary()
        p.arguments = args
        p.environment = environment(env)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return (p, out, err)
    }

    @Test func usageErrorsExit2() async throws {
        for args in [["get", "bogus"], ["--no-such-flag"], ["describe", "group"], ["get", "topics", "-o", "xml", "-b", "k:1"],
                     ["get", "brokers"], ["get", "topics", "--alias", "=x", "-b", "k:1"]] {
            let (status, out, err) = try await Self.run(args)
            #expect(status == 2, "\(args) -> \(status): \(err)")
            #expect(out.isEmpty, "\(args)")
            #expect(!err.isEmpty, "\(args)")
        }
    }

    @Test func helpExits0() async throws {
        let (status, out, _) = try await Self.run(["--help"])
        #expect(status == 0)
        #expect(out.contains("USAGE: kafscope"))
    }

    @Test func unreachableBrokerExits1WithAMessage() async throws {
        // Port 1 on loopback refuses connections.
        let (status, _, err) = try await Self.run(["get", "topics", "-b", "127.0.0.1:1"])
        #expect(status == 1)
        #expect(err.hasPrefix("error: "))
        #expect(err.contains("127.0.0.1:1"))
    }

    @Test func terminalUIRefusesWhenStdoutIsNotATerminal() async throws {
        let (status, _, err) = try await Self.run(["-b", "127.0.0.1:1"])
        #expect(status == 2)
        #expect(err.contains("needs a terminal"))
    }
}
