import Foundation

/// Reads a small text file (config, `.properties`, password file) with open(2)/read(2), so
/// `/dev/null`, `<(...)` process substitution and FIFOs work, which Foundation's
/// `String(contentsOfFile:)` refuses; a device that never ends (`/dev/zero`) hits the size cap.
public enum TextFile {
    public static let maxBytes = 4 << 20

    public struct ReadError: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public static func read(_ path: String, maxBytes: Int = maxBytes) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReadError(message: errnoText(errno)) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            throw ReadError(message: "it is a directory")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadError(message: errnoText(errno))
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > maxBytes {
                throw ReadError(message: "larger than \(maxBytes >> 20) MiB; is this the right file?")
            }
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }  // a BOM some editors write
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ReadError(message: "not UTF-8 text")
        }
        if text.contains("\0") { throw ReadError(message: "not a text file (it holds NUL bytes)") }
        return text
    }

    static func errnoText(_ e: Int32) -> String {
        switch e {
        case ENOENT: return "no such file"
        case EACCES, EPERM: return "permission denied"
        default: return String(cString: strerror(e)).lowercased()
        }
    }
}
