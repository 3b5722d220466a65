import Testing
@testable import KafkaClient

@Suite struct ConnectionSetupStateMachineTests {
    static let modern: [Int16: ClosedRange<Int16>] = [18: 0...3, 17: 0...1, 36: 0...2, 3: 0...12]

    @Test func plaintextWithoutSaslIsReadyAfterApiVersions() {
        var m = ConnectionSetupStateMachine(sasl: nil, clientApiVersionsMax: 4)
        #expect(m.start() == .sendApiVersions(version: 4))
        #expect(m.apiVersionsReceived(errorCode: 0, ranges: Self.modern) == .ready)
        #expect(m.isReady)
        #expect(m.brokerVersions[3] == 0...12)
    }

    @Test func oldBrokerAnswersUnsupportedVersionAndWeRetryWithinItsRange() {
        var m = ConnectionSetupStateMachine(sasl: nil, clientApiVersionsMax: 4)
        _ = m.start()
        // The broker lists (in v0 format) only its ApiVersions range 0...2.
        #expect(m.apiVersionsReceived(errorCode: 35, ranges: [18: 0...2]) == .sendApiVersions(version: 2))
        #expect(m.apiVersionsReceived(errorCode: 0, ranges: [18: 0...2, 3: 0...8]) == .ready)
    }

    @Test func withoutARangeStepDownOneVersionAtATime() {
        var m = ConnectionSetupStateMachine(sasl: nil, clientApiVersionsMax: 3)
        _ = m.start()
        #expect(m.apiVersionsReceived(errorCode: 35, ranges: [:]) == .sendApiVersions(version: 2))
        #expect(m.apiVersionsReceived(errorCode: 35, ranges: [:]) == .sendApiVersions(version: 1))
        #expect(m.apiVersionsReceived(errorCode: 35, ranges: [:]) == .sendApiVersions(version: 0))
        #expect(m.apiVersionsReceived(errorCode: 35, ranges: [:]) == .fail(.apiVersions, "the broker rejected every ApiVersions version"))
    }

    @Test func scramScript() throws {
        let sasl = SASLSettings(mechanism: .scramSHA256, username: "user", password: Secret("pencil"))
        var m = ConnectionSetupStateMachine(sasl: sasl, clientApiVersionsMax: 3, scramNonce: "rOprNGfwEbeRWgbNEkqO")
        _ = m.start()
        #expect(m.apiVersionsReceived(errorCode: 0, ranges: Self.modern) == .sendSaslHandshake(mechanism: "SCRAM-SHA-256", version: 1))
        #expect(m.saslHandshakeReceived(errorCode: 0, mechanisms: ["SCRAM-SHA-256"])
            == .sendSaslAuthenticate(bytes: Array("n,,n=user,r=rOprNGfwEbeRWgbNEkqO".utf8), version: 2))
        let a = m.saslAuthenticateReceived(errorCode: 0, errorMessage: nil, authBytes: Array(SCRAMTests.serverFirst.utf8),
                                           sessionLifetimeMs: 0)
        guard case .sendSaslAuthenticate(let bytes, 2) = a else { Issue.record("expected client-final, got \(a)"); return }
        #expect(String(decoding: bytes, as: UTF8.self).hasSuffix("p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))
        #expect(m.saslAuthenticateReceived(errorCode: 0, errorMessage: nil,
                                           authBytes: Array("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8),
                                           sessionLifetimeMs: 3_600_000) == .ready)
        #expect(m.sessionLifetimeMs == 3_600_000)
    }

    @Test func plainScriptAndAuthFailure() {
        let sasl = SASLSettings(mechanism: .plain, username: "alice", password: Secret("wrong"))
        var m = ConnectionSetupStateMachine(sasl: sasl, clientApiVersionsMax: 3)
        _ = m.start()
        _ = m.apiVersionsReceived(errorCode: 0, ranges: Self.modern)
        #expect(m.saslHandshakeReceived(errorCode: 0, mechanisms: ["PLAIN"])
            == .sendSaslAuthenticate(bytes: [0] + Array("alice".utf8) + [0] + Array("wrong".utf8), version: 2))
        let r = m.saslAuthenticateReceived(errorCode: 58, errorMessage: "Authentication failed: Invalid username or password",
                                           authBytes: [], sessionLifetimeMs: 0)
        #expect(r == .fail(.sasl, "authentication failed: Authentication failed: Invalid username or password"))
        if case .fail(_, let msg) = r { #expect(!msg.contains("wrong")) }
    }

    @Test func mechanismNotEnabledListsEnabledOnes() {
        let sasl = SASLSettings(mechanism: .scramSHA512, username: "u", password: Secret("p"))
        var m = ConnectionSetupStateMachine(sasl: sasl, clientApiVersionsMax: 3)
        _ = m.start()
        _ = m.apiVersionsReceived(errorCode: 0, ranges: Self.modern)
        #expect(m.saslHandshakeReceived(errorCode: 33, mechanisms: ["PLAIN", "SCRAM-SHA-256"])
            == .fail(.sasl, "the broker does not enable SCRAM-SHA-512; enabled mechanisms: PLAIN, SCRAM-SHA-256"))
    }

    @Test func saslAgainstBrokerWithoutSaslAuthenticate() {
        let sasl = SASLSettings(mechanism: .plain, username: "u", password: Secret("p"))
        var m = ConnectionSetupStateMachine(sasl: sasl, clientApiVersionsMax: 3)
        _ = m.start()
        let r = m.apiVersionsReceived(errorCode: 0, ranges: [18: 0...1, 17: 0...0])
        guard case .fail(.sasl, _) = r else { Issue.record("expected SASL failure, got \(r)"); return }
    }
}

