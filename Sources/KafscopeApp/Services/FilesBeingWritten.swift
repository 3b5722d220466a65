import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The files this process's exports are writing, by device and inode: one file reached by two
/// spellings (`x.jsonl`, `./x.jsonl`, a symlink) is one entry, so a second export cannot truncate a
/// file the first is still writing (which would interleave two exports in it).
enum FilesBeingWritten {
    struct Identity: Hashable {
        let device: UInt64
        let inode: UInt64
        /// A regular file (one that truncating empties); not a pipe or a device.
        let isRegularFile: Bool
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var claimed: Set<Identity> = []

    static func identity(of fd: Int32) -> Identity? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), isRegularFile: st.st_mode & S_IFMT == S_IFREG)
    }

    /// True when the file was free and is now this caller's until `release`.
    static func claim(_ id: Identity) -> Bool {
        lock.withLock { claimed.insert(id).inserted }
    }

    static func release(_ id: Identity) {
        _ = lock.withLock { claimed.remove(id) }
    }
}
