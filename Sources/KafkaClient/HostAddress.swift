/// Parsing of bootstrap lists and alias targets (the type lives in ConnectionSecurity, shared with
/// the configuration).
extension HostAddress {
    /// Parses `host:port`, `[v6]:port`, or a bare host (then `defaultPort` is required).
    public static func parse(_ text: String, defaultPort: Int? = nil) throws -> HostAddress {
        let (host, port) = try splitHostPort(text)
        guard let p = port ?? defaultPort else {
            throw HostAliasError("'\(text)' has no port; write HOST:PORT")
        }
        return HostAddress(host: host, port: p)
    }

    /// Parses a comma-separated bootstrap list; blanks are ignored.
    public static func parseList(_ text: String, defaultPort: Int = 9092) throws -> [HostAddress] {
        var out: [HostAddress] = []
        for part in text.split(separator: ",") {
            let t = part.trimmingWhitespace()
            if t.isEmpty { continue }
            out.append(try parse(t, defaultPort: defaultPort))
        }
        guard !out.isEmpty else { throw HostAliasError("no bootstrap address given") }
        return out
    }

    /// Splits into host and optional port; validates both.
    static func splitHostPort(_ raw: String) throws -> (String, Int?) {
        let text = raw.trimmingWhitespace()
        guard !text.isEmpty else { throw HostAliasError("empty address") }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw HostAliasError("'\(text)': missing ']' after the IPv6 address")
            }
            let host = String(text[text.index(after: text.startIndex)..<close])
            guard !host.isEmpty, host.contains(":") else {
                throw HostAliasError("'\(text)': brackets must hold an IPv6 address")
            }
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return (host, nil) }
            guard rest.first == ":" else { throw HostAliasError("'\(text)': expected ':PORT' after ']'") }
            return (host, try parsePort(String(rest.dropFirst()), in: text))
        }
        let colons = text.filter { $0 == ":" }.count
        if colons == 0 { return (try validHost(text, in: text), nil) }
        if colons > 1 {
            // A bare IPv6 literal without a port.
            return (text, nil)
        }
        let idx = text.lastIndex(of: ":")!
        let host = String(text[..<idx])
        return (try validHost(host, in: text), try parsePort(String(text[text.index(after: idx)...]), in: text))
    }

    private static func parsePort(_ s: String, in text: String) throws -> Int {
        guard let p = Int(s), (1...65535).contains(p) else {
            throw HostAliasError("'\(text)': port must be a number from 1 to 65535")
        }
        return p
    }

    private static func validHost(_ h: String, in text: String) throws -> String {
        guard !h.isEmpty else { throw HostAliasError("'\(text)': empty host name") }
        guard !h.contains(where: { $0 == " " || $0 == "=" || $0 == "/" || $0 == "," }) else {
            throw HostAliasError("'\(text)': invalid character in host name")
        }
        return h
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

public struct HostAliasError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Advertised broker address → address actually dialled (`--alias`). Applied at dial time to the
/// bootstrap list and to every address a broker advertises; TLS keeps the advertised name.
public struct HostAliasMap: Sendable, Hashable {
    /// The right-hand side: a host with or without a port.
    public struct Target: Sendable, Hashable {
        public var host: String
        public var port: Int?
    }

    private(set) public var byHostPort: [HostAddress: Target] = [:]
    private(set) public var byHost: [String: Target] = [:]

    public init() {}

    public init(_ specs: [String]) throws {
        for s in specs { try add(s) }
    }

    public var isEmpty: Bool { byHostPort.isEmpty && byHost.isEmpty }

    /// Adds `NAME=ADDR` or `NAME:PORT=ADDR[:PORT]`; a later entry for the same key wins.
    public mutating func add(_ spec: String) throws {
        guard let eq = spec.firstIndex(of: "=") else {
            throw HostAliasError("alias '\(spec)' must look like NAME=ADDR or NAME:PORT=ADDR:PORT")
        }
        let lhs = String(spec[..<eq]), rhs = String(spec[spec.index(after: eq)...])
        guard !lhs.trimmingWhitespace().isEmpty, !rhs.trimmingWhitespace().isEmpty else {
            throw HostAliasError("alias '\(spec)' must look like NAME=ADDR or NAME:PORT=ADDR:PORT")
        }
        let (fromHost, fromPort): (String, Int?)
        let (toHost, toPort): (String, Int?)
        do {
            (fromHost, fromPort) = try HostAddress.splitHostPort(lhs)
            (toHost, toPort) = try HostAddress.splitHostPort(rhs)
        } catch let e as HostAliasError {
            throw HostAliasError("alias '\(spec)': \(e.message)")
        }
        let target = Target(host: toHost, port: toPort)
        if let fp = fromPort {
            byHostPort[HostAddress(host: Self.normalize(fromHost), port: fp)] = target
        } else {
            byHost[Self.normalize(fromHost)] = target
        }
    }

    /// Where to dial for an advertised address: exact host:port first, then the host alone
    /// (a host-only value keeps the advertised port), else the address itself.
    public func resolve(_ advertised: HostAddress) -> HostAddress {
        let key = HostAddress(host: Self.normalize(advertised.host), port: advertised.port)
        if let t = byHostPort[key] { return HostAddress(host: t.host, port: t.port ?? advertised.port) }
        if let t = byHost[key.host] { return HostAddress(host: t.host, port: t.port ?? advertised.port) }
        return advertised
    }

    /// Whether an alias applies to this address.
    public func hasAlias(for advertised: HostAddress) -> Bool { resolve(advertised) != advertised }

    /// The `--alias` a user should add to reach an advertised address that failed.
    public static func suggestion(for advertised: HostAddress) -> String {
        let name = advertised.host.contains(":") ? "[\(advertised.host)]" : advertised.host
        return "--alias \(name)=<reachable address>"
    }

    /// Host names are case-insensitive (DNS).
    static func normalize(_ host: String) -> String { host.lowercased() }
}
