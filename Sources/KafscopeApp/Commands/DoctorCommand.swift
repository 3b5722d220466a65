import ArgumentParser
import Foundation
import KafkaClient
import KafscopeConfig

/// Resolved settings (config file, context, --command-config, -b, --alias) -> a KafkaClient config.
/// Passwords move from SecretText to Secret without ever becoming plain Strings in between.
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
            let f = s.security.tls ?? TLSFiles()
            try checkPEMFiles(f, origin: s.security.origin)
            tls = TLSSettings(caFile: f.caFile, certificateFile: f.certFile, keyFile: f.keyFile,
                              keyPassword: f.keyPassword.map { Secret($0.reveal()) },
                              verifyHostname: f.verifyHostname, insecureSkipVerify: f.insecureSkipVerify)
        }
        var sasl: SASLSettings?
        if s.security.securityProtocol.usesSASL {
            guard let c = s.security.sasl else {
                throw ValidationError("\(s.security.securityProtocol.rawValue) needs SASL credentials (sasl.mechanism, sasl.jaas.config)")
            }
            guard let m = SASLMechanism(name: c.mechanism.rawValue) else {
                throw ValidationError("unsupported SASL mechanism \(c.mechanism.rawValue)")
            }
            sasl = SASLSettings(mechanism: m, username: c.username, password: Secret(c.password.reveal()))
        }
        var config = KafkaClientConfig(bootstrap: s.bootstrap.map { HostAddress(host: $0.host, port: $0.port) },
                                       aliases: aliases, tls: tls, sasl: sasl)
        if let t = s.timeouts.requestSeconds { config.requestTimeout = .milliseconds(Int64(t * 1000)) }
        if let t = s.timeouts.connectSeconds { config.connectTimeout = .milliseconds(Int64(t * 1000)) }
        if let tunnel = SSHJump.tunnel(for: s) { config.transport = BrokerTransportRef(tunnel) }
        return config
    }

    /// A missing or wrong TLS file is a configuration error (exit status 2) found before dialling,
    /// named with the file and where it was configured; the file's content is never shown.
    static func checkPEMFiles(_ f: TLSFiles, origin: String) throws {
        let files: [(String?, String, String)] = [
            (f.caFile, "CA file", "CERTIFICATE-----"),
            (f.certFile, "client certificate", "CERTIFICATE-----"),
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

/// `kafscope doctor`: per broker, the advertised and dialled address, DNS, TCP connect time, TLS
/// certificate, SASL outcome, ApiVersions range, and a fix (the exact --alias) for each failure.
public struct DoctorCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check DNS, TCP, TLS, SASL and ApiVersions for every bootstrap address and broker.",
        discussion: "Exits 1 when any check fails; each failure names the stage and suggests a fix (e.g. --alias NAME=ADDR).")

    @OptionGroup public var global: GlobalOptions

    public init() {}

    public func run() async throws {
        let output = global.output.lowercased()
        guard output == "table" || output == "json" || output == "text" else {
            throw ValidationError("-o must be table or json, not \(global.output)")
        }
        let (config, settings) = try KafkaClientSettings.clientConfig(from: global)
        // The SSH hop first: connect time, host key and how it was verified, the login that worked.
        let hop = await SSHJump.doctorHop(config)
        if let hop, !hop.ok {
            if output == "json" {
                AppEnvironment.console.out(hop.json(report: nil))
            } else {
                AppEnvironment.console.out(TextTable.cleanLines(hop.text))
            }
            throw ExitCode(1)
        }
        var report = await Doctor.run(config: config)
        // The settings already warn about PLAIN over plaintext, naming the file: once is enough.
        let plainWarned = settings.warnings.contains { $0.hasPrefix("SASL PLAIN over") }
        report.warnings = settings.warnings + report.warnings.filter { !(plainWarned && $0.hasPrefix("SASL PLAIN over")) }
        if output == "json" {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            enc.keyEncodingStrategy = .convertToSnakeCase
            let data = try enc.encode(report)
            if let hop {
                AppEnvironment.console.out(hop.json(report: data))
            } else {
                AppEnvironment.console.out(String(decoding: data, as: UTF8.self) + "\n")
            }
        } else {
            // Advertised names and broker messages are the broker's: no control characters to the terminal.
            AppEnvironment.console.out(TextTable.cleanLines((hop?.text ?? "") + report.renderText()))
        }
        if !report.ok { throw ExitCode(1) }
    }
}
