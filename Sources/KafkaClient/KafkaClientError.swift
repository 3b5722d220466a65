/// The stage of reaching a broker that failed; shown to users and used by `doctor`.
public enum ConnectStage: String, Sendable, Hashable, Codable {
    case dns = "DNS"
    case refused = "refused"
    case timeout = "timeout"
    case tls = "TLS"
    case sasl = "SASL"
    case apiVersions = "ApiVersions"
    case network = "network"
    /// The SSH connection to the jump host is down or could not be set up.
    case sshTunnel = "SSH"
    /// The jump host could not open the connection to the broker (refused, no route, not allowed).
    case jumpHostConnect = "jump host connect"
}

/// Which broker an error is about: its id (nil for a bootstrap address), what it advertised and
/// what was dialled after aliases.
public struct BrokerEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var nodeId: Int32?
    public var advertised: HostAddress
    public var dialed: HostAddress

    public init(nodeId: Int32?, advertised: HostAddress, dialed: HostAddress) {
        self.nodeId = nodeId
        self.advertised = advertised
        self.dialed = dialed
    }

    public var description: String {
        let who = nodeId.map { "broker \($0)" } ?? "bootstrap"
        if advertised == dialed { return "\(who) (\(advertised))" }
        return "\(who) (\(advertised), dialled as \(dialed))"
    }
}

/// Failures of the client. `description` is meant for a person: it names the broker, the stage
/// and, when the advertised name is the problem, the `--alias` to add. It never holds a password.
public enum KafkaClientError: Error, Sendable, CustomStringConvertible {
    /// Could not reach or set up a connection.
    case connect(BrokerEndpoint, stage: ConnectStage, detail: String)
    /// A request did not get its response in time (the connection was closed).
    case requestTimeout(BrokerEndpoint, api: String, after: Duration)
    /// The connection closed or broke while requests were in flight.
    case connectionClosed(BrokerEndpoint, detail: String)
    /// The broker answered with bytes we could not decode, or out of order.
    case protocolViolation(BrokerEndpoint, detail: String)
    /// The broker does not implement an API (or no version both sides know).
    case unsupported(BrokerEndpoint?, api: String)
    /// A Kafka error code at the top level of a response.
    case kafka(BrokerEndpoint?, api: String, code: Int16, name: String, message: String?)
    /// Nothing in the bootstrap list could be reached.
    case noBrokerAvailable([KafkaClientError])
    /// The broker id is not in the current metadata.
    case unknownBroker(Int32)
    case shutdown
    case invalidConfig(String)

    public var description: String {
        switch self {
        case .connect(let ep, let stage, let detail):
            // Refused/timeout/network details already say what failed ("connection refused by ...").
            let what = [.refused, .timeout].contains(stage) ? "" : "\(stage.rawValue) failed: "
            return "\(ep): \(what)\(detail)" + Self.hint(ep, stage, detail)
        case .requestTimeout(let ep, let api, let after):
            return "\(ep): \(api) got no response within \(Self.seconds(after))"
                + " (a busy or distant broker may need a higher request.timeout.ms in --command-config)"
        case .connectionClosed(let ep, let detail):
            return "\(ep): connection closed: \(detail)"
        case .protocolViolation(let ep, let detail):
            return "\(ep): protocol error: \(detail)"
        case .unsupported(let ep, let api):
            return (ep.map { "\($0): " } ?? "") + "\(api) is not supported by this broker"
        case .kafka(let ep, let api, let code, let name, let message):
            let m = message.flatMap { $0.isEmpty ? nil : ": \($0)" } ?? ""
            return (ep.map { "\($0): " } ?? "") + "\(api) failed with \(name) (\(code))\(m)"
        case .noBrokerAvailable(let errs):
            if errs.count == 1 { return errs[0].description }
            return "no bootstrap broker reachable:\n" + errs.map { "  - \($0.description)" }.joined(separator: "\n")
        case .unknownBroker(let id):
            return "broker \(id) is not in the cluster metadata"
        case .shutdown:
            return "the client was shut down"
        case .invalidConfig(let m):
            return m
        }
    }

    /// The endpoint the error is about, when there is one.
    public var endpoint: BrokerEndpoint? {
        switch self {
        case .connect(let ep, _, _), .requestTimeout(let ep, _, _), .connectionClosed(let ep, _),
             .protocolViolation(let ep, _):
            return ep
        case .unsupported(let ep, _), .kafka(let ep, _, _, _, _):
            return ep
        default:
            return nil
        }
    }

    /// Whether a request may be retried on a fresh connection.
    public var isRetriableTransport: Bool {
        switch self {
        case .connectionClosed, .requestTimeout: return true
        case .connect(_, let stage, _): return stage != .sasl && stage != .tls
        default: return false
        }
    }

    /// What to do about it; the exact --alias when the advertised name did not resolve or connect.
    public var suggestion: String? {
        if case .connect(let ep, let stage, let detail) = self { return Self.suggestion(ep, stage, detail: detail) }
        return nil
    }

    static func suggestion(_ ep: BrokerEndpoint, _ stage: ConnectStage, detail: String = "") -> String? {
        let aliased = ep.advertised != ep.dialed
        switch stage {
        case .dns:
            if aliased { return "check the alias for \(ep.advertised.host): \(ep.dialed.host) does not resolve here" }
            return "add \(HostAliasMap.suggestion(for: ep.advertised))"
        case .refused, .timeout, .network:
            if aliased { return "check the alias for \(ep.advertised.host) and that the broker is up: \(ep.dialed) is not reachable" }
            if Dialer.isIPLiteral(ep.advertised.host) {
                return "check that the broker is up and \(ep.advertised) is reachable from here; for a tunnel add --alias \(ep.advertised)=<local host:port>"
            }
            return "check that the broker is up; if \(ep.advertised) is not reachable from here, add \(HostAliasMap.suggestion(for: ep.advertised))"
        case .tls:
            // A peer that hangs up on the ClientHello is not a TLS listener; certificates are not the issue.
            if detail.contains(Dialer.notATLSListener) {
                return "if \(ep.advertised) is a plaintext listener, use security.protocol=PLAINTEXT or SASL_PLAINTEXT"
            }
            return "check the CA file (--command-config ssl.truststore.*) and that the certificate names \(ep.advertised.host)"
        case .sasl:
            return "check the SASL mechanism, user name and password"
        case .sshTunnel:
            return "check the SSH jump host (kafscope doctor shows the hop)"
        case .jumpHostConnect:
            return "check that the broker is up and that the jump host can reach \(ep.dialed); names resolve and aliases apply on the jump host"
        case .apiVersions:
            if detail.contains(FrameError.looksLikeTLS.description) { return nil }  // the detail says what to set
            if let p = ForeignProtocol.allCases.first(where: { detail.contains($0.notKafka) }) {
                return "check the port: \(ep.dialed) serves \(p == .http ? "HTTP (a web server)" : p.rawValue), not Kafka"
            }
            return "check that \(ep.dialed) is a Kafka listener; a TLS listener needs security.protocol=SSL or SASL_SSL"
        }
    }

    private static func hint(_ ep: BrokerEndpoint, _ stage: ConnectStage, _ detail: String) -> String {
        suggestion(ep, stage, detail: detail).map { " (\($0))" } ?? ""
    }

    static func seconds(_ d: Duration) -> String {
        let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        if ms % 1000 == 0 { return "\(ms / 1000) s" }
        return "\(Double(ms) / 1000) s"
    }
}
