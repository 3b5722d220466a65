import ConnectionSecurity
import Foundation

/// Where config values come from outside the file: environment variables and files
/// (`password_env`, `password_file`), injected so tests need no real environment.
public struct ConfigEnvironment: Sendable {
    public var variables: [String: String]
    public var homeDirectory: String
    public var readFile: @Sendable (String) throws -> String
    public var fileExists: @Sendable (String) -> Bool

    public init(variables: [String: String], homeDirectory: String,
                readFile: @escaping @Sendable (String) throws -> String,
                fileExists: @escaping @Sendable (String) -> Bool) {
        self.variables = variables
        self.homeDirectory = homeDirectory
        self.readFile = readFile
        self.fileExists = fileExists
    }

    public static var process: ConfigEnvironment {
        let env = ProcessInfo.processInfo.environment
        return ConfigEnvironment(
            variables: env,
            homeDirectory: env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory(),
            readFile: { path in try TextFile.read(path) },
            fileExists: { path in FileManager.default.fileExists(atPath: path) })
    }
}

/// One `[contexts.NAME]` table.
public struct ContextConfig: Sendable, Hashable {
    public var name: String
    public var bootstrap: [HostAddress]?
    public var aliases: [HostAlias]
    public var groups: [String]
    public var readOnly: Bool?
    public var theme: String?
    public var refreshSeconds: Double?
    public var commandConfig: String?
    public var security: SecuritySettings?
    public var connect: [ConnectClusterSettings]
    public var warnings: [String]
    /// `[contexts.NAME.ssh]`: reach the brokers through this SSH jump host.
    public var ssh: SSHJumpSettings?
    /// `[contexts.NAME.lag]`: window and thresholds of the lag status rules.
    public var lag: LagThresholds?
    /// `[contexts.NAME.schema_registry]` (SchemaRegistrySettings.swift).
    public var schemaRegistry: SchemaRegistrySettings? = nil

    public init(name: String, bootstrap: [HostAddress]? = nil, aliases: [HostAlias] = [], groups: [String] = [],
                readOnly: Bool? = nil, theme: String? = nil, refreshSeconds: Double? = nil, commandConfig: String? = nil,
                security: SecuritySettings? = nil, connect: [ConnectClusterSettings] = [], warnings: [String] = []) {
        self.name = name
        self.bootstrap = bootstrap
        self.aliases = aliases
        self.groups = groups
        self.readOnly = readOnly
        self.theme = theme
        self.refreshSeconds = refreshSeconds
        self.commandConfig = commandConfig
        self.security = security
        self.connect = connect
        self.warnings = warnings
    }
}

/// The TOML config file: global defaults and named contexts.
public struct ConfigFile: Sendable, Hashable {
    public var path: String
    public var defaultContext: String?
    public var theme: String?
    public var refreshSeconds: Double?
    /// Sorted by name.
    public var contexts: [ContextConfig]

    public func context(named name: String) -> ContextConfig? { contexts.first { $0.name == name } }

    static let topKeys: Set<String> = ["default_context", "theme", "refresh_seconds", "contexts"]
    static let contextKeys: Set<String> = ["bootstrap", "aliases", "groups", "read_only", "theme", "refresh_seconds",
                                           "command_config", "security", "connect", "ssh",
                                           "lag", "schema_registry"]
    static let securityKeys: Set<String> = ["protocol", "sasl_mechanism", "username", "password", "password_env",
                                            "password_file", "ca_file", "cert_file", "key_file", "key_password",
                                            "key_password_env", "key_password_file", "verify_hostname",
                                            "insecure_skip_verify"]
    static let connectKeys: Set<String> = ["url", "username", "password", "password_env", "password_file", "ca_file",
                                           "cert_file", "key_file", "insecure_skip_verify", "timeout_seconds"]

