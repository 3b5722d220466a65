import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One request on its way to the broker: encoded bytes (with size prefix), the id the response
/// must carry, and where to deliver the response body.
struct OutboundRequest {
    var bytes: ByteBuffer
    var correlationId: Int32
    var api: String
    var timeout: TimeAmount
    var promise: EventLoopPromise<[UInt8]>
    /// False for Produce with acks=0: the broker sends nothing back, so the request never joins the
    /// in-flight queue and its promise succeeds (with no bytes) once the write completes.
    var expectsResponse = true
}

/// Why the handler failed a request; turned into `KafkaClientError` by the connection, which
/// knows the endpoint.
enum ChannelFailure: Error {
    case timeout(api: String)
    case closed(String)
    case protocolViolation(String)
}

/// Writes requests, keeps the FIFO of in-flight requests, matches each frame to its request and
/// enforces per-request deadlines. Decoding of bodies happens in the async caller.
final class KafkaChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = [UInt8]
    typealias OutboundIn = OutboundRequest
    typealias OutboundOut = ByteBuffer

    private struct Token {
        var correlationId: Int32
        var promise: EventLoopPromise<[UInt8]>
        var timeout: Scheduled<Void>?
    }

    private var state = RequestQueueStateMachine<Token>()
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) {
        execute(state.channelInactive(), context: context)
        self.context = nil
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if !request.expectsResponse {
            if let reason = state.enqueueUnanswered(correlationId: request.correlationId, api: request.api) {
                request.promise.fail(Self.failure(reason, correlationId: request.correlationId))
                promise?.fail(ChannelFailure.closed("connection closed"))
                return
            }
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenComplete { result in
                switch result {
                case .success: request.promise.succeed([])
                case .failure(let e): request.promise.fail(ChannelFailure.closed("cannot send: \(e)"))
                }
            }
            written.futureResult.cascade(to: promise)
            context.write(wrapOutboundOut(request.bytes), promise: written)
            return
        }
        var token = Token(correlationId: request.correlationId, promise: request.promise, timeout: nil)
        switch state.enqueue(correlationId: request.correlationId, api: request.api, token: token) {
        case .write:
            let id = request.correlationId
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            token.timeout = context.eventLoop.scheduleTask(in: request.timeout) {
                let handler = loopBound.value
                guard let ctx = handler.context else { return }
                handler.execute(handler.state.timedOut(correlationId: id), context: ctx)
            }
            // Store the scheduled timeout with the token so a response cancels it.
            state.attachTimeout(correlationId: id) { $0.timeout = token.timeout }
            context.write(wrapOutboundOut(request.bytes), promise: promise)
        case let action:
            promise?.succeed(())
            execute(action, context: context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard frame.count >= 4 else {
            execute(state.errorCaught("response frame shorter than a correlation id"), context: context)
            return
        }
        let correlationId = Int32(bitPattern: UInt32(frame[0]) << 24 | UInt32(frame[1]) << 16
                                  | UInt32(frame[2]) << 8 | UInt32(frame[3]))
        switch state.frameReceived(correlationId: correlationId) {
        case .succeed(let token):
            token.timeout?.cancel()
            token.promise.succeed(frame)
        case let action:
            execute(action, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let text = (error as? IOError).map(ChannelFailureText.describe) ?? String(describing: error)
        execute(state.errorCaught(text), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        execute(state.channelInactive(), context: context)
        context.fireChannelInactive()
    }

    private func execute(_ action: RequestQueueStateMachine<Token>.Action, context: ChannelHandlerContext) {
        switch action {
        case .write, .none:
            break
        case .succeed(let token):
            token.timeout?.cancel()
        case .failRequest(let token, let reason):
            token.timeout?.cancel()
            token.promise.fail(Self.failure(reason, correlationId: token.correlationId))
        case .closeAndFail(let tokens, let reason):
            fail(tokens, reason)
            context.close(promise: nil)
        case .failAll(let tokens, let reason):
            fail(tokens, reason)
        }
    }

    private func fail(_ tokens: [Token], _ reason: RequestQueueStateMachine<Token>.CloseReason) {
        for t in tokens {
            t.timeout?.cancel()
            t.promise.fail(Self.failure(reason, correlationId: t.correlationId))
        }
    }

    private static func failure(_ reason: RequestQueueStateMachine<Token>.CloseReason,
                                correlationId: Int32) -> ChannelFailure {
        switch reason {
        case .timeout(let id, let api):
            if id == correlationId { return .timeout(api: api) }
            return .closed("connection closed because an earlier \(api) request timed out")
        case .unexpectedCorrelationId(let expected, let got):
            return .protocolViolation("response correlation id \(got), expected \(expected.map(String.init) ?? "none")")
        case .channelInactive:
            return .closed("the broker closed the connection")
        case .error(let d):
            return .closed(d)
        case .closedByUser:
            return .closed("connection closed by the client")
        }
    }
}


/// Socket errors for people: NIO's `IOError` text names the syscall ("read(descriptor:pointer:size:)").
enum ChannelFailureText {
    static func describe(_ e: IOError) -> String {
        switch e.errnoCode {
        case ECONNRESET: return "the peer reset the connection"
        case EPIPE: return "the peer closed the connection while we were sending"
        case ETIMEDOUT: return "the connection timed out (no TCP acknowledgement from the peer)"
        case EHOSTUNREACH, ENETUNREACH: return "the peer became unreachable"
        default: return String(cString: strerror(e.errnoCode)).lowercased()
        }
    }
}
