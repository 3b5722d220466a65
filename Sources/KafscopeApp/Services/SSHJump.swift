import ClusterModel
import Foundation
import KafkaClient
import KafscopeConfig
import SSHTunnel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's SSH tunnels, one per jump host: the cluster client, the tail client and the
/// Connect forwarders of a run share one SSH connection.
public enum SSHJump {
    private static let cache = TunnelCache()

    /// The tunnel for these settings (nil when no jump host is configured). Keys are loaded now, so
    /// passphrases are asked before any UI starts. With `ProxyJump` in ~/.ssh/config the tunnel runs
    /// over a channel of the previous hop's tunnel, hop after hop.
    public static func tunnel(for settings: KafscopeSettings,
                              environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SSHTunnel? {
        guard let s = settings.ssh else { return nil }
        return try cache.tunnel(for: s) { try makeChain(s, environment: environment) }
    }

    /// The hops to the jump host, first one first (the jump host itself last).
    public static func makeChain(_ s: SSHJumpSettings, environment env: [String: String]) throws -> [SSHTunnelConfig] {
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let localUser = env["USER"] ?? env["LOGNAME"] ?? "root"
        let file = s.sshConfigFile ?? "\(home)/.ssh/config"
        func lookUp(_ alias: String) throws -> OpenSSHHostConfig {
            do { return try OpenSSHConfig.resolve(alias, file: file, home: home, localUser: localUser) } catch {
                throw ConfigError(key: "ssh_config", "\(error)")
            }
        }
        let target = try lookUp(s.host)
        var hops: [SSHTunnelConfig] = []
        for hop in target.proxyJump {
            let d: (user: String?, host: String, port: Int?)
            do { d = try SSHJumpSettings.parseDestination(hop) } catch {
                throw ConfigError(key: "ssh_config", "ProxyJump of \(s.host) in \(file): \(error.message)")
            }
            var hs = SSHJumpSettings(host: d.host, port: d.port, user: d.user, knownHosts: s.knownHosts, agent: s.agent,
                                     passphraseEnv: s.passphraseEnv, acceptNewHostKey: s.acceptNewHostKey)
            hs.sshConfigFile = s.sshConfigFile
            // A hop without keys of its own logs in with the jump host's.
            let own = try lookUp(hop)
            if own.identityFiles.isEmpty { hs.identityFiles = s.identityFiles.isEmpty ? target.identityFiles : s.identityFiles }
            hops.append(makeConfig(hs, resolved: own, home: home, localUser: localUser, environment: env))
        }
        return hops + [makeConfig(s, resolved: target, home: home, localUser: localUser, environment: env)]
    }

    /// The context's settings over what ~/.ssh/config says for the host, over OpenSSH's defaults.
    static func makeConfig(_ s: SSHJumpSettings, resolved c: OpenSSHHostConfig, home: String, localUser: String,
                           environment env: [String: String]) -> SSHTunnelConfig {
        let user = s.user ?? c.user ?? localUser
        let knownHosts = s.knownHosts ?? c.userKnownHostsFile ?? "\(home)/.ssh/known_hosts"
        let passphraseEnv = s.passphraseEnv
        let keys = !s.identityFiles.isEmpty ? s.identityFiles : c.identityFiles
        return SSHTunnelConfig(
            host: c.hostName ?? s.host, port: s.port ?? c.port ?? 22, user: user,
            identityFiles: keys.isEmpty ? SSHTunnelConfig.defaultIdentityFiles(home: home) : keys,
            identityFilesExplicit: !keys.isEmpty,
            knownHostsFiles: [knownHosts], knownHostsWriteFile: knownHosts,
            useAgent: s.agent ?? true, agentSocket: env["SSH_AUTH_SOCK"], acceptNewHostKey: s.acceptNewHostKey,
            passphrase: { file in
                if let name = passphraseEnv { return env[name] }
                return PassphrasePrompt.ask("Passphrase for SSH key \(file): ")
            },
            // Per hop, as ssh does: each hop's own Host entry says how long reaching it may take.
            connectTimeout: c.connectTimeoutSeconds.map { .seconds($0) } ?? .seconds(15))
    }

    /// The SOCKS proxy the Connect and Schema Registry HTTP clients use when the context goes
    /// through a jump host (nil without one). The clients keep their URLs: names resolve on the
    /// jump host and https is verified against the URL's host name, end to end over the channel.
    /// The forwarder carries only the endpoints configured in `settings`.
    public static func socksProxy(_ settings: KafscopeSettings) throws -> HostAddress? {
        guard let tunnel = try tunnel(for: settings) else { return nil }
        let urls = settings.connect.map(\.url) + (settings.schemaRegistry.map { [$0.url] } ?? [])
        let targets = try Set(urls.map(httpTarget))
        return try cache.socksForwarder(tunnel: tunnel, allowing: targets).localAddress
    }

    /// Why the forwarder at `proxy` last failed to reach a host and port on the jump host's side
    /// ("connect failed on the jump host (Connection refused)"), for the HTTP clients' messages:
    /// the SOCKS reply they get carries only a code. nil without a forwarder there.
    public static func farSideFailure(through proxy: HostAddress?) -> (@Sendable (String, Int) -> String?)? {
        guard let proxy, let forwarder = cache.forwarder(at: proxy) else { return nil }
        return { host, port in forwarder.lastFailure(for: HostAddress(host: host, port: port)) }
    }

    /// `https://user@connect-qa:8443/base` -> connect-qa:8443 (80 and 443 by default).
    static func httpTarget(_ url: String) throws -> HostAddress {
        guard let schemeEnd = url.range(of: "://") else {
            throw CommandFailure("a Connect or Schema Registry URL must start with http:// or https://")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let rest = url[schemeEnd.upperBound...]
        var authority = String(rest[..<(rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex)])
        if let at = authority.lastIndex(of: "@") { authority = String(authority[authority.index(after: at)...]) }
        do {
            return try HostAddress.parse(authority, defaultPort: scheme == "https" ? 443 : 80)
        } catch {
            throw CommandFailure("\(scheme)://\(authority): \(error)")
        }
    }

    /// Reports the jump host going away and coming back (one line each; nothing without a jump host).
    /// Call before the first connection, so the first connect is not mistaken for a return.
    public static func narrate(_ settings: KafscopeSettings, _ emit: @escaping @Sendable (String) -> Void) {
        guard let tunnel = try? tunnel(for: settings) else { return }
        cache.narrator(for: tunnel).listen(emit)
    }

    /// The jump host's link as the TUI header shows it (nil without a jump host): the same
    /// narrator's state as the lines `narrate` reports.
    public static func link(_ settings: KafscopeSettings) -> (@Sendable () -> JumpHostLink)? {
        guard let tunnel = try? tunnel(for: settings) else { return nil }
        let narrator = cache.narrator(for: tunnel).narrator
        return { narrator.link }
    }

    /// "ops@bastion:2222" with the user and port the tunnel really uses (the header shows it).
    public static func destination(_ settings: KafscopeSettings) -> String? {
        (try? tunnel(for: settings))??.chainDescription
    }

    final class TunnelCache: @unchecked Sendable {
        private let lock = NSLock()
        private var tunnels: [SSHJumpSettings: SSHTunnel] = [:]
        private var forwarders: [ObjectIdentifier: SOCKSForwarder] = [:]
        private var narrators: [ObjectIdentifier: NarratorHub] = [:]

        /// One narrator per tunnel, listening from its first use, so every reader (the log, the
        /// header) sees the same story however often a context is switched back to.
        func narrator(for tunnel: SSHTunnel) -> NarratorHub {
            lock.lock(); defer { lock.unlock() }
            if let n = narrators[ObjectIdentifier(tunnel)] { return n }
            var up = false
            if case .connected = tunnel.status { up = true }
            let hub = NarratorHub(SSHStatusNarrator(destination: tunnel.config.destination, connected: up))
            tunnel.onStatusChange { status in hub.take(status) }
            narrators[ObjectIdentifier(tunnel)] = hub
            return hub
        }

        func tunnel(for s: SSHJumpSettings, make: () throws -> [SSHTunnelConfig]) throws -> SSHTunnel {
            lock.lock(); defer { lock.unlock() }
            if let t = tunnels[s] { return t }
            var via: SSHTunnel?
            for config in try make() { via = SSHTunnel(config: config, via: via) }
            tunnels[s] = via!
            return via!
        }

        func forwarder(at address: HostAddress) -> SOCKSForwarder? {
            lock.lock(); defer { lock.unlock() }
            return forwarders.values.first { $0.localAddress == address }
        }

        func socksForwarder(tunnel: SSHTunnel, allowing targets: Set<HostAddress>) throws -> SOCKSForwarder {
            lock.lock(); defer { lock.unlock() }
            if let f = forwarders[ObjectIdentifier(tunnel)] {
                f.allow(targets)
                return f
            }
            let f = try SOCKSForwarder.start(tunnel: tunnel, allowing: targets)
            forwarders[ObjectIdentifier(tunnel)] = f
            return f
        }
    }
}

/// A tunnel's narrator and whoever wants its lines (the CLI's stderr, the TUI's log).
final class NarratorHub: @unchecked Sendable {
    let narrator: SSHStatusNarrator
    private let lock = NSLock()
    private var listeners: [@Sendable (String) -> Void] = []

    init(_ narrator: SSHStatusNarrator) { self.narrator = narrator }

    func listen(_ emit: @escaping @Sendable (String) -> Void) { lock.withLock { listeners.append(emit) } }

    func take(_ status: SSHTunnelStatus) {
        guard let line = narrator.notice(for: status) else { return }
        for l in lock.withLock({ listeners }) { l(line) }
    }
}

/// Reads a passphrase from the controlling terminal with echo off; nil without a terminal.
enum PassphrasePrompt {
    static func ask(_ prompt: String) -> String? {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var old = termios()
        guard tcgetattr(fd, &old) == 0 else { return nil }
        var quiet = old
        quiet.c_lflag &= ~tcflag_t(ECHO)
        _ = prompt.withCString { write(fd, $0, strlen($0)) }
        tcsetattr(fd, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(fd, TCSAFLUSH, &old)
            _ = "\n".withCString { write(fd, $0, 1) }
        }
        var bytes: [UInt8] = []
        var c: UInt8 = 0
        while read(fd, &c, 1) == 1 {
            if c == 10 || c == 13 { break }
            bytes.append(c)
            if bytes.count > 4096 { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The SSH part of `kafscope doctor`.
public struct SSHDoctorHop: Sendable {
    public var ok: Bool
    public var destination: String
    public var info: SSHHopInfo?
    public var error: String?

    public var text: String {
        var lines: [String] = []
        if let info {
            lines.append("\("OK  ") ssh \(destination)")
            lines.append("     connect      \(DoctorReport.msText(info.connectMillis)) (TCP, key exchange and login)")
            lines.append("     host key     \(info.hostKey)")
            lines.append("     verified     \(info.hostKeyVerification)")
            lines.append("     auth         \(info.authentication)")
            lines.append("     brokers      reached through direct-tcpip channels; names resolve and aliases apply on the jump host")
        } else {
            lines.append("FAIL ssh \(destination)")
            for (i, l) in (error ?? "?").split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                lines.append((i == 0 ? "     error        " : "                  ") + l)
            }
        }
        return lines.joined(separator: "\n") + "\n\n"
    }

    /// The doctor JSON with an "ssh" object added (or alone when the hop failed).
    public func json(report: Data?) -> String {
        var object: [String: Any] = [:]
        if let report, let r = try? JSONSerialization.jsonObject(with: report) as? [String: Any] { object = r }
        var ssh: [String: Any] = ["destination": destination, "ok": ok]
        if let info {
            ssh["connect_millis"] = info.connectMillis
            ssh["host_key"] = info.hostKey
            ssh["host_key_verification"] = info.hostKeyVerification
            ssh["authentication"] = info.authentication
        }
        if let error { ssh["error"] = error }
        object["ssh"] = ssh
        if report == nil { object["ok"] = false }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

extension SSHJump {
    static func doctorHop(_ config: KafkaClientConfig) async -> SSHDoctorHop? {
        guard let tunnel = config.transport?.transport as? SSHTunnel else { return nil }
        do {
            let info = try await tunnel.connect()
            return SSHDoctorHop(ok: true, destination: tunnel.chainDescription, info: info)
        } catch {
            return SSHDoctorHop(ok: false, destination: tunnel.chainDescription, error: "\(error)")
        }
    }
}

extension DoctorReport {
    static func msText(_ v: Double) -> String { "\((v * 10).rounded() / 10) ms" }
}
