import ConnectionSecurity
import Foundation

/// The command-line options that feed settings (what `GlobalOptions` holds), as plain values.
public struct CommandLineOverrides: Sendable, Hashable {
    public var bootstrap: String?
    public var aliases: [String]
    public var commandConfig: String?
    public var configFile: String?
    public var context: String?
    public var connect: [String]
    public var readOnly: Bool
    public var theme: String?
    /// `--ssh [USER@]HOST[:PORT]` and `--ssh-accept-new`.
    public var ssh: String? = nil
    public var sshAcceptNew: Bool = false

    public init(bootstrap: String? = nil, aliases: [String] = [], commandConfig: String? = nil, configFile: String? = nil,
                context: String? = nil, connect: [String] = [], readOnly: Bool = false, theme: String? = nil) {
        self.bootstrap = bootstrap
        self.aliases = aliases
        self.commandConfig = commandConfig
        self.configFile = configFile
        self.context = context
        self.connect = connect
        self.readOnly = readOnly
        self.theme = theme
    }
}

/// Merges command line over context over file defaults:
/// - bootstrap: `-b`, then `--command-config` bootstrap.servers, then the context's `bootstrap`,
///   then its `command_config` bootstrap.servers.
/// - security, as a whole: `--command-config`, else the context's `[security]`, else its `command_config`,
///   else PLAINTEXT (mixing a mechanism from one source with a password from another would surprise).
/// - aliases and Connect clusters: the context's, then the command line's; the same key or name is replaced.
/// - read-only: on when either the command line or the context says so (the command line cannot undo it).
/// - theme: `--theme`, context, file default, "default"; refresh: context, file default, 5 s.
public enum SettingsResolver {
    public static let defaultConfigPathHint = "$XDG_CONFIG_HOME/kafscope/config.toml"

    /// `$XDG_CONFIG_HOME/kafscope/config.toml`, else `~/.config/kafscope/config.toml`.
    public static func defaultConfigPath(environment: ConfigEnvironment) -> String {
        if let x = environment.variables["XDG_CONFIG_HOME"], !x.isEmpty, x.hasPrefix("/") {
            return (x as NSString).appendingPathComponent("kafscope/config.toml")
        }
        return (environment.homeDirectory as NSString).appendingPathComponent(".config/kafscope/config.toml")
    }