@Suite struct RequestQueueStateMachineTests {
    typealias M = RequestQueueStateMachine<String>

    @Test func responsesMatchInOrder() {
        var m = M()
        guard case .write = m.enqueue(correlationId: 1, api: "Metadata", token: "a") else { Issue.record("write"); return }
        guard case .write = m.enqueue(correlationId: 2, api: "ListOffsets", token: "b") else { Issue.record("write"); return }
        #expect(m.pendingCount == 2)
        guard case .succeed("a") = m.frameReceived(correlationId: 1) else { Issue.record("a first"); return }
        guard case .succeed("b") = m.frameReceived(correlationId: 2) else { Issue.record("then b"); return }
        #expect(m.pendingCount == 0)
    }

    @Test func requestsSentWithoutWaitingArePassedOverOrHaveTheirAnswerDropped() {
        var m = M()
        #expect(m.enqueueUnanswered(correlationId: 1, api: "Produce") == nil)
        _ = m.enqueue(correlationId: 2, api: "Metadata", token: "a")
        #expect(m.enqueueUnanswered(correlationId: 3, api: "Produce") == nil)
        _ = m.enqueue(correlationId: 4, api: "Metadata", token: "b")
        // A broker that never answers acks=0 (Kafka): the next answer is the next awaited request's.
        guard case .succeed("a") = m.frameReceived(correlationId: 2) else { Issue.record("a after the unanswered 1"); return }
        // One that answers it anyway (librdkafka's mock): dropped, and the order still holds.
        guard case .none = m.frameReceived(correlationId: 3) else { Issue.record("the answer to 3 is nobody's"); return }
        guard case .succeed("b") = m.frameReceived(correlationId: 4) else { Issue.record("then b"); return }
        #expect(m.pendingCount == 0)
        // Anything else still poisons the connection.
        _ = m.enqueue(correlationId: 5, api: "Metadata", token: "c")
        guard case .closeAndFail(["c"], .unexpectedCorrelationId(expected: 5, got: 3)) = m.frameReceived(correlationId: 3) else {
            Issue.record("an answer out of order must close"); return
        }
    }

    @Test func unansweredRequestsDoNotGrowTheQueueWithoutBound() {
        var m = M()
        for id in 0..<Int32(M.unansweredLimit * 3) { _ = m.enqueueUnanswered(correlationId: id, api: "Produce") }
        #expect(m.pendingCount <= M.unansweredLimit)
    }

