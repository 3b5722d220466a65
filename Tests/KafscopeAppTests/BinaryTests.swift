import Foundation
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

    static func run(_ args: [String], env: [String: String] = [:]) throws -> (Int32, String, String) {
        let (p, out, err) = try start(args, env: env)
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let r = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: r, as: UTF8.self))
    }

    /// Starts the binary with piped stdout/stderr, no stdin and no user config or state.
    static func start(_ args: [String], env: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = try binary()
        p.arguments = args
        var e = ProcessInfo.processInfo.environment
        e["XDG_CONFIG_HOME"] = "/nonexistent-kafscope-test"
        e["XDG_STATE_HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-test-state").path
        for (k, v) in env { e[k] = v }
        p.environment = e
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return (p, out, err)
    }

    @Test func usageErrorsExit2() throws {
        for args in [["get", "bogus"], ["--no-such-flag"], ["describe", "group"], ["get", "topics", "-o", "xml", "-b", "k:1"],
                     ["get", "brokers"], ["get", "topics", "--alias", "=x", "-b", "k:1"]] {
            let (status, out, err) = try Self.run(args)
            #expect(status == 2, "\(args) -> \(status): \(err)")
            #expect(out.isEmpty, "\(args)")
            #expect(!err.isEmpty, "\(args)")
        }
    }

    @Test func helpExits0() throws {
        let (status, out, _) = try Self.run(["--help"])
        #expect(status == 0)
        #expect(out.contains("USAGE: kafscope"))
    }

    @Test func unreachableBrokerExits1WithAMessage() throws {
        // Port 1 on loopback refuses connections.
        let (status, _, err) = try Self.run(["get", "topics", "-b", "127.0.0.1:1"])
        #expect(status == 1)
        #expect(err.hasPrefix("error: "))
        #expect(err.contains("127.0.0.1:1"))
    }

    @Test func terminalUIRefusesWhenStdoutIsNotATerminal() throws {
        let (status, _, err) = try Self.run(["-b", "127.0.0.1:1"])
        #expect(status == 2)
        #expect(err.contains("needs a terminal"))
    }
}
