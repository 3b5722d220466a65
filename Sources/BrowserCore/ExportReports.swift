import ClusterModel

/// An export of records to a file that is being written (the tail's `e`), as the app keeps it: its
/// result must reach the user even when the screen that asked has been left, and quitting waits for
/// it rather than leaving a truncated file behind.
public struct ExportInFlight: Sendable, Hashable {
    public var path: String
    /// The topic the records came from.
    public var topic: String
    public var written: Int
    public var total: Int
}

/// How an export's end is told: the same words on the tail's status line, on whatever screen is
/// showing when the tail was left, and on stderr after quitting.
public enum ExportReport {
    /// The line for an export's last event (nil for progress).
    public static func final(_ result: Result<RecordExportEvent, LoadError>) -> (text: String, level: NoteLevel)? {
        switch result {
        case .success(.progress):
            return nil
        case .success(.finished(let path, let records, let bytes)):
            return ("Exported \(Format.count(records)) record\(records == 1 ? "" : "s") (\(Format.bytes(Int64(bytes)))) to "
                    + path.sanitizedForTerminal, .info)
        case .success(.exists(let path)):
            return ("Export not written: \(path.sanitizedForTerminal) exists (nothing was written)", .warn)
        case .failure(let e):
            return ("Export failed: \(e.message.sanitizedForTerminal)", .error)
        }
    }

    /// The same line for an export whose tail was left: it names the tail it came from.
    public static func fromLeftTail(_ topic: String, _ result: Result<RecordExportEvent, LoadError>) -> (text: String, level: NoteLevel)? {
        final(result).map { ("Tail \(topic.sanitizedForTerminal): \($0.text)", $0.level) }
    }

    /// What the status line says while quitting waits for exports to finish.
    static func finishing(_ exports: [ExportInFlight], before: String) -> String {
        guard let first = exports.first else { return "" }
        let more = exports.count > 1 ? " (and \(exports.count - 1) more)" : ""
        return "Finishing the export of \(Format.count(first.total)) records to \(first.path.sanitizedForTerminal)\(more) before \(before)"
    }
}
