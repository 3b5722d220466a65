import Foundation

/// `[contexts.NAME.schema_registry]` or `--schema-registry URL`: where records' schemas come from.
public struct SchemaRegistrySettings: Sendable, Hashable {
    public var url: String
    public var username: String?
    public var password: Secret?
    /// Bearer token (OAuth), sent instead of basic auth.
    public var token: Secret?
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    public var timeoutSeconds: Double?

    public init(url: String, username: String? = nil, password: Secret? = nil, token: Secret? = nil,
                caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, timeoutSeconds: Double? = nil) {
        self.url = url
        self.username = username
        self.password = password
        self.token = token
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.timeoutSeconds = timeoutSeconds
    }

    /// `http://user:pass@host` as url plus username/password (kept unless given otherwise), so
    /// the URL can be shown and logged: the settings' description never holds the password.
    public func movingCredentialsOutOfURL() -> SchemaRegistrySettings {
        guard var comps = URLComponents(string: url), let user = comps.user else { return self }
        var s = self
        if s.username == nil { s.username = user.removingPercentEncoding ?? user }
        if let pw = comps.password, s.password == nil { s.password = Secret(pw.removingPercentEncoding ?? pw) }
        comps.user = nil
        comps.password = nil
        s.url = comps.string ?? ConnectURL.redacted(url)
        return s
    }

    static let keys: Set<String> = ["url", "username", "password", "password_env", "password_file", "token_env",
                                    "ca_file", "cert_file", "key_file", "timeout_seconds"]
}

extension Reader {
    /// `schema_registry = "URL"` or a `[contexts.NAME.schema_registry]` table.
    func schemaRegistry(_ root: TOMLNode, _ path: [String]) throws(ConfigError) -> SchemaRegistrySettings {
        let n = node(root, path)!
        var s: SchemaRegistrySettings
        switch n {
        case .string(let url):
            s = SchemaRegistrySettings(url: url)
        case .table:
            try rejectUnknown(root, path, allowed: SchemaRegistrySettings.keys)
            guard let url = try string(root, path + ["url"]) else {
                throw error(path + ["url"], "missing; give the Schema Registry URL (http://HOST:8081)")
            }
            var token: Secret?
            if let env = try string(root, path + ["token_env"]) {
                guard let v = environment.variables[env] else {
                    throw error(path + ["token_env"], "environment variable \(env) is not set")
                }
                token = Secret(v)
            }
            s = SchemaRegistrySettings(
                url: url, username: try string(root, path + ["username"]), password: try secret(root, path, prefix: "password"),
                token: token, caFile: try filePath(root, path + ["ca_file"]), certFile: try filePath(root, path + ["cert_file"]),
                keyFile: try filePath(root, path + ["key_file"]),
                timeoutSeconds: try positiveNumber(root, path + ["timeout_seconds"], range: 0.1...3600))
            if s.password != nil, s.username == nil {
                throw error(path + ["username"], "missing; a Schema Registry password needs a username")
            }
            if s.certFile != nil, s.keyFile == nil {
                throw error(path + ["key_file"], "missing; a client certificate needs its key")
            }
        default:
            throw error(path, "expected a URL string or a table with url = \"...\", found \(n.kindName)")
        }
        let lower = s.url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw error(path + (n.kindName == "a table" ? ["url"] : []), "'\(ConnectURL.redacted(s.url))' must start with http:// or https://")
        }
        return s.movingCredentialsOutOfURL()
    }
}
