import Foundation
import KafkaTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A program on a pseudo-terminal: the test writes what a terminal would send (key escape
/// sequences) to the master side and the program reads them through curses on the slave side.
final class PtyProcess {
    let master: Int32
    let pid: pid_t

    init(_ path: String, _ args: [String], environment: [String: String]) throws {
        var size = winsize(ws_row: 24, ws_col: 80, ws_xpixel: 0, ws_ypixel: 0)
        // posix_openpt/grantpt/ptsname are hidden from Swift's Glibc module: the Linux ioctls
        // behind them (unlock the slave, ask its number) do the same on devpts.
        let m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard m >= 0, ioctl(m, 0x4004_5431 /* TIOCSPTLCK */, &unlock) == 0,
              ioctl(m, 0x8004_5430 /* TIOCGPTN */, &number) == 0 else {
            let e = errno
            if m >= 0 { close(m) }
            throw PeerError("cannot open a pseudo-terminal: errno \(e)")
        }
        let slave = "/dev/pts/\(number)"
        // The size is set before the program starts: a later change would reach it as a resize.
        _ = ioctl(m, UInt(TIOCSWINSZ), &size)
        master = m
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in Int32(0)...2 { posix_spawn_file_actions_addopen(&actions, fd, slave, O_RDWR, 0) }
        // Only the pty: none of the test runner's descriptors (the master is close-on-exec).
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
        }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t(); sigemptyset(&empty)
        var all = sigset_t(); sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setsigdefault(&attr, &all)
        // A session of its own, so the pty (opened by the file actions) becomes its terminal.
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | 0x80 /* POSIX_SPAWN_SETSID */))
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var p: pid_t = 0
        let rc = posix_spawn(&p, path, &actions, &attr, argv, env)
        guard rc == 0 else { close(m); throw PeerError("cannot start \(path): posix_spawn error \(rc)") }
        pid = p
        // Drain what curses draws so the pty never fills and blocks it.
        let fd = m
        Thread.detachNewThread {
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 && errno != EINTR { return }
            }
        }
    }

    func send(_ bytes: String) {
        let data = Array(bytes.utf8)
        _ = data.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    func stop() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(master)
    }
}

