import Foundation
import KafkaClient
import KafkaProducer
import KafkaTestSupport
import Logging

/// Independent readers and writers (confluent-kafka's librdkafka) for checking what kafscope produced.
enum ConfluentPeer {
    struct Message: Hashable, CustomStringConvertible {
        var description: String { "p\(partition)@\(offset) key=\(key ?? []) value=\(value ?? []) h=\(headers) ts=\(timestamp)" }
        var partition: Int32
        var offset: Int64
        var key: [UInt8]?
        var value: [UInt8]?
        var headers: [String]
        var headerValues: [[UInt8]?]
        var timestamp: Int64
    }

    /// Reads every record of `topic` from the beginning to the end with a confluent-kafka consumer.
    static let consumeScript = """
        import base64, json, sys
        from confluent_kafka import Consumer, TopicPartition
        bootstrap, topic = sys.argv[1], sys.argv[2]
        # "eof": read each partition to the end the fetches report (tansu's ListOffsets answers a high
        # watermark that a multi-record batch advanced by one only), not to the listed end offset.
        until_eof = len(sys.argv) > 3 and sys.argv[3] == "eof"
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": "kafscope-check", "enable.auto.commit": False,
                      "auto.offset.reset": "earliest", "enable.partition.eof": True, "log_level": 3})
        md = c.list_topics(topic, timeout=20).topics[topic]
        parts = [TopicPartition(topic, p, 0) for p in md.partitions]
        ends = {}
        for tp in parts:
            lo, hi = c.get_watermark_offsets(tp, timeout=20)
            ends[tp.partition] = hi
        c.assign([TopicPartition(topic, p, -2) for p in md.partitions])
        done = {p for p, hi in ends.items() if hi == 0}
        b = lambda v: None if v is None else base64.b64encode(v).decode()
        while len(done) < len(ends):
            m = c.poll(10)
            if m is None: raise SystemExit("timed out reading %s" % topic)
            if m.error():
                if m.error().code() == -191: done.add(m.partition()); continue
                raise SystemExit(str(m.error()))
            print(json.dumps({"partition": m.partition(), "offset": m.offset(), "key": b(m.key()), "value": b(m.value()),
                              "headers": [[k, b(v)] for k, v in (m.headers() or [])], "timestamp": m.timestamp()[1]}))
            if not until_eof and m.offset() + 1 >= ends[m.partition()]: done.add(m.partition())
        c.close()
        """

    static func consume(bootstrap: String, topic: String, untilEOF: Bool = false) async throws -> [Message] {
        let out = try await python(consumeScript, [bootstrap, topic] + (untilEOF ? ["eof"] : []))
        return try out.split(separator: "\n").map { line in
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw PeerError("consumer printed \(line)")
            }
            let headers = (o["headers"] as? [[Any]]) ?? []
            return Message(partition: Int32(o["partition"] as! Int), offset: Int64(o["offset"] as! Int),
                           key: bytes(o["key"]), value: bytes(o["value"]),
                           headers: headers.map { $0[0] as! String }, headerValues: headers.map { bytes($0[1]) },
                           timestamp: Int64(o["timestamp"] as! Int))
        }.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }

    /// The partition librdkafka's murmur2_random partitioner gives each key (produced for real, on `topic`).
    static let placementScript = """
        import json, sys
        from confluent_kafka import Producer
        bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
        p = Producer({"bootstrap.servers": bootstrap, "partitioner": "murmur2_random", "log_level": 3, "linger.ms": 5})
        out = {}
        def done(err, msg):
            if err: raise SystemExit(str(err))
            out[msg.key().decode()] = msg.partition()
        for i in range(n):
            p.produce(topic, key=("key-%d" % i).encode(), value=b"v", on_delivery=done)
            if i % 1000 == 0: p.poll(0)
        p.flush(60)
        print(json.dumps(out))
        """

    static func murmur2RandomPlacement(bootstrap: String, topic: String, keys: Int) async throws -> [String: Int32] {
        let out = try await python(placementScript, [bootstrap, topic, String(keys)])
        guard let o = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Int] else { throw PeerError("placement: \(out)") }
        return o.mapValues { Int32($0) }
    }

    static func python(_ script: String, _ args: [String]) async throws -> String {
        let env = try PeerEnvironment.locate()
        let out = try await CommandRunner.run(env.python, ["-c", script] + args, timeout: .seconds(120))
        guard out.status == 0 else { throw PeerError("python peer exited \(out.status): \(out.stderr.suffix(2000))") }
        return out.stdout
    }

    static func bytes(_ v: Any?) -> [UInt8]? {
        guard let s = v as? String else { return nil }
        return Array(Data(base64Encoded: s) ?? Data())
    }
}

/// A client and a producer on it, with every delivery report collected.
final class ProducerHarness: @unchecked Sendable {
    let client: KafkaClient
    let producer: KafkaProducer
    private let lock = NSLock()
    private var collected: [DeliveryReport] = []

    init(bootstrap: String, config: ProducerConfig, requestTimeout: Duration = .seconds(10)) throws {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let cc = KafkaClientConfig(bootstrap: try HostAddress.parseList(bootstrap), aliases: try HostAliasMap([]), tls: nil,
                                   sasl: nil, clientId: "kafscope-test", connectTimeout: .seconds(5),
                                   requestTimeout: requestTimeout, maxReconnectBackoff: .milliseconds(300))
        client = KafkaClient(config: cc, logger: logger)
        let box = ReportBox()
        producer = KafkaProducer(client: client, config: config, logger: logger) { box.add($0) }
        self.box = box
    }

    private let box: ReportBox

    var reports: [DeliveryReport] { box.all.sorted { $0.id < $1.id } }

    func finish() async {
        await producer.close()
        await client.shutdown()
    }
}

final class ReportBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [DeliveryReport] = []
    func add(_ r: [DeliveryReport]) { lock.lock(); items += r; lock.unlock() }
    var all: [DeliveryReport] { lock.lock(); defer { lock.unlock() }; return items }
}
