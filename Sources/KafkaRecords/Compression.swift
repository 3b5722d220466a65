// Decompression with a hard output cap, and compression for the encoder. Every codec runs on
// untrusted bytes: lengths are checked before allocation and library errors become thrown errors.
import CZlib
import CZstd
import CLZ4
import CSnappy

/// Failure inside a codec; the batch decoder adds the batch offset.
enum CodecError: Error {
    case failed(String)
    case capExceeded
}

/// Snappy framing to write. Kafka's Java client writes xerial framing; librdkafka and others write raw.
public enum SnappyFraming: Sendable, Hashable {
    case raw, xerial
}

/// Output buffer that grows by doubling up to a cap.
private struct GrowableOutput {
    var ptr: UnsafeMutablePointer<UInt8>
    var capacity: Int
    var count = 0
    let cap: Int

    init(initial: Int, cap: Int) {
        self.cap = cap
        capacity = max(1, min(initial, cap))
        ptr = .allocate(capacity: capacity)
    }

    /// Makes room for at least one more byte; throws when the cap is reached.
    mutating func grow() throws(CodecError) {
        guard capacity < cap else { throw .capExceeded }
        let newCap = min(cap, capacity * 2)
        let n = UnsafeMutablePointer<UInt8>.allocate(capacity: newCap)
        n.update(from: ptr, count: count)
        ptr.deallocate()
        ptr = n
        capacity = newCap
    }

    func toArray() -> [UInt8] {
        Array(UnsafeBufferPointer(start: ptr, count: count))
    }

    func free() { ptr.deallocate() }
}

/// Decompression contexts reused across the batches of one decode call (creating a zstd stream or a
/// zlib inflater costs more than decompressing a small batch). Not shared between threads.
final class CodecContexts {
    private var zstream: UnsafeMutablePointer<z_stream>?
    private var dstream: OpaquePointer?
    private var lz4: OpaquePointer?

    init() {}

    deinit {
        if let z = zstream { inflateEnd(z); z.deallocate() }
        if let d = dstream { ZSTD_freeDStream(d) }
        if let l = lz4 { LZ4F_freeDecompressionContext(l) }
    }

    /// An inflater for gzip (windowBits 31), reset for a new stream.
    func inflater() throws(CodecError) -> UnsafeMutablePointer<z_stream> {
        if let z = zstream {
            guard inflateReset(z) == Z_OK else { throw .failed("inflateReset failed") }
            return z
        }
        let z = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        z.initialize(to: z_stream())
        guard inflateInit2_(z, 31, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            z.deallocate()
            throw .failed("inflateInit2 failed")
        }
        zstream = z
        return z
    }

    func zstd() throws(CodecError) -> OpaquePointer {
        if let d = dstream {
            _ = ZSTD_DCtx_reset(d, ZSTD_reset_session_only)
            return d
        }
        guard let d = ZSTD_createDStream() else { throw .failed("cannot create a zstd stream") }
        // Bound the window so a hostile frame header cannot make zstd allocate gigabytes (27 = 128 MiB).
        _ = ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, 27)
        dstream = d
        return d
    }

    func lz4Context() throws(CodecError) -> OpaquePointer {
        if let l = lz4 {
            LZ4F_resetDecompressionContext(l)
            return l
        }
        var dctx: OpaquePointer?
        guard LZ4F_isError(LZ4F_createDecompressionContext(&dctx, UInt32(LZ4F_VERSION))) == 0, let l = dctx else {
            throw .failed("cannot create an LZ4 context")
        }
        lz4 = l
        return l
    }
}

private let xerialMagic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]

enum Decompressor {
    static func decompress(_ codec: RecordCompression, _ src: UnsafeBufferPointer<UInt8>, cap: Int,
                           repairLegacyLZ4: Bool = false, contexts: CodecContexts = CodecContexts()) throws(CodecError) -> [UInt8] {
        switch codec {
        case .none: return Array(src)
        case .gzip: return try gunzip(src, cap: cap, contexts: contexts)
        case .snappy: return try unsnappy(src, cap: cap)
        case .lz4:
            if repairLegacyLZ4 {
                var copy = Array(src)
                repairLZ4HeaderChecksum(&copy)
                return try copy.withUnsafeBufferPointer { (b) throws(CodecError) -> [UInt8] in try unlz4(b, cap: cap, contexts: contexts) }
            }
            return try unlz4(src, cap: cap, contexts: contexts)
        case .zstd: return try unzstd(src, cap: cap, contexts: contexts)
        }
    }

