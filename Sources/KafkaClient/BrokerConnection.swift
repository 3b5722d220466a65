import KafkaProtocol
import KafkaWire
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// What a connection is for. Long-polling Fetches get their own connection per broker so they
/// never hold up admin requests queued behind them.
public enum ConnectionPurpose: String, Sendable, Hashable {
    case admin
    case fetch
}

/// Shared, immutable inputs every connection needs.
struct ConnectionContext: Sendable {
    var config: KafkaClientConfig
    var sslContext: NIOSSLContext?
    var group: any EventLoopGroup
    var counters: RequestCounters
    var logger: Logger
    var apiVersionsHint = ApiVersionsHint()
    var throttles = BrokerThrottles()
}

/// Quota delays brokers asked for (ThrottleTimeMs), per broker: a quota covers every connection of
/// this client to that broker, so the admin and fetch connections both wait.
final class BrokerThrottles: Sendable {
    private let until = Mutex<[String: UInt64]>([:])

    /// Nanoseconds to wait before the next request to `broker`.
    func remainingNanos(_ broker: String) -> UInt64 {
        let now = DispatchlessClock.nowNanos()
        return until.withLock { $0[broker].map { $0 > now ? $0 - now : 0 } ?? 0 }
    }

    func record(_ broker: String, milliseconds: Int32) {
        let end = DispatchlessClock.nowNanos() + UInt64(milliseconds) * 1_000_000
        until.withLock { $0[broker] = max($0[broker] ?? 0, end) }
    }
}

/// The ApiVersions version the last broker accepted. Brokers of one cluster run the same release, so
/// later connections start there instead of stepping down from our highest version every time.
final class ApiVersionsHint: Sendable {
    private let accepted = Mutex<Int16?>(nil)

    var startVersion: Int16 { accepted.withLock { $0 } ?? ApiVersionsRequest.validVersions.upperBound }

    func record(_ version: Int16) { accepted.withLock { $0 = version } }
}

/// What the TLS handshake showed, for `doctor`.
public struct TLSHandshakeInfo: Sendable, Hashable, Codable {
    /// Subject of the broker certificate (common name and alternative names).
    public var peerCertificate: String?
    public var tlsVersion: String?
}

/// One TCP connection to one broker, set up (TLS, ApiVersions, SASL) and ready for requests.
/// Requests may be sent concurrently: they are pipelined and matched by correlation id.
public final class BrokerConnection: Sendable {
    public let endpoint: BrokerEndpoint
    public let purpose: ConnectionPurpose
    /// The broker's supported range per API key.
    public let brokerVersions: [Int16: ClosedRange<Int16>]
    public let tlsInfo: TLSHandshakeInfo?
    /// When SASL said the session ends (0 = never), as uptime nanoseconds.
    let sessionExpiry: UInt64?
    let channel: any Channel
    private let nextCorrelationId: Mutex<Int32>
    private let context: ConnectionContext
    let createdAt: NIODeadline

    init(endpoint: BrokerEndpoint, purpose: ConnectionPurpose, brokerVersions: [Int16: ClosedRange<Int16>],
         tlsInfo: TLSHandshakeInfo?, sessionLifetimeMs: Int64, channel: any Channel, nextCorrelationId: Int32,
         context: ConnectionContext) {
        self.endpoint = endpoint
        self.purpose = purpose
        self.brokerVersions = brokerVersions
        self.tlsInfo = tlsInfo
        // Reconnect at 90% of the session lifetime rather than re-authenticating in place (KIP-368).
        self.sessionExpiry = sessionLifetimeMs > 0
            ? DispatchlessClock.nowNanos() + UInt64(Double(sessionLifetimeMs) * 0.9 * 1_000_000) : nil
        self.channel = channel
        self.nextCorrelationId = Mutex(nextCorrelationId)
        self.context = context
        self.createdAt = .now()
    }

    /// Usable for new requests: open and not past its SASL session lifetime.
    public var isUsable: Bool {
        guard channel.isActive else { return false }
        if let e = sessionExpiry, DispatchlessClock.nowNanos() >= e { return false }
        return true
    }

    /// Whether the broker lists this API at all.
    public func supports<R: KafkaRequestMessage>(_ type: R.Type) -> Bool { negotiatedVersion(type) != nil }

    /// The highest version both sides know, or nil when there is none.
    public func negotiatedVersion<R: KafkaRequestMessage>(_ type: R.Type) -> Int16? {
        Self.negotiate(client: R.validVersions, broker: brokerVersions[R.apiKey.rawValue])
    }

    static func negotiate(client: ClosedRange<Int16>, broker: ClosedRange<Int16>?) -> Int16? {
        guard let broker else { return nil }
        let v = min(client.upperBound, broker.upperBound)
        guard v >= max(client.lowerBound, broker.lowerBound) else { return nil }
        return v
    }

    /// Sends a request at `version` (default: negotiated) and waits for its response.
    /// `timeout` defaults to the configured request timeout; pass MaxWait + timeout for Fetch.
    public func send<R: KafkaRequestMessage>(_ request: R, version: Int16? = nil,
                                             timeout: Duration? = nil) async throws -> R.Response {
        guard let v = version ?? negotiatedVersion(R.self) else {
            throw KafkaClientError.unsupported(endpoint, api: Self.apiName(R.self))
        }
        let body = try await sendRaw(request, version: v, timeout: timeout)
        let response: R.Response
        do {
            (_, response) = try KafkaFraming.decodeResponse(R.self, version: v, body: body)
        } catch {
            // A body we cannot decode leaves the stream intact (framing is separate), but we do not trust it.
            throw KafkaClientError.protocolViolation(endpoint, detail: "cannot decode \(Self.apiName(R.self)) v\(v) response: \(error)")
        }
        // Since KIP-219 the broker answers at once and expects the client to hold back: do so for
        // the next request to this broker (on older versions it also delayed the answer; waiting
        // again errs on the side of the quota).
        if let t = response as? any ThrottlingResponse, t.throttleTimeMs > 0 {
            context.throttles.record(throttleKey, milliseconds: t.throttleTimeMs)
            context.counters.recordThrottle(broker: endpoint.nodeId ?? -1, milliseconds: Int(t.throttleTimeMs))
            context.logger.notice("broker throttled requests (quota)", metadata: [
                "broker": "\(endpoint)", "api": "\(Self.apiName(R.self))", "throttle_ms": "\(t.throttleTimeMs)"])
        }
        return response
    }

