import Foundation

/// One configured Kafka Connect cluster: `--connect NAME=URL` or a config-file entry.
/// `url` never carries credentials: userinfo in the given URL moves to `username`/`password`.
public struct ConnectEndpoint: Sendable, Hashable {
    public var name: String
    /// Base URL without credentials or trailing slash, e.g. `https://connect-qa:8083` (a path prefix is kept).
    public var url: String
    public var username: String?
    public var password: String?
    /// PEM file with the CA certificate(s) that signed the worker's HTTPS certificate.
    public var caFile: String?
    /// Client certificate chain and key (PEM) for workers that require mutual TLS.
    public var certFile: String?
    public var keyFile: String?
    /// Skips certificate verification (the caller warns the user).
    public var insecureSkipVerify: Bool
    /// Whole-request deadline (connect + send + response).
    public var requestTimeout: Duration
    public var connectTimeout: Duration

    public init(name: String, url: String, username: String? = nil, password: String? = nil, caFile: String? = nil,
                certFile: String? = nil, keyFile: String? = nil, insecureSkipVerify: Bool = false,
                requestTimeout: Duration = .seconds(15), connectTimeout: Duration = .seconds(5)) {
        self.name = name
        self.url = url
        self.username = username
        self.password = password
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.insecureSkipVerify = insecureSkipVerify
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
    }

    public var isHTTPS: Bool { url.lowercased().hasPrefix("https://") }

    /// Parses `[NAME=]URL`. Without a name the cluster is called by its `host:port`.
    /// `http://user:pass@host:8083` supplies basic-auth credentials.
    public static func parse(_ spec: String) throws -> ConnectEndpoint {
        var name: String?
        var rawURL = spec.trimmingCharacters(in: .whitespaces)
        if let eq = rawURL.firstIndex(of: "="), !rawURL[..<eq].contains("/"), !rawURL[..<eq].contains(":") {
            name = String(rawURL[..<eq]).trimmingCharacters(in: .whitespaces)
            rawURL = String(rawURL[rawURL.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
            if name!.isEmpty { throw ConnectConfigError("--connect \(redacted(spec)): the name before '=' is empty") }
        }
        var endpoint = try fromURL(rawURL, name: name)
        if endpoint.name.isEmpty { endpoint.name = "connect" }
        return endpoint
    }

    /// Builds an endpoint from a URL (config-file form); credentials in the URL are split out.
    public static func fromURL(_ rawURL: String, name: String?, username: String? = nil, password: String? = nil,
                               caFile: String? = nil) throws -> ConnectEndpoint {
        guard let schemeEnd = rawURL.range(of: "://") else {
            throw ConnectConfigError("Connect URL \(redacted(rawURL)) must start with http:// or https://")
        }
        let scheme = rawURL[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw ConnectConfigError("Connect URL \(redacted(rawURL)) must start with http:// or https://")
        }
        var rest = String(rawURL[schemeEnd.upperBound...])
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = String(rest[..<authorityEnd])
        var path = String(rest[authorityEnd...])
        if path.contains("?") || path.contains("#") {
            throw ConnectConfigError("Connect URL \(redacted(rawURL)) must not carry a query or fragment")
        }
        var user = username
        var pass = password
        if let at = authority.lastIndex(of: "@") {
            let userinfo = authority[..<at]
            authority = String(authority[authority.index(after: at)...])
            if let colon = userinfo.firstIndex(of: ":") {
                user = String(userinfo[..<colon]).removingPercentEncoding ?? String(userinfo[..<colon])
                let p = userinfo[userinfo.index(after: colon)...]
                pass = String(p).removingPercentEncoding ?? String(p)
            } else {
                user = String(userinfo).removingPercentEncoding ?? String(userinfo)
            }
        }
        guard !authority.isEmpty else { throw ConnectConfigError("Connect URL \(redacted(rawURL)) has no host") }
        while path.hasSuffix("/") { path.removeLast() }
        rest = "\(scheme)://\(authority)\(path)"
        return ConnectEndpoint(name: name ?? authority, url: rest, username: user, password: pass, caFile: caFile)
    }

    /// A URL-ish text with any `user:pass@` removed, for error messages about bad input.
    static func redacted(_ text: String) -> String { ConnectConfigMaskingBridge.maskURL(text) }
}

enum ConnectConfigMaskingBridge {
    static func maskURL(_ text: String) -> String {
        guard let s = text.range(of: "://") else { return text }
        let after = text[s.upperBound...]
        let end = after.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? after.endIndex
        guard let at = after[..<end].lastIndex(of: "@") else { return text }
        return String(text[..<s.upperBound]) + "***@" + String(text[text.index(after: at)...])
    }
}

/// A bad `--connect` value or config entry (usage error, exit 2).
public struct ConnectConfigError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
