/// A worker version from `GET /` (`3.7.0`, `7.6.1-ccs`, `3.9.0-SNAPSHOT`), compared numerically.
public struct ConnectVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int
    public var text: String

    public init(major: Int, minor: Int, patch: Int = 0) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.text = "\(major).\(minor).\(patch)"
    }

    /// nil when the text does not start with a number.
    public init?(_ text: String) {
        let core = text.split(whereSeparator: { $0 == "-" || $0 == "+" }).first.map(String.init) ?? text
        let nums = core.split(separator: ".").prefix(3).map { part in Int(part.prefix(while: { $0.isNumber })) }
        guard let first = nums.first, let major = first else { return nil }
        self.major = major
        self.minor = nums.count > 1 ? (nums[1] ?? 0) : 0
        self.patch = nums.count > 2 ? (nums[2] ?? 0) : 0
        self.text = text
    }

    public var description: String { text }

    public static func < (a: ConnectVersion, b: ConnectVersion) -> Bool {
        (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
    }
    public static func == (a: ConnectVersion, b: ConnectVersion) -> Bool {
        (a.major, a.minor, a.patch) == (b.major, b.minor, b.patch)
    }
    public func hash(into h: inout Hasher) { h.combine(major); h.combine(minor); h.combine(patch) }

    /// Confluent Platform reports its own numbering (7.x = Kafka 3.x); map it to Apache Kafka.
    /// CP 7.0 = AK 3.0 ... CP 7.9 = AK 3.9; CP 8.0 = AK 4.0.
    public var apacheKafkaEquivalent: ConnectVersion {
        guard text.lowercased().contains("-ccs") || text.lowercased().contains("-ce") else { return self }
        switch major {
        case 7: return ConnectVersion(major: 3, minor: minor, patch: patch)
        case 8: return ConnectVersion(major: 4, minor: minor, patch: patch)
        case 6: return ConnectVersion(major: 2, minor: minor + 6 > 8 ? 8 : minor + 6, patch: patch)
        default: return self
        }
    }

    /// Why `action` cannot run on a worker of this version, nil when it can.
    public func unsupportedReason(_ action: ConnectAction, cluster: String) -> String? {
        let v = apacheKafkaEquivalent
        switch action {
        case .stop where v < ConnectVersion(major: 3, minor: 5):
            return "stop needs Kafka Connect 3.5 or newer; \(cluster) runs \(text) (pause it instead)"
        case .restart(let includeTasks, let onlyFailed) where (includeTasks || onlyFailed) && v < ConnectVersion(major: 3, minor: 0):
            return "restart with tasks or only failed instances needs Kafka Connect 3.0 or newer; \(cluster) runs \(text) "
                + "(restart the connector alone, or each task with t)"
        default:
            return nil
        }
    }
}
