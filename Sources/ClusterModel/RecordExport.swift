/// Writes records to a file, one JSON object a line, in exactly the format `kafscope tail -o json`
/// writes (so `kafscope produce --format jsonl` reads the file back byte for byte): the tail's
/// export of its buffered records. Not a Kafka write; it still never overwrites a file unasked.
public protocol RecordExportService: Sendable {
    /// Progress while writing, then `.finished`; or `.exists` (nothing written) when the file is
    /// there and `overwrite` is false. Throws (a `UserFacingError`) when the file cannot be written.
    func export(_ records: [TailRecord], to path: String, overwrite: Bool) -> AsyncThrowingStream<RecordExportEvent, Error>
}

public enum RecordExportEvent: Sendable, Hashable {
    case progress(written: Int, total: Int)
    /// `path` as written (absolute), records and bytes in the file.
    case finished(path: String, records: Int, bytes: Int)
    /// The file exists and overwriting was not asked for: nothing was written.
    case exists(path: String)

    /// The last event of an export.
    public var isFinal: Bool {
        if case .progress = self { return false }
        return true
    }
}
