import Foundation
import SchemaCodecs

/// `kafscope-bench schema`: Avro and Protobuf decoding to JSON of a 12-field trade record with a
/// nested record, an array and a union/optional field, on one core. Run in release:
///   swift run -c release --scratch-path .build-schema KafscopeBench schema [--records N]
enum SchemaBench {
    static let avroSchema = """
        {"type":"record","name":"Trade","namespace":"bench","fields":[
          {"name":"id","type":"long"},{"name":"symbol","type":"string"},{"name":"price","type":"double"},
          {"name":"qty","type":"int"},{"name":"side","type":{"type":"enum","name":"Side","symbols":["BUY","SELL"]}},
          {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"venue","type":"string"},
          {"name":"active","type":"boolean"},{"name":"note","type":["null","string"]},
          {"name":"tags","type":{"type":"array","items":"string"}},
          {"name":"account","type":{"type":"record","name":"Account","fields":[
            {"name":"id","type":"long"},{"name":"name","type":"string"},{"name":"tier","type":"int"}]}},
          {"name":"fee","type":"float"}]}
        """

    static let protoSchema = """
        syntax = "proto3";
        package bench;
        message Trade {
          enum Side { BUY = 0; SELL = 1; }
          message Account { int64 id = 1; string name = 2; int32 tier = 3; }
          int64 id = 1; string symbol = 2; double price = 3; int32 qty = 4; Side side = 5; int64 ts = 6;
          string venue = 7; bool active = 8; optional string note = 9; repeated string tags = 10;
          Account account = 11; float fee = 12;
        }
        """

    // Minimal encoders for the bench input (the decoders are checked against fastavro/protobuf in tests).
    static func zigzag(_ v: Int64, _ out: inout [UInt8]) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63)), &out) }
    static func varint(_ v: UInt64, _ out: inout [UInt8]) {
        var v = v
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }
    static func avroString(_ s: String, _ out: inout [UInt8]) { zigzag(Int64(s.utf8.count), &out); out += Array(s.utf8) }

    static func avroRecord(_ i: Int) -> [UInt8] {
        var b: [UInt8] = []
        zigzag(Int64(i) * 7919, &b); avroString("SYM\(i % 500)", &b)
        withUnsafeBytes(of: (Double(i) * 1.25).bitPattern.littleEndian) { b += $0 }
        zigzag(Int64(i % 1000), &b); zigzag(Int64(i % 2), &b); zigzag(1_733_450_000_000 + Int64(i), &b)
        avroString("XNAS", &b); b.append(1)
        if i % 3 == 0 { zigzag(0, &b) } else { zigzag(1, &b); avroString("note \(i)", &b) }
        zigzag(2, &b); avroString("fast", &b); avroString("lit", &b); zigzag(0, &b)
        zigzag(Int64(i), &b); avroString("account-\(i % 100)", &b); zigzag(Int64(i % 5), &b)
        withUnsafeBytes(of: Float(0.25).bitPattern.littleEndian) { b += $0 }
        return b
    }

    static func protoString(_ field: UInt64, _ s: String, _ out: inout [UInt8]) {
        varint(field << 3 | 2, &out); varint(UInt64(s.utf8.count), &out); out += Array(s.utf8)
    }

    static func protoRecord(_ i: Int) -> [UInt8] {
        var b: [UInt8] = []
        varint(1 << 3, &b); varint(UInt64(i) * 7919, &b); protoString(2, "SYM\(i % 500)", &b)
        varint(3 << 3 | 1, &b); withUnsafeBytes(of: (Double(i) * 1.25).bitPattern.littleEndian) { b += $0 }
        varint(4 << 3, &b); varint(UInt64(i % 1000), &b); varint(5 << 3, &b); varint(UInt64(i % 2), &b)
        varint(6 << 3, &b); varint(1_733_450_000_000 + UInt64(i), &b); protoString(7, "XNAS", &b)
        varint(8 << 3, &b); varint(1, &b)
        if i % 3 != 0 { protoString(9, "note \(i)", &b) }
        protoString(10, "fast", &b); protoString(10, "lit", &b)
        var account: [UInt8] = []
        varint(1 << 3, &account); varint(UInt64(i), &account); protoString(2, "account-\(i % 100)", &account)
        varint(3 << 3, &account); varint(UInt64(i % 5), &account)
        varint(11 << 3 | 2, &b); varint(UInt64(account.count), &b); b += account
        varint(12 << 3 | 5, &b); withUnsafeBytes(of: Float(0.25).bitPattern.littleEndian) { b += $0 }
        return b
    }

    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func run(_ args: [String]) {
        var records = 1_000_000
        if let i = args.firstIndex(of: "--records"), i + 1 < args.count { records = Int(args[i + 1]) ?? records }
        // --only avro|protobuf: one decoder (for a profiler).
        var only: String? = nil
        if let i = args.firstIndex(of: "--only"), i + 1 < args.count { only = args[i + 1] }
        let distinct = 1000
        let avroInputs = (0..<distinct).map(avroRecord)
        let protoInputs = (0..<distinct).map(protoRecord)
        do {
            let avro = try AvroSchema.parse(avroSchema)
            let proto = try ProtoSchema(text: protoSchema)
            let trade = try proto.message(atPath: [0])
            print("schema bench: \(records) records, 12 fields (nested record, array, union/optional), decoded to JSON on one core")
            print("  sample avro:     \(try avro.decodeJSON(avroInputs[1]))")
            print("  sample protobuf: \(try proto.decodeJSON(protoInputs[1], as: trade))")
            for (name, body) in [
                ("avro", { (i: Int, out: inout JSONWriter) throws in try avro.decode(avroInputs[i % distinct], into: &out) }),
                ("protobuf", { (i: Int, out: inout JSONWriter) throws in try proto.decode(protoInputs[i % distinct], as: trade, into: &out) }),
            ] as [(String, (Int, inout JSONWriter) throws -> Void)] {
                if let only, only != name { continue }
                // CPU time of this thread: "on one core" even when other work shares the machine.
                var best = Double.infinity
                var bestWall = Double.infinity
                var bytes = 0
                for _ in 0..<3 {
                    var out = JSONWriter(capacity: 512)
                    let start = DispatchTime.now().uptimeNanoseconds
                    let cpuStart = threadCPUSeconds()
                    for i in 0..<records {
                        out.bytes.removeAll(keepingCapacity: true)
                        try body(i, &out)
                        bytes &+= out.bytes.count
                    }
                    best = min(best, threadCPUSeconds() - cpuStart)
                    bestWall = min(bestWall, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                }
                let input = (name == "avro" ? avroInputs : protoInputs).reduce(0) { $0 + $1.count } / distinct
                print(String(format: "  %-9@ %10.0f records/s of CPU time  (%.2f s CPU, %.2f s wall for %d records, %d-byte payloads, best of 3)",
                             name as NSString, Double(records) / best, best, bestWall, records, input))
            }
        } catch {
            print("schema bench failed: \(error)")
        }
    }
}
