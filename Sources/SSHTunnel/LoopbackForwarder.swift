import KafkaClient
import NIOCore
import NIOPosix

/// A listener on 127.0.0.1 whose every connection is carried to `target` through the tunnel, for
/// clients that dial by URL (the Kafka Connect and Schema Registry HTTP clients).
public final class LoopbackForwarder: Sendable {
    public let target: HostAddress
    /// Where to point the HTTP client instead of `target`.
    public let localAddress: HostAddress
    private let listener: any Channel

    private init(target: HostAddress, localAddress: HostAddress, listener: any Channel) {
        self.target = target
        self.localAddress = localAddress
        self.listener = listener
    }

    public static func start(tunnel: SSHTunnel, target: HostAddress) async throws -> LoopbackForwarder {
        let g = tunnel.eventLoop
        let timeout = tunnel.config.connectTimeout
        let listener = try await ServerBootstrap(group: g)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                let (local, remote) = GlueHandler.pair()
                return inbound.pipeline.addHandler(local).map {
                    Task {
                        do {
                            _ = try await tunnel.openStream(to: target, timeout: timeout) { child in
                                child.pipeline.addHandler(remote)
                            }
                            inbound.eventLoop.execute { inbound.setOption(.autoRead, value: true).whenSuccess { inbound.read() } }
                        } catch {
                            inbound.close(promise: nil)
                        }
                    }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = listener.localAddress?.port else {
            try? await listener.close()
            throw SSHTunnelError.disconnected(destination: tunnel.config.destination, detail: "no loopback port for the forwarder")
        }
        return LoopbackForwarder(target: target, localAddress: HostAddress(host: "127.0.0.1", port: port), listener: listener)
    }

    public func close() async { try? await listener.close() }
}
