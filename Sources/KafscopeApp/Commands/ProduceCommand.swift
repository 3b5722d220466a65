import ArgumentParser
import Foundation
import KafkaClient
import KafkaProducer
import KafkaRecords
import KafscopeConfig
import Logging
import WriteFlow

/// `kafscope produce TOPIC`: sends records read from stdin or --file (`lines` like kcat -P, or the
/// JSON lines `kafscope tail -o json` writes). A write: it goes through the write flow (refused in
/// read-only mode, confirmed on the terminal naming cluster and topic unless --yes, one audit line).
public struct ProduceCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Send records to a topic (one per line of stdin or --file, or tail's JSON lines).",
        discussion: """
            --format lines (default): each line is a value; -K SEP splits key and value at the first SEP, as kcat -P does \
            (with kcat's escapes: \\t tab, \\r carriage return, \\\\ backslash, \\xNN any byte, e.g. -K '\\t'). \
            --format jsonl: each line is an object as `kafscope tail -o json` writes it (key, value, headers; \
            {"base64": ...} payloads stay bytes); --keep-timestamps and --keep-partitions keep those fields. \
            Confirmation is asked on the terminal (/dev/tty), since stdin carries the data; --yes skips it.
            """)

    @OptionGroup public var global: GlobalOptions

    @Argument(help: "Topic to write to.")
    public var topic: String

    @Option(name: .customLong("partition"), parsing: .unconditional, help: "Send every record to this partition (default: murmur2 of the key, like Java).")
    public var partition: Int32?

    @Option(name: .customLong("key"), help: "Key for every record.")
    public var key: String?

    @Option(name: .customLong("header"), help: ArgumentHelp("Header for every record (repeatable).", valueName: "K=V"))
    public var headers: [String] = []

    @Option(name: .customLong("compression"), help: "none, gzip, snappy, lz4 or zstd.")
    public var compression: String = "none"

    @Option(name: .customLong("acks"), help: "all (default), 1 or 0.")
    public var acks: String = "all"

    @Option(name: .customLong("format"), help: "lines or jsonl.")
    public var format: String = "lines"

    @Option(name: .customShort("K"), help: ArgumentHelp("Key separator for --format lines (\\t, \\r, \\\\ and \\xNN as in kcat).", valueName: "SEP"))
    public var keySeparator: String?

    @Option(name: .customLong("file"), help: "Read records from this file instead of stdin.")
    public var file: String?

    @Flag(name: .customLong("keep-timestamps"), help: "jsonl: keep each record's timestamp.")
    public var keepTimestamps = false

    @Flag(name: .customLong("keep-partitions"), help: "jsonl: keep each record's partition.")
    public var keepPartitions = false

    @Flag(name: .customLong("yes"), help: "Do not ask for confirmation.")
    public var yes = false

    public init() {}

    public func validate() throws {
        if topic.isEmpty { throw ValidationError("the topic name is empty") }
        _ = try parsedCompression()
        _ = try parsedAcks()
        guard let f = ProduceInput.Format(rawValue: format) else { throw ValidationError("--format must be lines or jsonl, not '\(format)'") }
        if let partition, partition < 0 { throw ValidationError("--partition must be 0 or more") }
        if keySeparator != nil && f == .jsonl { throw ValidationError("-K applies to --format lines only") }
        if let keySeparator { _ = try ProduceKeySeparator.bytes(keySeparator) }
        if keySeparator != nil && key != nil { throw ValidationError("--key and -K cannot be combined") }
        if (keepTimestamps || keepPartitions) && f != .jsonl { throw ValidationError("--keep-timestamps and --keep-partitions need --format jsonl") }
        if keepPartitions && partition != nil { throw ValidationError("--keep-partitions and --partition cannot be combined") }
        _ = try parsedHeaders()
    }

    func parsedCompression() throws -> RecordCompression {
        guard let c = RecordCompression.allCases.first(where: { $0.description == compression.lowercased() }) else {
            throw ValidationError("--compression must be none, gzip, snappy, lz4 or zstd, not '\(compression)'")
        }
        return c
    }

    func parsedAcks() throws -> ProducerAcks {
        switch acks.lowercased() {
        case "all", "-1": return .all
        case "1": return .leader
        case "0": return .none
        default: throw ValidationError("--acks must be all, 1 or 0, not '\(acks)'")
        }
    }

    func parsedHeaders() throws -> [RecordHeaderValue] {
        try headers.map { h in
            guard let eq = h.firstIndex(of: "="), eq != h.startIndex else { throw ValidationError("--header must be KEY=VALUE, not '\(h)'") }
            return RecordHeaderValue(key: String(h[..<eq]), value: Array(h[h.index(after: eq)...].utf8))
        }
    }

    public func run() async throws {
        let outputFormat = try global.outputFormat()
        let settings = try global.resolveSettings()
        let console = StandardConsole()
        for w in settings.warnings { console.err("warning: \(w)") }
        let logger = AppEnvironment.currentLogger()
        let cluster = settings.contextName.map { "cluster \($0)" }
            ?? "cluster at " + settings.bootstrap.map { "\($0)" }.joined(separator: ",")
        let source = file.map { "file \($0)" } ?? "stdin"
        var description = WriteDescription(kind: .produce, action: "produce records to topic",
                                           target: WriteTarget(name: topic, location: cluster),
                                           details: ["records from \(source), format \(format), acks \(acks), compression \(compression)"],
                                           audit: [AuditField("topic", topic), AuditField("source", source), AuditField("format", format),
                                                   AuditField("acks", acks), AuditField("compression", compression)])
        let driver = WriteDriver(console: console, logger: logger, settleTimeout: 0, printSuccess: false)
        var client: KafkaClient?
        var summary: ProduceSummary?
        let report = try await driver.run(description, readOnly: settings.readOnly, yes: yes, check: {
            _ = try settings.requireBootstrap()
            let c = KafkaClient(config: try KafkaClientSettings.clientConfig(from: settings), logger: logger)
            client = c
            do {
                let meta = try await c.metadata(refresh: true)
                guard let t = meta.topics[topic], !t.partitions.isEmpty else {
                    return .unavailable("topic \(topic) does not exist on \(cluster)")
                }
                if let partition, Int(partition) >= t.partitions.count {
                    return .unavailable("topic \(topic) has \(t.partitions.count) partitions; there is no partition \(partition)")
                }
                description.details.insert("topic \(topic): \(t.partitions.count) partition\(t.partitions.count == 1 ? "" : "s")", at: 0)
                return .ready(description)
            } catch let e as KafkaClientError {
                return .unavailable(e.description)
            }
        }, send: { _ in
            guard let client else { return .failed("no connection") }
            do {
                let s = try await send(client: client, logger: logger, console: console)
                summary = s
                let text = s.headline(topic: topic) + (s.failed.isEmpty ? "" : "\n" + s.failureText())
                // Ctrl-C cut the input short: partial even when every record read was sent.
                if s.interruptedAfterLine != nil { return .partial(text) }
                if s.failed.isEmpty { return .accepted(text) }
                return s.sent == 0 ? .failed(text) : .partial(text)
            } catch {
                return .failed("\(error)")
            }
        })
        if let s = summary {
            if outputFormat == .json { console.out(s.json(topic: topic).serialized()) } else { console.out(s.table(topic: topic)) }
        }
        await client?.shutdown()
        // Ctrl-C: what was read was sent and reported; the exit status says the run was cut short.
        if summary?.interruptedAfterLine != nil { throw ExitCode(130) }
        if !report.outcome.succeeded { throw ExitCode(1) }
    }

    /// Reads the input and streams it through a producer; every record ends in the summary.
    func send(client: KafkaClient, logger: Logger, console: any CLIConsole) async throws -> ProduceSummary {
        let fd: Int32
        if let file {
            fd = open(file, O_RDONLY)
            guard fd >= 0 else { throw CommandFailure("cannot open \(file): \(String(cString: strerror(errno)))") }
        } else {
            fd = 0
        }
        defer { if fd != 0 { close(fd) } }
        let options = ProduceInput.Options(topic: topic, format: ProduceInput.Format(rawValue: format)!,
                                           keySeparator: try keySeparator.map(ProduceKeySeparator.bytes), fixedKey: key.map { Array($0.utf8) },
                                           fixedPartition: partition, headers: try parsedHeaders(),
                                           keepTimestamps: keepTimestamps, keepPartitions: keepPartitions)
        // From here on, Ctrl-C stops the reading instead of the process (see ProduceInterrupt).
        let interrupt = ProduceInterrupt()
        defer { interrupt.stop() }
        var input = ProduceInput(fd: fd, options: options, interrupt: interrupt)
        let collector = ProduceSummary.Collector()
        let config = ProducerConfig(acks: try parsedAcks(), compression: try parsedCompression())
        let producer = KafkaProducer(client: client, config: config, logger: logger) { collector.add($0) }
        // The next chunk is read and parsed while the producer encodes the previous one (one hand-over
        // at a time, so ids and line numbers stay in order).
        var handingOver: Task<Void, Never>?
        while options.format == .lines {
            // Lines: one buffer per chunk, no record objects at all.
            guard let (chunk, firstLine) = try input.nextChunk(max: 2_000) else { break }
            await handingOver?.value
            handingOver = Task {
                let ids = await producer.send(chunk)
                collector.recordLines(ids, firstLine: firstLine)
            }
        }
        while options.format == .jsonl {
            let items = try input.next(max: 2_000)
            if items.isEmpty { break }
            var records: [ProducerRecord] = []
            records.reserveCapacity(items.count)
            var lines: [Int] = []
            lines.reserveCapacity(items.count)
            for i in items.indices {
                switch items[i].item {
                case .record(let r): records.append(r); lines.append(items[i].line)
                case .invalid(let why): collector.invalid(line: items[i].line, why)
                }
            }
            await handingOver?.value
            handingOver = Task {
                let ids = await producer.send(records)
                collector.recordLines(ids, lines)
            }
        }
        await handingOver?.value
        await producer.close()
        for n in await producer.takeNotices() { console.err("warning: \(n)") }
        var summary = collector.summary()
        summary.keptTimestamps = keepTimestamps
        if input.interrupted { summary.interruptedAfterLine = input.lineNumber }
        if let replaced = summary.replacedTimestamps(topic: topic) { console.err("warning: \(replaced)") }
        return summary
    }
}

