import ConnectionSecurity
import Crypto
import Foundation

/// OpenSSH known_hosts files: plain and hashed (`|1|salt|hash`, HMAC-SHA1 of the host name) entries,
/// comma-separated patterns with `*`, `?` and `!` negation, `[host]:port` for ports other than 22,
/// and the `@revoked` marker. `@cert-authority` lines are skipped (host certificates are not checked).
public enum KnownHosts {
    public struct Entry: Sendable, Hashable {
        public var file: String
        public var line: Int
        public var keyType: String
        public var keyBase64: String
    }

    public enum Verdict: Sendable, Hashable {
        /// The key is listed for this host.
        case trusted(Entry)
        /// No line for this host with this key type (other types it is known with, if any).
        case unknown(knownTypes: [String])
        /// The host is listed with another key of the same type: possible man in the middle.
        case changed(Entry)
        /// The key is marked @revoked.
        case revoked(Entry)
    }

    /// The name known_hosts uses for a host: `host`, or `[host]:port` when the port is not 22.
    public static func hostName(_ host: String, port: Int) -> String {
        port == 22 ? host.lowercased() : "[\(host.lowercased())]:\(port)"
    }

    /// `key` is the OpenSSH public key text ("ssh-ed25519 AAAA...").
    public static func check(host: String, port: Int, key: String, files: [String]) -> Verdict {
        let parts = key.split(separator: " ")
        guard parts.count >= 2 else { return .unknown(knownTypes: []) }
        let type = String(parts[0]), blob = String(parts[1])
        let name = hostName(host, port: port)
        var knownTypes: [String] = []
        var changed: Entry?
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                var fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                guard let first = fields.first, !first.hasPrefix("#") else { continue }
                var marker: String?
                if first.hasPrefix("@") { marker = first; fields.removeFirst() }
                guard fields.count >= 3, marker != "@cert-authority" else { continue }
                guard matches(hostField: fields[0], name: name) else { continue }
                let entry = Entry(file: file, line: i + 1, keyType: fields[1], keyBase64: fields[2])
                if marker == "@revoked" {
                    if fields[2] == blob { return .revoked(entry) }
                    continue
                }
                if fields[1] == type {
                    if fields[2] == blob { return .trusted(entry) }
                    if changed == nil { changed = entry }
                } else if !knownTypes.contains(fields[1]) {
                    knownTypes.append(fields[1])
                }
            }
        }
        if let changed { return .changed(changed) }
        return .unknown(knownTypes: knownTypes)
    }

    static func matches(hostField: String, name: String) -> Bool {
        if hostField.hasPrefix("|1|") {
            let parts = hostField.split(separator: "|", omittingEmptySubsequences: false)
            guard parts.count == 4, let salt = Data(base64Encoded: String(parts[2])),
                  let hash = Data(base64Encoded: String(parts[3])) else { return false }
            let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(name.utf8), using: SymmetricKey(data: salt))
            return Data(mac) == hash
        }
        return OpenSSHPattern.matches(name, patternLists: [hostField])
    }

    /// The line to add for a host and key (plain, as `ssh` writes it with HashKnownHosts off).
    public static func line(host: String, port: Int, key: String) -> String {
        let parts = key.split(separator: " ")
        return "\(hostName(host, port: port)) \(parts.prefix(2).joined(separator: " "))"
    }

    /// Appends the line (creating the file, and its directory with mode 0700, as needed).
    public static func append(host: String, port: Int, key: String, to file: String) throws {
        let dir = (file as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        var text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        text += line(host: host, port: port, key: key) + "\n"
        let existed = FileManager.default.fileExists(atPath: file)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        if !existed { try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file) }
    }

    /// "SHA256:..." as `ssh-keygen -l` prints it.
    public static func fingerprint(key: String) -> String {
        let parts = key.split(separator: " ")
        guard parts.count >= 2, let blob = Data(base64Encoded: String(parts[1])) else { return "?" }
        var b64 = Data(SHA256.hash(data: blob)).base64EncodedString()
        while b64.hasSuffix("=") { b64.removeLast() }
        return "SHA256:" + b64
    }
}
