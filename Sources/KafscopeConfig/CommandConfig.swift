import ConnectionSecurity
import Foundation

/// What a Kafka client `.properties` file (`--command-config`) says, mapped to kafscope settings.
public struct CommandConfig: Sendable, Hashable {
    public var bootstrap: [HostAddress]?
    public var security: SecuritySettings
    /// Settings read but ignored, and visible security downgrades.
    public var warnings: [String]
    /// `request.timeout.ms` and `socket.connection.setup.timeout.ms`, in seconds.
    public var timeouts: ClientTimeouts

    public init(bootstrap: [HostAddress]? = nil, security: SecuritySettings, warnings: [String] = [],
                timeouts: ClientTimeouts = ClientTimeouts()) {
        self.bootstrap = bootstrap
        self.security = security
        self.warnings = warnings
        self.timeouts = timeouts
    }

    /// Keys that do not change how kafscope connects; accepted silently.
    static let harmlessKeys: Set<String> = [
        "client.id", "default.api.timeout.ms", "retries", "retry.backoff.ms",
        "metadata.max.age.ms", "connections.max.idle.ms", "group.id", "auto.offset.reset",
        "key.deserializer", "value.deserializer", "enable.auto.commit", "ssl.truststore.password",
        "ssl.protocol", "ssl.enabled.protocols", "client.dns.lookup",
        "socket.connection.setup.timeout.max.ms", "reconnect.backoff.ms", "reconnect.backoff.max.ms",
        "sasl.login.refresh.window.factor", "sasl.login.refresh.buffer.seconds",
    ]

    /// Maps the properties; errors name the file, line and key.
    public static func from(_ props: JavaProperties, file: String) throws(ConfigError) -> CommandConfig {
        func fail(_ key: String, _ message: String) -> ConfigError {
            ConfigError(file: file, line: props.entry(key)?.line, key: key, message)
        }
        func nonEmpty(_ key: String) -> String? {
            guard let v = props.value(for: key)?.trimmed, !v.isEmpty else { return nil }
            return v
        }
        var warnings: [String] = []

        // Timeouts a slow or far cluster needs raised (kafscope's defaults: 30 s and 10 s).
        var timeouts = ClientTimeouts()
        func millis(_ key: String) throws(ConfigError) -> Double? {
            guard let v = nonEmpty(key) else { return nil }
            guard let ms = Int(v), ms > 0, ms <= 3_600_000 else {
                throw fail(key, "expected milliseconds from 1 to 3600000, found '\(v)'")
            }
            return Double(ms) / 1000
        }
        timeouts.requestSeconds = try millis("request.timeout.ms")
        timeouts.connectSeconds = try millis("socket.connection.setup.timeout.ms")

        var bootstrap: [HostAddress]?
        if let b = props.value(for: "bootstrap.servers") {
            do { bootstrap = try HostAddress.parseConfiguredList(b) } catch {
                throw fail("bootstrap.servers", "\(error.message) (expected host:port[,host:port...])")
            }
        }

        var proto = SecurityProtocol.plaintext
        if let p = props.value(for: "security.protocol") {
            guard let parsed = SecurityProtocol(name: p) else {
                throw fail("security.protocol", "unknown protocol '\(p)'; expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL")
            }
            proto = parsed
        }

        // SASL
        var sasl: SASLSettings?
        if proto.usesSASL {
            let mechName = props.value(for: "sasl.mechanism") ?? "GSSAPI"  // Kafka's default
            let mechanism: SASLMechanism
            do { mechanism = try SASLMechanism.parse(mechName) } catch {
                let hint = props.value(for: "sasl.mechanism") == nil ? " (sasl.mechanism is not set; Kafka then uses GSSAPI)" : ""
                throw fail("sasl.mechanism", error.message + hint)
            }
            guard let jaasText = props.value(for: "sasl.jaas.config") else {
                throw fail("sasl.jaas.config", "missing; \(proto.rawValue) with \(mechanism.rawValue) needs "
                    + "sasl.jaas.config=...\(mechanism == .plain ? "PlainLoginModule" : "ScramLoginModule") required username=\"...\" password=\"...\";")
            }
            let entries: [JAASEntry]
            do { entries = try JAASEntry.parse(jaasText) } catch {
                throw fail("sasl.jaas.config", error.message)
            }
            let entry = entries[0]
            let module = entry.loginModule.split(separator: ".").last.map(String.init) ?? entry.loginModule
            switch module {
            case "PlainLoginModule":
                guard mechanism == .plain else {
                    throw fail("sasl.jaas.config", "PlainLoginModule does not match sasl.mechanism=\(mechanism.rawValue); use ScramLoginModule")
                }
            case "ScramLoginModule":
                guard mechanism != .plain else {
                    throw fail("sasl.jaas.config", "ScramLoginModule does not match sasl.mechanism=PLAIN; use PlainLoginModule")
                }
            case "Krb5LoginModule":
                throw fail("sasl.jaas.config", "Kerberos (Krb5LoginModule) is not supported; use PLAIN or SCRAM credentials")
            case "OAuthBearerLoginModule":
                throw fail("sasl.jaas.config", "OAUTHBEARER (OAuthBearerLoginModule) is not supported; use PLAIN or SCRAM credentials")
            default:
                // A class name is safe to repeat; any other first word may be a misplaced password.
                let looksLikeClass = module.hasSuffix("LoginModule") && entry.loginModule.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "$" }
                throw fail("sasl.jaas.config", "login module \(looksLikeClass ? entry.loginModule : "(first word of the value)") is not supported; use PlainLoginModule or ScramLoginModule")
            }
            guard let user = entry.options["username"], !user.isEmpty else {
                throw fail("sasl.jaas.config", "\(module) needs username=\"...\"")
            }
            guard let pass = entry.options["password"] else {
                throw fail("sasl.jaas.config", "\(module) needs password=\"...\"")
            }
            sasl = SASLSettings(mechanism: mechanism, username: user, password: Secret(pass))
        } else if props.value(for: "sasl.jaas.config") != nil || props.value(for: "sasl.mechanism") != nil {
            warnings.append("\(file): sasl.* settings are ignored because security.protocol is \(proto.rawValue)")
        }