/// What a produce run did: per partition counts and offsets, and every failed record by line.
struct ProduceSummary {
    struct Partition {
        var count = 0
        var first: Int64?
        var last: Int64?
        /// The broker answered with its append time: the topic stamps records itself (LogAppendTime).
        var logAppendTime = false
    }

    var sent = 0
    var bytes = 0
    var partitions: [Int32: Partition] = [:]
    /// (line, reason), by line.
    var failed: [(Int, String)] = []
    /// The input's timestamps were sent (`--keep-timestamps`).
    var keptTimestamps = false
    /// Ctrl-C stopped the reading after this input line (the rest of the input was not read).
    var interruptedAfterLine: Int?

    func headline(topic: String) -> String {
        var s = "produced \(sent) record\(sent == 1 ? "" : "s") (\(bytes) bytes) to \(topic)"
        if !failed.isEmpty { s += "; \(failed.count) failed" }
        if let line = interruptedAfterLine { s += "; interrupted (Ctrl-C) after input line \(line): the rest was not read" }
        if let replaced = replacedTimestamps(topic: topic) { s += "; \(replaced)" }
        return s
    }

    /// `--keep-timestamps` into a topic with LogAppendTime: the broker replaced the times kept, and
    /// the copy is not what the user asked for. Said in the headline (so in the audit line too).
    func replacedTimestamps(topic: String) -> String? {
        let stamped = partitions.filter(\.value.logAppendTime).keys.sorted()
        guard keptTimestamps, !stamped.isEmpty else { return nil }
        let which = stamped.count == partitions.count ? "every partition" : "partition\(stamped.count == 1 ? "" : "s") "
            + stamped.map(String.init).joined(separator: ", ")
        return "the timestamps kept were replaced by the broker's append time on \(which) (\(topic) uses LogAppendTime)"
    }

