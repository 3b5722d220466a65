import KafkaClient
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSOCKS

/// A SOCKS5 proxy on 127.0.0.1 whose every CONNECT becomes a direct-tcpip channel through the
/// tunnel, for the HTTP clients (Kafka Connect, Schema Registry). The HTTP client keeps the URL's
/// own host name: it asks the proxy for `connect-qa:8083` (resolved on the jump host) and, for
/// https, runs TLS itself over the channel with SNI and certificate checks against that name, so
/// certificates and client keys never meet the loopback socket in clear.
/// Only the targets `allow`ed (the configured endpoints) are carried: another local user finding
/// the port cannot roam the jump host's network with the user's SSH login.
public final class SOCKSForwarder: Sendable {
    /// Where to point the HTTP client's SOCKS proxy setting.
    public let localAddress: HostAddress
    private let listener: any Channel
    private let allowed: NIOLockedValueBox<Set<HostAddress>>
    /// The last refusal or far-side failure per target, for error messages (the SOCKS reply
    /// itself carries only a code).
    private let failures: NIOLockedValueBox<[HostAddress: String]>

    private init(localAddress: HostAddress, listener: any Channel, allowed: NIOLockedValueBox<Set<HostAddress>>,
                 failures: NIOLockedValueBox<[HostAddress: String]>) {
        self.localAddress = localAddress
        self.listener = listener
        self.allowed = allowed
        self.failures = failures
    }