    @Test func outOfOrderResponseClosesAndFailsEverything() {
        var m = M()
        _ = m.enqueue(correlationId: 1, api: "Metadata", token: "a")
        _ = m.enqueue(correlationId: 2, api: "Metadata", token: "b")
        guard case .closeAndFail(let tokens, .unexpectedCorrelationId(expected: 1, got: 2)) = m.frameReceived(correlationId: 2) else {
            Issue.record("expected close"); return
        }
        #expect(tokens == ["a", "b"])
        guard case .failRequest("c", _) = m.enqueue(correlationId: 3, api: "Metadata", token: "c") else {
            Issue.record("closed queue must refuse"); return
        }
    }

    @Test func unsolicitedFrameIsFatal() {
        var m = M()
        guard case .closeAndFail([], .unexpectedCorrelationId(expected: nil, got: 9)) = m.frameReceived(correlationId: 9) else {
            Issue.record("expected close"); return
        }
    }

    @Test func timeoutClosesConnectionAndNamesTheApi() {
        var m = M()
        _ = m.enqueue(correlationId: 1, api: "Metadata", token: "a")
        _ = m.enqueue(correlationId: 2, api: "Fetch", token: "b")
        guard case .succeed("a") = m.frameReceived(correlationId: 1) else { Issue.record("a"); return }
        // A timeout for an already answered request does nothing.
        guard case .none = m.timedOut(correlationId: 1) else { Issue.record("stale timeout must be ignored"); return }
        guard case .closeAndFail(["b"], .timeout(correlationId: 2, api: "Fetch")) = m.timedOut(correlationId: 2) else {
            Issue.record("expected timeout close"); return
        }
    }

    @Test func inactiveChannelFailsPendingWithoutClosingAgain() {
        var m = M()
        _ = m.enqueue(correlationId: 5, api: "Metadata", token: "x")
        guard case .failAll(["x"], .channelInactive) = m.channelInactive() else { Issue.record("failAll"); return }
        guard case .none = m.channelInactive() else { Issue.record("second inactive is a no-op"); return }
    }

    @Test func manyRequestsCompactTheQueue() {
        var m = M()
        var next: Int32 = 0
        for i in 0..<1000 {
            _ = m.enqueue(correlationId: Int32(i), api: "Metadata", token: "t\(i)")
            if i % 2 == 1 {
                guard case .succeed("t\(next)") = m.frameReceived(correlationId: next) else { Issue.record("order"); return }
                next += 1
            }
        }
        #expect(m.pendingCount == 500)
        #expect(m.inFlight.count < 1000)
    }
}

@Suite struct ApiVersionsDecodingTests {
    static let endpoint = BrokerEndpoint(nodeId: 1, advertised: HostAddress(host: "k", port: 9092),
                                         dialed: HostAddress(host: "k", port: 9092))

    @Test func unsupportedVersionAnswerInV0FormatYieldsTheBrokerRange() throws {
        // correlation id 7, error 35, INT32 count 1, {ApiKey 18, Min 0, Max 2}
        let raw: [UInt8] = [0, 0, 0, 7, 0, 35, 0, 0, 0, 1, 0, 18, 0, 0, 0, 2]
        let (code, ranges) = try Dialer.decodeApiVersions(raw, version: 4, endpoint: Self.endpoint)
        #expect(code == 35)
        #expect(ranges[18] == 0...2)
    }

    @Test func unparseableUnsupportedVersionAnswerStillReportsTheError() throws {
        // What the librdkafka mock sends for a v4 request: not valid v0.
        let raw: [UInt8] = [0, 0, 0, 1, 0, 0x23, 1, 0, 0x12, 0, 0, 0, 2, 0, 0, 0, 0]
        let (code, ranges) = try Dialer.decodeApiVersions(raw, version: 4, endpoint: Self.endpoint)
        #expect(code == 35)
        #expect(ranges.isEmpty)
    }

    @Test func truncatedAnswerIsAnApiVersionsFailure() {
        #expect(throws: KafkaClientError.self) { try Dialer.decodeApiVersions([0, 0, 0, 1, 0], version: 3, endpoint: Self.endpoint) }
        #expect(throws: KafkaClientError.self) { try Dialer.decodeApiVersions([0, 0, 0, 1, 0, 0, 0xFF], version: 0, endpoint: Self.endpoint) }
    }
}