    // MARK: gzip

    static func gunzip(_ src: UnsafeBufferPointer<UInt8>, cap: Int, contexts: CodecContexts = CodecContexts()) throws(CodecError) -> [UInt8] {
        guard let base = src.baseAddress, src.count > 0 else { throw .failed("empty gzip stream") }
        var out = GrowableOutput(initial: max(4096, src.count * 4), cap: cap)
        defer { out.free() }
        let zs = try contexts.inflater()
        // Do not keep pointers into this call's buffers in the reused stream.
        defer { zs.pointee.next_in = nil; zs.pointee.next_out = nil }
        zs.pointee.next_in = UnsafeMutablePointer(mutating: base)
        zs.pointee.avail_in = uInt(src.count)
        while true {
            if out.count == out.capacity { try out.grow() }
            zs.pointee.next_out = out.ptr + out.count
            let room = out.capacity - out.count
            zs.pointee.avail_out = uInt(room)
            let rc = inflate(zs, Z_NO_FLUSH)
            out.count += room - Int(zs.pointee.avail_out)
            if rc == Z_STREAM_END {
                // Concatenated gzip members are legal (RFC 1952 §2.2); anything else after is ignored.
                let left = Int(zs.pointee.avail_in)
                if left >= 2, zs.pointee.next_in[0] == 0x1F, zs.pointee.next_in[1] == 0x8B {
                    guard inflateReset(zs) == Z_OK else { throw .failed("inflateReset failed") }
                    continue
                }
                return out.toArray()
            }
            switch rc {
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                if zs.pointee.avail_out == 0 { continue } // needs more output room
                throw .failed("gzip stream is truncated")
            default:
                let msg = zs.pointee.msg.map { String(cString: $0) } ?? "error \(rc)"
                throw .failed(msg)
            }
        }
    }

    // MARK: snappy

    static func unsnappy(_ src: UnsafeBufferPointer<UInt8>, cap: Int) throws(CodecError) -> [UInt8] {
        guard let base = src.baseAddress, src.count > 0 else { throw .failed("empty snappy data") }
        if src.count >= 16, (0..<8).allSatisfy({ base[$0] == xerialMagic[$0] }) {
            // xerial: magic, INT32 version, INT32 min compatible version, then [INT32 length][raw block]...
            var out: [UInt8] = []
            var pos = 16
            while pos < src.count {
                guard src.count - pos >= 4 else { throw .failed("xerial chunk header is truncated") }
                let len = Int(Int32(bitPattern: UInt32(bigEndian: UnsafeRawPointer(base + pos).loadUnaligned(as: UInt32.self))))
                pos += 4
                guard len >= 0, len <= src.count - pos else { throw .failed("xerial chunk length \(len) runs past the data") }
                let block = UnsafeBufferPointer(start: base + pos, count: len)
                try rawSnappy(block, into: &out, cap: cap)
                pos += len
            }
            return out
        }
        var out: [UInt8] = []
        try rawSnappy(src, into: &out, cap: cap)
        return out
    }

