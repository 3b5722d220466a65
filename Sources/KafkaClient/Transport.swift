import NIOCore
import NIOPosix

/// How broker connections reach the network when they do not dial TCP directly: a tunnel (the SSH
/// jump host) opens a byte stream to an address as seen from its far side. Kept to one call so the
/// dialer's TLS, framing and SASL stay the same whatever carries the bytes.
public protocol BrokerTransport: AnyObject, Sendable {
    /// Opens a stream to `address` (resolved on the far side) and installs the handlers `initializer`
    /// adds on top of the transport's own. Throws a `BrokerTransportError` saying which side failed.
    func openStream(to address: HostAddress, timeout: Duration,
                    initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>) async throws -> any Channel

    /// One line for errors and `doctor`: "SSH jump host ops@bastion:22".
    var routeDescription: String { get }
}

/// A transport failure, already classified: the tunnel itself (`.network`: the SSH connection is
/// down) or the far side refusing or failing the connection to the broker.
public protocol BrokerTransportError: Error, CustomStringConvertible {
    var connectStage: ConnectStage { get }
}

/// Identity-compared holder, so `KafkaClientConfig` stays Hashable with a transport in it.
public struct BrokerTransportRef: Sendable, Hashable {
    public let transport: any BrokerTransport

    public init(_ transport: any BrokerTransport) { self.transport = transport }

    public static func == (a: Self, b: Self) -> Bool { a.transport === b.transport }
    public func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(transport)) }
}

extension Dialer {
    /// The stream for `endpoint`: through the configured transport, or plain TCP.
    static func openChannel(_ endpoint: BrokerEndpoint, config: KafkaClientConfig, bootstrap: ClientBootstrap,
                            initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>) async throws -> any Channel {
        guard let transport = config.transport?.transport else {
            do {
                return try await bootstrap.channelInitializer(initializer)
                    .connect(host: endpoint.dialed.host, port: endpoint.dialed.port).get()
            } catch {
                throw classifyConnectError(error, endpoint: endpoint, timeout: config.connectTimeout)
            }
        }
        do {
            return try await transport.openStream(to: endpoint.dialed, timeout: config.connectTimeout, initializer: initializer)
        } catch let e as BrokerTransportError {
            throw KafkaClientError.connect(endpoint, stage: e.connectStage, detail: e.description)
        } catch {
            throw KafkaClientError.connect(endpoint, stage: .network, detail: "\(transport.routeDescription): \(error)")
        }
    }
}
