/// Why a read or write of Kafka wire bytes failed. Decoders throw these instead of trapping.
public struct WireError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Hashable, Sendable {
        /// Fewer bytes remained than the field needs.
        case truncated(needed: Int, available: Int)
        /// A length or count below the null marker (-1), or a null where none is allowed.
        case negativeLength(Int64)
        /// A length or count larger than the remaining bytes could hold.
        case lengthTooLarge(length: Int64, available: Int)
        /// A varint longer than its type allows.
        case invalidVarint
        /// String bytes that are not valid UTF-8.
        case invalidUTF8
        /// A null value where the field is not nullable.
        case unexpectedNull
        /// A value that cannot be represented on the wire (e.g. a string longer than 32767 bytes).
        case valueTooLarge(Int)
        /// Bytes left over after a value that should have consumed them all.
        case trailingBytes(Int)
    }

    public var kind: Kind
    /// What was being read, when known (e.g. "string length").
    public var context: String

    public init(_ kind: Kind, context: String = "") {
        self.kind = kind
        self.context = context
    }

    public static func truncated(needed: Int, available: Int) -> WireError {
        WireError(.truncated(needed: needed, available: available))
    }
    public static func negativeLength(_ n: Int64) -> WireError { WireError(.negativeLength(n)) }
    public static func lengthTooLarge(length: Int64, available: Int) -> WireError {
        WireError(.lengthTooLarge(length: length, available: available))
    }
    public static let invalidVarint = WireError(.invalidVarint)
    public static let invalidUTF8 = WireError(.invalidUTF8)
    public static let unexpectedNull = WireError(.unexpectedNull)
    public static func valueTooLarge(_ n: Int) -> WireError { WireError(.valueTooLarge(n)) }
    public static func trailingBytes(_ n: Int) -> WireError { WireError(.trailingBytes(n)) }

    public var description: String {
        let base: String
        switch kind {
        case .truncated(let needed, let available):
            base = "truncated: needed \(needed) byte(s), only \(available) available"
        case .negativeLength(let n):
            base = "invalid negative length \(n)"
        case .lengthTooLarge(let length, let available):
            base = "length \(length) exceeds the \(available) remaining byte(s)"
        case .invalidVarint:
            base = "malformed varint (too many continuation bytes)"
        case .invalidUTF8:
            base = "string is not valid UTF-8"
        case .unexpectedNull:
            base = "null value where the field is not nullable"
        case .valueTooLarge(let n):
            base = "value of size \(n) is too large for its wire encoding"
        case .trailingBytes(let n):
            base = "\(n) unexpected trailing byte(s)"
        }
        return context.isEmpty ? base : "\(base) (\(context))"
    }
}
