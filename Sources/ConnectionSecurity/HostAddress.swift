/// A host and port as written by a user or advertised by a broker. IPv6 literals are kept
/// without brackets in `host` and bracketed again by `description`.
public struct HostAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public static func < (a: HostAddress, b: HostAddress) -> Bool { (a.host, a.port) < (b.host, b.port) }
}
