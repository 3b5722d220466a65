/// A Kafka protocol error code with its name, retriability and a short explanation.
/// The named constants (`.notLeaderOrFollower`) and the table are generated from the error table
/// in Sources/KafkaCodegen/ErrorTable.swift; anything unknown maps to "UNKNOWN_CODE_n".
public struct KafkaErrorCode: Sendable, Hashable, CustomStringConvertible {
    /// What a retriable error says is out of date and must be re-read before retrying.
    public enum Refresh: Sendable, Hashable {
        /// Nothing: retry the same request after a backoff.
        case nothing
        /// Leaders or partitions moved: re-read metadata, then send to the (new) leader.
        case metadata
        /// The group or transaction coordinator moved: find it again.
        case coordinator
    }

    public let code: Int16
    /// Kafka's name for the error, e.g. "NOT_LEADER_OR_FOLLOWER".
    public let name: String
    /// Whether Kafka's clients treat it as transient (worth retrying).
    public let isRetriable: Bool
    /// What to re-read before a retry (meaningful when `isRetriable`).
    public let refresh: Refresh
    /// One sentence saying what happened.
    public let explanation: String

    public init(code: Int16, name: String, isRetriable: Bool, refresh: Refresh = .nothing, explanation: String) {
        self.code = code
        self.name = name
        self.isRetriable = isRetriable
        self.refresh = refresh
        self.explanation = explanation
    }

    public var isError: Bool { code != 0 }

    /// "NAME (code): explanation".
    public var description: String { "\(name) (\(code)): \(explanation)" }

    /// The entry for `code`; codes missing from the table get a clear placeholder entry.
    public static func lookup(_ code: Int16) -> KafkaErrorCode {
        let index = Int(code) + 1
        if index >= 0 && index < all.count { return all[index] }
        return KafkaErrorCode(code: code, name: "UNKNOWN_CODE_\(code)", isRetriable: false,
                              explanation: "Error code \(code) is not known to this build of kafscope.")
    }

    /// True when `code` is this error (for wire fields, which carry the bare INT16).
    public func matches(_ code: Int16) -> Bool { self.code == code }
}

/// A non-zero error code returned by a broker, optionally with its error message.
public struct KafkaProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    public let error: KafkaErrorCode
    /// The broker's ErrorMessage field, when the response has one.
    public let message: String?
    /// What was being done, e.g. "Metadata for topic orders".
    public let context: String?

    public init(_ error: KafkaErrorCode, message: String? = nil, context: String? = nil) {
        self.error = error
        self.message = message
        self.context = context
    }

    public init(code: Int16, message: String? = nil, context: String? = nil) {
        self.init(KafkaErrorCode.lookup(code), message: message, context: context)
    }

    public var code: Int16 { error.code }
    public var isRetriable: Bool { error.isRetriable }

    public var description: String {
        var s = error.description
        if let message, !message.isEmpty { s += " Broker says: \(message)" }
        if let context, !context.isEmpty { s = "\(context): \(s)" }
        return s
    }

    /// Throws when `code` is non-zero.
    public static func check(_ code: Int16, message: String? = nil, context: String? = nil) throws {
        if code != 0 { throw KafkaProtocolError(code: code, message: message, context: context) }
    }
}
