@_exported import ConnectionSecurity

/// Everything needed to reach one cluster.
public struct KafkaClientConfig: Sendable, Hashable {
    public var bootstrap: [HostAddress]
    public var aliases: HostAliasMap
    /// nil = plaintext (PLAINTEXT or SASL_PLAINTEXT).
    public var tls: TLSSettings?
    /// nil = no authentication.
    public var sasl: SASLSettings?
    public var clientId: String
    public var connectTimeout: Duration
    public var requestTimeout: Duration
    /// Largest response frame accepted; a bigger size prefix closes the connection.
    public var maxFrameBytes: Int
    /// Cap on any array count a broker sends is enforced by the codecs; this caps reconnect waits.
    public var maxReconnectBackoff: Duration
    /// Metadata older than this is refreshed on the next use.
    public var metadataMaxAge: Duration
    /// nil = dial brokers directly; else every connection goes through it (SSH jump host).
    public var transport: BrokerTransportRef? = nil

    public init(bootstrap: [HostAddress], aliases: HostAliasMap = HostAliasMap(), tls: TLSSettings? = nil,
                sasl: SASLSettings? = nil, clientId: String = "kafscope", connectTimeout: Duration = .seconds(10),
                requestTimeout: Duration = .seconds(30), maxFrameBytes: Int = 100 * 1024 * 1024,
                maxReconnectBackoff: Duration = .seconds(10), metadataMaxAge: Duration = .seconds(30)) {
        self.bootstrap = bootstrap
        self.aliases = aliases
        self.tls = tls
        self.sasl = sasl
        self.clientId = clientId
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxFrameBytes = maxFrameBytes
        self.maxReconnectBackoff = maxReconnectBackoff
        self.metadataMaxAge = metadataMaxAge
    }

    /// Kafka's security.protocol name for these settings.
    public var securityProtocol: String {
        switch (tls != nil, sasl != nil) {
        case (false, false): return "PLAINTEXT"
        case (true, false): return "SSL"
        case (false, true): return "SASL_PLAINTEXT"
        case (true, true): return "SASL_SSL"
        }
    }
}