    /// Parses and validates the file. Relative paths inside it are taken from the file's directory.
    public static func parse(_ text: String, path: String, environment: ConfigEnvironment) throws(ConfigError) -> ConfigFile {
        let root = try TOMLNode.parse(text, file: path)
        let r = Reader(file: path, index: TOMLLineIndex(text: text), environment: environment,
                       baseDirectory: (path as NSString).deletingLastPathComponent)
        try r.rejectUnknown(root, [], allowed: topKeys)
        var file = ConfigFile(path: path, defaultContext: try r.string(root, ["default_context"]),
                              theme: try r.string(root, ["theme"]),
                              refreshSeconds: try r.positiveNumber(root, ["refresh_seconds"], range: 0.5...3600), contexts: [])
        if let ctxs = root["contexts"] {
            guard case .table(let entries) = ctxs else {
                throw r.error(["contexts"], "expected a table of contexts ([contexts.NAME]), found \(ctxs.kindName)")
            }
            for (name, node) in entries {
                file.contexts.append(try r.context(name: name, node))
            }
        }
        return file
    }
}

/// Typed access to the TOML tree with errors naming file, line and dotted key.
struct Reader {
    var file: String
    var index: TOMLLineIndex
    var environment: ConfigEnvironment
    var baseDirectory: String

    func error(_ path: [String], _ message: String) -> ConfigError {
        ConfigError(file: file, line: index.line(of: path), key: Self.dotted(path), message)
    }