    /// Binds now (blocking the caller briefly); the SSH connection is made on the first CONNECT.
    public static func start(tunnel: SSHTunnel, allowing targets: Set<HostAddress>) throws -> SOCKSForwarder {
        let allowed = NIOLockedValueBox(Set(targets.map(Self.normalized)))
        let failures = NIOLockedValueBox([HostAddress: String]())
        let listener = try ServerBootstrap(group: tunnel.eventLoop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                inbound.eventLoop.makeCompletedFuture {
                    let sync = inbound.pipeline.syncOperations
                    let handshake = SOCKSServerHandshakeHandler()
                    try sync.addHandler(handshake)
                    try sync.addHandler(SOCKSConnectHandler(tunnel: tunnel, handshake: handshake, allowed: allowed, failures: failures))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        guard let port = listener.localAddress?.port else {
            listener.close(promise: nil)
            throw SSHTunnelError.disconnected(destination: tunnel.config.destination, detail: "no loopback port for the SOCKS forwarder")
        }
        return SOCKSForwarder(localAddress: HostAddress(host: "127.0.0.1", port: port), listener: listener,
                              allowed: allowed, failures: failures)
    }

    /// Lets CONNECTs to these targets through too.
    public func allow(_ targets: some Sequence<HostAddress>) {
        allowed.withLockedValue { $0.formUnion(targets.map(Self.normalized)) }
    }

    /// Why the last CONNECT to `target` failed (nil when it did not), e.g. "connect failed on the
    /// jump host (Connection refused)".
    public func lastFailure(for target: HostAddress) -> String? {
        failures.withLockedValue { $0[Self.normalized(target)] }
    }

    public func close() async { try? await listener.close() }

    /// Host names compare without case; IPv6 literals without brackets (HostAddress keeps them so).
    static func normalized(_ a: HostAddress) -> HostAddress { HostAddress(host: a.host.lowercased(), port: a.port) }
}

/// One accepted proxy connection: answers the greeting (no authentication), checks the CONNECT
/// target, opens the channel, replies, then leaves the two joined by a GlueHandler pair.
final class SOCKSConnectHandler: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = ClientMessage
    typealias OutboundOut = ServerMessage

    private let tunnel: SSHTunnel
    private let handshake: SOCKSServerHandshakeHandler
    private let allowed: NIOLockedValueBox<Set<HostAddress>>
    private let failures: NIOLockedValueBox<[HostAddress: String]>
    /// Set once a failure reply is written: the handshake handler then passes raw bytes on (it takes
    /// any reply for success), which are not ClientMessages; unwrapping one crashed the process.
    private var replied = false

    init(tunnel: SSHTunnel, handshake: SOCKSServerHandshakeHandler, allowed: NIOLockedValueBox<Set<HostAddress>>,
         failures: NIOLockedValueBox<[HostAddress: String]>) {
        self.tunnel = tunnel
        self.handshake = handshake
        self.allowed = allowed
        self.failures = failures
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !replied else { return }
        switch unwrapInboundIn(data) {
        case .greeting(let greeting):
            let method: AuthenticationMethod = greeting.methods.contains(.noneRequired) ? .noneRequired : .noneAcceptable
            context.writeAndFlush(wrapOutboundOut(.selectedAuthenticationMethod(.init(method: method))), promise: nil)
            if method == .noneAcceptable { context.close(promise: nil) }
        case .request(let request):
            connect(context: context, request: request)
        case .authenticationData:
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func connect(context: ChannelHandlerContext, request: SOCKSRequest) {
        guard request.command == .connect, let target = Self.target(request.addressType) else {
            reply(context, .commandUnsupported)
            return
        }
        let key = SOCKSForwarder.normalized(target)
        guard allowed.withLockedValue({ $0.contains(key) }) else {
            failures.withLockedValue { $0[key] = "not a configured Connect or Schema Registry endpoint" }
            reply(context, .notAllowed)
            return
        }
        let (local, remote) = GlueHandler.pair()
        let inbound = context.channel
        let boxed = NIOLoopBound(context, eventLoop: context.eventLoop)
        let tunnel = self.tunnel
        let failures = self.failures
        Task {
            do {
                // The far side stays unread until the local side is joined, so no byte can reach a
                // glue handler whose partner is not in place yet.
                let child = try await tunnel.openStream(to: target, timeout: tunnel.config.connectTimeout) { child in
                    child.setOption(.autoRead, value: false).flatMap { child.pipeline.addHandler(remote) }
                }
                inbound.eventLoop.execute {
                    let context = boxed.value
                    guard inbound.isActive else { child.close(promise: nil); return }
                    failures.withLockedValue { $0[key] = nil }
                    context.writeAndFlush(self.wrapOutboundOut(.response(SOCKSResponse(reply: .succeeded, boundAddress: Self.unbound))),
                                          promise: nil)
                    do {
                        let sync = inbound.pipeline.syncOperations
                        try sync.addHandler(local)
                        // Bytes the client sent early are handed on when the handshake handler goes.
                        sync.removeHandler(context: context, promise: nil)
                        sync.removeHandler(self.handshake, promise: nil)
                    } catch {
                        inbound.close(promise: nil)
                        child.close(promise: nil)
                        return
                    }
                    child.setOption(.autoRead, value: true).whenSuccess { child.read() }
                }
            } catch {
                failures.withLockedValue { $0[key] = Self.describe(error) }
                inbound.eventLoop.execute { self.reply(boxed.value, Self.reply(for: error)) }
            }
        }
    }

    private func reply(_ context: ChannelHandlerContext, _ code: SOCKSServerReply) {
        replied = true
        context.writeAndFlush(wrapOutboundOut(.response(SOCKSResponse(reply: code, boundAddress: Self.unbound)))).whenComplete { _ in
            context.close(promise: nil)
        }
    }

    static let unbound = SOCKSAddress.address(try! SocketAddress(ipAddress: "0.0.0.0", port: 0))

    static func target(_ address: SOCKSAddress) -> HostAddress? {
        switch address {
        case .domain(let host, let port): return HostAddress(host: host, port: port)
        case .address(let a):
            guard let ip = a.ipAddress, let port = a.port else { return nil }
            return HostAddress(host: ip, port: port)
        }
    }

    static func reply(for error: any Error) -> SOCKSServerReply {
        guard let e = error as? SSHTunnelError else { return .serverFailure }
        switch e {
        case .channelRejected(_, _, let reason) where reason.hasPrefix("connect failed"): return .refused
        case .channelRejected: return .notAllowed
        case .channelTimeout: return .hostUnreachable
        default: return .networkUnreachable
        }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? SSHTunnelError { return e.description }
        return "\(error)"
    }
}
