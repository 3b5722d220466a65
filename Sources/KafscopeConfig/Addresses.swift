import ConnectionSecurity

/// How the configuration reads addresses (stricter than a broker's advertised ones: a URL is refused
/// with a hint). The type is ConnectionSecurity's HostAddress, the one the client dials.
extension HostAddress {
    /// Parses `host:port` or `[v6]:port`; a bare host takes `defaultPort` when given.
    public static func parseConfigured(_ text: String, defaultPort: Int? = nil) throws(AddressError) -> HostAddress {
        let (host, port) = try splitConfigured(text)
        guard let p = port ?? defaultPort else {
            if host.contains(":") { throw AddressError("'\(text)' has no port; write IPv6 as [ADDR]:PORT") }
            throw AddressError("'\(text)' has no port; write HOST:PORT")
        }
        return HostAddress(host: host, port: p)
    }

    /// Parses a comma-separated list; blank entries are skipped, an empty list is an error.
    public static func parseConfiguredList(_ text: String) throws(AddressError) -> [HostAddress] {
        var out: [HostAddress] = []
        for part in text.split(separator: ",") {
            let t = part.trimmed
            if t.isEmpty { continue }
            out.append(try parseConfigured(t))
        }
        guard !out.isEmpty else { throw AddressError("no broker address given") }
        return out
    }

    /// Splits `host`, `host:port`, `[v6]`, `[v6]:port`; a bare IPv6 literal has no port.
    static func splitConfigured(_ raw: String) throws(AddressError) -> (String, Int?) {
        let text = raw.trimmed
        guard !text.isEmpty else { throw AddressError("empty address") }
        if let scheme = text.range(of: "://") {
            let rest = text[scheme.upperBound...].split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
            throw AddressError("'\(text)' is a URL; write HOST:PORT without a scheme" + (rest.isEmpty ? "" : " (\(rest))"))
        }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw AddressError("'\(text)': missing ']' after the IPv6 address")
            }
            let host = String(text[text.index(after: text.startIndex)..<close])
            guard !host.isEmpty, host.contains(":") else {
                throw AddressError("'\(text)': brackets must hold an IPv6 address")
            }
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return (host, nil) }
            guard rest.first == ":" else { throw AddressError("'\(text)': expected ':PORT' after ']'") }
            return (host, try parsePort(String(rest.dropFirst()), in: text))
        }
        let colons = text.filter { $0 == ":" }.count
        if colons == 0 { return (try validHost(text, in: text), nil) }
        if colons > 1 {
            // A bare IPv6 literal; anything else with several colons is a typo.
            guard text.allSatisfy({ $0.isHexDigit || ":.%".contains($0) }) else {
                throw AddressError("'\(text)': invalid address (write IPv6 as [ADDR]:PORT)")
            }
            return (text, nil)
        }
        let idx = text.lastIndex(of: ":")!
        let host = try validHost(String(text[..<idx]), in: text)
        return (host, try parsePort(String(text[text.index(after: idx)...]), in: text))
    }

    private static func parsePort(_ s: String, in text: String) throws(AddressError) -> Int {
        guard let p = Int(s), (1...65535).contains(p) else {
            throw AddressError("'\(text)': port must be a number from 1 to 65535")
        }
        return p
    }

    private static func validHost(_ h: String, in text: String) throws(AddressError) -> String {
        guard !h.isEmpty else { throw AddressError("'\(text)': empty host name") }
        guard !h.contains(where: { $0.isWhitespace || "=/,@".contains($0) }) else {
            throw AddressError("'\(text)': invalid character in host name")
        }
        return h
    }
}

public struct AddressError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One `--alias`: an advertised broker address and the address actually dialled.
/// `NAME=ADDR` maps a host on every port; `NAME:PORT=ADDR:PORT` maps one listener (SSH -L tunnels).
public struct HostAlias: Sendable, Hashable, CustomStringConvertible {
    public var fromHost: String
    public var fromPort: Int?
    public var toHost: String
    public var toPort: Int?

    public init(fromHost: String, fromPort: Int? = nil, toHost: String, toPort: Int? = nil) {
        self.fromHost = fromHost
        self.fromPort = fromPort
        self.toHost = toHost
        self.toPort = toPort
    }

    /// Parses `NAME=ADDR`, `NAME:PORT=ADDR:PORT`, `NAME:PORT=ADDR`, with bracketed IPv6 on either side.
    public static func parse(_ spec: String) throws(AddressError) -> HostAlias {
        guard let eq = spec.firstIndex(of: "=") else {
            throw AddressError("alias '\(spec)' must look like NAME=ADDR or NAME:PORT=ADDR:PORT")
        }
        return try parse(name: String(spec[..<eq]), address: String(spec[spec.index(after: eq)...]))
    }

    /// The two sides given separately (as in the config file's `aliases` table).
    public static func parse(name: String, address: String) throws(AddressError) -> HostAlias {
        let spec = "\(name)=\(address)"
        guard !name.trimmed.isEmpty, !address.trimmed.isEmpty else {
            throw AddressError("alias '\(spec)' must look like NAME=ADDR or NAME:PORT=ADDR:PORT")
        }
        do {
            let (fh, fp) = try HostAddress.splitConfigured(name)
            let (th, tp) = try HostAddress.splitConfigured(address)
            return HostAlias(fromHost: fh, fromPort: fp, toHost: th, toPort: tp)
        } catch {
            throw AddressError("alias '\(spec)': \(error.message)")
        }
    }

    /// The `NAME[:PORT]=ADDR[:PORT]` spelling, IPv6 bracketed; parses back to the same value.
    public var description: String {
        func side(_ h: String, _ p: Int?) -> String {
            let host = h.contains(":") ? "[\(h)]" : h
            return p.map { "\(host):\($0)" } ?? host
        }
        return "\(side(fromHost, fromPort))=\(side(toHost, toPort))"
    }

    /// Whether two aliases map the same advertised key (a later one replaces an earlier one).
    func sameKey(as other: HostAlias) -> Bool {
        fromHost.lowercased() == other.fromHost.lowercased() && fromPort == other.fromPort
    }
}

extension StringProtocol {
    var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