    private static func rawSnappy(_ src: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], cap: Int) throws(CodecError) {
        guard let base = src.baseAddress, src.count > 0 else { throw .failed("empty snappy block") }
        var ulen = 0
        let cbase = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
        guard snappy_uncompressed_length(cbase, src.count, &ulen) == SNAPPY_OK else {
            throw .failed("invalid snappy block header")
        }
        guard ulen <= cap - out.count else { throw .capExceeded }
        let start = out.count
        var produced = ulen
        var status = SNAPPY_OK
        out.append(contentsOf: repeatElement(0, count: ulen))
        out.withUnsafeMutableBufferPointer { o in
            let dst = UnsafeMutableRawPointer(o.baseAddress! + start).assumingMemoryBound(to: CChar.self)
            status = snappy_uncompress(cbase, src.count, dst, &produced)
        }
        guard status == SNAPPY_OK, produced == ulen else { throw .failed("corrupt snappy block") }
    }

    // MARK: lz4

    static func unlz4(_ src: UnsafeBufferPointer<UInt8>, cap: Int, contexts: CodecContexts = CodecContexts()) throws(CodecError) -> [UInt8] {
        guard let base = src.baseAddress, src.count > 0 else { throw .failed("empty lz4 frame") }
        let ctx = try contexts.lz4Context()
        var out = GrowableOutput(initial: max(4096, src.count * 4), cap: cap)
        defer { out.free() }
        var inPos = 0
        var hint = 1
        while inPos < src.count {
            if out.count == out.capacity { try out.grow() }
            var dstSize = out.capacity - out.count
            var srcSize = src.count - inPos
            hint = LZ4F_decompress(ctx, out.ptr + out.count, &dstSize, base + inPos, &srcSize, nil)
            if LZ4F_isError(hint) != 0 {
                throw .failed(String(cString: LZ4F_getErrorName(hint)))
            }
            inPos += srcSize
            out.count += dstSize
            if srcSize == 0 && dstSize == 0 && out.count < out.capacity {
                throw .failed("lz4 decoder made no progress")
            }
        }
        // Drain output still buffered inside the context.
        while hint != 0 {
            if out.count == out.capacity { try out.grow() }
            var dstSize = out.capacity - out.count
            var srcSize = 0
            hint = LZ4F_decompress(ctx, out.ptr + out.count, &dstSize, base + inPos, &srcSize, nil)
            if LZ4F_isError(hint) != 0 { throw .failed(String(cString: LZ4F_getErrorName(hint))) }
            out.count += dstSize
            if dstSize == 0 && hint != 0 { throw .failed("lz4 frame is truncated") }
        }
        return out.toArray()
    }

    /// Kafka before 0.10 computed the LZ4 frame header checksum over the magic number too
    /// (KAFKA-3160). When the stored byte matches that wrong value, replace it with the right one.
    static func repairLZ4HeaderChecksum(_ f: inout [UInt8]) {
        guard f.count >= 7, f[0] == 0x04, f[1] == 0x22, f[2] == 0x4D, f[3] == 0x18 else { return }
        let flg = f[4]
        var hcPos = 6
        if flg & 0x08 != 0 { hcPos += 8 } // content size present
        if flg & 0x01 != 0 { hcPos += 4 } // dictionary id present
        guard hcPos < f.count else { return }
        f.withUnsafeMutableBufferPointer { b in
            let p = UnsafePointer(b.baseAddress!)
            let right = UInt8(truncatingIfNeeded: Checksums.xxh32(p + 4, hcPos - 4) >> 8)
            let wrong = UInt8(truncatingIfNeeded: Checksums.xxh32(p, hcPos) >> 8)
            if b[hcPos] == wrong && wrong != right { b[hcPos] = right }
        }
    }

    // MARK: zstd

    static func unzstd(_ src: UnsafeBufferPointer<UInt8>, cap: Int, contexts: CodecContexts = CodecContexts()) throws(CodecError) -> [UInt8] {
        guard let base = src.baseAddress, src.count > 0 else { throw .failed("empty zstd frame") }
        let ds = try contexts.zstd()
        let known = ZSTD_getFrameContentSize(base, src.count)
        var initial = max(4096, src.count * 4)
        if known != ZSTD_CONTENTSIZE_UNKNOWN && known != ZSTD_CONTENTSIZE_ERROR {
            if known > UInt64(cap) { throw .capExceeded }
            initial = max(1, Int(known))
        }
        var out = GrowableOutput(initial: initial, cap: cap)
        defer { out.free() }
        var input = ZSTD_inBuffer(src: base, size: src.count, pos: 0)
        var last = 0
        while true {
            if out.count == out.capacity { try out.grow() }
            var output = ZSTD_outBuffer(dst: out.ptr + out.count, size: out.capacity - out.count, pos: 0)
            last = ZSTD_decompressStream(ds, &output, &input)
            if ZSTD_isError(last) != 0 { throw .failed(String(cString: ZSTD_getErrorName(last))) }
            out.count += output.pos
            if last == 0 && input.pos == input.size { break }
            if input.pos == input.size && output.pos < output.size {
                // All input consumed, room left, frame not finished.
                if last != 0 { throw .failed("zstd frame is truncated") }
            }
        }
        return out.toArray()
    }
}

