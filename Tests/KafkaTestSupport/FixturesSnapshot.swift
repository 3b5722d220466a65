import Foundation
import TerminalCore

/// Whole-screen snapshots: the text of a CellBuffer plus its role layer, compared with
/// files under `__Snapshots__/` beside the test file.
///
/// - `KAFSCOPE_RECORD_SNAPSHOTS=1` writes (re-records) snapshots and passes.
/// - A missing snapshot fails under CI (`CI=true`); elsewhere it is written and the
///   check fails once, asking for a re-run, so nothing passes unseen.
public enum Snapshot {
    /// One letter per role in the style layer ("." is normal).
    public static let legend: [Role: Character] = [
        .dim: "d", .border: "b", .title: "T", .headerLabel: "l", .headerValue: "v",
        .tableHeader: "H", .tableRow: "r", .tableSelected: "S", .tableMarked: "M",
        .statusOk: "o", .statusWarn: "W", .statusError: "E", .statusInfo: "i",
        .hintKey: "K", .hintText: "k", .prompt: "p", .promptSuggestion: "s",
        .dialog: "D", .dialogTitle: "t", .dialogButton: "u", .dialogButtonSelected: "U",
        .crumb: "c", .crumbActive: "C", .sparkline: "~", .scrollbar: "|",
        .jsonKey: "j", .jsonString: "J", .jsonNumber: "n",
    ]

    /// The stored form: text, a separator line, the role layer.
    public static func serialize(_ buffer: CellBuffer) -> String {
        "\(buffer.text())\n---- roles (\(buffer.width)x\(buffer.height)) ----\n\(buffer.styleLayer(legend: legend))\n"
    }

    public static func directory(for testFile: String) -> URL {
        URL(fileURLWithPath: testFile).deletingLastPathComponent().appendingPathComponent("__Snapshots__")
    }

    /// Compares `buffer` with the stored snapshot `name`; nil when equal, else why not.
    public static func verify(_ buffer: CellBuffer, named name: String, testFile: String,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let dir = directory(for: testFile)
        let file = dir.appendingPathComponent(name + ".txt")
        let actual = serialize(buffer)
        if environment["KAFSCOPE_RECORD_SNAPSHOTS"] == "1" {
            return write(actual, to: file, in: dir)
        }
        guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
            if environment["CI"] == "true" {
                return "missing snapshot \(file.path) (record with KAFSCOPE_RECORD_SNAPSHOTS=1)"
            }
            if let err = write(actual, to: file, in: dir) { return err }
            return "recorded new snapshot \(file.lastPathComponent); review it and re-run"
        }
        if expected == actual { return nil }
        return "snapshot \(name) differs:\n" + diff(expected: expected, actual: actual)
    }

    private static func write(_ text: String, to file: URL, in dir: URL) -> String? {
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
            return nil
        } catch {
            return "cannot write snapshot \(file.path): \(error)"
        }
    }

    /// The differing lines, numbered, expected above actual.
    public static func diff(expected: String, actual: String, limit: Int = 12) -> String {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for i in 0..<max(e.count, a.count) {
            let el = i < e.count ? String(e[i]) : "<none>"
            let al = i < a.count ? String(a[i]) : "<none>"
            if el != al {
                out.append("line \(i + 1):\n  expected: \(el)\n  actual:   \(al)")
                if out.count >= limit { out.append("..."); break }
            }
        }
        return out.joined(separator: "\n")
    }
}
