// Checksums used by record batches: CRC-32C (v2, KafkaWire), CRC-32 IEEE (magic 0/1, via zlib: faster) and XXH32
// (only to repair the LZ4 frame header checksum that Kafka < 0.10 wrote wrongly).
import CZlib
import KafkaWire

enum Checksums {
    /// CRC-32C (Castagnoli) from KafkaWire (slicing-by-8); one call per batch.
    @inline(__always)
    static func crc32c(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt32 {
        CRC32C.checksum(UnsafeRawBufferPointer(start: p, count: count))
    }

    static func crc32c(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return 0 }
            return crc32c(base, b.count)
        }
    }

    /// CRC-32 IEEE (zlib).
    static func crc32(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt32 {
        var crc: UInt = CZlib.crc32(0, nil, 0)
        var ptr = p
        var n = count
        while n > 0 {
            let chunk = min(n, 1 << 30)
            crc = CZlib.crc32(crc, ptr, uInt(chunk))
            ptr += chunk
            n -= chunk
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return 0 }
            return crc32(base, b.count)
        }
    }

    /// XXH32 with the given seed.
    static func xxh32(_ p: UnsafePointer<UInt8>, _ count: Int, seed: UInt32 = 0) -> UInt32 {
        let p1: UInt32 = 2654435761, p2: UInt32 = 2246822519, p3: UInt32 = 3266489917
        let p4: UInt32 = 668265263, p5: UInt32 = 374761393
        func rotl(_ x: UInt32, _ r: UInt32) -> UInt32 { (x << r) | (x >> (32 - r)) }
        func read32(_ i: Int) -> UInt32 { UInt32(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt32.self)) }
        func round(_ acc: UInt32, _ input: UInt32) -> UInt32 { rotl(acc &+ input &* p2, 13) &* p1 }
        var i = 0
        var h: UInt32
        if count >= 16 {
            var v1 = seed &+ p1 &+ p2, v2 = seed &+ p2, v3 = seed, v4 = seed &- p1
            while i + 16 <= count {
                v1 = round(v1, read32(i)); v2 = round(v2, read32(i + 4))
                v3 = round(v3, read32(i + 8)); v4 = round(v4, read32(i + 12))
                i += 16
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
        } else {
            h = seed &+ p5
        }
        h = h &+ UInt32(truncatingIfNeeded: count)
        while i + 4 <= count {
            h = rotl(h &+ read32(i) &* p3, 17) &* p4
            i += 4
        }
        while i < count {
            h = rotl(h &+ UInt32(p[i]) &* p5, 11) &* p1
            i += 1
        }
        h ^= h >> 15; h = h &* p2
        h ^= h >> 13; h = h &* p3
        h ^= h >> 16
        return h
    }
}

