// Record-set decoding throughput: one Fetch v4 response body holding ~1 MB of records with 100-byte
// values, built by RecordBatchEncoder, decoded with RecordSet.decode, per codec. One thread.
import KafkaRecords

enum RecordsBench {
    struct Options {
        var runs = 31
        var batchBytes = 16_384   // the Java producer's default batch.size
        var recordSetBytes = 1 << 20
        var valueBytes = 100
        var codecs: [RecordCompression] = RecordCompression.allCases
    }

    static func run(_ args: [String]) {
        var o = Options()
        var i = 0
        while i < args.count {
            let v = i + 1 < args.count ? args[i + 1] : ""
            switch args[i] {
            case "--runs": o.runs = max(1, Int(v) ?? o.runs); i += 1
            case "--batch-bytes": o.batchBytes = max(200, Int(v) ?? o.batchBytes); i += 1
            case "--bytes": o.recordSetBytes = max(1000, Int(v) ?? o.recordSetBytes); i += 1
            case "--codec": o.codecs = v.split(separator: ",").compactMap { c in RecordCompression.allCases.first { "\($0)" == c } }; i += 1
            default: print("unknown option \(args[i])"); return
            }
            i += 1
        }
        print("records bench: ~\(o.recordSetBytes) bytes of records per fetch, \(o.valueBytes)-byte values, "
              + "~\(o.batchBytes)-byte batches, median of \(o.runs) runs, 1 thread")
        print(pad("codec", 8) + pad("records", 9) + pad("body bytes", 12) + pad("median ms", 11)
              + pad("Mrec/s", 9) + pad("MB/s wire", 11) + pad("MB/s data", 11) + "Mrec/s +copy")
        for codec in o.codecs {
            let (body, count, dataBytes) = buildFetchBody(codec: codec, o)
            // Warm up, and check the result once.
            let check = decodeBody(body)
            guard check.count == count else {
                print("\(codec): decoded \(check.count) records, expected \(count)")
                return
            }
            var times: [Double] = []
            var sink = 0
            for _ in 0..<o.runs {
                let t = measure { sink &+= decodeBody(body).count }
                times.append(t)
            }
            // Same decode plus copying every key and value out into arrays (what a naive API would do).
            var copyTimes: [Double] = []
            for _ in 0..<o.runs {
                let set = decodeBody(body)
                let t = measure {
                    for r in set { sink &+= (r.key?.count ?? 0) &+ (r.value?.count ?? 0) }
                }
                copyTimes.append(t + times[copyTimes.count])
            }
            let med = median(times), medCopy = median(copyTimes)
            let rps = Double(count) / med
            print(pad("\(codec)", 8) + pad("\(count)", 9) + pad("\(body.count)", 12) + pad(fmt(med * 1000, 3), 11)
                  + pad(fmt(rps / 1e6, 2), 9) + pad(fmt(Double(body.count) / med / 1e6, 0), 11)
                  + pad(fmt(Double(dataBytes) / med / 1e6, 0), 11) + fmt(Double(count) / medCopy / 1e6, 2)
                  + (sink == 42 ? " " : ""))
        }
    }

    /// Builds throttle_time_ms, one topic, one partition (Fetch v4 response body layout) around the record set.
    static func buildFetchBody(codec: RecordCompression, _ o: Options) -> ([UInt8], Int, Int) {
        var records: [UInt8] = []
        var offset: Int64 = 0
        var dataBytes = 0
        var rng: UInt64 = 0x1234_5678
        let perRecord = o.valueBytes + 20
        let perBatch = max(1, o.batchBytes / perRecord)
        var uncompressed = 0
        while uncompressed < o.recordSetBytes {
            var batch: [OutgoingRecord] = []
            for j in 0..<perBatch {
                // JSON-ish text with some entropy so codecs do real work.
                var value = Array("{\"id\":\(offset + Int64(j)),\"user\":\"u".utf8)
                while value.count < o.valueBytes - 2 {
                    rng = rng &* 6364136223846793005 &+ 1442695040888963407
                    value.append(UInt8(97 + (rng >> 33) % 26))
                }
                value += Array("\"}".utf8)
                value = Array(value.prefix(o.valueBytes))
                let key = Array("key-\((offset + Int64(j)) % 1000)".utf8)
                dataBytes += key.count + value.count
                batch.append(OutgoingRecord(key: key, value: value, timestamp: 1_700_000_000_000 + offset + Int64(j)))
            }
            let plain = try! RecordBatchEncoder().encode(baseOffset: offset, records: batch)
            uncompressed += plain.count
            records += codec == .none ? plain : try! RecordBatchEncoder(compression: codec).encode(baseOffset: offset, records: batch)
            offset += Int64(batch.count)
        }
        var body: [UInt8] = []
        func i16(_ v: Int16) { withUnsafeBytes(of: v.bigEndian) { body += $0 } }
        func i32(_ v: Int32) { withUnsafeBytes(of: v.bigEndian) { body += $0 } }
        func i64(_ v: Int64) { withUnsafeBytes(of: v.bigEndian) { body += $0 } }
        i32(0); i32(1); i16(5); body += Array("bench".utf8); i32(1)
        i32(0); i16(0); i64(offset); i64(offset); i32(-1)
        i32(Int32(records.count)); body += records
        return (body, Int(offset), dataBytes)
    }

    /// Walks the Fetch v4 response framing to the records field, then decodes it.
    static func decodeBody(_ body: [UInt8]) -> DecodedRecordSet {
        func i16(_ p: Int) -> Int { Int(Int16(bitPattern: UInt16(body[p]) << 8 | UInt16(body[p + 1]))) }
        func i32(_ p: Int) -> Int { Int(Int32(bitPattern: UInt32(body[p]) << 24 | UInt32(body[p + 1]) << 16 | UInt32(body[p + 2]) << 8 | UInt32(body[p + 3]))) }
        var p = 8                       // throttle_time_ms, topic count
        p += 2 + i16(p) + 4             // topic name, partition count
        p += 4 + 2 + 8 + 8              // partition, error, high watermark, last stable offset
        let aborted = i32(p); p += 4 + max(0, aborted) * 16
        let len = i32(p); p += 4
        do {
            return try RecordSet.decode(body[p..<(p + len)])
        } catch {
            fatalError("bench decode failed: \(error)")
        }
    }

    static func measure(_ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        let d = clock.measure(body)
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    static func fmt(_ v: Double, _ decimals: Int) -> String {
        var s = "\(Int((v * pow10(decimals)).rounded()))"
        if decimals > 0 {
            while s.count <= decimals { s = "0" + s }
            s.insert(".", at: s.index(s.endIndex, offsetBy: -decimals))
        }
        return s
    }

    static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { acc, _ in acc * 10 } }
    static func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(1, n - s.count)) }
}
