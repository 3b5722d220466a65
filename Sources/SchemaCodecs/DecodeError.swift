/// Why one record (or one schema) could not be decoded. Always a value, never a trap: the tail
/// shows the raw bytes with this reason and goes on.
public struct DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Bounds that keep hostile schemas and payloads from exhausting the stack or memory.
public enum DecodeLimits {
    /// Nesting of records/messages/arrays while decoding one value (schemas may be recursive).
    public static let maxDepth = 64
    /// Items in one array or map block: a claimed count must also fit the bytes left.
    public static let maxBlockItems = 10_000_000
    /// Nesting while parsing a schema text.
    public static let maxSchemaDepth = 128
}
