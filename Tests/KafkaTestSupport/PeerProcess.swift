import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process that speaks one JSON object per line: it announces itself with one line,
/// then answers each command line with one line. stderr is kept (its tail) for error messages.
/// The peer exits on stdin EOF, so closing stdin is the first way to stop it.
public final class PeerProcess: @unchecked Sendable {
    public let name: String
    private let process: Process
    private let stdinHandle: FileHandle
    private let lock = NSLock()
    // Guarded by `lock`.
    private var pending = Data()
    private var lines: [String] = []
    private var stdoutClosed = false
    private var stderrTailData = Data()
    private var stopped = false
    private var busy = false  // one command/answer exchange at a time

    private static let stderrCap = 16 * 1024

    public init(name: String, executable: URL, arguments: [String], environment: [String: String]? = nil) throws {
        self.name = name
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let stdinPipe = Pipe(), stdoutPipe = Pipe(), stderrPipe = Pipe()
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        self.process = process
        self.stdinHandle = stdinPipe.fileHandleForWriting
        stdoutPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            self?.receiveStdout(data)
        }
        stderrPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            self?.receiveStderr(data)
        }
        do {
            try process.run()
        } catch {
            throw PeerError("\(name): cannot launch \(executable.path): \(error)")
        }
    }

    deinit { terminate() }

    public var processIdentifier: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// The last bytes the peer wrote to stderr (for error messages).
    public var stderrTail: String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: stderrTailData, as: UTF8.self)
    }

    private func receiveStdout(_ data: Data) {
        lock.lock(); defer { lock.unlock() }
        if data.isEmpty {
            stdoutClosed = true
            if !pending.isEmpty {
                lines.append(String(decoding: pending, as: UTF8.self))
                pending = Data()
            }
            return
        }
        pending.append(data)
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = pending[pending.startIndex..<newline]
            lines.append(String(decoding: line, as: UTF8.self))
            pending = Data(pending[pending.index(after: newline)...])
        }
    }

    private func receiveStderr(_ data: Data) {
        lock.lock(); defer { lock.unlock() }
        stderrTailData.append(data)
        if stderrTailData.count > Self.stderrCap {
            stderrTailData = Data(stderrTailData.suffix(Self.stderrCap))
        }
    }

    private func failure(_ message: String) -> PeerError {
        let tail = stderrTail.trimmingCharacters(in: .whitespacesAndNewlines)
        var text = "\(name): \(message)"
        if !tail.isEmpty { text += "\n--- \(name) stderr (tail) ---\n" + String(tail.suffix(4000)) }
        if tail.contains("ModuleNotFoundError") { text += "\n" + PeerError.installHint }
        return PeerError(text)
    }

    private func takeLine() -> (String?, Bool) {
        lock.lock(); defer { lock.unlock() }
        if !lines.isEmpty { return (lines.removeFirst(), stdoutClosed) }
        return (nil, stdoutClosed)
    }

    private func tryBeginExchange() -> Bool {
        lock.lock(); defer { lock.unlock() }
        if busy { return false }
        busy = true
        return true
    }

    private func endExchange() {
        lock.lock(); defer { lock.unlock() }
        busy = false
    }

    /// Waits for the next stdout line.
    public func readLine(timeout: Duration) async throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let (next, closed) = takeLine()
            if let next { return next }
            if closed {
                // Give stderr a moment to drain so the error shows why the peer exited.
                try? await Task.sleep(for: .milliseconds(100))
                throw failure("exited before answering (status \(process.isRunning ? "running" : String(process.terminationStatus)))")
            }
            if clock.now >= deadline { throw failure("no answer within \(timeout)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Writes one line to the peer's stdin.
    public func send(_ line: String) throws {
        do {
            try stdinHandle.write(contentsOf: Data((line + "\n").utf8))
        } catch {
            throw failure("cannot write command (\(error))")
        }
    }

    /// Encodes a command object as one JSON line.
    public static func encode(_ object: [String: Any]) throws -> String {
        do {
            return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        } catch {
            throw PeerError("cannot encode peer command: \(error)")
        }
    }

    /// Decodes one answer line (a JSON object).
    public static func decode(_ line: String) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }

    /// Sends one JSON command line and returns the answer line; throws the peer's error when `ok` is false.
    /// (Strings cross the isolation boundary; callers encode and decode on their side.)
    public func command(_ json: String, timeout: Duration = .seconds(60)) async throws -> String {
        let cmd = Self.decode(json)?["cmd"] as? String ?? "?"
        let line = try await exchange(json, timeout: timeout)
        guard let reply = Self.decode(line) else {
            throw failure("answered \(cmd) with a line that is not a JSON object: \(line.prefix(500))")
        }
        guard reply["ok"] as? Bool == true else {
            throw PeerError("\(name): \(cmd) failed: \(reply["error"] as? String ?? line)")
        }
        return line
    }

    private func exchange(_ line: String, timeout: Duration) async throws -> String {
        // Actors are reentrant across awaits, so concurrent callers queue here: one answer per command.
        while !tryBeginExchange() { try await Task.sleep(for: .milliseconds(2)) }
        defer { endExchange() }
        try send(line)
        return try await readLine(timeout: timeout)
    }

    /// Reads the first line, the peer's "ready" announcement, and returns it.
    public func awaitReady(timeout: Duration) async throws -> String {
        let line = try await readLine(timeout: timeout)
        guard let object = Self.decode(line) else {
            throw failure("first line is not JSON: \(line.prefix(500))")
        }
        if object["event"] as? String == "error" {
            throw failure("failed to start: \(object["error"] as? String ?? line)")
        }
        guard object["event"] as? String == "ready" else { throw failure("unexpected first line: \(line.prefix(500))") }
        return line
    }

    /// Stops the peer: stdin EOF first (it cleans up and exits), then SIGTERM, then SIGKILL.
    public func terminate(grace: TimeInterval = 5) {
        lock.lock()
        let already = stopped
        stopped = true
        lock.unlock()
        guard !already else { return }
        try? stdinHandle.close()
        if Self.wait(process, seconds: grace) { return }
        process.terminate()
        if Self.wait(process, seconds: 3) { return }
        kill(process.processIdentifier, SIGKILL)
        _ = Self.wait(process, seconds: 3)
    }

    private static func wait(_ process: Process, seconds: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning {
            if Date() >= deadline { return false }
            usleep(10_000)
        }
        return true
    }
}

