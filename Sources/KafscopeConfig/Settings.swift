@_exported import ConnectionSecurity

/// Kafka's `security.protocol` values.
public enum SecurityProtocol: String, Sendable, Hashable, CaseIterable {
    case plaintext = "PLAINTEXT"
    case ssl = "SSL"
    case saslPlaintext = "SASL_PLAINTEXT"
    case saslSSL = "SASL_SSL"

    public init?(name: String) {
        guard let p = SecurityProtocol(rawValue: name.trimmed.uppercased()) else { return nil }
        self = p
    }

    public var usesTLS: Bool { self == .ssl || self == .saslSSL }
    public var usesSASL: Bool { self == .saslPlaintext || self == .saslSSL }
}

extension SASLMechanism {
    static let unsupportedExplanations: [String: String] = [
        "GSSAPI": "Kerberos (GSSAPI) is not supported; use PLAIN or SCRAM-SHA-256/512",
        "OAUTHBEARER": "OAUTHBEARER is not supported; use PLAIN or SCRAM-SHA-256/512",
        "AWS_MSK_IAM": "AWS_MSK_IAM is not supported; use SCRAM-SHA-512 (MSK supports it)",
    ]

    /// Parses a mechanism, explaining the ones kafscope cannot do.
    static func parse(_ name: String) throws(AddressError) -> SASLMechanism {
        if let m = SASLMechanism(name: name) { return m }
        if let why = unsupportedExplanations[name.trimmed.uppercased()] { throw AddressError(why) }
        throw AddressError("unknown SASL mechanism '\(name)'; expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
    }
}

/// How to reach the brokers: protocol plus the SASL and TLS details it needs.
public struct SecuritySettings: Sendable, Hashable {
    public var securityProtocol: SecurityProtocol
    /// Set exactly when the protocol uses SASL.
    public var sasl: SASLSettings?
    /// Set exactly when the protocol uses TLS.
    public var tls: TLSSettings?
    /// Where these settings came from ("--command-config client.properties", "config.toml context demo").
    public var origin: String

    public init(securityProtocol: SecurityProtocol = .plaintext, sasl: SASLSettings? = nil, tls: TLSSettings? = nil,
                origin: String = "default") {
        self.securityProtocol = securityProtocol
        self.sasl = sasl
        self.tls = tls
        self.origin = origin
    }

    public static let plaintext = SecuritySettings()
}

/// One Kafka Connect cluster: a name (QA, DEV ...), its REST URL and optional auth.
public struct ConnectClusterSettings: Sendable, Hashable {
    public var name: String
    /// Without user info; credentials live in username/password only.
    public var url: String
    public var username: String?
    public var password: Secret?
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    public var insecureSkipVerify: Bool
    /// Per-request timeout for this cluster (nil: the client's default); a far or busy worker needs more.
    public var timeoutSeconds: Double?

    public init(name: String, url: String, username: String? = nil, password: Secret? = nil,
                caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil,
                insecureSkipVerify: Bool = false, timeoutSeconds: Double? = nil) {
        self.name = name
        self.url = url
        self.username = username
        self.password = password
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.insecureSkipVerify = insecureSkipVerify
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Client timeouts from `--command-config` (nil: kafscope's defaults).
public struct ClientTimeouts: Sendable, Hashable {
    public var requestSeconds: Double?
    public var connectSeconds: Double?

    public init(requestSeconds: Double? = nil, connectSeconds: Double? = nil) {
        self.requestSeconds = requestSeconds
        self.connectSeconds = connectSeconds
    }
}

/// Everything the app needs, after merging command line over context over file defaults.
public struct KafscopeSettings: Sendable, Hashable {
    /// The context used, nil when none (only command-line options).
    public var contextName: String?
    /// Names of every context in the config file, for `:ctx` and messages.
    public var availableContexts: [String]
    /// The config file read, nil when none was.
    public var configFile: String?
    /// Empty when nothing says where the brokers are (Connect-only commands still work).
    public var bootstrap: [HostAddress]
    /// In precedence order; a later alias for the same advertised key replaces an earlier one.
    public var aliases: [HostAlias]
    public var security: SecuritySettings
    public var connect: [ConnectClusterSettings]
    /// Bare `--connect NAME` values (no `://`): restrict Connect work to these configured clusters.
    public var connectSelectors: [String]
    /// Groups to look up when the broker cannot list groups (e.g. ListGroups not authorized).
    public var knownGroups: [String]
    public var readOnly: Bool
    public var theme: String
    public var refreshSeconds: Double
    /// Things the user should see once (e.g. TLS hostname verification is off), never secrets.
    public var warnings: [String]
    /// Kafka client timeouts (`request.timeout.ms`, `socket.connection.setup.timeout.ms`).
    public var timeouts: ClientTimeouts = ClientTimeouts()
    /// The SSH jump host every broker and Connect connection goes through (nil: direct).
    public var ssh: SSHJumpSettings?
    /// The context's lag status thresholds (unset fields: the defaults).
    public var lagThresholds = LagThresholds()
    /// The context's Schema Registry (`--schema-registry` overrides its URL in KafscopeApp).
    public var schemaRegistry: SchemaRegistrySettings? = nil

    public init(contextName: String? = nil, availableContexts: [String] = [], configFile: String? = nil,
                bootstrap: [HostAddress] = [], aliases: [HostAlias] = [], security: SecuritySettings = .plaintext,
                connect: [ConnectClusterSettings] = [], connectSelectors: [String] = [], knownGroups: [String] = [], readOnly: Bool = false,
                theme: String = "default", refreshSeconds: Double = 5, warnings: [String] = []) {
        self.contextName = contextName
        self.availableContexts = availableContexts
        self.configFile = configFile
        self.bootstrap = bootstrap
        self.aliases = aliases
        self.security = security
        self.connect = connect
        self.connectSelectors = connectSelectors
        self.knownGroups = knownGroups
        self.readOnly = readOnly
        self.theme = theme
        self.refreshSeconds = refreshSeconds
        self.warnings = warnings
    }

    /// The bootstrap list, or a message saying how to give one.
    public func requireBootstrap() throws(ConfigError) -> [HostAddress] {
        if !bootstrap.isEmpty { return bootstrap }
        var hint = "no Kafka brokers given: pass -b HOST:PORT, set bootstrap.servers in --command-config, "
        hint += "or add a context with `bootstrap` to \(configFile ?? SettingsResolver.defaultConfigPathHint)"
        throw ConfigError(hint)
    }

    /// The Connect clusters to work on (all, or the selected ones), or a message saying how to configure one.
    public func requireConnect() throws(ConfigError) -> [ConnectClusterSettings] {
        if !connect.isEmpty {
            if connectSelectors.isEmpty { return connect }
            var out: [ConnectClusterSettings] = []
            for name in connectSelectors {
                guard let c = connect.first(where: { $0.name == name }) else {
                    throw ConfigError(key: "--connect", "no Connect cluster named \(name); configured: "
                        + connect.map(\.name).joined(separator: ", "))
                }
                if !out.contains(c) { out.append(c) }
            }
            return out
        }
        throw ConfigError("no Kafka Connect cluster given: pass --connect NAME=URL or add [contexts.NAME.connect] to "
            + (configFile ?? SettingsResolver.defaultConfigPathHint))
    }
}
