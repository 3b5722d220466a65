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

    /// Binds now (blocking the caller briefly); the SSH connection is made on the first accept.
    public static func start(tunnel: SSHTunnel, target: HostAddress) throws -> LoopbackForwarder {
        let g = tunnel.eventLoop
        let timeout = tunnel.config.connectTimeout
        let listener = try ServerBootstrap(group: g)
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
            .bind(host: "127.0.0.1", port: 0).wait()
        guard let port = listener.localAddress?.port else {
            listener.close(promise: nil)
            throw SSHTunnelError.disconnected(destination: tunnel.config.destination, detail: "no loopback port for the forwarder")
        }
        return LoopbackForwarder(target: target, localAddress: HostAddress(host: "127.0.0.1", port: port), listener: listener)
    }

    public func close() async { try? await listener.close() }
}
