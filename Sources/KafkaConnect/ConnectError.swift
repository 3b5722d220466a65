import ClusterModel

/// A failed Connect request, worded for a person. Messages name the cluster and its URL
/// (which never holds credentials) and never include headers.
public struct ConnectError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// TCP/DNS/TLS failure: nothing answered.
        case unreachable
        /// No complete answer before the deadline.
        case timeout
        /// The connector (or task) does not exist (any more).
        case connectorNotFound
        /// The worker lacks the endpoint (Jersey's plain 404/405), e.g. stop before 3.5.
        case endpointMissing
        /// 409 after every retry: rebalance or stale config.
        case conflict(attempts: Int)
        case unauthorized(status: Int)
        case http(status: Int)
        case badResponse
        /// Refused locally: the worker's version lacks the action.
        case unsupported
        case badConfiguration
    }

    public var kind: Kind
    public var cluster: String
    public var url: String
    public var message: String
    /// The worker's own `message` for HTTP errors.
    public var serverMessage: String?

    public init(kind: Kind, cluster: String, url: String, message: String, serverMessage: String? = nil) {
        self.kind = kind
        self.cluster = cluster
        self.url = url
        self.message = message
        self.serverMessage = serverMessage
    }

    public var description: String { message }

    public var userFacing: UserFacingError { UserFacingError(message) }
}
