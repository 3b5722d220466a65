import KafkaProtocol
import KafkaWire
import NIOCore
import NIOPosix
import Synchronization

/// A request as a handler sees it.
struct FakeRequest: Sendable {
    var broker: Int32
    var frame: KafkaFraming.RequestFrame
    var api: ApiKey
}

/// A handler answers one API: the response frame (with size prefix), or nil to close the connection.
typealias FakeHandler = @Sendable (FakeCluster, FakeRequest) throws -> [UInt8]?

/// N fake brokers on 127.0.0.1 ephemeral ports sharing one scriptable `FakeClusterState`.
/// Every request is recorded (broker, API, version, names) so tests can assert routing and
/// batching; errors can be injected per API. Handler failures are collected in `failures`
/// (tests assert it stays empty) and close the connection, as a broker would.
final class FakeCluster: Sendable {
    private let state: Mutex<FakeClusterState>
    private let log = Mutex<[FakeRequestRecord]>([])
    private let failureLog = Mutex<[String]>([])
    private let injections = Mutex<[FakeInjection]>([])
    private let handlers = Mutex<[ApiKey: FakeHandler]>([:])
    private let listeners = Mutex<[Int32: Int]>([:])
    private let channels = Mutex<[any Channel]>([])
    private let answerDelays = Mutex<[FakeAnswerKey: TimeAmount]>([:])

    private init(_ state: FakeClusterState) {
        self.state = Mutex(state)
        handlers.withLock { $0 = FakeHandlers.defaults }
    }

    /// Binds one listener per broker in `state` and returns once all accept connections.
    static func start(_ state: FakeClusterState) async throws -> FakeCluster {
        let cluster = FakeCluster(state)
        do {
            for b in state.brokers {
                let id = b.id
                let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FakeFrameDecoder()))
                            try channel.pipeline.syncOperations.addHandler(FakeBrokerChannelHandler(cluster: cluster, broker: id))
                        }
                    }
                    .bind(host: "127.0.0.1", port: 0).get()
                guard let port = server.localAddress?.port else { throw FakeClusterError("no local port for broker \(id)") }
                cluster.channels.withLock { $0.append(server) }
                cluster.listeners.withLock { $0[id] = port }
            }
        } catch {
            await cluster.stop()
            throw error
        }
        return cluster
    }

    /// Closes the listeners and every accepted connection.
    func stop() async {
        let all = channels.withLock { c -> [any Channel] in defer { c = [] }; return c }
        for c in all { try? await c.close() }
    }

    /// "127.0.0.1:p1,127.0.0.1:p2,..." in broker order.
    var bootstrap: String {
        let ports = listeners.withLock { $0 }
        return state.withLock { s in s.brokers.compactMap { ports[$0.id].map { "127.0.0.1:\($0)" } }.joined(separator: ",") }
    }

    func port(of broker: Int32) -> Int? { listeners.withLock { $0[broker] } }

    func track(_ child: any Channel) { channels.withLock { $0.append(child) } }

    /// Holds back the answer to one request, on the event loop's timer (never by blocking the loop,
    /// which the client under test may share).
    func delayAnswer(broker: Int32, correlationId: Int32, by delay: TimeAmount) {
        answerDelays.withLock { $0[FakeAnswerKey(broker: broker, correlationId: correlationId)] = delay }
    }

    func takeAnswerDelay(broker: Int32, correlationId: Int32) -> TimeAmount? {
        answerDelays.withLock { $0.removeValue(forKey: FakeAnswerKey(broker: broker, correlationId: correlationId)) }
    }

    // MARK: Scripting

    func update(_ body: (inout FakeClusterState) -> Void) { state.withLock { body(&$0) } }

    func read<T: Sendable>(_ body: (FakeClusterState) throws -> T) throws -> T { try state.withLock { try body($0) } }

    /// Replaces the handler of one API (for behaviour the defaults do not model).
    func setHandler(_ api: ApiKey, _ handler: @escaping FakeHandler) { handlers.withLock { $0[api] = handler } }

    /// The next `times` matching items (groups, topics, keys, or whole responses) answer `errorCode`.
    func inject(_ api: ApiKey, error errorCode: Int16, times: Int = 1, broker: Int32? = nil, key: String? = nil) {
        injections.withLock { $0.append(FakeInjection(api: api, errorCode: errorCode, remaining: times, broker: broker, key: key)) }
    }

    /// Consumes one matching injection, if any.
    func takeInjected(_ api: ApiKey, broker: Int32, key: String?) -> Int16? {
        injections.withLock { list -> Int16? in
            guard let i = list.firstIndex(where: {
                $0.api == api && $0.remaining > 0 && ($0.broker == nil || $0.broker == broker)
                    && ($0.key == nil || $0.key == key)
            }) else { return nil }
            list[i].remaining -= 1
            return list[i].errorCode
        }
    }

    var pendingInjections: Int { injections.withLock { $0.reduce(0) { $0 + $1.remaining } } }

    // MARK: Recording

    var requests: [FakeRequestRecord] { log.withLock { $0 } }

    func requests(_ api: ApiKey, broker: Int32? = nil) -> [FakeRequestRecord] {
        log.withLock { $0.filter { $0.apiKey == api.rawValue && (broker == nil || $0.broker == broker) } }
    }

    func count(_ api: ApiKey, broker: Int32? = nil) -> Int { requests(api, broker: broker).count }

    func clearRequests() { log.withLock { $0 = [] } }

    var failures: [String] { failureLog.withLock { $0 } }

    func recordFailure(_ s: String) { failureLog.withLock { $0.append(s) } }

    func record(_ r: FakeRequestRecord) { log.withLock { $0.append(r) } }

    /// Sets the names of the last recorded request of this broker/correlation id.
    func annotate(broker: Int32, correlationId: Int32, names: [String]) {
        log.withLock { l in
            if let i = l.lastIndex(where: { $0.broker == broker && $0.correlationId == correlationId }) { l[i].names = names }
        }
    }

    /// Advertised listener of a broker (Metadata, FindCoordinator).
    func listener(_ id: Int32) -> (host: String, port: Int32) {
        ("127.0.0.1", Int32(listeners.withLock { $0[id] } ?? 0))
    }

    // MARK: Dispatch

    /// Answers one request frame (without size prefix); nil closes the connection.
    func handle(frame bytes: [UInt8], broker: Int32) -> [UInt8]? {
        let frame: KafkaFraming.RequestFrame
        do { frame = try KafkaFraming.decodeRequestHeader(bytes) } catch {
            recordFailure("broker \(broker): undecodable request header: \(error)")
            return nil
        }
        record(FakeRequestRecord(broker: broker, apiKey: frame.apiKey, version: frame.apiVersion,
                                 correlationId: frame.correlationId, names: []))
        guard let api = ApiKey(rawValue: frame.apiKey) else {
            recordFailure("broker \(broker): unknown API key \(frame.apiKey)")
            return nil
        }
        let range = state.withLock { $0.spec(broker)?.apiVersions[api] }
        if api == .apiVersions {
            // Answered even above our range: UNSUPPORTED_VERSION in the v0 layout, listing our range.
            do { return try FakeHandlers.apiVersions(self, FakeRequest(broker: broker, frame: frame, api: api)) } catch {
                recordFailure("broker \(broker): ApiVersions v\(frame.apiVersion): \(error)")
                return nil
            }
        }
        guard let range, range.contains(frame.apiVersion) else {
            // A real broker closes the connection on an API/version it never advertised.
            recordFailure("broker \(broker): \(api) v\(frame.apiVersion) was sent but is not advertised (\(range.map { "\($0)" } ?? "absent"))")
            return nil
        }
        guard let handler = handlers.withLock({ $0[api] }) else {
            recordFailure("broker \(broker): no handler for \(api)")
            return nil
        }
        do {
            return try handler(self, FakeRequest(broker: broker, frame: frame, api: api))
        } catch {
            recordFailure("broker \(broker): \(api) v\(frame.apiVersion): \(error)")
            return nil
        }
    }
}

