import Foundation
import Logging

/// File logging: the terminal UI owns the screen, so logs go to
/// `$XDG_STATE_HOME/kafscope/kafscope.log` (else `~/.local/state/kafscope/kafscope.log`), never stdout.
public enum AppLogging {
    public static func logFilePath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base: String
        if let x = environment["XDG_STATE_HOME"], x.hasPrefix("/") {
            base = x
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            base = (home as NSString).appendingPathComponent(".local/state")
        }
        return (base as NSString).appendingPathComponent("kafscope/kafscope.log")
    }

    /// A logger writing to the log file at `KAFSCOPE_LOG_LEVEL` (default info); silent when the file
    /// cannot be opened, since there is nowhere else to write without disturbing the output.
    public static func makeLogger(label: String = "kafscope",
                                  environment: [String: String] = ProcessInfo.processInfo.environment) -> Logger {
        let level = environment["KAFSCOPE_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        let path = logFilePath(environment: environment)
        guard let sink = LogFile.open(path) else {
            return Logger(label: label, factory: { _ in SwiftLogNoOpLogHandler() })
        }
        var logger = Logger(label: label, factory: { l in FileLogHandler(label: l, sink: sink) })
        logger.logLevel = level
        return logger
    }
}

final class LogFile: @unchecked Sendable {
    private let lock = NSLock()
    private let handle: FileHandle

    private init(handle: FileHandle) { self.handle = handle }

    static func open(_ path: String) -> LogFile? {
        let dir = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                return nil
            }
        }
        guard let h = FileHandle(forWritingAtPath: path) else { return nil }
        h.seekToEndOfFile()
        return LogFile(handle: h)
    }

    func write(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        handle.write(Data(line.utf8))
    }
}

struct FileLogHandler: LogHandler {
    let label: String
    let sink: LogFile
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    init(label: String, sink: LogFile) {
        self.label = label
        self.sink = sink
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let m = event.metadata { all.merge(m) { $1 } }
        let meta = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let ts = Date().ISO8601Format(.iso8601(timeZone: .gmt, includingFractionalSeconds: true))
        sink.write("\(ts) \(event.level) \(label): \(event.message)\(meta)\n")
    }
}
