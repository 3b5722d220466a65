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
    /// passphrases are asked before any UI starts.
    public static func tunnel(for settings: KafscopeSettings,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> SSHTunnel? {
        guard let s = settings.ssh else { return nil }
        return cache.tunnel(for: s) { makeConfig(s, environment: environment) }
    }

    public static func makeConfig(_ s: SSHJumpSettings, environment env: [String: String]) -> SSHTunnelConfig {
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let user = s.user ?? env["USER"] ?? env["LOGNAME"] ?? "root"
        let knownHosts = s.knownHosts ?? "\(home)/.ssh/known_hosts"
        let passphraseEnv = s.passphraseEnv
        return SSHTunnelConfig(
            host: s.host, port: s.port ?? 22, user: user,
            identityFiles: s.identityFiles.isEmpty ? SSHTunnelConfig.defaultIdentityFiles(home: home) : s.identityFiles,
            identityFilesExplicit: !s.identityFiles.isEmpty,
            knownHostsFiles: [knownHosts], knownHostsWriteFile: knownHosts,
            useAgent: s.agent ?? true, agentSocket: env["SSH_AUTH_SOCK"], acceptNewHostKey: s.acceptNewHostKey,
            passphrase: { file in
                if let name = passphraseEnv { return env[name] }
                return PassphrasePrompt.ask("Passphrase for SSH key \(file): ")
            })
    }

    /// The HTTP URL to use for a Connect (or Schema Registry) URL: through a loopback forwarder
    /// over the tunnel when there is one, else unchanged. TLS endpoints keep their name only in SNI
    /// of the original URL, so https through the tunnel is refused with a message.
    public static func forwardedURL(_ url: String, tunnel: SSHTunnel) throws -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        var rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" }) ?? rest.endIndex
        var authority = String(rest[..<authorityEnd])
        let path = String(rest[authorityEnd...])
        rest = ""
        var userinfo = ""
        if let at = authority.lastIndex(of: "@") {
            userinfo = String(authority[...at])
            authority = String(authority[authority.index(after: at)...])
        }
        guard scheme == "http" else {
            throw CommandFailure("\(scheme):// Connect or Schema Registry endpoints cannot go through the SSH jump host yet (TLS names); use http:// or run kafscope on the jump host")
        }
        let target = try HostAddress.parse(authority, defaultPort: 80)
        let forwarder = try cache.forwarder(tunnel: tunnel, target: target)
        return "http://\(userinfo)\(forwarder.localAddress)\(path)"
    }

    /// Reports the jump host going away and coming back (one line each; nothing without a jump host).
    /// Call before the first connection, so the first connect is not mistaken for a return.
    public static func narrate(_ settings: KafscopeSettings, _ emit: @escaping @Sendable (String) -> Void) {
        guard let tunnel = tunnel(for: settings) else { return }
        var up = false
        if case .connected = tunnel.status { up = true }
        let narrator = SSHStatusNarrator(destination: tunnel.config.destination, connected: up)
        tunnel.onStatusChange { status in
            if let line = narrator.notice(for: status) { emit(line) }
        }
    }

    /// "ops@bastion:2222" with the user and port the tunnel really uses (the header shows it).
    public static func destination(_ settings: KafscopeSettings) -> String? {
        tunnel(for: settings)?.config.destination
    }

    /// Points every Connect cluster at a loopback forwarder through the tunnel (no-op without one).
    public static func routeConnect(_ settings: inout KafscopeSettings) throws {
        guard let tunnel = tunnel(for: settings) else { return }
        for i in settings.connect.indices {
            settings.connect[i].url = try forwardedURL(settings.connect[i].url, tunnel: tunnel)
        }
        if let url = settings.schemaRegistry?.url {
            settings.schemaRegistry?.url = try forwardedURL(url, tunnel: tunnel)
        }
    }

    final class TunnelCache: @unchecked Sendable {
        private let lock = NSLock()
        private var tunnels: [SSHJumpSettings: SSHTunnel] = [:]
        private var forwarders: [String: LoopbackForwarder] = [:]

        func tunnel(for s: SSHJumpSettings, make: () -> SSHTunnelConfig) -> SSHTunnel {
            lock.lock(); defer { lock.unlock() }
            if let t = tunnels[s] { return t }
            let t = SSHTunnel(config: make())
            tunnels[s] = t
            return t
        }

        func forwarder(tunnel: SSHTunnel, target: HostAddress) throws -> LoopbackForwarder {
            let key = "\(ObjectIdentifier(tunnel).hashValue) \(target)"
            lock.lock(); defer { lock.unlock() }
            if let f = forwarders[key] { return f }
            let f = try LoopbackForwarder.start(tunnel: tunnel, target: target)
            forwarders[key] = f
            return f
        }
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
            return SSHDoctorHop(ok: true, destination: tunnel.config.destination, info: info)
        } catch {
            return SSHDoctorHop(ok: false, destination: tunnel.config.destination, error: "\(error)")
        }
    }
}

extension DoctorReport {
    static func msText(_ v: Double) -> String { "\((v * 10).rounded() / 10) ms" }
}
