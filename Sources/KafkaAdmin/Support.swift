import ClusterModel
import KafkaClient
import KafkaProtocol

/// A topic partition as a dictionary key.
public struct TopicPartitionKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (a: Self, b: Self) -> Bool { (a.topic, a.partition) < (b.topic, b.partition) }
    public var description: String { "\(topic)-\(partition)" }
}

/// Kafka's name for an error code, e.g. NOT_LEADER_OR_FOLLOWER.
func errorName(_ code: Int16) -> String {
    KafkaErrorCode.lookup(code).name
}

/// "NAME (code): message" for users.
func describeKafkaError(_ code: Int16, message: String? = nil) -> String {
    var s = "\(errorName(code)) (\(code))"
    if let m = message, !m.isEmpty { s += ": \(m)" }
    return s
}

/// An error from reading one source, in words for the screen; connect failures carry the fix.
func sourceError(_ error: any Error, source fallback: String) -> SourceError {
    if let e = error as? KafkaClientError {
        let source = e.endpoint.map { $0.description } ?? fallback
        var message = e.description
        // Drop the endpoint prefix the description starts with; it is already the source.
        if let ep = e.endpoint, message.hasPrefix(ep.description + ": ") {
            message.removeFirst(ep.description.count + 2)
        }
        return SourceError(source: source, message: message)
    }
    return SourceError(source: fallback, message: String(describing: error))
}

func unsupportedMessage(_ api: String) -> String { "not supported by this broker (\(api))" }

extension KafkaClientError {
    var isUnsupported: Bool { if case .unsupported = self { return true }; return false }
    /// The connection died under a read: worth one retry on a new connection.
    var isRetriableTransportForRead: Bool { if case .connectionClosed = self { return true }; return false }
}

/// Runs `body` for every element concurrently and collects results in input order.
func concurrentMap<T: Sendable, R: Sendable>(_ items: [T], _ body: @escaping @Sendable (T) async -> R) async -> [R] {
    await withTaskGroup(of: (Int, R).self) { group in
        for (i, item) in items.enumerated() {
            group.addTask { (i, await body(item)) }
        }
        var out = [R?](repeating: nil, count: items.count)
        for await (i, r) in group { out[i] = r }
        return out.map { $0! }
    }
}

/// Values per topic partition, stored per topic so that a cluster-wide read (tens of thousands of
/// partitions) hashes each topic name once rather than once per partition.
public struct PartitionMap<Value: Sendable>: Sendable, ExpressibleByDictionaryLiteral {
    public private(set) var byTopic: [String: [Int32: Value]] = [:]
    public private(set) var count = 0

    public init() {}

    public init(dictionaryLiteral elements: (TopicPartitionKey, Value)...) {
        for (k, v) in elements { self[k] = v }
    }

    public var isEmpty: Bool { count == 0 }

    public subscript(_ tp: TopicPartitionKey) -> Value? {
        get { byTopic[tp.topic]?[tp.partition] }
        set { self[tp.topic, tp.partition] = newValue }
    }

    public subscript(_ topic: String, _ partition: Int32) -> Value? {
        get { byTopic[topic]?[partition] }
        set {
            if let newValue {
                let old = byTopic[topic, default: [:]].updateValue(newValue, forKey: partition)
                if old == nil { count += 1 }
            } else if byTopic[topic]?.removeValue(forKey: partition) != nil {
                count -= 1
                if byTopic[topic]?.isEmpty == true { byTopic[topic] = nil }
            }
        }
    }

    /// Sets every partition of one topic at once (one hash of the name).
    public mutating func merge(topic: String, _ values: [Int32: Value]) {
        guard !values.isEmpty else { return }
        guard let i = byTopic.index(forKey: topic) else {
            byTopic[topic] = values
            count += values.count
            return
        }
        let before = byTopic.values[i].count
        byTopic.values[i].merge(values) { $1 }
        count += byTopic.values[i].count - before
    }

    public mutating func merge(_ other: PartitionMap<Value>) {
        for (t, values) in other.byTopic { merge(topic: t, values) }
    }
}
