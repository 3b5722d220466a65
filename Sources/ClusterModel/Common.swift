/// An error tied to where it came from (a broker, a Connect cluster, an API), shown
/// beside the data that could still be read.
public struct SourceError: Sendable, Hashable, Codable {
    public var source: String
    public var message: String
    public init(source: String, message: String) {
        self.source = source
        self.message = message
    }
}

/// A value whose availability depends on what the peer supports: brokers that lack an
/// API yield `.unsupported` for that field instead of failing the whole view.
public enum FieldState<Value: Sendable>: Sendable {
    case value(Value)
    case unsupported(String)
    case failed(String)

    public var value: Value? {
        if case .value(let v) = self { return v }
        return nil
    }
}

extension FieldState: Equatable where Value: Equatable {}
extension FieldState: Hashable where Value: Hashable {}

/// Data plus the per-source errors met while reading it.
public struct Partial<Value: Sendable>: Sendable {
    public var value: Value
    public var errors: [SourceError]
    /// A first answer: the rows are there, the columns that need later requests (offsets,
    /// sizes) are not yet, and the full answer follows (staged loading: first paint never waits
    /// for the slowest broker).
    public var isPreliminary: Bool
    public init(_ value: Value, errors: [SourceError] = [], isPreliminary: Bool = false) {
        self.value = value
        self.errors = errors
        self.isPreliminary = isPreliminary
    }
}

extension Partial: Equatable where Value: Equatable {}
