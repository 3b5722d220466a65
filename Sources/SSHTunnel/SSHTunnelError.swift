import KafkaClient

/// Why the tunnel could not carry a connection. SSH-level failures (the jump host itself) are kept
/// apart from the jump host failing to reach a broker, so users know which hop to look at.
public enum SSHTunnelError: BrokerTransportError, Sendable, Equatable {
    /// TCP to the jump host failed.
    case connect(destination: String, detail: String)
    case hostKeyUnknown(host: String, keyType: String, fingerprint: String, line: String, file: String, knownTypes: [String])
    case hostKeyChanged(host: String, keyType: String, fingerprint: String, file: String, line: Int)
    case hostKeyRevoked(host: String, fingerprint: String, file: String, line: Int)
    /// Every way of logging in failed; `attempts` says what was tried and why each failed.
    case authFailed(destination: String, attempts: [String])
    /// The SSH handshake broke off for another reason.
    case handshake(destination: String, detail: String)
    /// The SSH connection is down (lost, or not re-established yet).
    case disconnected(destination: String, detail: String)
    /// The jump host refused or failed the direct-tcpip channel to a broker.
    case channelRejected(jumpHost: String, target: String, reason: String)
    case channelTimeout(jumpHost: String, target: String, seconds: Double)

    public var connectStage: ConnectStage {
        switch self {
        case .channelRejected, .channelTimeout: return .jumpHostConnect
        default: return .sshTunnel
        }
    }

    /// Failures that retrying cannot fix: they need the user (known_hosts, keys).
    public var isPermanent: Bool {
        switch self {
        case .hostKeyUnknown, .hostKeyChanged, .hostKeyRevoked, .authFailed: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .connect(let d, let detail):
            return "cannot reach SSH jump host \(d): \(detail)"
        case .hostKeyUnknown(let host, let type, let fp, let line, let file, let known):
            var s = "the SSH host key of \(host) is not in known_hosts (\(type) \(fp))"
            if !known.isEmpty { s += "; known_hosts lists it with \(known.joined(separator: ", ")) only" }
            s += ". If the fingerprint is right, add this line to \(file):\n  \(line)\nor run once with --ssh-accept-new"
            return s
        case .hostKeyChanged(let host, let type, let fp, let file, let line):
            return "REFUSED: the SSH host key of \(host) has CHANGED (now \(type) \(fp)); \(file) line \(line) holds another key. "
                + "Someone may be intercepting the connection, or the host was reinstalled: check with its administrator, "
                + "then remove the old line (ssh-keygen -R HOST). --ssh-accept-new never replaces a changed key"
        case .hostKeyRevoked(let host, let fp, let file, let line):
            return "REFUSED: the SSH host key of \(host) (\(fp)) is marked @revoked in \(file) line \(line)"
        case .authFailed(let d, let attempts):
            return "SSH authentication to \(d) failed; tried:\n" + attempts.map { "  - \($0)" }.joined(separator: "\n")
        case .handshake(let d, let detail):
            return "SSH handshake with \(d) failed: \(detail)"
        case .disconnected(let d, let detail):
            return "SSH connection to \(d) is down: \(detail)"
        case .channelRejected(let j, let target, let reason):
            return "the jump host \(j) could not open a connection to \(target): \(reason)"
        case .channelTimeout(let j, let target, let s):
            return "the jump host \(j) did not open a connection to \(target) within \(s) s"
        }
    }
}
