import Foundation
import KafkaTestSupport
import XCTest

/// Runs Tests/Peers/schema_records.py (fastavro / Python protobuf) and compares JSON renderings.
enum SchemaPeers {
    static func cases(_ mode: String, count: Int, seed: Int) async throws -> [[String: Any]] {
        let env = try PeerEnvironment.locate()
        let out = try await CommandRunner.run(env.python, [try env.script("schema_records.py").path, mode,
                                                         "--count", String(count), "--seed", String(seed)],
                                            timeout: .seconds(120))
        guard out.status == 0 else { throw PeerError("schema_records.py \(mode) failed: \(out.stderr.suffix(2000))") }
        return try out.stdout.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }
}

/// Structural JSON equality; numbers equal within float precision (Avro floats render shortest).
func jsonEqual(_ a: Any?, _ b: Any?, path: String = "$") -> String? {
    switch (a, b) {
    case (nil, nil): return nil
    case (is NSNull, is NSNull): return nil
    case (let x as [String: Any], let y as [String: Any]):
        if Set(x.keys) != Set(y.keys) { return "\(path): keys \(x.keys.sorted()) vs \(y.keys.sorted())" }
        for k in x.keys { if let d = jsonEqual(x[k], y[k], path: path + "." + k) { return d } }
        return nil
    case (let x as [Any], let y as [Any]):
        if x.count != y.count { return "\(path): \(x.count) items vs \(y.count)" }
        for i in x.indices { if let d = jsonEqual(x[i], y[i], path: "\(path)[\(i)]") { return d } }
        return nil
    case (let x as String, let y as String):
        return x == y ? nil : "\(path): \(x.debugDescription) vs \(y.debugDescription)"
    case (let x as NSNumber, let y as NSNumber):
        let xb = String(cString: x.objCType) == "c"
        let yb = String(cString: y.objCType) == "c"
        if xb || yb { return (xb == yb && x.boolValue == y.boolValue) ? nil : "\(path): \(x) vs \(y)" }
        if x.int64Value == y.int64Value && x.doubleValue == y.doubleValue { return nil }
        if "\(x)" == "\(y)" { return nil }
        let dx = x.doubleValue, dy = y.doubleValue
        if dx == dy || abs(dx - dy) <= 1e-6 * max(abs(dx), abs(dy)) { return nil }
        return "\(path): \(x) vs \(y)"
    default:
        return "\(path): \(String(describing: a)) vs \(String(describing: b))"
    }
}

func parseJSON(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
}