/// Runs a command to completion and captures its output.
///
/// Each pipe is read to EOF by a blocking read on a thread of its own: EOF comes once every writer
/// (the command and anything it spawned) has exited, so the output is whole. A fixed drain wait after
/// the exit (as before) handed back truncated output when the machine was busy, and a CLI test saw
/// half a JSON line; output that is still open at the deadline is an error, never a partial result.
public enum CommandRunner {
    public struct Output: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
                           timeout: Duration = .seconds(60)) async throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw PeerError("cannot launch \(executable.path): \(error)")
        }
        // Process.run closed the parent's write ends: EOF depends on the child alone.
        let stdout = PipeDrain(out.fileHandleForReading), stderr = PipeDrain(err.fileHandleForReading)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        let what = "\(executable.lastPathComponent) \(arguments.joined(separator: " "))"
        while process.isRunning {
            if clock.now >= deadline {
                process.terminate()
                process.waitUntilExit()
                throw PeerError("\(what) timed out after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        while !(stdout.finished && stderr.finished) {
            if clock.now >= deadline {
                throw PeerError("\(what) exited but its output stayed open until the \(timeout) timeout (a child still holds it)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout.data, as: UTF8.self),
                      stderr: String(decoding: stderr.data, as: UTF8.self))
    }

    /// Reads one pipe to EOF on a dedicated thread (blocking reads stay off Swift's small
    /// cooperative pool, which has one thread per core).
    private final class PipeDrain: @unchecked Sendable {
        private let lock = NSLock()
        private var collected = Data()
        private var done = false

        init(_ handle: FileHandle) {
            let thread = Thread { [self] in
                let fd = handle.fileDescriptor
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    lock.lock(); collected.append(contentsOf: buffer[0..<n]); lock.unlock()
                }
                lock.lock(); done = true; lock.unlock()
            }
            thread.start()
        }

        var finished: Bool { lock.lock(); defer { lock.unlock() }; return done }
        var data: Data { lock.lock(); defer { lock.unlock() }; return collected }
    }
}