    /// The first `limit` failures, one line each (a reason quoting the broker cannot start a line of
    /// its own), then how many more; `-o json` lists every one.
    func failureText(limit: Int = 20) -> String {
        var lines = failed.prefix(limit).map { "  line \($0.0): " + TextTable.clean($0.1) }
        if failed.count > limit { lines.append("  ... and \(failed.count - limit) more") }
        return lines.joined(separator: "\n")
    }

    func table(topic: String) -> String {
        var t = TextTable(["PARTITION", "RECORDS", "FIRST OFFSET", "LAST OFFSET"], align: [.right, .right, .right, .right])
        for (p, s) in partitions.sorted(by: { $0.key < $1.key }) {
            t.add([String(p), String(s.count), s.first.map(String.init) ?? "-", s.last.map(String.init) ?? "-"])
        }
        return t.render() + TextTable.clean(headline(topic: topic))
    }

    func json(topic: String) -> JSONValue {
        .object([
            ("topic", .string(topic)), ("records", .int(Int64(sent))), ("bytes", .int(Int64(bytes))),
            ("partitions", .array(partitions.sorted { $0.key < $1.key }.map { p, s in
                .object([("partition", .int(Int64(p))), ("records", .int(Int64(s.count))),
                         ("first_offset", s.first.map { .int($0) } ?? .null), ("last_offset", s.last.map { .int($0) } ?? .null),
                         ("log_append_time", .bool(s.logAppendTime))])
            })),
            ("failed", .array(failed.map { .object([("line", .int(Int64($0.0))), ("error", .string($0.1))]) })),
            ("interrupted_after_line", interruptedAfterLine.map { .int(Int64($0)) } ?? .null),
        ])
    }