/// Issue 12 item 4 and issue 13 item 8: real key escape sequences, fed through a pty to the
/// ncurses adapter (`kafscope-keyprobe` prints what it decodes). Waits are on the decoded lines
/// appearing (a logical condition); the long limit only turns a hang into a failure.
@Suite(.serialized) struct KeyDecodingPtyTests {
    static func probe() throws -> String {
        let path = PeerEnvironment.repoRoot.appendingPathComponent(".build/debug/kafscope-keyprobe").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw PeerError("\(path) is missing: run swift build --build-tests")
        }
        return path
    }

    final class Session {
        let pty: PtyProcess
        let log: String
        init(term: String) throws {
            log = NSTemporaryDirectory() + "keyprobe-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
            pty = try PtyProcess(try KeyDecodingPtyTests.probe(), [log],
                                 environment: ["TERM": term, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
                                               "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        }
        deinit { pty.stop(); unlink(log) }

        var lines: [String] {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        /// Waits until at least `count` lines are in the log (the probe decoded that many keys).
        func waitForLines(_ count: Int) async throws -> [String] {
            for _ in 0..<1800 {  // a hang guard only (~3 min on a starved machine); normally a few ms
                let l = lines
                if l.count >= count { return l }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw PeerError("the key probe wrote \(lines) and not \(count) lines")
        }
    }

    typealias Sequence = (bytes: String, keys: [String])

    /// What each terminal really sends (its terminfo entry, application cursor mode as curses
    /// sets it with smkx, and the VT220 keys emulators send whatever TERM says).
    static let perTerminal: [String: [Sequence]] = [
        // xterm: SS3 arrows and Home/End in application mode, CSI in normal mode; PF1-4 as SS3.
        "xterm-256color": [
            ("\u{1B}OA", ["Up"]), ("\u{1B}OB", ["Down"]), ("\u{1B}OC", ["Right"]), ("\u{1B}OD", ["Left"]),
            ("\u{1B}[A", ["Up"]), ("\u{1B}[D", ["Left"]), ("\u{1B}OH", ["Home"]), ("\u{1B}OF", ["End"]),
            ("\u{1B}[H", ["Home"]), ("\u{1B}[F", ["End"]),
            ("\u{1B}OP", ["F1"]), ("\u{1B}OS", ["F4"]), ("\u{1B}[15~", ["F5"]), ("\u{1B}[24~", ["F12"]),
            // Modified keys (extended terminfo names kUP5, kDN3): read as the key itself.
            ("\u{1B}[1;5A", ["Up"]), ("\u{1B}[1;3B", ["Down"]),
        ],
        // screen and tmux: Home/End as VT220 ESC [1~ / ESC [4~.
        "screen": [
            ("\u{1B}OA", ["Up"]), ("\u{1B}OB", ["Down"]), ("\u{1B}OC", ["Right"]), ("\u{1B}OD", ["Left"]),
            ("\u{1B}[1~", ["Home"]), ("\u{1B}[4~", ["End"]),
            ("\u{1B}OP", ["F1"]), ("\u{1B}[15~", ["F5"]), ("\u{1B}[24~", ["F12"]),
        ],
        "tmux-256color": [
            ("\u{1B}OA", ["Up"]), ("\u{1B}OD", ["Left"]), ("\u{1B}[1~", ["Home"]), ("\u{1B}[4~", ["End"]),
            ("\u{1B}OP", ["F1"]), ("\u{1B}[24~", ["F12"]),
        ],
        // The Linux console: CSI arrows (no application mode), F1-F5 as ESC [[A..E, Shift-Tab ESC Tab.
        "linux": [
            ("\u{1B}[A", ["Up"]), ("\u{1B}[B", ["Down"]), ("\u{1B}[C", ["Right"]), ("\u{1B}[D", ["Left"]),
            ("\u{1B}[1~", ["Home"]), ("\u{1B}[4~", ["End"]),
            ("\u{1B}[[A", ["F1"]), ("\u{1B}[[E", ["F5"]), ("\u{1B}[17~", ["F6"]), ("\u{1B}[24~", ["F12"]),
            ("\u{1B}\t", ["Shift-Tab"]),
        ],
        // A VT100 has only SS3 arrows and PF1-PF4; its emulators add the VT220 keys.
        "vt100": [
            ("\u{1B}OA", ["Up"]), ("\u{1B}OB", ["Down"]), ("\u{1B}OC", ["Right"]), ("\u{1B}OD", ["Left"]),
            ("\u{1B}OP", ["F1"]), ("\u{1B}OS", ["F4"]),
            ("\u{1B}[A", ["Up"]), ("\u{1B}[1~", ["Home"]), ("\u{1B}[4~", ["End"]),
        ],
    ]

    /// Sent on every terminal.
    static let common: [Sequence] = [
        ("\u{1B}[5~", ["PgUp"]), ("\u{1B}[6~", ["PgDn"]), ("\u{1B}[3~", ["Del"]), ("\u{1B}[2~", ["Ins"]),
        ("\u{1B}[Z", ["Shift-Tab"]),
        // Alt (meta sends escape): ESC and one key with nothing behind it.
        ("\u{1B}x", ["alt-x"]), ("\u{1B}G", ["alt-G"]), ("\u{1B}\u{7F}", ["alt-\u{7F}"]),
        // Issue 13 item 8: Esc and then a command typed within one read (one SSH packet).
        ("\u{1B}:brokers\r", ["Esc", ":", "b", "r", "o", "k", "e", "r", "s", "Enter"]),
        ("\u{1B}/ab", ["Esc", "/", "a", "b"]),
        ("\u{1B}qq", ["Esc", "q", "q"]),
        ("\u{1B}\u{1B}[A", ["Esc", "Up"]),
        ("\u{1B}", ["Esc"]),
        ("\u{1B}[5~x", ["PgUp", "x"]),
        ("q\r\u{7F}\t", ["q", "Enter", "Bksp", "Tab"]),
    ]

    static let terminals = ["xterm-256color", "screen", "tmux-256color", "linux", "vt100"]

    @Test(arguments: terminals)
    func escapeSequencesDecodeToKeys(term: String) async throws {
        let s = try Session(term: term)
        _ = try await s.waitForLines(1)
        try #require(s.lines.first == "ready", "the probe did not start on TERM=\(term): \(s.lines)")
        var expected = ["ready"]
        for (bytes, keys) in (Self.perTerminal[term] ?? []) + Self.common {
            s.pty.send(bytes)
            expected += keys
            // Every key sent so far, in order, and nothing else.
            let got = try await s.waitForLines(expected.count)
            try #require(got == expected, "TERM=\(term) after \(bytes.debugDescription)")
        }
    }
}
