import ClusterModel
import Foundation

/// The tail's export: records written one JSON object a line exactly as `kafscope tail -o json`
/// writes them (`TailCommand.recordJSON`: UTF-8 text, `{"base64": ...}` for other bytes), so
/// `kafscope produce --format jsonl` reads the file back byte for byte. Written on a detached task
/// in chunks, with progress between them; an existing file is replaced only when asked.
public struct JSONLRecordExporter: RecordExportService {
    /// Records between progress events.
    let progressEvery: Int
    /// Bytes gathered before a write(2).
    let chunkBytes: Int

    public init(progressEvery: Int = 2_000, chunkBytes: Int = 1 << 20) {
        self.progressEvery = max(1, progressEvery)
        self.chunkBytes = max(1, chunkBytes)
    }

    public func export(_ records: [TailRecord], to path: String, overwrite: Bool) -> AsyncThrowingStream<RecordExportEvent, Error> {
        let progressEvery = self.progressEvery, chunkBytes = self.chunkBytes
        return AsyncThrowingStream { continuation in
            let task = Task.detached {
                let full = Self.resolve(path)
                do {
                    guard let (fd, file) = try Self.open(full, overwrite: overwrite) else {
                        continuation.yield(.exists(path: full))
                        continuation.finish()
                        return
                    }
                    defer {
                        FilesBeingWritten.release(file)
                        close(fd)
                    }
                    var chunk: [UInt8] = []
                    chunk.reserveCapacity(chunkBytes + 4096)
                    var bytes = 0
                    for (i, r) in records.enumerated() {
                        try Task.checkCancellation()
                        chunk += Array(TailCommand.recordJSON(r).serialized().utf8)
                        chunk.append(0x0A)
                        if chunk.count >= chunkBytes || i == records.count - 1 {
                            try Self.write(fd, chunk, path: full)
                            bytes += chunk.count
                            chunk.removeAll(keepingCapacity: true)
                        }
                        if (i + 1) % progressEvery == 0 && i + 1 < records.count {
                            continuation.yield(.progress(written: i + 1, total: records.count))
                        }
                    }
                    continuation.yield(.finished(path: full, records: records.count, bytes: bytes))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// `~` expanded and relative paths made absolute against the directory kafscope runs in, so the
    /// final line names the file wherever it is.
    static func resolve(_ path: String) -> String {
        var p = path
        if p == "~" || p.hasPrefix("~/") {
            p = FileManager.default.homeDirectoryForCurrentUser.path + p.dropFirst()
        }
        if !p.hasPrefix("/") { p = FileManager.default.currentDirectoryPath + "/" + p }
        return URL(fileURLWithPath: p).standardizedFileURL.path
    }

    /// The file opened for writing and claimed for this export; nil when it exists and `overwrite` is
    /// false (O_EXCL: no race between asking and writing). It is truncated only once claimed, so a file
    /// another export of this process is writing (under any spelling) is left alone.
    static func open(_ path: String, overwrite: Bool) throws -> (Int32, FilesBeingWritten.Identity)? {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? 0 : O_EXCL)
        let fd = Foundation.open(path, flags, 0o644)
        guard fd >= 0 else {
            let err = errno
            if err == EEXIST && !overwrite { return nil }
            throw UserFacingError("cannot write \(path): \(String(cString: strerror(err)))")
        }
        guard let file = FilesBeingWritten.identity(of: fd) else {
            close(fd)
            throw UserFacingError("cannot write \(path): fstat failed")
        }
        guard FilesBeingWritten.claim(file) else {
            close(fd)
            throw UserFacingError("\(path) is still being written by an earlier export; choose another file")
        }
        // (A named pipe or a device cannot be truncated, as O_TRUNC ignored them before.)
        if overwrite && file.isRegularFile && ftruncate(fd, 0) != 0 {
            let err = errno
            FilesBeingWritten.release(file)
            close(fd)
            throw UserFacingError("cannot write \(path): \(String(cString: strerror(err)))")
        }
        return (fd, file)
    }

    static func write(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                let err = errno
                if err == EINTR { continue }
                throw UserFacingError("writing \(path) failed: \(String(cString: strerror(err))) (the file is incomplete)")
            }
            offset += n
        }
    }
}
