import Foundation

/// Writes to stdout/stderr with write(2). Foundation's FileHandle.write traps on EPIPE, and SIGPIPE
/// is ignored (SwiftNIO ignores it), so `kafscope tail T | head` would crash; a closed stdout means
/// the reader has what it wanted, so we exit quietly with status 0, as grep or ripgrep do.
public enum StandardStreams {
    public static func out(_ text: String) {
        if !write(STDOUT_FILENO, text) { exit(0) }
    }

    /// Errors writing to stderr have nowhere to be reported: dropped.
    public static func err(_ text: String) {
        _ = write(STDERR_FILENO, text)
    }

    /// False when the stream is closed or broken.
    static func write(_ fd: Int32, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { buf in
            var offset = 0
            while offset < buf.count {
                let n = Foundation.write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }
}
