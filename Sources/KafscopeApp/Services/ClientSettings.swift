import ArgumentParser
import Foundation
import KafkaClient
import KafscopeConfig

/// Resolved settings (config file, context, --command-config, -b, --alias) -> a KafkaClient config.
/// Passwords move from Secret to Secret without ever becoming plain Strings in between.
public enum KafkaClientSettings {
    public static func clientConfig(from s: KafscopeSettings) throws -> KafkaClientConfig {
        guard !s.bootstrap.isEmpty else {
            throw ValidationError("no bootstrap brokers: pass -b HOST:PORT, --command-config FILE with bootstrap.servers, or a context")
        }
        var aliases = HostAliasMap()
        for a in s.aliases {
            do { try aliases.add(a.description) } catch { throw ValidationError("--alias \(a): \(error)") }
        }
        var tls: TLSSettings?
        if s.security.securityProtocol.usesTLS {
            let f = s.security.tls ?? TLSSettings()
            try checkPEMFiles(f, origin: s.security.origin)
            tls = f
        }
        var sasl: SASLSettings?
        if s.security.securityProtocol.usesSASL {
            guard let c = s.security.sasl else {
                throw ValidationError("\(s.security.securityProtocol.rawValue) needs SASL credentials (sasl.mechanism, sasl.jaas.config)")
            }
            sasl = c
        }
        var config = KafkaClientConfig(bootstrap: s.bootstrap,
                                       aliases: aliases, tls: tls, sasl: sasl)
        if let t = s.timeouts.requestSeconds { config.requestTimeout = .milliseconds(Int64(t * 1000)) }
        if let t = s.timeouts.connectSeconds { config.connectTimeout = .milliseconds(Int64(t * 1000)) }
        if let tunnel = try SSHJump.tunnel(for: s) { config.transport = BrokerTransportRef(tunnel) }
        return config
    }

    /// A missing or wrong TLS file is a configuration error (exit status 2) found before dialling,
    /// named with the file and where it was configured; the file's content is never shown.
    static func checkPEMFiles(_ f: TLSSettings, origin: String) throws {
        let files: [(String?, String, String)] = [
            (f.caFile, "CA file", "CERTIFICATE-----"),
            (f.certificateFile, "client certificate", "CERTIFICATE-----"),
            (f.keyFile, "client key", "PRIVATE KEY-----"),
        ]
        for case let (path?, what, marker) in files {
            let text: String
            do { text = try TextFile.read(path) } catch {
                throw ConfigError("TLS \(what) \(path) (\(origin)): \(SettingsResolver.describeIOError(error))")
            }
            guard text.contains("-----BEGIN ") && text.contains(marker) else {
                throw ConfigError("TLS \(what) \(path) (\(origin)) holds no PEM \(marker == "CERTIFICATE-----" ? "certificate" : "private key"); "
                    + "kafscope reads PEM files only (convert JKS/PKCS12 with keytool or openssl)")
            }
        }
    }

    /// GlobalOptions -> resolved settings -> client config.
    public static func clientConfig(from global: GlobalOptions) throws -> (KafkaClientConfig, KafscopeSettings) {
        let overrides = global.overrides
        let settings: KafscopeSettings
        do { settings = try SettingsResolver.resolve(overrides) } catch { throw ValidationError("\(error)") }
        return (try clientConfig(from: settings), settings)
    }
}