    public static func resolve(_ o: CommandLineOverrides,
                               environment: ConfigEnvironment = .process) throws(ConfigError) -> KafscopeSettings {
        // The file: explicit must exist; the default may be absent.
        var file: ConfigFile?
        let path = o.configFile.map { expandTilde($0, environment) } ?? defaultConfigPath(environment: environment)
        if o.configFile != nil || environment.fileExists(path) {
            let text: String
            do { text = try environment.readFile(path) } catch {
                throw ConfigError(file: path, "cannot read the config file: \(describeIOError(error))")
            }
            file = try ConfigFile.parse(text, path: path, environment: environment)
        }

        var settings = KafscopeSettings(availableContexts: file?.contexts.map(\.name) ?? [], configFile: file?.path)

        // The context.
        var context: ContextConfig?
        if let name = o.context {
            guard let file else {
                throw ConfigError(key: "--context", "context '\(name)' requested but there is no config file at \(path)")
            }
            guard let c = file.context(named: name) else {
                throw ConfigError(file: file.path, key: "--context",
                                  "no context named '\(name)'; known: \(list(file.contexts.map(\.name)))")
            }
            context = c
        } else if let file, let name = file.defaultContext {
            guard let c = file.context(named: name) else {
                throw ConfigError(file: file.path, line: nil, key: "default_context",
                                  "no context named '\(name)'; known: \(list(file.contexts.map(\.name)))")
            }
            context = c
        } else if let file, file.contexts.count == 1 {
            context = file.contexts[0]
        } else if let file, file.contexts.count > 1, o.bootstrap == nil, o.commandConfig == nil {
            throw ConfigError(file: file.path, key: "default_context",
                              "several contexts (\(list(file.contexts.map(\.name)))); pick one with --context NAME or set default_context")
        }
        settings.contextName = context?.name

        // Command configs.
        let readFile = environment.readFile
        let cliCommandConfig = try o.commandConfig.map { p throws(ConfigError) in
            try CommandConfig.load(path: expandTilde(p, environment), readFile: readFile)
        }
        let ctxCommandConfig = try context?.commandConfig.map { p throws(ConfigError) in
            try CommandConfig.load(path: p, readFile: readFile)
        }

        // Bootstrap.
        if let b = o.bootstrap {
            do { settings.bootstrap = try HostAddress.parseConfiguredList(b) } catch {
                throw ConfigError(key: "--bootstrap", "\(error.message) (expected HOST:PORT[,HOST:PORT...])")
            }
        } else if let b = cliCommandConfig?.bootstrap {
            settings.bootstrap = b
        } else if let b = context?.bootstrap {
            settings.bootstrap = b
        } else if let b = ctxCommandConfig?.bootstrap {
            settings.bootstrap = b
        }

        // Security, as a unit.
        if let c = cliCommandConfig {
            settings.security = c.security
            settings.warnings += c.warnings
        } else if let s = context?.security {
            settings.security = s
        } else if let c = ctxCommandConfig {
            settings.security = c.security
            settings.warnings += c.warnings
        }
        settings.warnings += context?.warnings ?? []
        // Timeouts: --command-config, then the context's command_config.
        let cliT = cliCommandConfig?.timeouts, ctxT = ctxCommandConfig?.timeouts
        settings.timeouts = ClientTimeouts(requestSeconds: cliT?.requestSeconds ?? ctxT?.requestSeconds,
                                           connectSeconds: cliT?.connectSeconds ?? ctxT?.connectSeconds)

        // Aliases: context first, command line after; a later one for the same key replaces.
        var aliases = context?.aliases ?? []
        for spec in o.aliases {
            let a: HostAlias
            do { a = try HostAlias.parse(spec) } catch { throw ConfigError(key: "--alias", error.message) }
            aliases.removeAll { $0.sameKey(as: a) }
            aliases.append(a)
        }
        settings.aliases = aliases

        settings.schemaRegistry = context?.schemaRegistry

        // Connect clusters.
        var connect = context?.connect ?? []
        for spec in o.connect {
            // A bare NAME selects a configured cluster (`describe connector X --connect QA`).
            if !spec.contains("://") {
                let name = spec.trimmed
                guard !name.isEmpty else { throw ConfigError(key: "--connect", "empty value; expected [NAME=]URL or NAME") }
                // user:password@host without a scheme: the error repeats the value, never its credentials.
                func masked(_ s: some StringProtocol) -> String {
                    guard let at = s.lastIndex(of: "@") else { return String(s) }
                    let eq = s[..<at].firstIndex(of: "=").map { s.index(after: $0) } ?? s.startIndex
                    return String(s[..<eq]) + "***" + String(s[at...])
                }
                // Not a cluster name: `--connect localhost:8083` or `--connect QA=` would otherwise
                // select a cluster that does not exist and report that none was given.
                if let eq = name.firstIndex(of: "=") {
                    let rhs = name[name.index(after: eq)...].trimmed
                    throw ConfigError(key: "--connect", rhs.isEmpty ? "'\(name)': no URL after '='; expected NAME=http://HOST:PORT"
                        : "'\(masked(name))': '\(masked(rhs))' is not a URL; write NAME=http://\(masked(rhs))")
                }
                if name.contains(":") || name.contains("/") {
                    throw ConfigError(key: "--connect", "'\(masked(name))' is not a URL (no http:// or https://) nor a cluster name; "
                        + (name.contains("/") ? "expected [NAME=]http://HOST:PORT" : "write http://\(masked(name))"))
                }
                if !settings.connectSelectors.contains(name) { settings.connectSelectors.append(name) }
                continue
            }
            let c: ConnectClusterSettings
            do { c = try ConnectURL.parseOption(spec) } catch { throw ConfigError(key: "--connect", error.message) }
            if let i = connect.firstIndex(where: { $0.name == c.name }) {
                // Keep configured auth when only the URL is overridden.
                var merged = connect[i]
                merged.url = c.url
                if c.username != nil { merged.username = c.username; merged.password = c.password }
                connect[i] = merged
            } else {
                connect.append(c)
            }
        }
        settings.connect = connect

        settings.ssh = try resolveSSH(o, context: context)
        settings.knownGroups = context?.groups ?? []
        settings.lagThresholds = context?.lag ?? LagThresholds()
        settings.readOnly = o.readOnly || (context?.readOnly ?? false)
        settings.theme = o.theme ?? context?.theme ?? file?.theme ?? "default"
        settings.refreshSeconds = context?.refreshSeconds ?? file?.refreshSeconds ?? 5
        return settings
    }

    static func list(_ names: [String]) -> String { names.isEmpty ? "none" : names.joined(separator: ", ") }

    static func expandTilde(_ p: String, _ env: ConfigEnvironment) -> String {
        if p == "~" { return env.homeDirectory }
        if p.hasPrefix("~/") { return env.homeDirectory + String(p.dropFirst(1)) }
        return p
    }

    /// A short reason for a file error ("no such file", "permission denied").
    public static func describeIOError(_ error: Error) -> String {
        if let e = error as? TextFile.ReadError { return e.message }
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileReadNoSuchFileError: return "no such file"
            case NSFileReadNoPermissionError: return "permission denied"
            case NSFileReadInapplicableStringEncodingError: return "not UTF-8 text"
            default: break
            }
        }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code))).lowercased()
        }
        return ns.localizedDescription
    }
}
