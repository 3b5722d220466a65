import KafkaProtocol
import KafkaWire
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Completes a promise when the TLS handshake finishes (or fails), so TLS failures are reported as
/// such instead of surfacing later as a broken ApiVersions.
final class TLSHandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let promise: EventLoopPromise<Void>

    init(promise: EventLoopPromise<Void>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? TLSUserEvent, case .handshakeCompleted = e { promise.succeed(()) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.eof)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        promise.fail(ChannelError.ioOnClosedChannel)
    }
}

/// Step-by-step timings and results of setting up one connection (used by `doctor`).
public struct DialTrace: Sendable, Hashable {
    public var tcpConnectMillis: Double?
    public var tls: TLSHandshakeInfo?
    public var saslOutcome: String?
    public var apiVersionsUsed: Int16?
}

enum Dialer {
    static func makeSSLContext(_ tls: TLSSettings) throws -> NIOSSLContext {
        var c = TLSConfiguration.makeClientConfiguration()
        c.minimumTLSVersion = .tlsv12
        if let ca = tls.caFile {
            do {
                c.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
            } catch {
                throw KafkaClientError.invalidConfig("cannot read CA file \(ca): \(error)")
            }
        }
        switch (tls.certificateFile, tls.keyFile) {
        case (nil, nil):
            break
        case (let cert?, let key?):
            do {
                c.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
            } catch {
                throw KafkaClientError.invalidConfig("cannot read client certificate \(cert): \(error)")
            }
            do {
                if let pw = tls.keyPassword {
                    let bytes = Array(pw.reveal().utf8)
                    c.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem) { cb in cb(bytes) })
                } else {
                    c.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
                }
            } catch {
                // No error text from the key parser: it could echo key material.
                throw KafkaClientError.invalidConfig("cannot read client key \(key) (wrong format or password?)")
            }
        default:
            throw KafkaClientError.invalidConfig("mutual TLS needs both a certificate file and a key file")
        }
        if tls.insecureSkipVerify {
            c.certificateVerification = .none
        } else if !tls.verifyHostname {
            c.certificateVerification = .noHostnameVerification
        }
        do {
            return try NIOSSLContext(configuration: c)
        } catch {
            throw KafkaClientError.invalidConfig("invalid TLS settings: \(error)")
        }
    }

    /// Ends a TLS-stage detail when the peer seems not to speak TLS at all; the suggestion then
    /// points at security.protocol rather than at certificates.
    static let notATLSListener = "(is this a TLS listener?)"

    static func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// TCP, TLS, ApiVersions, SASL. Throws `KafkaClientError.connect` naming the stage.
    static func connect(endpoint: BrokerEndpoint, purpose: ConnectionPurpose, context ctx: ConnectionContext,
                        trace: UnsafeTraceBox? = nil) async throws -> BrokerConnection {
        let config = ctx.config
        if config.tls != nil && ctx.sslContext == nil {
            throw KafkaClientError.invalidConfig("TLS is configured but no TLS context could be built")
        }
        let group = ctx.group
        let handshake = group.next().makePromise(of: Void.self)
        let sslContext = ctx.sslContext
        let advertisedHost = endpoint.advertised.host
        let maxFrame = config.maxFrameBytes
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Void> = { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let sslContext {
                        // SNI and verification use the advertised name, whatever address we dial.
                        let sni = isIPLiteral(advertisedHost) ? nil : advertisedHost
                        try sync.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: sni))
                        try sync.addHandler(TLSHandshakeWatcher(promise: handshake))
                    }
                    try sync.addHandler(ByteToMessageHandler(KafkaFrameDecoder(maxFrameBytes: maxFrame)))
                    try sync.addHandler(KafkaChannelHandler())
                }
            }
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(BrokerConnection.nanos(config.connectTimeout)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        let started = NIODeadline.now()
        let channel: any Channel
        do {
            // Direct TCP, or the configured transport (SSH jump host): see Transport.swift.
            channel = try await openChannel(endpoint, config: config, bootstrap: bootstrap, initializer: initializer)
        } catch {
            handshake.fail(ChannelError.ioOnClosedChannel)
            throw error
        }
        trace?.value.tcpConnectMillis = Double((NIODeadline.now() - started).nanoseconds) / 1e6
        var tlsInfo: TLSHandshakeInfo?
        do {
            if sslContext != nil {
                do {
                    try await withTimeout(config.connectTimeout, on: channel.eventLoop) { handshake.futureResult }
                } catch let e as TimeoutError {
                    _ = e
                    throw KafkaClientError.connect(endpoint, stage: .tls, detail: "no TLS handshake within \(KafkaClientError.seconds(config.connectTimeout)) \(notATLSListener)")
                } catch {
                    throw KafkaClientError.connect(endpoint, stage: .tls, detail: describeTLSError(error))
                }
                let cert = try? await channel.nioSSL_peerCertificate().get()
                let version = try? await channel.nioSSL_tlsVersion().get()
                tlsInfo = TLSHandshakeInfo(peerCertificate: cert.map(describeCertificate),
                                           tlsVersion: version.map { "\($0)" })
                trace?.value.tls = tlsInfo
            } else {
                handshake.succeed(())
            }
            let setup = try await runSetup(channel: channel, endpoint: endpoint, context: ctx, trace: trace)
            return BrokerConnection(endpoint: endpoint, purpose: purpose, brokerVersions: setup.versions,
                                    tlsInfo: tlsInfo, sessionLifetimeMs: setup.sessionLifetimeMs, channel: channel,
                                    nextCorrelationId: setup.nextCorrelationId, context: ctx)
        } catch {
            try? await channel.close()
            throw error
        }
    }

    struct SetupResult {
        var versions: [Int16: ClosedRange<Int16>]
        var sessionLifetimeMs: Int64
        var nextCorrelationId: Int32
    }

    /// Drives `ConnectionSetupStateMachine` over a provisional connection.
    static func runSetup(channel: any Channel, endpoint: BrokerEndpoint, context ctx: ConnectionContext,
                         trace: UnsafeTraceBox?) async throws -> SetupResult {
        // A provisional connection object: everything supported, so `send` takes explicit versions.
        let temp = BrokerConnection(endpoint: endpoint, purpose: .admin, brokerVersions: [:], tlsInfo: nil,
                                    sessionLifetimeMs: 0, channel: channel, nextCorrelationId: 0, context: ctx)
        var machine = ConnectionSetupStateMachine(sasl: ctx.config.sasl,
                                                  clientApiVersionsMax: ctx.apiVersionsHint.startVersion,
                                                  clientSaslAuthenticateMax: SaslAuthenticateRequest.validVersions.upperBound)
        var action = machine.start()
        var sent: Int32 = 0
        var apiVersionsSent: Int16 = 0
        while true {
            switch action {
            case .ready:
                ctx.apiVersionsHint.record(apiVersionsSent)
                if ctx.config.sasl != nil { trace?.value.saslOutcome = "authenticated as \(ctx.config.sasl!.username) (\(ctx.config.sasl!.mechanism.rawValue))" }
                return SetupResult(versions: machine.brokerVersions, sessionLifetimeMs: machine.sessionLifetimeMs,
                                   nextCorrelationId: sent)
            case .fail(let stage, let detail):
                if stage == .sasl { trace?.value.saslOutcome = "failed: \(detail)" }
                throw KafkaClientError.connect(endpoint, stage: stage, detail: detail)
            case .sendApiVersions(let version):
                trace?.value.apiVersionsUsed = version
                apiVersionsSent = version
                let req = ApiVersionsRequest(clientSoftwareName: "kafscope", clientSoftwareVersion: kafscopeVersion)
                let raw = try await setupStep(endpoint, stage: .apiVersions, saslConfigured: ctx.config.sasl != nil) {
                    try await temp.sendRaw(req, version: version, timeout: ctx.config.connectTimeout)
                }
                sent += 1
                let (code, ranges) = try decodeApiVersions(raw, version: version, endpoint: endpoint)
                action = machine.apiVersionsReceived(errorCode: code, ranges: ranges)
            case .sendSaslHandshake(let mechanism, let version):
                let resp = try await setupStep(endpoint, stage: .sasl, saslConfigured: true,
                                               context: "during SaslHandshake for \(mechanism) (is the mechanism enabled on this listener?)") {
                    try await temp.send(SaslHandshakeRequest(mechanism: mechanism), version: version,
                                        timeout: ctx.config.connectTimeout)
                }
                sent += 1
                action = machine.saslHandshakeReceived(errorCode: resp.errorCode, mechanisms: resp.mechanisms)
            case .sendSaslAuthenticate(let bytes, let version):
                let resp = try await setupStep(endpoint, stage: .sasl, saslConfigured: true) {
                    try await temp.send(SaslAuthenticateRequest(authBytes: bytes), version: version,
                                        timeout: ctx.config.connectTimeout)
                }
                sent += 1
                action = machine.saslAuthenticateReceived(errorCode: resp.errorCode, errorMessage: resp.errorMessage,
                                                          authBytes: resp.authBytes,
                                                          sessionLifetimeMs: resp.sessionLifetimeMs)
            }
        }
    }

    /// Maps transport failures during setup to the stage they happened in, with a hint: an
    /// immediate close during ApiVersions usually means the listener wants TLS or SASL.
    static func setupStep<T>(_ endpoint: BrokerEndpoint, stage: ConnectStage, saslConfigured: Bool,
                             context: String? = nil, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let e as KafkaClientError {
            switch e {
            case .connectionClosed(_, let d), .protocolViolation(_, let d):
                // The hint on what to check comes from `KafkaClientError.suggestion`, once.
                var detail = d
                if let context { detail += " \(context)" }
                throw KafkaClientError.connect(endpoint, stage: stage, detail: detail)
            case .requestTimeout(_, let api, let after):
                // TCP was accepted, so the host is up: the listener is not answering Kafka.
                throw KafkaClientError.connect(endpoint, stage: stage == .apiVersions ? .apiVersions : .timeout,
                                               detail: "connected, but \(api) got no answer within \(KafkaClientError.seconds(after))")
            default:
                throw e
            }
        }
    }

    /// Reads an ApiVersions answer through the one parser in `KafkaFraming` (which handles the v0
    /// fallback layout of UNSUPPORTED_VERSION answers) and maps a failure to the ApiVersions stage.
    static func decodeApiVersions(_ raw: [UInt8], version: Int16,
                                  endpoint: BrokerEndpoint) throws -> (Int16, [Int16: ClosedRange<Int16>]) {
        let resp: ApiVersionsResponse
        do {
            resp = try KafkaFraming.decodeApiVersionsResponse(body: raw, requestedVersion: version).response
        } catch {
            throw KafkaClientError.connect(endpoint, stage: .apiVersions, detail: "cannot decode ApiVersions response: \(error)")
        }
        var ranges: [Int16: ClosedRange<Int16>] = [:]
        for k in resp.apiKeys where k.minVersion <= k.maxVersion {
            ranges[k.apiKey] = k.minVersion...k.maxVersion
        }
        return (resp.errorCode, ranges)
    }

    static func classifyConnectError(_ error: any Error, endpoint: BrokerEndpoint, timeout: Duration) -> KafkaClientError {
        if let e = error as? NIOConnectionError {
            if e.connectionErrors.isEmpty {
                let dns = e.dnsAError ?? e.dnsAAAAError
                let what = dns.map { cleanResolverMessage("\($0)") } ?? "no address found"
                return .connect(endpoint, stage: .dns, detail: "cannot resolve \(endpoint.dialed.host): \(what)")
            }
            // Report the most telling per-address failure: refused beats timeout beats others.
            var best: KafkaClientError?
            for f in e.connectionErrors {
                let c = classifyConnectError(f.error, endpoint: endpoint, timeout: timeout)
                if case .connect(_, .refused, _) = c { return c }
                if best == nil { best = c }
            }
            return best!
        }
        if let e = error as? ChannelError, case .connectTimeout = e {
            return .connect(endpoint, stage: .timeout, detail: "no TCP connection to \(endpoint.dialed) within \(KafkaClientError.seconds(timeout))")
        }
        if let e = error as? IOError {
            switch e.errnoCode {
            case ECONNREFUSED:
                return .connect(endpoint, stage: .refused, detail: "connection refused by \(endpoint.dialed)")
            case ETIMEDOUT:
                return .connect(endpoint, stage: .timeout, detail: "TCP connect to \(endpoint.dialed) timed out")
            case EHOSTUNREACH, ENETUNREACH:
                return .connect(endpoint, stage: .network, detail: "\(endpoint.dialed) is unreachable: \(e)")
            default:
                return .connect(endpoint, stage: .network, detail: "\(e)")
            }
        }
        if let e = error as? SocketAddressError {
            return .connect(endpoint, stage: .dns, detail: "cannot resolve \(endpoint.dialed.host): \(cleanResolverMessage("\(e)"))")
        }
        return .connect(endpoint, stage: .network, detail: "\(error)")
    }

    /// "SocketAddressError.UnknownHost: Name or service not known (error -2) for host h, port p" -> "Name or service not known".
    static func cleanResolverMessage(_ s: String) -> String {
        var t = Substring(s)
        if let colon = t.range(of: ": ") , t[..<colon.lowerBound].contains("Error") { t = t[colon.upperBound...] }
        if let paren = t.range(of: " (error ") { t = t[..<paren.lowerBound] }
        if let forHost = t.range(of: " for host ") { t = t[..<forHost.lowerBound] }
        return t.isEmpty ? s : String(t)
    }

    static func describeTLSError(_ error: any Error) -> String {
        if let e = error as? NIOSSLError {
            switch e {
            case .handshakeFailed(let inner):
                let s = "\(inner)"
                if s.contains("CERTIFICATE_VERIFY_FAILED") || s.contains("certificate verify failed") {
                    return "certificate verification failed (untrusted CA or name mismatch): \(s)"
                }
                return "handshake failed: \(s)"
            default:
                return "\(e)"
            }
        }
        if let e = error as? NIOSSLExtraError { return "\(e)" }
        if let e = error as? ChannelError, case .eof = e {
            return "the broker closed the connection during the TLS handshake \(notATLSListener)"
        }
        if let e = error as? IOError, e.errnoCode == ECONNRESET {
            return "the broker reset the connection during the TLS handshake \(notATLSListener)"
        }
        if let e = error as? IOError { return ChannelFailureText.describe(e) }
        return "\(error)"
    }

    static func describeCertificate(_ cert: NIOSSLCertificate) -> String {
        let subject = cert.subjectName.map { "\($0)" }.joined(separator: ", ")
        let sans = cert._subjectAlternativeNames().compactMap { name -> String? in
            switch name.nameType {
            case .dnsName: return "DNS:" + String(decoding: name.contents, as: UTF8.self)
            case .ipAddress:
                let b = Array(name.contents)
                return b.count == 4 ? "IP:" + b.map(String.init).joined(separator: ".") : "IP:" + b.map { String($0, radix: 16) }.joined(separator: ":")
            default: return nil
            }
        }
        return sans.isEmpty ? subject : "\(subject); SAN \(sans.joined(separator: ", "))"
    }
}

struct TimeoutError: Error {}

/// Awaits a future, failing with `TimeoutError` after `d`.
func withTimeout<T: Sendable>(_ d: Duration, on loop: any EventLoop,
                              _ make: () -> EventLoopFuture<T>) async throws -> T {
    let future = make()
    let timeout = loop.scheduleTask(in: .nanoseconds(BrokerConnection.nanos(d))) { }
    let promise = loop.makePromise(of: T.self)
    future.cascade(to: promise)
    timeout.futureResult.whenSuccess { promise.fail(TimeoutError()) }
    defer { timeout.cancel() }
    return try await promise.futureResult.get()
}

/// Collects a `DialTrace` across the async steps of a single dial (never shared between tasks).
final class UnsafeTraceBox: @unchecked Sendable {
    var value = DialTrace()
}

/// Reported to brokers in ApiVersions v3+ (must match [a-zA-Z0-9](?:[a-zA-Z0-9-.]*[a-zA-Z0-9])?).
public let kafscopeVersion = "0.1.0"