enum Compressor {
    static func compress(_ codec: RecordCompression, _ src: [UInt8], snappyFraming: SnappyFraming = .raw,
                         level: Int32? = nil) throws(CodecError) -> [UInt8] {
        switch codec {
        case .none: return src
        case .gzip: return try gzip(src, level: level ?? 6)
        case .snappy: return try snappy(src, framing: snappyFraming)
        case .lz4: return try lz4(src)
        case .zstd: return try zstd(src, level: level ?? 3)
        }
    }

    static func gzip(_ src: [UInt8], level: Int32) throws(CodecError) -> [UInt8] {
        var strm = z_stream()
        guard deflateInit2_(&strm, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw .failed("deflateInit2 failed") }
        defer { deflateEnd(&strm) }
        let bound = Int(deflateBound(&strm, uLong(src.count))) + 32
        var out = [UInt8](repeating: 0, count: bound)
        var rc: Int32 = 0
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                strm.next_in = UnsafeMutablePointer(mutating: s.baseAddress)
                strm.avail_in = uInt(s.count)
                strm.next_out = o.baseAddress
                strm.avail_out = uInt(o.count)
                rc = deflate(&strm, Z_FINISH)
            }
        }
        guard rc == Z_STREAM_END else { throw .failed("deflate failed (\(rc))") }
        out.removeSubrange(Int(strm.total_out)...)
        return out
    }

    static func snappy(_ src: [UInt8], framing: SnappyFraming) throws(CodecError) -> [UInt8] {
        func raw(_ s: UnsafeBufferPointer<UInt8>) throws(CodecError) -> [UInt8] {
            var outLen = snappy_max_compressed_length(s.count)
            var out = [UInt8](repeating: 0, count: outLen)
            let status = out.withUnsafeMutableBufferPointer { o in
                snappy_compress(UnsafeRawPointer(s.baseAddress ?? UnsafePointer(o.baseAddress!)).assumingMemoryBound(to: CChar.self),
                                s.count, UnsafeMutableRawPointer(o.baseAddress!).assumingMemoryBound(to: CChar.self), &outLen)
            }
            guard status == SNAPPY_OK else { throw .failed("snappy_compress failed") }
            out.removeSubrange(outLen...)
            return out
        }
        switch framing {
        case .raw:
            return try src.withUnsafeBufferPointer { (s) throws(CodecError) -> [UInt8] in try raw(s) }
        case .xerial:
            var sink = ByteSink()
            sink.bytes = xerialMagic
            sink.int32(1)
            sink.int32(1)
            // 32 KiB blocks, as the xerial stream the Java client uses.
            try src.withUnsafeBufferPointer { (s) throws(CodecError) in
                var pos = 0
                repeat {
                    let n = min(32 << 10, s.count - pos)
                    let block = try raw(UnsafeBufferPointer(rebasing: s[pos..<(pos + n)]))
                    sink.int32(Int32(block.count))
                    sink.bytes.append(contentsOf: block)
                    pos += n
                } while pos < s.count
            }
            return sink.bytes
        }
    }

    static func lz4(_ src: [UInt8]) throws(CodecError) -> [UInt8] {
        let bound = LZ4F_compressFrameBound(src.count, nil)
        var out = [UInt8](repeating: 0, count: bound)
        let n = src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                LZ4F_compressFrame(o.baseAddress, o.count, s.baseAddress, s.count, nil)
            }
        }
        guard LZ4F_isError(n) == 0 else { throw .failed(String(cString: LZ4F_getErrorName(n))) }
        out.removeSubrange(n...)
        return out
    }

    static func zstd(_ src: [UInt8], level: Int32) throws(CodecError) -> [UInt8] {
        let bound = ZSTD_compressBound(src.count)
        var out = [UInt8](repeating: 0, count: bound)
        let n = src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                ZSTD_compress(o.baseAddress, o.count, s.baseAddress, s.count, level)
            }
        }
        guard ZSTD_isError(n) == 0 else { throw .failed(String(cString: ZSTD_getErrorName(n))) }
        out.removeSubrange(n...)
        return out
    }
}
