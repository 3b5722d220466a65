import Foundation

/// The SSH jump host of a context (`[contexts.NAME.ssh]`) or of `--ssh [USER@]HOST[:PORT]`.
/// Unset fields fall back to OpenSSH's defaults when the tunnel is built (user: $USER, port 22,
/// keys ~/.ssh/id_*, ~/.ssh/known_hosts, the agent from SSH_AUTH_SOCK).
public struct SSHJumpSettings: Sendable, Hashable {
    public var host: String
    public var port: Int?
    public var user: String?
    public var identityFiles: [String]
    public var knownHosts: String?
    /// nil = use the agent when SSH_AUTH_SOCK is set.
    public var agent: Bool?
    /// Environment variable holding the key passphrase (else it is asked on the terminal).
    public var passphraseEnv: String?
    /// `--ssh-accept-new`: record an unknown host key (a changed one is still refused).
    public var acceptNewHostKey: Bool
    /// The OpenSSH client config whose `Host` entries apply (HostName, User, Port, IdentityFile,
    /// ProxyJump, UserKnownHostsFile); nil: ~/.ssh/config. Values set here win over it.
    public var sshConfigFile: String?

    public init(host: String, port: Int? = nil, user: String? = nil, identityFiles: [String] = [],
                knownHosts: String? = nil, agent: Bool? = nil, passphraseEnv: String? = nil, acceptNewHostKey: Bool = false) {
        self.host = host
        self.port = port
        self.user = user
        self.identityFiles = identityFiles
        self.knownHosts = knownHosts
        self.agent = agent
        self.passphraseEnv = passphraseEnv
        self.acceptNewHostKey = acceptNewHostKey
    }

    /// "ops@bastion:2222" as given to --ssh (port omitted when unset).
    public var destination: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return (user.map { "\($0)@" } ?? "") + h + (port.map { ":\($0)" } ?? "")
    }

    /// Parses `[USER@]HOST[:PORT]` (IPv6 in brackets).
    public static func parseDestination(_ text: String) throws(AddressError) -> (user: String?, host: String, port: Int?) {
        var rest = text.trimmed
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            user = String(rest[..<at])
            rest = String(rest[rest.index(after: at)...])
            guard !(user ?? "").isEmpty else { throw AddressError("'\(text)': empty user name before '@'") }
        }
        var host = rest
        var port: Int?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw AddressError("'\(text)': missing ']'") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":", let p = Int(after.dropFirst()) else { throw AddressError("'\(text)': expected :PORT after ']'") }
                port = p
            }
        } else if rest.filter({ $0 == ":" }).count == 1, let colon = rest.firstIndex(of: ":") {
            host = String(rest[..<colon])
            guard let p = Int(rest[rest.index(after: colon)...]) else {
                throw AddressError("'\(text)': the port must be a number")
            }
            port = p
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "," }) else {
            throw AddressError("'\(text)': expected [USER@]HOST[:PORT]")
        }
        if let p = port, !(1...65535).contains(p) { throw AddressError("'\(text)': port must be 1 to 65535") }
        return (user, host, port)
    }

    /// `--ssh` over the context's table: the command line's host, user and port win; the
    /// context's keys and files stay.
    public func overridden(byDestination text: String) throws(AddressError) -> SSHJumpSettings {
        let d = try Self.parseDestination(text)
        var s = self
        s.host = d.host
        s.port = d.port ?? (d.host == host ? port : nil)
        s.user = d.user ?? (d.host == host ? user : nil)
        return s
    }

    static let tableKeys: Set<String> = ["host", "port", "user", "identity_file", "known_hosts", "agent", "passphrase_env", "ssh_config"]
}

extension Reader {
    /// `[contexts.NAME.ssh]`: host (may be USER@HOST:PORT, or a Host of ~/.ssh/config), port, user,
    /// identity_file (a path or an array of paths), known_hosts, agent, passphrase_env, ssh_config.
    func sshJump(_ root: TOMLNode, _ path: [String]) throws(ConfigError) -> SSHJumpSettings {
        guard case .table = node(root, path)! else { throw error(path, "expected a table ([\(Self.dotted(path))])") }
        try rejectUnknown(root, path, allowed: SSHJumpSettings.tableKeys)
        guard let hostText = try string(root, path + ["host"]) else { throw error(path, "missing key host") }
        let d: (user: String?, host: String, port: Int?)
        do { d = try SSHJumpSettings.parseDestination(hostText) } catch { throw self.error(path + ["host"], error.message) }
        var s = SSHJumpSettings(host: d.host, port: d.port, user: d.user)
        if let n = node(root, path + ["port"]) {
            guard case .integer(let p) = n, (1...65535).contains(p) else { throw error(path + ["port"], "expected a port number 1 to 65535") }
            s.port = Int(p)
        }
        if let u = try string(root, path + ["user"]) {
            guard !u.isEmpty else { throw error(path + ["user"], "expected a user name, found an empty string") }
            s.user = u
        }
        if let n = node(root, path + ["identity_file"]) {
            switch n {
            case .string: s.identityFiles = [try filePath(root, path + ["identity_file"])!]
            case .array(let items):
                for item in items {
                    guard case .string(let p) = item, !p.isEmpty else {
                        throw error(path + ["identity_file"], "expected a path or an array of paths, found \(item.kindName) in the array")
                    }
                    s.identityFiles.append(expand(p))
                }
            default: throw error(path + ["identity_file"], "expected a path or an array of paths, found \(n.kindName)")
            }
        }
        s.knownHosts = try filePath(root, path + ["known_hosts"])
        s.sshConfigFile = try filePath(root, path + ["ssh_config"])
        s.agent = try bool(root, path + ["agent"])
        if let e = try string(root, path + ["passphrase_env"]) {
            guard !e.isEmpty else { throw error(path + ["passphrase_env"], "expected an environment variable name") }
            s.passphraseEnv = e
        }
        return s
    }
}

extension SettingsResolver {
    /// `--ssh` over the context's `ssh` table; `--ssh-accept-new` without a jump host is an error.
    static func resolveSSH(_ o: CommandLineOverrides, context: ContextConfig?) throws(ConfigError) -> SSHJumpSettings? {
        var s = context?.ssh
        if let text = o.ssh {
            do {
                if let base = s {
                    s = try base.overridden(byDestination: text)
                } else {
                    let d = try SSHJumpSettings.parseDestination(text)
                    s = SSHJumpSettings(host: d.host, port: d.port, user: d.user)
                }
            } catch {
                throw ConfigError(key: "--ssh", error.message)
            }
        }
        if o.sshAcceptNew {
            guard s != nil else {
                throw ConfigError(key: "--ssh-accept-new", "no SSH jump host: pass --ssh [USER@]HOST[:PORT] or add [contexts.NAME.ssh]")
            }
            s?.acceptNewHostKey = true
        }
        return s
    }
}
