/// What the browser asks of a Kafka cluster. Implemented over KafkaAdmin by the app,
/// and by fixtures in tests, so the views never see the network.
public protocol ClusterService: Sendable {
    func overview() async throws -> ClusterOverview
    func topics() async throws -> Partial<[TopicSummary]>
    /// The topic list in stages: a preliminary answer from Metadata alone, then the full one.
    func topicsInStages() -> AsyncThrowingStream<Partial<[TopicSummary]>, Error>
    func topic(named name: String) async throws -> TopicDetail
    func groups() async throws -> Partial<[GroupSummary]>
    /// The group list in stages: a preliminary answer from ListGroups alone, then the full one.
    func groupsInStages() -> AsyncThrowingStream<Partial<[GroupSummary]>, Error>
    func group(named name: String) async throws -> GroupDetail
}

extension ClusterService {
    /// Services with nothing quick to say first answer once.
    public func topicsInStages() -> AsyncThrowingStream<Partial<[TopicSummary]>, Error> {
        Self.once { try await self.topics() }
    }

    public func groupsInStages() -> AsyncThrowingStream<Partial<[GroupSummary]>, Error> {
        Self.once { try await self.groups() }
    }

    private static func once<Value: Sendable>(_ answer: @escaping @Sendable () async throws -> Value) -> AsyncThrowingStream<Value, Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do { continuation.yield(try await answer()); continuation.finish() } catch { continuation.finish(throwing: error) }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// What the browser asks of the configured Kafka Connect clusters.
public protocol ConnectService: Sendable {
    var clusterNames: [String] { get }
    func connectors() async -> ConnectorListing
    func connector(cluster: String, name: String) async throws -> ConnectorDetail
    /// Sends the action once, after checking again that the worker supports it; returns without
    /// waiting for the connector to change (the write flow polls until it settles). Throws a
    /// message fit for the screen (unsupported, 404, 409 after retries, unreachable).
    func perform(_ action: ConnectAction, cluster: String, connector: String) async throws
}

/// A live tail of one topic.
public protocol TailService: Sendable {
    func tail(_ options: TailOptions) -> AsyncThrowingStream<TailEvent, Error>
}

/// A failure meant for a person: what failed and what to do about it.
public struct UserFacingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
