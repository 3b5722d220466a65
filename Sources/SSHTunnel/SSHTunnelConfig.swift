import Foundation

/// Where the jump host is and how to trust it and log in. Built by the app from `--ssh` and the
/// context's `[contexts.NAME.ssh]` table.
public struct SSHTunnelConfig: Sendable {
    public var host: String
    public var port: Int
    public var user: String
    /// Key files to try, in order. When none was configured, the OpenSSH defaults that exist.
    public var identityFiles: [String]
    /// Whether `identityFiles` came from the user (a missing file is then an error, not skipped).
    public var identityFilesExplicit: Bool
    public var knownHostsFiles: [String]
    /// Where `--ssh-accept-new` writes a new host key.
    public var knownHostsWriteFile: String
    public var useAgent: Bool
    public var agentSocket: String?
    /// StrictHostKeyChecking=accept-new: record an unknown host key; a changed key is still refused.
    public var acceptNewHostKey: Bool
    /// Asked once per passphrase-protected key file, before any connection (nil: none available).
    public var passphrase: @Sendable (_ keyFile: String) -> String?
    public var connectTimeout: Duration
    public var keepaliveInterval: Duration
    /// Unanswered keepalives before the connection is declared dead and re-established.
    public var keepaliveMaxMissed: Int
    public var maxReconnectBackoff: Duration

    public init(host: String, port: Int = 22, user: String, identityFiles: [String] = [],
                identityFilesExplicit: Bool = false, knownHostsFiles: [String], knownHostsWriteFile: String? = nil,
                useAgent: Bool = true, agentSocket: String? = nil, acceptNewHostKey: Bool = false,
                passphrase: @escaping @Sendable (String) -> String? = { _ in nil },
                connectTimeout: Duration = .seconds(15), keepaliveInterval: Duration = .seconds(15),
                keepaliveMaxMissed: Int = 3, maxReconnectBackoff: Duration = .seconds(30)) {
        self.host = host
        self.port = port
        self.user = user
        self.identityFiles = identityFiles
        self.identityFilesExplicit = identityFilesExplicit
        self.knownHostsFiles = knownHostsFiles
        self.knownHostsWriteFile = knownHostsWriteFile ?? knownHostsFiles.first ?? "~/.ssh/known_hosts"
        self.useAgent = useAgent
        self.agentSocket = agentSocket
        self.acceptNewHostKey = acceptNewHostKey
        self.passphrase = passphrase
        self.connectTimeout = connectTimeout
        self.keepaliveInterval = keepaliveInterval
        self.keepaliveMaxMissed = keepaliveMaxMissed
        self.maxReconnectBackoff = maxReconnectBackoff
    }

    /// "ops@bastion:2222" (port omitted when 22).
    public var destination: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(user)@\(h)" + (port == 22 ? "" : ":\(port)")
    }

    /// The key files OpenSSH tries by default, in its order.
    public static func defaultIdentityFiles(home: String) -> [String] {
        ["id_ed25519", "id_ecdsa", "id_rsa"].map { "\(home)/.ssh/\($0)" }
    }
}
