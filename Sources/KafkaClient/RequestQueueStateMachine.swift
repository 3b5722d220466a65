/// The in-flight requests of one connection, in wire order. Brokers answer strictly in order,
/// so the head must match every response; anything else poisons the connection. Requests sent
/// without waiting for an answer (Produce with acks=0) stay in the order too: a broker that answers
/// one anyway (librdkafka's mock does) has that answer dropped, one that does not is passed over.
/// A value type that returns actions; `KafkaChannelHandler` executes them.
struct RequestQueueStateMachine<Token> {
    struct InFlight {
        var correlationId: Int32
        var api: String
        /// nil = sent without waiting for an answer.
        var token: Token?
    }

    /// Unanswered requests kept at most (a broker that never answers them must not grow the queue).
    static var unansweredLimit: Int { 1024 }

    enum CloseReason: Equatable {
        case timeout(correlationId: Int32, api: String)
        case unexpectedCorrelationId(expected: Int32?, got: Int32)
        case channelInactive
        case error(String)
        case closedByUser
    }

    enum Action {
        case write
        case failRequest(Token, CloseReason)
        case succeed(Token)
        /// Close the channel; fail every listed token with the reason.
        case closeAndFail([Token], CloseReason)
        /// Already closed: fail these tokens, no channel action.
        case failAll([Token], CloseReason)
        case none
    }

    private(set) var inFlight: [InFlight] = []
    private var head = 0
    private(set) var closed: CloseReason?

    var pendingCount: Int { inFlight.count - head }

    mutating func enqueue(correlationId: Int32, api: String, token: Token) -> Action {
        if let reason = closed { return .failRequest(token, reason) }
        inFlight.append(InFlight(correlationId: correlationId, api: api, token: token))
        return .write
    }

    /// A request written without waiting for its answer (no token, no timeout).
    mutating func enqueueUnanswered(correlationId: Int32, api: String) -> CloseReason? {
        if let reason = closed { return reason }
        inFlight.append(InFlight(correlationId: correlationId, api: api, token: nil))
        if pendingCount > Self.unansweredLimit, inFlight[head].token == nil {
            head += 1
            compact()
        }
        return nil
    }

    mutating func frameReceived(correlationId: Int32) -> Action {
        if closed != nil { return .none }
        // Requests the broker need not answer, answered by later ones: it did not answer them.
        while head < inFlight.count, inFlight[head].token == nil, inFlight[head].correlationId != correlationId {
            head += 1
        }
        guard head < inFlight.count, inFlight[head].correlationId == correlationId else {
            let expected = head < inFlight.count ? inFlight[head].correlationId : nil
            return closeAll(.unexpectedCorrelationId(expected: expected, got: correlationId), close: true)
        }
        let token = inFlight[head].token
        head += 1
        compact()
        guard let token else { return .none } // an answer nobody waits for
        return .succeed(token)
    }

    /// A request's deadline passed. Later responses would come after it, so the connection is done.
    mutating func timedOut(correlationId: Int32) -> Action {
        guard closed == nil, inFlight[head...].contains(where: { $0.correlationId == correlationId }) else { return .none }
        let api = inFlight[head...].first { $0.correlationId == correlationId }!.api
        return closeAll(.timeout(correlationId: correlationId, api: api), close: true)
    }

    mutating func errorCaught(_ description: String) -> Action {
        guard closed == nil else { return .none }
        return closeAll(.error(description), close: true)
    }

    mutating func channelInactive() -> Action {
        guard closed == nil else { return .none }
        return closeAll(.channelInactive, close: false)
    }

    mutating func close() -> Action {
        guard closed == nil else { return .none }
        return closeAll(.closedByUser, close: true)
    }

    private mutating func closeAll(_ reason: CloseReason, close: Bool) -> Action {
        closed = reason
        let tokens = inFlight[head...].compactMap(\.token)
        inFlight = []
        head = 0
        return close ? .closeAndFail(tokens, reason) : .failAll(tokens, reason)
    }

    private mutating func compact() {
        if head > 64 && head * 2 >= inFlight.count {
            inFlight.removeFirst(head)
            head = 0
        }
    }

    /// Lets the handler keep the timeout handle inside the queued token.
    mutating func attachTimeout(correlationId: Int32, _ body: (inout Token) -> Void) {
        guard let i = inFlight[head...].firstIndex(where: { $0.correlationId == correlationId }) else { return }
        guard inFlight[i].token != nil else { return }
        body(&inFlight[i].token!)
    }
}
