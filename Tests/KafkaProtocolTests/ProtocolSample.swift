import KafkaProtocol

/// Implemented by the generated sample builders in Generated/: a value with every field that
/// exists at `version` set to a non-default value (different seeds give different values).
protocol ProtocolSample: KafkaMessage {
    static func sample(version: Int16, seed: Int) -> Self
    /// The all-defaults value.
    static var defaultValue: Self { get }
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { b in
        let s = String(b, radix: 16)
        return s.count == 1 ? "0" + s : s
    }.joined(separator: " ")
}

func bytes(hex text: String) -> [UInt8] {
    let digits = text.filter { $0.isHexDigit }
    var out: [UInt8] = []
    var i = digits.startIndex
    while i < digits.endIndex {
        let j = digits.index(i, offsetBy: 2)
        out.append(UInt8(digits[i..<j], radix: 16)!)
        i = j
    }
    return out
}
