import ArgumentParser
import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
import KafscopeConfig
import Logging
import SchemaRegistry

/// `kafscope tail TOPIC`: streams records like `kcat -C` (text: one value per line) or `kcat -J`
/// (`-o json`: one object per line, see README "JSON output"). Notices go to stderr.
public struct TailCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Stream records of a topic (text: values, -o json: one object per record).",
        discussion: """
            --from takes end (default), beginning, an offset, -N (the last N records of each partition) \
            or @TIMESTAMP (milliseconds since the epoch, or ISO 8601 such as @2024-05-01T12:00:00Z).
            --until bounds the window and exits 0 once every partition reached it: end (the end offsets \
            seen at start), OFFSET (records before it; a partition ending earlier stops at its end) or \
            @TIMESTAMP (records before the first one at or after that time). Records appended meanwhile \
            are not read, nor partitions added meanwhile. Without --from, --until starts at the beginning \
            (an export of everything up to the bound), not at the end.
            """)

    @OptionGroup public var global: GlobalOptions

    @Argument(help: "Topic to read.")
    public var topic: String

    @Option(name: .customLong("from"), parsing: .unconditional, help: "end (default; beginning with --until), beginning, OFFSET, -N or @TIMESTAMP.")
    public var from: String?

    @Option(name: .customLong("until"), parsing: .unconditional, help: "end, OFFSET or @TIMESTAMP: stop there and exit 0.")
    public var until: String?

    @Option(name: .customLong("partitions"), help: "Comma-separated partitions (default: all, following added ones).")
    public var partitions: String?

    @Option(name: .customLong("max"), parsing: .unconditional, help: "Stop after N records.")
    public var max: Int?

    @Flag(name: .customLong("exit-at-end"), help: "Stop once every partition reached the end offset seen at start.")
    public var exitAtEnd = false

    @Flag(name: .customLong("read-committed"), help: "Hide records of aborted transactions (isolation read_committed).")
    public var readCommitted = false

    @Flag(name: .customLong("raw"), help: ArgumentHelp(
        "Records' bytes as they are: no schema decoding; text values unescaped (for piping).",
        discussion: "Text output escapes ESC, other control characters and bidi overrides (\\x1b, \\u202e) so that a record cannot drive your terminal. --raw writes the value bytes unchanged: use it only when stdout is a pipe or file. With -o json, --raw skips the Schema Registry (a context's too) so that key and value are the record's bytes (UTF-8 text or base64): what `produce --format jsonl` needs to copy records exactly."))
    public var raw = false

    @OptionGroup public var decoding: TailDecodingOptions

    public init() {}

    public func validate() throws {
        if topic.isEmpty { throw ValidationError("the topic name is empty") }
        _ = try TailCommand.parseStart(startText)
        _ = try TailCommand.parseUntil(until)
        _ = try TailCommand.parsePartitions(partitions)
        if let max, max < 0 { throw ValidationError("--max must be 0 or more") }
        if raw, let decoding = decoding.requested {
            throw ValidationError("--raw writes records' bytes undecoded; it cannot be combined with \(decoding)")
        }
    }

    /// `--from`, else where a tail starts: the end, to follow what comes next; with `--until`, the
    /// beginning, since a bounded tail is an export of a window and starting at the end would export
    /// nothing (`tail T --until end > dump.jsonl` wrote an empty file and exited 0).
    var startText: String { from ?? (until == nil ? "end" : "beginning") }

    static func parseStart(_ s: String) throws -> TailStart {
        switch s.lowercased() {
        case "end", "latest": return .end
        case "beginning", "earliest", "start": return .beginning
        default: break
        }
        if s.hasPrefix("-"), let n = Int64(s.dropFirst()), n >= 0 { return .last(n) }
        if let o = Int64(s), o >= 0 { return .offset(o) }
        if let ms = try parseTimestamp(s, option: "--from") { return .timestamp(ms) }
        throw ValidationError("--from must be end, beginning, OFFSET, -N or @TIMESTAMP, not '\(s)'")
    }

    static func parseUntil(_ s: String?) throws -> TailUntil? {
        guard let s else { return nil }
        if s.lowercased() == "end" || s.lowercased() == "latest" { return .end }
        if let o = Int64(s), o >= 0 { return .offset(o) }
        if let ms = try parseTimestamp(s, option: "--until") { return .timestamp(ms) }
        throw ValidationError("--until must be end, OFFSET or @TIMESTAMP, not '\(s)'")
    }

    /// `@MILLISECONDS` or `@ISO8601` as milliseconds since the epoch; nil when `s` is not `@...`.
    static func parseTimestamp(_ s: String, option: String) throws -> Int64? {
        guard s.hasPrefix("@") else { return nil }
        let t = String(s.dropFirst())
        // Negative values are ListOffsets sentinels (-1 latest, -2 earliest ...), not times.
        if let ms = Int64(t) {
            guard ms >= 0 else {
                throw ValidationError("\(option) @TIMESTAMP must be milliseconds since the epoch (0 or more), not '\(s)'")
            }
            return ms
        }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: t) ?? ISO8601DateFormatter().date(from: t) {
            // Before 1970 every record is newer: the beginning (and never a negative sentinel).
            return Swift.max(0, Int64((d.timeIntervalSince1970 * 1000).rounded()))
        }
        return nil
    }

    static func parsePartitions(_ s: String?) throws -> [Int32]? {
        guard let s else { return nil }
        var out: [Int32] = []
        for part in s.split(separator: ",") {
            guard let p = Int32(part.trimmingCharacters(in: .whitespaces)), p >= 0 else {
                throw ValidationError("--partitions must be a comma-separated list of partition numbers, not '\(s)'")
            }
            if !out.contains(p) { out.append(p) }
        }
        guard !out.isEmpty else { throw ValidationError("--partitions is empty") }
        return out
    }

    public func run() async throws {
        let format = try global.outputFormat()
        let settings = try global.resolveSettings()
        let console = AppEnvironment.console
        for w in settings.warnings { console.err("warning: \(w)\n") }
        SSHJump.narrate(settings) { console.err("% \($0)\n") }
        let logger = AppEnvironment.currentLogger()
        let opened: OpenedService<any TailService>
        if let fromFactory = AppEnvironment.factory.tail(settings, logger: logger) {
            opened = fromFactory
        } else {
            _ = try settings.requireBootstrap()
            let client = KafkaClient(config: try KafkaClientSettings.clientConfig(from: settings), logger: logger)
            opened = OpenedService<any TailService>(KafkaTailService(client: client, logger: logger)) { await client.shutdown() }
        }
        // --raw: the bytes as they are, so no registry is even opened (a context's included).
        let (decoder, registry) = raw ? (nil, nil) : try decoding.makeDecoder(global, settings, logger: logger)
        defer { if let registry { Task { await registry.shutdown() } } }
        if from == nil && until != nil { console.err("% --until without --from: reading from the beginning\n") }
        let options = TailOptions(topic: topic, start: try Self.parseStart(startText),
                                  partitions: try Self.parsePartitions(partitions), readCommitted: readCommitted,
                                  until: try Self.parseUntil(until))
        // `tail T | head -1` on a quiet topic: leave once the reader has gone, not at the next record.
        var watcher: Task<Void, Never>?
        if console.unfiltered is StandardCommandConsole {
            watcher = Task.detached {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(200))
                    if StandardStreams.stdoutReaderGone() { Foundation.exit(0) }
                }
            }
        }
        defer { watcher?.cancel() }
        do {
            try await Self.stream(opened.service, options, format: format, max: max, exitAtEnd: exitAtEnd, raw: raw,
                                  console: console, decoder: decoder)
        } catch {
            await opened.close()
            if let e = error as? UserFacingError { throw CommandFailure(e.message) }
            throw error
        }
        await opened.close()
    }

    /// Reads the tail until --max, --exit-at-end or the end of the stream (a bounded tail's end).
    static func stream(_ service: any TailService, _ options: TailOptions, format: OutputFormat, max: Int?,
                       exitAtEnd: Bool, raw: Bool = false, console: any CommandConsole,
                       decoder: RecordDecoder? = nil) async throws {
        var printed = 0
        if max == 0 { return }
        for try await event in service.tail(options) {
            switch event {
            case .records(let records):
                var chunk: [UInt8] = []
                if let decoder, !decoder.isPassthrough {
                    // Schemas of the batch fetched once and concurrently before any line is written.
                    let schemas = await decoder.resolve(records.map(\.key) + records.map(\.value))
                    var lines = ""
                    var notices: [String] = []
                    for r in records {
                        lines += TailDecodedOutput.line(r, decoder: decoder, schemas: schemas, json: format == .json, notices: &notices)
                        lines += "\n"
                        printed += 1
                        if let max, printed >= max { break }
                    }
                    console.out(lines)
                    for n in notices { console.err("% \(n)\n") }
                    if let max, printed >= max { return }
                    continue
                }
                for r in records {
                    if format == .json { RecordJSONWriter.append(r, to: &chunk) } else { chunk += r.value ?? [] }
                    chunk.append(0x0A)
                    printed += 1
                    if let max, printed >= max { break }
                }
                // Text values are for people unless --raw: the console escapes their control characters.
                // JSON lines hold none to escape (RecordJSONWriter wrote them as \u escapes): as they are.
                if raw || format == .json {
                    console.outRaw(chunk)
                } else {
                    console.out(String(decoding: chunk, as: UTF8.self))
                }
                if let max, printed >= max { return }
            case .notice(let text), .recovered(let text):
                console.err("% \(text)\n")
            case .caughtUp:
                if exitAtEnd { return }
            }
        }
    }

    /// `{topic, partition, offset, timestamp, timestamp_type, key, value, headers: [{key, value}]}`.
    /// The reference for RecordJSONWriter, which writes the same text straight into bytes.
    public static func recordJSON(_ r: TailRecord) -> JSONValue {
        .object([
            ("topic", .string(r.topic)),
            ("partition", .int(r.partition)),
            ("offset", .int(r.offset)),
            ("timestamp", .int(r.timestamp)),
            ("timestamp_type", .string(r.timestampType.rawValue)),
            ("key", bytesJSON(r.key)),
            ("value", bytesJSON(r.value)),
            ("headers", headersJSON(r)),
        ])
    }

    static func headersJSON(_ r: TailRecord) -> JSONValue {
        .array(r.headers.map { .object([("key", .string($0.key)), ("value", bytesJSON($0.value))]) })
    }

    /// UTF-8 text when the bytes are valid UTF-8, else `{"base64": "..."}`; null stays null.
    static func bytesJSON(_ b: [UInt8]?) -> JSONValue {
        guard let b else { return .null }
        if let s = String(validating: b, as: UTF8.self) { return .string(s) }
        return .object([("base64", .string(Data(b).base64EncodedString()))])
    }
}