struct FakeAnswerKey: Hashable, Sendable {
    var broker: Int32
    var correlationId: Int32
}

struct FakeClusterError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Splits the byte stream into frames (size prefix removed); rejects absurd sizes.
struct FakeFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    static let maxFrame = 16 * 1024 * 1024

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return .needMoreData }
        guard size >= 0, Int(size) <= Self.maxFrame else { throw FakeClusterError("bad frame size \(size)") }
        guard buffer.readableBytes >= 4 + Int(size) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        let frame = buffer.readSlice(length: Int(size))!
        context.fireChannelRead(self.wrapInboundOut(frame))
        return .continue
    }
}

/// Answers frames in order on the connection's event loop, so responses keep request order.
final class FakeBrokerChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let cluster: FakeCluster
    let broker: Int32
    /// The last answer's write: a delayed answer must not be overtaken by the next one.
    private var lastWrite: EventLoopFuture<Void>?

    init(cluster: FakeCluster, broker: Int32) {
        self.cluster = cluster
        self.broker = broker
    }

    func channelActive(context: ChannelHandlerContext) {
        cluster.track(context.channel)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buf = unwrapInboundIn(data)
        let correlationId = buf.getInteger(at: buf.readerIndex + 4, as: Int32.self) ?? -1
        guard let response = cluster.handle(frame: Array(buf.readableBytesView), broker: broker) else {
            context.close(promise: nil)
            return
        }
        let out = context.channel.allocator.buffer(bytes: response)
        let delay = cluster.takeAnswerDelay(broker: broker, correlationId: correlationId)
        guard delay != nil || lastWrite != nil else {
            context.writeAndFlush(wrapOutboundOut(out), promise: nil)
            return
        }
        let loop = context.eventLoop
        let bound = NIOLoopBound(context, eventLoop: loop)
        let previous = lastWrite ?? loop.makeSucceededVoidFuture()
        let written = previous.flatMap { () -> EventLoopFuture<Void> in
            guard let delay else { return loop.makeSucceededVoidFuture() }
            return loop.scheduleTask(in: delay) {}.futureResult
        }.flatMap { () -> EventLoopFuture<Void> in
            bound.value.writeAndFlush(NIOAny(out))
        }
        lastWrite = written
        let me = NIOLoopBound(self, eventLoop: loop)
        written.whenComplete { _ in
            if me.value.lastWrite === written { me.value.lastWrite = nil }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Resets from a client closing its side are normal; framing errors are the fake's to report.
        if error is FakeClusterError {
            cluster.recordFailure("broker \(broker): channel error: \(error)")
        }
        context.close(promise: nil)
    }
}
