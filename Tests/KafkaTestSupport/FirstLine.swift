import Foundation

/// The first line a peer prints on stdout (its "listening on" hello), read on a thread of its own so
/// that no test-pool thread blocks on the pipe. nil when the peer closed stdout first.
public func firstLine(of handle: FileHandle, limit: Int = 8192) async -> String? {
    await withCheckedContinuation { cont in
        Thread.detachNewThread {
            var bytes: [UInt8] = []
            while bytes.count < limit {
                guard let b = handle.readData(ofLength: 1).first, b != UInt8(ascii: "\n") else { break }
                bytes.append(b)
            }
            cont.resume(returning: bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self))
        }
    }
}