    /// Throttling is per broker; bootstrap connections (no id yet) are keyed by address.
    private var throttleKey: String { endpoint.nodeId.map { "id:\($0)" } ?? "addr:\(endpoint.dialed)" }

    /// Writes a request the broker will not answer (Produce with acks=0) and returns once it is on
    /// the socket. It never enters the in-flight queue, so later responses still match their requests.
    public func sendWithoutResponse<R: KafkaRequestMessage>(_ request: R, version: Int16? = nil) async throws {
        guard let v = version ?? negotiatedVersion(R.self) else {
            throw KafkaClientError.unsupported(endpoint, api: Self.apiName(R.self))
        }
        _ = try await sendRaw(request, version: v, timeout: nil, expectsResponse: false)
    }

    /// Encodes, writes and returns the raw response frame (correlation id first).
    func sendRaw<R: KafkaRequestMessage>(_ request: R, version: Int16, timeout: Duration?,
                                         expectsResponse: Bool = true) async throws -> [UInt8] {
        let api = Self.apiName(R.self)
        let wait = context.throttles.remainingNanos(throttleKey)
        if wait > 0 { try await Task.sleep(nanoseconds: wait) }
        let correlationId = nextCorrelationId.withLock { id -> Int32 in
            let c = id
            id = id == Int32.max ? 0 : id + 1
            return c
        }
        let encoded: [UInt8]
        do {
            encoded = try KafkaFraming.encodeRequest(request, version: version, correlationId: correlationId,
                                                     clientId: context.config.clientId)
        } catch {
            throw KafkaClientError.invalidConfig("cannot encode \(api) v\(version): \(error)")
        }
        context.counters.record(broker: endpoint.nodeId ?? -1, api: api)
        let promise = channel.eventLoop.makePromise(of: [UInt8].self)
        let out = OutboundRequest(bytes: channel.allocator.buffer(bytes: encoded), correlationId: correlationId,
                                  api: api, timeout: .nanoseconds(Self.nanos(timeout ?? context.config.requestTimeout)),
                                  promise: promise, expectsResponse: expectsResponse)
        // A write to a closed channel never reaches the handler: fail the response then.
        channel.writeAndFlush(out).whenFailure { error in
            promise.fail(ChannelFailure.closed("cannot send: \(error)"))
        }
        do {
            return try await Self.awaitCancellable(promise.futureResult)
        } catch let f as ChannelFailure {
            switch f {
            case .timeout(let api):
                throw KafkaClientError.requestTimeout(endpoint, api: api, after: timeout ?? context.config.requestTimeout)
            case .closed(let d):
                throw KafkaClientError.connectionClosed(endpoint, detail: Self.friendly(d))
            case .protocolViolation(let d):
                throw KafkaClientError.protocolViolation(endpoint, detail: d)
            }
        } catch let e as KafkaClientError {
            throw e
        } catch let e as CancellationError {
            throw e
        } catch {
            throw KafkaClientError.connectionClosed(endpoint, detail: Self.friendly(String(describing: error)))
        }
    }

    public func close() async {
        try? await channel.close()
    }

    /// Waits for a response but lets the caller walk away on cancellation without closing the
    /// connection: the late response is still matched and dropped, so other requests are unaffected.
    static func awaitCancellable(_ future: EventLoopFuture<[UInt8]>) async throws -> [UInt8] {
        let slot = Mutex<CheckedContinuation<[UInt8], any Error>?>(nil)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (cont: CheckedContinuation<[UInt8], any Error>) in
                slot.withLock { $0 = cont }
                future.whenComplete { result in
                    slot.withLock { c -> CheckedContinuation<[UInt8], any Error>? in defer { c = nil }; return c }?
                        .resume(with: result)
                }
                if Task.isCancelled {
                    slot.withLock { c -> CheckedContinuation<[UInt8], any Error>? in defer { c = nil }; return c }?
                        .resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            slot.withLock { c -> CheckedContinuation<[UInt8], any Error>? in defer { c = nil }; return c }?
                .resume(throwing: CancellationError())
        }
    }

    static func apiName<R: KafkaRequestMessage>(_ type: R.Type) -> String { R.apiKey.name }

    static func nanos(_ d: Duration) -> Int64 {
        let c = d.components
        return c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
    }

    static func friendly(_ d: String) -> String {
        if d.contains("looksLikeTLS") { return FrameError.looksLikeTLS.description }
        // A decoder error wrapped by NIO is described by reflection: "notKafka(KafkaClient.ForeignProtocol.ssh)".
        if d.contains("notKafka("), let p = ForeignProtocol.allCases.first(where: { d.contains("ForeignProtocol.\($0))") }) {
            return FrameError.notKafka(p).description
        }
        return d
    }
}

/// Monotonic nanoseconds without Foundation or Dispatch.
enum DispatchlessClock {
    static func nowNanos() -> UInt64 { UInt64(NIODeadline.now().uptimeNanoseconds) }
}
