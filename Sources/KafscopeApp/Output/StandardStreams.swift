import Foundation
import TerminalCore

/// Writes to stdout/stderr with write(2). Foundation's FileHandle.write traps on EPIPE, and SIGPIPE
/// is ignored (SwiftNIO ignores it), so `kafscope tail T | head` would crash; a closed pipe means
/// the reader has what it wanted, so we exit quietly with status 0, as grep or ripgrep do.
/// Any other write error (a full disk, a closed descriptor) loses output a script relies on:
/// it is reported on stderr and the exit status is 1.
///
/// Everything written for a person goes through `TerminalControls.escaped` here, the one place all
/// output passes: a record, topic name or broker message holding `ESC ] 52 ...` cannot set the
/// clipboard, retitle or clear the terminal (issue 13). Only `outRaw` (`tail --raw`, for piping)
/// writes bytes as they are.
public enum StandardStreams {
    public static func out(_ text: String) {
        outRaw(Array(TerminalControls.escaped(text, keepingLines: true).utf8))
    }

    /// Bytes exactly as given: only for output the user asked to be raw.
    public static func outRaw(_ bytes: [UInt8]) {
        guard let e = write(STDOUT_FILENO, bytes) else { return }
        if e == EPIPE { exit(0) }
        _ = write(STDERR_FILENO, Array("error: cannot write to standard output: \(describe(e))\n".utf8))
        exit(1)
    }

    /// Errors writing to stderr have nowhere to be reported: dropped.
    public static func err(_ text: String) {
        _ = write(STDERR_FILENO, Array(TerminalControls.escaped(text, keepingLines: true).utf8))
    }

    /// Descriptors 0-2 that were closed at start (`kafscope ... >&-`). Each gets /dev/null so no
    /// socket or log file opened later takes its number and receives command output; writes to a
    /// stdout that was closed still fail, with EBADF, as they would have.
    nonisolated(unsafe) private static var closedAtStart: Set<Int32> = []

    /// Call first thing in main, before anything opens a descriptor.
    public static func reserveStandardDescriptors() {
        for fd in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let null = open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY)
            if null >= 0 && null != fd {
                dup2(null, fd)
                close(null)
            }
            closedAtStart.insert(fd)
        }
    }

    /// Whether stdout is a pipe or socket whose reader has gone (`kafscope tail T | head -1` once
    /// head exited): an idle tail would otherwise only notice at its next write, maybe never.
    public static func stdoutReaderGone() -> Bool {
        if closedAtStart.contains(STDOUT_FILENO) { return false }
        var p = pollfd(fd: STDOUT_FILENO, events: 0, revents: 0)
        guard poll(&p, 1, 0) > 0 else { return false }
        return p.revents & Int16(POLLERR | POLLHUP) != 0
    }

    /// nil on success, else the errno of the failed write.
    static func write(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        if closedAtStart.contains(fd) { return EBADF }
        return bytes.withUnsafeBufferPointer { buf -> Int32? in
            guard let base = buf.baseAddress else { return nil }
            var offset = 0
            while offset < buf.count {
                let n = Foundation.write(fd, base + offset, buf.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN {
                        // A non-blocking stdout (inherited from the parent): wait until it drains.
                        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                        _ = poll(&p, 1, 1000)
                        continue
                    }
                    return errno
                }
                offset += n
            }
            return nil
        }
    }

    static func describe(_ e: Int32) -> String {
        e == EBADF ? "it is closed" : String(cString: strerror(e))
    }
}
