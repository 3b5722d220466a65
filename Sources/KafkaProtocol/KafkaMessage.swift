import KafkaWire

/// A generated Kafka message (request, response, header or data schema).
public protocol KafkaMessage: Sendable, Equatable {
    static var validVersions: ClosedRange<Int16> { get }
    /// First flexible version (compact encodings, tagged fields); nil = never flexible.
    static var flexibleVersions: PartialRangeFrom<Int16>? { get }
    /// Encodes the body (no header, no size prefix) at `version`.
    func encode(into writer: inout WireWriter, version: Int16) throws
    /// Decodes the body at `version`.
    init(from reader: inout WireReader, version: Int16) throws
}

/// A response with a top-level ThrottleTimeMs: how long the broker asks the client to hold back
/// further requests because a quota was exceeded (0 when not throttled).
public protocol ThrottlingResponse: KafkaMessage {
    var throttleTimeMs: Int32 { get }
}

/// A request message, paired with its response type and API key.
public protocol KafkaRequestMessage: KafkaMessage {
    associatedtype Response: KafkaMessage
    static var apiKey: ApiKey { get }
}

extension KafkaMessage {
    /// Whether `version` uses the flexible encoding.
    public static func isFlexible(_ version: Int16) -> Bool {
        flexibleVersions.map { $0.contains(version) } ?? false
    }

    /// The encoded body at `version`.
    public func encoded(version: Int16) throws -> [UInt8] {
        var w = WireWriter()
        try encode(into: &w, version: version)
        return w.bytes
    }

    /// Decodes a whole body; trailing bytes are an error.
    public init(bytes: [UInt8], version: Int16) throws {
        var r = WireReader(bytes)
        try self.init(from: &r, version: version)
        guard r.isAtEnd else { throw WireError.trailingBytes(r.remaining) }
    }
}

/// Errors raised by the generated codecs beyond raw byte problems (those are `WireError`).
public enum KafkaCodecError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The message does not exist at this version.
    case unsupportedVersion(message: String, version: Int16)
    /// A non-default, non-ignorable field was set but the chosen version cannot carry it.
    case fieldNotSupported(message: String, field: String, version: Int16)
    /// A nil value for a field that is not nullable at this version.
    case nullNotAllowed(message: String, field: String, version: Int16)

    public var description: String {
        switch self {
        case .unsupportedVersion(let m, let v):
            return "\(m) does not support version \(v)"
        case .fieldNotSupported(let m, let f, let v):
            return "\(m) v\(v) cannot carry \(f) (set to a non-default value, but the field exists only in other versions)"
        case .nullNotAllowed(let m, let f, let v):
            return "\(m) v\(v): \(f) is not nullable at this version"
        }
    }
}
