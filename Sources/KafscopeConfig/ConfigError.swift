/// A configuration problem, naming the file, line (when known) and key, e.g.
/// `config.toml:7: contexts.demo.bootstrap: expected an array of "host:port" strings`.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String?
    public var line: Int?
    public var key: String?
    public var message: String

    public init(file: String? = nil, line: Int? = nil, key: String? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        var out = ""
        if let file {
            out += file
            if let line { out += ":\(line)" }
            out += ": "
        }
        if let key, !key.isEmpty { out += "\(key): " }
        return out + message
    }
}
