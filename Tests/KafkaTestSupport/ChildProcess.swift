import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with posix_spawn, its output in files, reaped without blocking a thread.
///
/// Why not Foundation's `Process` for the SSH lab: on Linux, Process learns that a child exited when a
/// socketpair end the child inherited reaches EOF, and then calls a *blocking* waitpid on its one
/// process-manager thread. sshd closes every inherited descriptor at startup, so the EOF comes at
/// once, the manager thread blocks in waitpid until sshd exits, and no other Process in the test
/// binary is ever reaped again (zombie `ip` and python children, waitUntilExit never returning).
/// Here every inherited descriptor above stderr is closed in the child, the child gets a process
/// group of its own (so a whole tree can be signalled), and its exit is polled with WNOHANG from
/// async code that sleeps between polls.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    public let argv: [String]
    public let stdoutPath: String
    public let stderrPath: String
    private let lock = NSLock()
    private var status: Int32?

    private init(pid: pid_t, argv: [String], stdoutPath: String, stderrPath: String) {
        self.pid = pid
        self.argv = argv
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
    }

    /// Starts `argv` (argv[0] an absolute path) with stdin from /dev/null and stdout/stderr
    /// appended to the given files.
    public static func spawn(_ argv: [String], environment: [String: String]? = nil,
                             stdout: String, stderr: String) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        // Nothing else of the test binary leaks into the child (sockets, other children's pipes).
        guard let addCloseFrom = Self.addCloseFrom, addCloseFrom(&actions, 3) == 0 else {
            throw PeerError("ChildProcess: posix_spawn_file_actions_addclosefrom_np (glibc 2.34+) is unavailable")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let env = environment ?? ProcessInfo.processInfo.environment
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, cEnv)
        guard rc == 0 else { throw PeerError("cannot start \(argv[0]): \(String(cString: strerror(rc)))") }
        return ChildProcess(pid: pid, argv: argv, stdoutPath: stdout, stderrPath: stderr)
    }

    /// glibc's posix_spawn_file_actions_addclosefrom_np, which the Glibc module does not export.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = {
        guard let sym = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(sym, to: AddCloseFrom.self)
    }()

    /// The exit status (128 + signal when killed) once the child has exited; nil while it runs.
    /// Never blocks.
    public var exitStatus: Int32? {
        lock.lock(); defer { lock.unlock() }
        if let status { return status }
        var raw: Int32 = 0
        var r: pid_t
        repeat { r = waitpid(pid, &raw, WNOHANG) } while r < 0 && errno == EINTR
        if r == pid {
            status = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        } else if r < 0 {
            status = -1  // not our child any more (cannot happen unless someone else reaped it)
        }
        return status
    }

    public var isRunning: Bool { exitStatus == nil }

    /// Waits (sleeping between polls, never blocking a thread) until the child exits.
    public func wait(timeout: Duration) async throws -> Int32 {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if let s = exitStatus { return s }
            if clock.now >= deadline {
                throw PeerError("`\(argv.joined(separator: " "))` still running after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Signals the child's whole process group (it and anything it forked that kept the group).
    public func signalGroup(_ signal: Int32) {
        if isRunning { kill(-pid, signal) }
    }

    /// SIGTERM, then SIGKILL after `grace`; returns once reaped.
    public func stop(grace: Duration = .seconds(3)) async {
        guard isRunning else { return }
        signalGroup(SIGTERM)
        if (try? await wait(timeout: grace)) != nil { return }
        signalGroup(SIGKILL)
        _ = try? await wait(timeout: .seconds(30))
    }

    public var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs `argv` to completion (killed after `timeout`, which then throws) and returns its output.
    public static func run(_ argv: [String], environment: [String: String]? = nil,
                           timeout: Duration = .seconds(90)) async throws -> Result {
        let dir = FileManager.default.temporaryDirectory
        let tag = UUID().uuidString.prefix(12)
        let out = dir.appendingPathComponent("child-\(tag).out").path
        let err = dir.appendingPathComponent("child-\(tag).err").path
        defer { unlink(out); unlink(err) }
        let child = try spawn(argv, environment: environment, stdout: out, stderr: err)
        let status: Int32
        do {
            status = try await child.wait(timeout: timeout)
        } catch {
            child.signalGroup(SIGKILL)
            _ = try? await child.wait(timeout: .seconds(30))
            throw PeerError("\(error); stderr: \(child.stderr.suffix(2000))")
        }
        return Result(status: status, stdout: child.stdout, stderr: child.stderr)
    }

    /// Like `run`, but a non-zero exit throws with the command's stderr.
    @discardableResult
    public static func check(_ argv: [String], timeout: Duration = .seconds(60)) async throws -> String {
        let r = try await run(argv, timeout: timeout)
        guard r.status == 0 else {
            throw PeerError("`\(argv.joined(separator: " "))` failed (\(r.status)): \(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return r.stdout
    }
}
