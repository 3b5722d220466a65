import KafkaProtocol

/// The steps after TCP (and TLS) on every connection: ApiVersions, then SaslHandshake v1 and
/// SaslAuthenticate rounds when SASL is configured. A value type fed with decoded replies; it
/// returns what to send next. The async connection code only executes the actions.
struct ConnectionSetupStateMachine {
    enum Action: Equatable {
        case sendApiVersions(version: Int16)
        case sendSaslHandshake(mechanism: String, version: Int16)
        case sendSaslAuthenticate(bytes: [UInt8], version: Int16)
        case ready
        case fail(ConnectStage, String)
    }

    private enum State {
        case idle
        case awaitingApiVersions(sentVersion: Int16)
        case awaitingSaslHandshake
        case awaitingPlainResult
        case awaitingScramServerFirst
        case awaitingScramServerFinal
        case ready
        case failed
    }

    private var state: State = .idle
    private let sasl: SASLSettings?
    private let clientApiVersionsMax: Int16
    private let clientSaslAuthenticateMax: Int16
    private var scram: ScramClient?
    private let scramNonce: String?

    /// Broker ranges per API key, known after ApiVersions.
    private(set) var brokerVersions: [Int16: ClosedRange<Int16>] = [:]
    /// From the last SaslAuthenticate (v1+); 0 = no expiry.
    private(set) var sessionLifetimeMs: Int64 = 0
    private var authVersion: Int16 = 0

    init(sasl: SASLSettings?, clientApiVersionsMax: Int16, clientSaslAuthenticateMax: Int16 = 2,
         scramNonce: String? = nil) {
        self.sasl = sasl
        self.clientApiVersionsMax = clientApiVersionsMax
        self.clientSaslAuthenticateMax = clientSaslAuthenticateMax
        self.scramNonce = scramNonce
    }

    var isReady: Bool { if case .ready = state { return true }; return false }

    mutating func start() -> Action {
        state = .awaitingApiVersions(sentVersion: clientApiVersionsMax)
        return .sendApiVersions(version: clientApiVersionsMax)
    }

    /// `ranges` are the broker's (key → min...max). On UNSUPPORTED_VERSION an old broker answers
    /// in v0 format, listing (since 2.4) its own ApiVersions range: retry within it.
    mutating func apiVersionsReceived(errorCode: Int16, ranges: [Int16: ClosedRange<Int16>]) -> Action {
        guard case .awaitingApiVersions(let sent) = state else { return failed(.apiVersions, "unexpected ApiVersions response") }
        if KafkaErrorCode.unsupportedVersion.matches(errorCode) {
            // Without a readable range (pre-2.4 brokers, or an error body we cannot parse), step down one.
            let retry = ranges[ApiKey.apiVersions.rawValue].map { min($0.upperBound, sent - 1) } ?? (sent - 1)
            guard sent > 0, retry >= 0 else {
                return failed(.apiVersions, "the broker rejected every ApiVersions version")
            }
            state = .awaitingApiVersions(sentVersion: retry)
            return .sendApiVersions(version: retry)
        }
        guard errorCode == 0 else {
            let e = KafkaErrorCode.lookup(errorCode)
            return failed(.apiVersions, "the broker answered \(e.name) (\(errorCode)): \(e.explanation)")
        }
        brokerVersions = ranges
        guard let sasl else { state = .ready; return .ready }
        guard ranges[ApiKey.saslHandshake.rawValue].map({ $0.contains(1) }) == true,
              let auth = ranges[ApiKey.saslAuthenticate.rawValue] else {
            // Usually a PLAINTEXT/SSL listener (which offers no SASL APIs), rarely a pre-1.0 broker.
            return failed(.sasl, "this listener offers no SASL (SaslHandshake v1/SaslAuthenticate are missing): "
                + "if it is a PLAINTEXT or SSL listener, drop the SASL settings or use the SASL port (Kafka 1.0+ is needed)")
        }
        let v = min(auth.upperBound, clientSaslAuthenticateMax)
        guard v >= auth.lowerBound else { return failed(.sasl, "no common SaslAuthenticate version") }
        authVersion = v
        state = .awaitingSaslHandshake
        return .sendSaslHandshake(mechanism: sasl.mechanism.rawValue, version: 1)
    }

    mutating func saslHandshakeReceived(errorCode: Int16, mechanisms: [String]) -> Action {
        guard case .awaitingSaslHandshake = state, let sasl else { return failed(.sasl, "unexpected SaslHandshake response") }
        if KafkaErrorCode.unsupportedSaslMechanism.matches(errorCode) {
            let list = mechanisms.isEmpty ? "none" : mechanisms.joined(separator: ", ")
            return failed(.sasl, "the broker does not enable \(sasl.mechanism.rawValue); enabled mechanisms: \(list)")
        }
        guard errorCode == 0 else {
            let e = KafkaErrorCode.lookup(errorCode)
            return failed(.sasl, "SaslHandshake failed with \(e.name) (\(errorCode)): \(e.explanation)")
        }
        switch sasl.mechanism {
        case .plain:
            state = .awaitingPlainResult
            return .sendSaslAuthenticate(bytes: PlainSASL.initialResponse(username: sasl.username, password: sasl.password),
                                         version: authVersion)
        case .scramSHA256, .scramSHA512:
            var client = ScramClient(hash: sasl.mechanism == .scramSHA256 ? .sha256 : .sha512,
                                     username: sasl.username, password: sasl.password, nonce: scramNonce)
            let first = client.clientFirstMessage()
            scram = client
            state = .awaitingScramServerFirst
            return .sendSaslAuthenticate(bytes: first, version: authVersion)
        }
    }

    mutating func saslAuthenticateReceived(errorCode: Int16, errorMessage: String?, authBytes: [UInt8],
                                           sessionLifetimeMs: Int64) -> Action {
        guard errorCode == 0 else {
            let m = errorMessage.flatMap { $0.isEmpty ? nil : $0 } ?? "error code \(errorCode)"
            return failed(.sasl, "authentication failed: \(m)")
        }
        self.sessionLifetimeMs = sessionLifetimeMs
        switch state {
        case .awaitingPlainResult:
            state = .ready
            return .ready
        case .awaitingScramServerFirst:
            do {
                let final = try scram!.handleServerFirst(authBytes)
                state = .awaitingScramServerFinal
                return .sendSaslAuthenticate(bytes: final, version: authVersion)
            } catch {
                return failed(.sasl, String(describing: error))
            }
        case .awaitingScramServerFinal:
            do {
                try scram!.handleServerFinal(authBytes)
                state = .ready
                return .ready
            } catch {
                return failed(.sasl, String(describing: error))
            }
        default:
            return failed(.sasl, "unexpected SaslAuthenticate response")
        }
    }

    private mutating func failed(_ stage: ConnectStage, _ message: String) -> Action {
        state = .failed
        return .fail(stage, message)
    }
}
