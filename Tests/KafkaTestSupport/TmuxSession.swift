import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A detached tmux session on its own server socket, for driving the real terminal UI in tests.
///
/// Why not Foundation.Process: the first command starts the tmux server, a daemon that inherits
/// what the client got: the spawning thread's signal mask (test threads block nearly every signal,
/// so the server then ignores kill-server, SIGTERM and SIGCHLD) and open descriptors (a stdout pipe
/// then never reaches EOF). `CleanSpawn` starts tmux with an empty signal mask, default signal
/// dispositions and no inherited descriptors besides stdio. The private socket (-L) keeps tests off
/// the user's own tmux server.
public final class TmuxSession: @unchecked Sendable {
    public let socketName: String
    public let session: String
    private let tmux: URL
    private let lock = NSLock()
    private var killed = false

    /// Starts `command` (argv) in a new detached session of `width`x`height` with `environment` added.
    public init(command: [String], width: Int = 120, height: Int = 30, environment: [String: String] = [:]) throws {
        guard let tmux = PeerEnvironment.which("tmux") else {
            throw PeerError.missing("tmux is not on PATH")
        }
        self.tmux = tmux
        let tag = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        socketName = "kafscope-test-\(tag)"
        session = "t\(tag)"
        var args = ["-L", socketName, "-f", "/dev/null", "new-session", "-d", "-s", session,
                    "-x", String(width), "-y", String(height)]
        // `env NAME=VALUE … command` so that variables reach the program whatever tmux's own environment is.
        args += ["env"] + environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + command
        try run(args)
    }

    deinit { kill() }

    @discardableResult
    private func run(_ args: [String], capture: Bool = false) throws -> String {
        let result = try CleanSpawn.run(tmux.path, args, captureOutput: capture)
        guard result.status == 0 else {
            throw PeerError("tmux \(args.prefix(4).joined(separator: " ")) … exited \(result.status)")
        }
        return result.output
    }

    /// Sends keys in tmux syntax ("Enter", "C-c", "Escape", "q").
    public func send(_ keys: String...) throws { try run(["-L", socketName, "send-keys", "-t", session] + keys) }

    /// Types text literally.
    public func type(_ text: String) throws { try run(["-L", socketName, "send-keys", "-t", session, "-l", text]) }

    /// The visible screen as text.
    public func screen() throws -> String {
        try run(["-L", socketName, "capture-pane", "-p", "-t", session], capture: true)
    }

    /// Polls the screen until `predicate` holds; returns the last capture either way.
    public func waitFor(timeout: Duration = .seconds(90), _ predicate: (String) -> Bool) async throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var last = ""
        while clock.now < deadline {
            last = try screen()
            if predicate(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        return last
    }

    /// Whether the session (its program) is still there.
    public var isAlive: Bool { (try? run(["-L", socketName, "has-session", "-t", session])) != nil }

    /// Ends the session and its server. Safe to call twice.
    public func kill() {
        lock.lock()
        let already = killed
        killed = true
        lock.unlock()
        guard !already else { return }
        _ = try? run(["-L", socketName, "kill-server"])
    }
}

/// posix_spawn with a clean slate: empty signal mask, default dispositions, stdin from /dev/null,
/// only fds 0-2 inherited; the parent reaps the child with waitpid.
public enum CleanSpawn {
    public struct Result: Sendable {
        public let status: Int32
        public let output: String
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            return nil
        }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    public static func run(_ path: String, _ args: [String], captureOutput: Bool = false) throws -> Result {
        var fds: [Int32] = [-1, -1]
        if captureOutput {
            guard pipe(&fds) == 0 else { throw PeerError("pipe() failed: errno \(errno)") }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if captureOutput {
            posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        if let closeFrom = Self.addCloseFrom {  // glibc 2.34+; not exported to Swift by the Glibc module
            _ = closeFrom(&actions, 3)
        }

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, argv, environ)
        if captureOutput { close(fds[1]) }
        guard rc == 0 else {
            if captureOutput { close(fds[0]) }
            throw PeerError("cannot start \(path): posix_spawn error \(rc)")
        }
        var output = [UInt8]()
        if captureOutput {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
                if n > 0 { output += buffer[0..<n]; continue }
                if n < 0 && errno == EINTR { continue }
                break
            }
            close(fds[0])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS, spelled out: the macros are not imported.
        let exited = (status & 0x7f) == 0
        return Result(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f),
                      output: String(decoding: output, as: UTF8.self))
    }
}
