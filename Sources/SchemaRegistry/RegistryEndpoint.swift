import Foundation

/// Where a Confluent-compatible Schema Registry is and how to authenticate to it.
/// `url` never carries credentials: userinfo in the given URL moves to `username`/`password`.
public struct RegistryEndpoint: Sendable, Hashable {
    public var url: String
    public var username: String?
    public var password: String?
    public var bearerToken: String?
    /// PEM CA bundle for an HTTPS registry, and a client certificate/key for mutual TLS.
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    /// Whole-request deadline.
    public var timeout: Duration

    public init(url: String, username: String? = nil, password: String? = nil, bearerToken: String? = nil,
                caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil, timeout: Duration = .seconds(10)) throws {
        guard let schemeEnd = url.range(of: "://") else {
            throw RegistryError(kind: .badConfiguration, message: "Schema Registry URL \(Self.masked(url)) must start with http:// or https://")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw RegistryError(kind: .badConfiguration, message: "Schema Registry URL \(Self.masked(url)) must start with http:// or https://")
        }
        var rest = String(url[schemeEnd.upperBound...])
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = String(rest[..<authorityEnd])
        var path = String(rest[authorityEnd...])
        if path.contains("?") || path.contains("#") {
            throw RegistryError(kind: .badConfiguration, message: "Schema Registry URL \(Self.masked(url)) must not carry a query or fragment")
        }
        var user = username, pass = password
        if let at = authority.lastIndex(of: "@") {
            let info = authority[..<at]
            authority = String(authority[authority.index(after: at)...])
            if let colon = info.firstIndex(of: ":") {
                user = String(info[..<colon]).removingPercentEncoding
                pass = String(info[info.index(after: colon)...]).removingPercentEncoding
            } else {
                user = String(info).removingPercentEncoding
            }
        }
        guard !authority.isEmpty else {
            throw RegistryError(kind: .badConfiguration, message: "Schema Registry URL \(Self.masked(url)) has no host")
        }
        while path.hasSuffix("/") { path.removeLast() }
        rest = "\(scheme)://\(authority)\(path)"
        self.url = rest
        self.username = user
        self.password = pass
        self.bearerToken = bearerToken
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.timeout = timeout
    }

    public var isHTTPS: Bool { url.hasPrefix("https://") }

    /// A URL with any `user:pass@` replaced, for messages.
    static func masked(_ text: String) -> String {
        guard let s = text.range(of: "://") else { return text }
        let after = text[s.upperBound...]
        let end = after.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? after.endIndex
        guard let at = after[..<end].lastIndex(of: "@") else { return text }
        return String(text[..<s.upperBound]) + "***@" + String(text[text.index(after: at)...])
    }
}

/// A registry failure: what went wrong, naming the registry, never its credentials.
public struct RegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case notFound, unauthorized, unreachable, timeout, badResponse, badConfiguration, server
    }
    public var kind: Kind
    public var message: String
    /// Confluent's `error_code` (40403 schema not found ...), when the registry sent one.
    public var errorCode: Int?

    public init(kind: Kind, message: String, errorCode: Int? = nil) {
        self.kind = kind
        self.message = message
        self.errorCode = errorCode
    }

    public var description: String { message }
}
