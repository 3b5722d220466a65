import ConnectionSecurity
import Foundation

/// What `~/.ssh/config` (ssh_config(5)) says about one host: the `Host` blocks whose patterns match
/// the name, first value wins (IdentityFile accumulates), `Include` followed. `Match` blocks are
/// skipped (their conditions need a running ssh), and so are keywords kafscope does not use.
public struct OpenSSHHostConfig: Sendable, Hashable {
    public var hostName: String?
    public var user: String?
    public var port: Int?
    public var identityFiles: [String] = []
    /// Hops in order (`ProxyJump a,b`), each `[user@]host[:port]`; empty for none.
    public var proxyJump: [String] = []
    public var userKnownHostsFile: String?
    /// `ConnectTimeout` in seconds: how long each step of reaching this host may take.
    public var connectTimeoutSeconds: Int?

    public init() {}
}

public enum OpenSSHConfig {
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Resolves `alias` in `file` (missing file: nothing configured). `home` expands `~` and `%d`;
    /// `localUser` is `%u`.
    public static func resolve(_ alias: String, file: String, home: String, localUser: String) throws -> OpenSSHHostConfig {
        var out = OpenSSHHostConfig()
        var seen: Set<String> = []
        var proxyJumpSet = false
        try read(file: file, alias: alias, home: home, depth: 0, into: &out, seen: &seen, proxyJumpSet: &proxyJumpSet)
        // Tokens need the final values (%h is the HostName, %r the user, %p the port).
        let host = out.hostName.map { expandTokens($0, alias: alias, host: alias, user: "", port: 22, home: home, localUser: localUser) } ?? alias
        out.hostName = out.hostName == nil ? nil : host
        let user = out.user ?? localUser
        let port = out.port ?? 22
        out.identityFiles = out.identityFiles.map {
            expandTilde(expandTokens($0, alias: alias, host: host, user: user, port: port, home: home, localUser: localUser), home: home)
        }
        out.userKnownHostsFile = out.userKnownHostsFile.map {
            expandTilde(expandTokens($0, alias: alias, host: host, user: user, port: port, home: home, localUser: localUser), home: home)
        }
        return out
    }

    private static func read(file: String, alias: String, home: String, depth: Int, into out: inout OpenSSHHostConfig,
                             seen: inout Set<String>, proxyJumpSet: inout Bool) throws {
        guard depth < 16 else { throw ParseError(description: "\(file): Include nested too deep") }
        guard let data = FileManager.default.contents(atPath: file) else { return }
        let text = String(decoding: data, as: UTF8.self)
        // Lines before the first Host apply to every host.
        var applies = true
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let words = try splitLine(String(raw), file: file, line: n + 1)
            guard let keyword = words.first?.lowercased() else { continue }
            let args = Array(words.dropFirst())
            func fail(_ why: String) -> ParseError { ParseError(description: "\(file) line \(n + 1): \(keyword): \(why)") }
            switch keyword {
            case "host":
                applies = matches(alias, patterns: args)
                continue
            case "match":
                applies = false
                continue
            case "include":
                guard applies else { continue }
                for pattern in args {
                    for path in expandInclude(pattern, home: home) {
                        try read(file: path, alias: alias, home: home, depth: depth + 1, into: &out, seen: &seen, proxyJumpSet: &proxyJumpSet)
                    }
                }
                continue
            default:
                break
            }
            guard applies, let value = args.first else { continue }
            let first = seen.insert(keyword).inserted
            switch keyword {
            case "hostname": if first { out.hostName = value }
            case "user": if first { out.user = value }
            case "port":
                guard let p = Int(value), (1...65535).contains(p) else { throw fail("'\(value)' is not a port number") }
                if first { out.port = p }
            case "identityfile": out.identityFiles.append(value)
            case "userknownhostsfile": if first { out.userKnownHostsFile = value }
            case "connecttimeout":
                guard let t = Int(value), t > 0 else { throw fail("'\(value)' is not a number of seconds") }
                if first { out.connectTimeoutSeconds = t }
            case "proxyjump":
                if !proxyJumpSet {
                    proxyJumpSet = true
                    out.proxyJump = value.lowercased() == "none" ? [] : value.split(separator: ",").map {
                        var hop = String($0).trimmingCharacters(in: .whitespaces)
                        if hop.lowercased().hasPrefix("ssh://") { hop = String(hop.dropFirst(6)) }
                        return hop
                    }
                }
            default: break
            }
        }
    }

    /// Words of a line: `Keyword arg...` or `Keyword=arg`, double quotes group, `#` starts a comment.
    static func splitLine(_ line: String, file: String, line n: Int) throws -> [String] {
        var words: [String] = []
        var cur = ""
        var quoted = false
        var inWord = false
        for c in line {
            if quoted {
                if c == "\"" { quoted = false } else { cur.append(c) }
                continue
            }
            if c == "#" && !inWord { break }
            if c == "\"" { quoted = true; inWord = true; continue }
            if c.isWhitespace || (c == "=" && words.isEmpty) {
                if inWord { words.append(cur); cur = ""; inWord = false }
                continue
            }
            cur.append(c)
            inWord = true
        }
        if quoted { throw ParseError(description: "\(file) line \(n): unterminated quote") }
        if inWord { words.append(cur) }
        return words
    }

    /// `Host` patterns: `*` and `?` wildcards, `!pattern` excludes; any positive match without a
    /// negated one matches.
    static func matches(_ name: String, patterns: [String]) -> Bool {
        OpenSSHPattern.matches(name.lowercased(), patternLists: patterns)
    }

    /// `Include` paths: relative ones are under ~/.ssh; `*` and `?` in the file name are expanded.
    static func expandInclude(_ pattern: String, home: String) -> [String] {
        var path = expandTilde(pattern, home: home)
        if !path.hasPrefix("/") { path = "\(home)/.ssh/\(path)" }
        let dir = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        guard name.contains("*") || name.contains("?") else { return [path] }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return entries.filter { OpenSSHPattern.glob(name, $0) }.sorted().map { "\(dir)/\($0)" }
    }

    static func expandTilde(_ p: String, home: String) -> String {
        if p == "~" { return home }
        if p.hasPrefix("~/") { return home + String(p.dropFirst(1)) }
        return p
    }

    /// %h host, %n the name as given, %r remote user, %p port, %d home, %u local user, %% percent.
    static func expandTokens(_ s: String, alias: String, host: String, user: String, port: Int, home: String, localUser: String) -> String {
        guard s.contains("%") else { return s }
        var out = ""
        var it = s.makeIterator()
        while let c = it.next() {
            guard c == "%", let t = it.next() else { out.append(c); continue }
            switch t {
            case "h": out += host
            case "n": out += alias
            case "r": out += user
            case "p": out += String(port)
            case "d": out += home
            case "u": out += localUser
            case "%": out += "%"
            default: out += "%\(t)"
            }
        }
        return out
    }
}