    /// Gathers delivery reports from the producer's actor.
    final class Collector: @unchecked Sendable {
        private let lock = NSLock()
        private var state = ProduceSummary()
        private var lines = RecordLineIndex()
        /// Failed record ids with an index into `reasons`: a million records failing for one reason
        /// keep one copy of it.
        private var pendingFailures: [(UInt64, Int)] = []
        private var reasons: [String] = []
        private var reasonIndex: [String: Int] = [:]

        /// Consecutive lines from `firstLine` (the `lines` format: every line is a record).
        func recordLines(_ ids: Range<UInt64>, firstLine: Int) {
            lock.lock(); defer { lock.unlock() }
            lines.append(ids: ids, firstLine: firstLine)
        }

        func recordLines(_ ids: Range<UInt64>, _ lineNumbers: [Int]) {
            lock.lock(); defer { lock.unlock() }
            lines.append(ids: ids, lines: lineNumbers)
        }

        func invalid(line: Int, _ why: String) {
            lock.lock(); defer { lock.unlock() }
            state.failed.append((line, why))
        }

        func add(_ reports: [DeliveryReport]) {
            lock.lock(); defer { lock.unlock() }
            for r in reports {
                switch r.result {
                case .success(let d):
                    state.sent += 1
                    state.bytes += r.keyBytes + r.valueBytes
                    guard let p = r.partition else { continue }
                    var s = state.partitions[p] ?? Partition()
                    s.count += 1
                    if let o = d.offset {
                        s.first = min(s.first ?? o, o)
                        s.last = max(s.last ?? o, o)
                    }
                    if d.logAppendTime != nil { s.logAppendTime = true }
                    state.partitions[p] = s
                case .failure(let f):
                    let why = f.description
                    let index = reasonIndex[why] ?? {
                        reasons.append(why)
                        reasonIndex[why] = reasons.count - 1
                        return reasons.count - 1
                    }()
                    pendingFailures.append((r.id, index))
                }
            }
        }

        func summary() -> ProduceSummary {
            lock.lock(); defer { lock.unlock() }
            var s = state
            for (id, why) in pendingFailures {
                s.failed.append((lines.line(of: id) ?? -1, reasons[why]))
            }
            s.failed.sort { $0.0 < $1.0 }
            return s
        }
    }
}