    static func dotted(_ path: [String]) -> String {
        path.map { p in
            p.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } ? p : "\"\(p)\""
        }.joined(separator: ".")
    }

    func node(_ root: TOMLNode, _ path: [String]) -> TOMLNode? {
        var cur: TOMLNode? = root
        for p in path { cur = cur?[p] }
        return cur
    }

    func rejectUnknown(_ root: TOMLNode, _ path: [String], allowed: Set<String>) throws(ConfigError) {
        guard case .table(let kv)? = path.isEmpty ? root : node(root, path) else { return }
        for (k, _) in kv where !allowed.contains(k) {
            throw error(path + [k], "unknown key; expected one of \(allowed.sorted().joined(separator: ", "))")
        }
    }

    func string(_ root: TOMLNode, _ path: [String]) throws(ConfigError) -> String? {
        guard let n = node(root, path) else { return nil }
        guard case .string(let s) = n else { throw error(path, "expected a string, found \(n.kindName)") }
        return s
    }

    func bool(_ root: TOMLNode, _ path: [String]) throws(ConfigError) -> Bool? {
        guard let n = node(root, path) else { return nil }
        guard case .bool(let b) = n else { throw error(path, "expected true or false, found \(n.kindName)") }
        return b
    }

    /// Seconds within `range`: a huge value overflowed the conversion to a Duration (a trap), a
    /// tiny refresh interval would poll the cluster without pause.
    func positiveNumber(_ root: TOMLNode, _ path: [String],
                        range: ClosedRange<Double> = 0.1...86_400) throws(ConfigError) -> Double? {
        guard let n = node(root, path) else { return nil }
        let v: Double
        switch n {
        case .integer(let i): v = Double(i)
        case .float(let d): v = d
        default: throw error(path, "expected a number of seconds, found \(n.kindName)")
        }
        guard v > 0, v.isFinite else { throw error(path, "expected a positive number of seconds") }
        guard range.contains(v) else {
            func f(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
            throw error(path, "expected \(f(range.lowerBound)) to \(f(range.upperBound)) seconds, found \(v)")
        }
        return v
    }

    /// A path from the file: `~` is the home directory, relative paths start at the file's directory.
    func filePath(_ root: TOMLNode, _ path: [String]) throws(ConfigError) -> String? {
        guard let s = try string(root, path) else { return nil }
        guard !s.isEmpty else { throw error(path, "expected a file path, found an empty string") }
        return expand(s)
    }

    func expand(_ s: String) -> String {
        if s == "~" { return environment.homeDirectory }
        if s.hasPrefix("~/") { return environment.homeDirectory + String(s.dropFirst(1)) }
        if s.hasPrefix("/") || baseDirectory.isEmpty { return s }
        return (baseDirectory as NSString).appendingPathComponent(s)
    }

    /// `password`, `password_env` or `password_file` (exactly one) under `table`, named by `prefix`.
    func secret(_ root: TOMLNode, _ table: [String], prefix: String) throws(ConfigError) -> Secret? {
        let direct = try string(root, table + [prefix])
        let env = try string(root, table + ["\(prefix)_env"])
        let filePath = try filePath(root, table + ["\(prefix)_file"])
        let given = [direct != nil, env != nil, filePath != nil].filter { $0 }.count
        if given > 1 {
            throw error(table + [prefix], "give only one of \(prefix), \(prefix)_env and \(prefix)_file")
        }
        if let direct { return Secret(direct) }
        if let env {
            guard let v = environment.variables[env] else {
                throw error(table + ["\(prefix)_env"], "environment variable \(env) is not set")
            }
            return Secret(v)
        }
        if let filePath {
            do {
                var text = try environment.readFile(filePath)
                while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
                return Secret(text)
            } catch {
                throw self.error(table + ["\(prefix)_file"],
                                 "cannot read \(filePath): \(SettingsResolver.describeIOError(error))")
            }
        }
        return nil
    }

    func context(name: String, _ node: TOMLNode) throws(ConfigError) -> ContextConfig {
        let base = ["contexts", name]
        let root = TOMLNode.table([("contexts", .table([(name, node)]))])
        guard case .table = node else {
            throw error(base, "expected a table ([contexts.\(name)]), found \(node.kindName)")
        }
        try rejectUnknown(root, base, allowed: ConfigFile.contextKeys)
        var ctx = ContextConfig(name: name)

        if let b = self.node(root, base + ["bootstrap"]) {
            let expected = "expected an array of \"host:port\" strings"
            var list: [HostAddress] = []
            switch b {
            case .string(let s):
                do { list = try HostAddress.parseConfiguredList(s) } catch {
                    throw self.error(base + ["bootstrap"], "\(error.message) (\(expected) or a comma-separated string)")
                }
            case .array(let items):
                for item in items {
                    guard case .string(let s) = item else {
                        throw self.error(base + ["bootstrap"], "\(expected), found \(item.kindName) in the array")
                    }
                    do { list.append(try HostAddress.parseConfigured(s)) } catch {
                        throw self.error(base + ["bootstrap"], error.message)
                    }
                }
                guard !list.isEmpty else { throw self.error(base + ["bootstrap"], "\(expected), found an empty array") }
            default:
                throw self.error(base + ["bootstrap"], "\(expected), found \(b.kindName)")
            }
            ctx.bootstrap = list
        }

        if let a = self.node(root, base + ["aliases"]) {
            guard case .table(let kv) = a else {
                throw error(base + ["aliases"], "expected a table of \"NAME[:PORT]\" = \"ADDR[:PORT]\", found \(a.kindName)")
            }
            for (from, to) in kv {
                guard case .string(let target) = to else {
                    throw error(base + ["aliases", from], "expected an address string, found \(to.kindName)")
                }
                do { ctx.aliases.append(try HostAlias.parse(name: from, address: target)) } catch {
                    throw self.error(base + ["aliases", from], error.message)
                }
            }
        }

        if let g = self.node(root, base + ["groups"]) {
            guard case .array(let items) = g else {
                throw error(base + ["groups"], "expected an array of group names, found \(g.kindName)")
            }
            for item in items {
                guard case .string(let s) = item, !s.isEmpty else {
                    throw error(base + ["groups"], "expected an array of group names, found \(item.kindName) in the array")
                }
                if !ctx.groups.contains(s) { ctx.groups.append(s) }
            }
        }

        ctx.readOnly = try bool(root, base + ["read_only"])
        ctx.theme = try string(root, base + ["theme"])
        ctx.refreshSeconds = try positiveNumber(root, base + ["refresh_seconds"], range: 0.5...3600)
        ctx.commandConfig = try filePath(root, base + ["command_config"])
        if self.node(root, base + ["security"]) != nil {
            let (sec, warnings) = try security(root, base + ["security"], contextName: name)
            ctx.security = sec
            ctx.warnings += warnings
        }
        if let c = self.node(root, base + ["connect"]) {
            guard case .table(let kv) = c else {
                throw error(base + ["connect"], "expected a table of NAME = \"URL\" or NAME = { url = ... }, found \(c.kindName)")
            }
            for (cname, _) in kv {
                ctx.connect.append(try connectCluster(root, base + ["connect", cname], name: cname))
            }
        }
        if self.node(root, base + ["ssh"]) != nil { ctx.ssh = try sshJump(root, base + ["ssh"]) }
        if self.node(root, base + ["lag"]) != nil { ctx.lag = try lagThresholds(root, base + ["lag"]) }
        if self.node(root, base + ["schema_registry"]) != nil {
            ctx.schemaRegistry = try schemaRegistry(root, base + ["schema_registry"])
        }
        return ctx
    }

    func security(_ root: TOMLNode, _ path: [String], contextName: String) throws(ConfigError) -> (SecuritySettings, [String]) {
        guard case .table = node(root, path)! else {
            throw error(path, "expected a table ([\(Self.dotted(path))])")
        }
        try rejectUnknown(root, path, allowed: ConfigFile.securityKeys)
        var warnings: [String] = []
        let mechanismName = try string(root, path + ["sasl_mechanism"])
        let username = try string(root, path + ["username"])
        let password = try secret(root, path, prefix: "password")
        var tls = TLSSettings(caFile: try filePath(root, path + ["ca_file"]),
                              certificateFile: try filePath(root, path + ["cert_file"]),
                              keyFile: try filePath(root, path + ["key_file"]),
                              keyPassword: try secret(root, path, prefix: "key_password"))
        if let v = try bool(root, path + ["verify_hostname"]) {
            tls.verifyHostname = v
            if !v { warnings.append("TLS hostname verification is OFF (verify_hostname = false in context \(contextName))") }
        }
        if let v = try bool(root, path + ["insecure_skip_verify"]) {
            tls.insecureSkipVerify = v
            if v { warnings.append("TLS certificate verification is OFF (insecure_skip_verify = true in context \(contextName))") }
        }
        let anyTLS = tls != TLSSettings()
        let anySASL = mechanismName != nil || username != nil || password != nil

        let proto: SecurityProtocol
        if let p = try string(root, path + ["protocol"]) {
            guard let parsed = SecurityProtocol(name: p) else {
                throw error(path + ["protocol"], "unknown protocol '\(p)'; expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL")
            }
            proto = parsed
        } else {
            // Inferred from what is set, so a context with only ca_file means SSL.
            proto = anySASL ? (anyTLS ? .saslSSL : .saslPlaintext) : (anyTLS ? .ssl : .plaintext)
        }
        if !proto.usesTLS, anyTLS {
            throw error(path + ["protocol"], "\(proto.rawValue) does not use TLS, but TLS settings are given; use SSL or SASL_SSL")
        }
        if !proto.usesSASL, anySASL {
            throw error(path + ["protocol"], "\(proto.rawValue) does not use SASL, but SASL settings are given; use SASL_PLAINTEXT or SASL_SSL")
        }
        if (tls.certificateFile == nil) != (tls.keyFile == nil) {
            throw error(path + [tls.certificateFile == nil ? "key_file" : "cert_file"], "a client certificate needs both cert_file and key_file")
        }
        var sasl: SASLSettings?
        if proto.usesSASL {
            guard let mechanismName else {
                throw error(path + ["sasl_mechanism"], "missing; \(proto.rawValue) needs PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
            }
            let mechanism: SASLMechanism
            do { mechanism = try SASLMechanism.parse(mechanismName) } catch {
                throw self.error(path + ["sasl_mechanism"], error.message)
            }
            guard let username, !username.isEmpty else { throw error(path + ["username"], "missing; SASL needs a user name") }
            guard let password else {
                throw error(path + ["password"], "missing; give password, password_env or password_file")
            }
            sasl = SASLSettings(mechanism: mechanism, username: username, password: password)
            if proto == .saslPlaintext, mechanism == .plain {
                warnings.append("SASL PLAIN over SASL_PLAINTEXT sends the password unencrypted (context \(contextName))")
            }
        }
        return (SecuritySettings(securityProtocol: proto, sasl: sasl, tls: proto.usesTLS ? tls : nil,
                                 origin: "\(file) context \(contextName)"), warnings)
    }

    func connectCluster(_ root: TOMLNode, _ path: [String], name: String) throws(ConfigError) -> ConnectClusterSettings {
        let n = node(root, path)!
        var cluster: ConnectClusterSettings
        switch n {
        case .string(let url):
            cluster = ConnectClusterSettings(name: name, url: url)
        case .table:
            try rejectUnknown(root, path, allowed: ConfigFile.connectKeys)
            guard let url = try string(root, path + ["url"]) else { throw error(path + ["url"], "missing; give the Connect REST URL") }
            cluster = ConnectClusterSettings(
                name: name, url: url, username: try string(root, path + ["username"]),
                password: try secret(root, path, prefix: "password"),
                caFile: try filePath(root, path + ["ca_file"]), certFile: try filePath(root, path + ["cert_file"]),
                keyFile: try filePath(root, path + ["key_file"]),
                insecureSkipVerify: try bool(root, path + ["insecure_skip_verify"]) ?? false,
                timeoutSeconds: try positiveNumber(root, path + ["timeout_seconds"], range: 0.1...3600))
        default:
            throw error(path, "expected a URL string or a table with url = \"...\", found \(n.kindName)")
        }
        do { cluster = try ConnectURL.normalize(cluster) } catch {
            throw self.error(path + (n.kindName == "a table" ? ["url"] : []), error.message)
        }
        if cluster.password != nil, cluster.username == nil {
            throw error(path + ["username"], "missing; a Connect password needs a username")
        }
        return cluster
    }
}

enum ConnectURL {
    /// Checks the scheme and host, and moves `user:pass@` out of the URL so it is never displayed.
    static func normalize(_ c: ConnectClusterSettings) throws(AddressError) -> ConnectClusterSettings {
        var c = c
        guard var comps = URLComponents(string: c.url), let scheme = comps.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = comps.host, !host.isEmpty else {
            throw AddressError("'\(redacted(c.url))' is not an http:// or https:// URL with a host")
        }
        if let user = comps.user {
            if c.username == nil { c.username = user.removingPercentEncoding ?? user }
            if let pw = comps.password, c.password == nil { c.password = Secret(pw.removingPercentEncoding ?? pw) }
            comps.user = nil
            comps.password = nil
        }
        var url = comps.string ?? c.url
        while url.hasSuffix("/") { url.removeLast() }
        c.url = url
        return c
    }

    /// The URL without any `user:pass@` part, for messages.
    static func redacted(_ url: String) -> String {
        guard let at = url.firstIndex(of: "@"), let scheme = url.range(of: "://"), scheme.upperBound <= at else { return url }
        return String(url[..<scheme.upperBound]) + "***@" + String(url[url.index(after: at)...])
    }

    /// `--connect [NAME=]URL`; an unnamed cluster is named after its host:port.
    static func parseOption(_ spec: String) throws(AddressError) -> ConnectClusterSettings {
        var name: String?
        var url = spec
        if let eq = spec.firstIndex(of: "=") {
            let prefix = spec[..<eq]
            if !prefix.contains(":"), !prefix.contains("/") {
                name = prefix.trimmed
                url = String(spec[spec.index(after: eq)...]).trimmed
            }
        }
        if let n = name, n.isEmpty { throw AddressError("--connect '\(redacted(spec))': empty cluster name before '='") }
        var c = try normalize(ConnectClusterSettings(name: name ?? "", url: url))
        if name == nil, let comps = URLComponents(string: c.url), let host = comps.host {
            c.name = comps.port.map { "\(host):\($0)" } ?? host
        }
        return c
    }
}