        // TLS
        var tls: TLSSettings?
        let sslKeys = props.entries.map(\.key).filter { $0.hasPrefix("ssl.") }
        if proto.usesTLS {
            var t = TLSSettings()
            let truststoreType = props.value(for: "ssl.truststore.type")?.trimmed.uppercased()
            if let tt = truststoreType, tt != "PEM" {
                throw fail("ssl.truststore.type", "\(tt) truststores are not supported; convert to PEM "
                    + "(keytool -exportcert -rfc ...) and set ssl.truststore.type=PEM")
            }
            if nonEmpty("ssl.truststore.certificates") != nil {
                throw fail("ssl.truststore.certificates", "inline PEM is not supported; save it to a file and set "
                    + "ssl.truststore.type=PEM and ssl.truststore.location=FILE")
            }
            if let loc = nonEmpty("ssl.truststore.location") {
                if truststoreType == nil, Self.looksLikeJavaStore(loc) {
                    throw fail("ssl.truststore.location", "JKS/PKCS12 truststores are not supported (ssl.truststore.type "
                        + "defaults to JKS); convert to PEM and set ssl.truststore.type=PEM")
                }
                t.caFile = loc
            }
            if let ca = nonEmpty("ssl.ca.location") { t.caFile = ca }

            let keystoreType = props.value(for: "ssl.keystore.type")?.trimmed.uppercased()
            if let kt = keystoreType, kt != "PEM" {
                throw fail("ssl.keystore.type", "\(kt) keystores are not supported; convert to PEM "
                    + "(openssl pkcs12 -nodes ...) and set ssl.keystore.type=PEM")
            }
            if nonEmpty("ssl.keystore.key") != nil || nonEmpty("ssl.keystore.certificate.chain") != nil {
                throw fail(nonEmpty("ssl.keystore.key") != nil ? "ssl.keystore.key" : "ssl.keystore.certificate.chain",
                    "inline PEM is not supported; save certificate and key to a file and set ssl.keystore.location")
            }
            if let loc = nonEmpty("ssl.keystore.location") {
                if keystoreType == nil, Self.looksLikeJavaStore(loc) {
                    throw fail("ssl.keystore.location", "JKS/PKCS12 keystores are not supported (ssl.keystore.type "
                        + "defaults to JKS); convert to PEM and set ssl.keystore.type=PEM")
                }
                // A PEM keystore holds the certificate chain and the private key in one file.
                t.certificateFile = loc
                t.keyFile = loc
            }
            if let c = nonEmpty("ssl.certificate.location") { t.certificateFile = c }
            if let k = nonEmpty("ssl.key.location") { t.keyFile = k }
            if (t.certificateFile == nil) != (t.keyFile == nil) {
                throw fail(t.certificateFile == nil ? "ssl.key.location" : "ssl.certificate.location",
                    "a client certificate needs both ssl.certificate.location and ssl.key.location")
            }
            if let kp = props.value(for: "ssl.key.password") ?? props.value(for: "ssl.keystore.password"), !kp.isEmpty {
                t.keyPassword = Secret(kp)
            }
            if let alg = props.value(for: "ssl.endpoint.identification.algorithm") {
                switch alg.trimmed.lowercased() {
                case "": t.verifyHostname = false
                    warnings.append("TLS hostname verification is OFF (ssl.endpoint.identification.algorithm is empty in \(file))")
                case "https": t.verifyHostname = true
                default:
                    throw fail("ssl.endpoint.identification.algorithm", "expected 'https' or empty, found '\(alg)'")
                }
            }
            tls = t
        } else if !sslKeys.isEmpty, sslKeys.contains(where: { $0 != "ssl.endpoint.identification.algorithm" }) {
            warnings.append("\(file): ssl.* settings are ignored because security.protocol is \(proto.rawValue)")
        }
        if proto == .saslPlaintext, sasl?.mechanism == .plain {
            warnings.append("SASL PLAIN over SASL_PLAINTEXT sends the password unencrypted (\(file))")
        }
        return CommandConfig(bootstrap: bootstrap,
                             security: SecuritySettings(securityProtocol: proto, sasl: sasl, tls: tls,
                                                        origin: "--command-config \(file)"),
                             warnings: warnings, timeouts: timeouts)
    }

    static func looksLikeJavaStore(_ path: String) -> Bool {
        let lower = path.lowercased()
        return [".jks", ".p12", ".pfx", ".keystore", ".truststore", ".bcfks"].contains { lower.hasSuffix($0) }
    }

    /// Reads and maps a properties file.
    public static func load(path: String, readFile: (String) throws -> String) throws(ConfigError) -> CommandConfig {
        let text: String
        do { text = try readFile(path) } catch {
            throw ConfigError(file: path, "cannot read the command config file: \(SettingsResolver.describeIOError(error))")
        }
        return try from(JavaProperties.parse(text, file: path), file: path)
    }
}
