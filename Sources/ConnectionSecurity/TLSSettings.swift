/// TLS for SSL and SASL_SSL listeners, as configured and as the client uses it (one type for both).
/// Certificates and keys are PEM files.
public struct TLSSettings: Sendable, Hashable {
    /// CA bundle; nil = the system trust store.
    public var caFile: String?
    /// Client certificate chain and key for mutual TLS (both or neither).
    public var certificateFile: String?
    public var keyFile: String?
    public var keyPassword: Secret?
    /// Check the broker certificate against the advertised host name. Turn off only from an
    /// explicit, visible option (ssl.endpoint.identification.algorithm= empty).
    public var verifyHostname: Bool
    /// Accept any certificate (no chain validation). Never a default.
    public var insecureSkipVerify: Bool

    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil,
                keyPassword: Secret? = nil, verifyHostname: Bool = true, insecureSkipVerify: Bool = false) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.keyPassword = keyPassword
        self.verifyHostname = verifyHostname
        self.insecureSkipVerify = insecureSkipVerify
    }
}
