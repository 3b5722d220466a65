@testable import BrowserCore
import ClusterModel
import Foundation
import KafkaTestSupport
import TerminalCore
import Testing

/// An exporter that writes no file: it keeps what it was asked, says "exists" for the paths in
/// `existing` (unless told to overwrite), fails when told to, and reports progress every 2 records.
final class FixtureExportService: RecordExportService, @unchecked Sendable {
    // @unchecked: every field is touched under `lock`.
    private let lock = NSLock()
    private var _asked: [RecordExport] = []
    var existing: Set<String> = []
    var failWith: String?
    var asked: [RecordExport] { lock.withLock { _asked } }

    func export(_ records: [TailRecord], to path: String, overwrite: Bool) -> AsyncThrowingStream<RecordExportEvent, Error> {
        let (exists, failure) = lock.withLock { () -> (Bool, String?) in
            _asked.append(RecordExport(path: path, records: records, overwrite: overwrite))
            return (existing.contains(path), failWith)
        }
        return AsyncThrowingStream { c in
            if let failure {
                c.finish(throwing: UserFacingError(failure))
                return
            }
            if exists && !overwrite {
                c.yield(.exists(path: "/work/" + path))
                c.finish()
                return
            }
            for n in stride(from: 2, to: records.count, by: 2) { c.yield(.progress(written: n, total: records.count)) }
            c.yield(.finished(path: "/work/" + path, records: records.count, bytes: records.count * 100))
            c.finish()
        }
    }
}

/// Issue 16 item 4: `e` on the tail exports the records shown (as filtered) to a JSONL file: a path
/// prompt with a default, a question before replacing a file, a progress line, a final line naming
/// the file and the count, errors shown. The bytes of the file are KafscopeAppTests' TailExportFileTests.
@Suite struct TailExportTests {
    static func exportLine(_ h: Harness) -> String {
        h.text().split(separator: "\n").first { $0.contains("Export") }.map(String.init) ?? ""
    }

    /// Made to fail once by taking every buffered record instead of the filtered rows (40 records
    /// went to the exporter, not 11).
    @Test func exportsTheFilteredRecordsAfterAskingThePathAndTheOverwrite() async throws {
        var h = await TailScreenTests.open(size: Size(width: 110, height: 30))
        TailScreenTests.feed(&h, 0..<35)
        h.key(.character("/"))
        h.type("key-2")
        h.key(.enter)
        let shown = try TailScreenTests.tail(h)
        #expect(shown.rowCount == 11)
        let expected = (0..<shown.rowCount).compactMap { shown.recordAt(row: $0) }

        h.press("export")
        #expect(Self.exportLine(h).contains("Export 11 records (filtered) to: orders-20251121-130000.jsonl_"), "\(h.text())")
        // Records arriving now are not part of this export; keys are text for the path.
        TailScreenTests.feed(&h, 35..<40)
        h.key(.ctrl("u"))
        h.type("q/j:k.jsonl")
        #expect(h.state.current is TailScreen, "q went to the path")
        h.exporter.existing = ["q/j:k.jsonl"]
        h.key(.enter)
        #expect(Self.exportLine(h).contains("Exporting 0/11 records to q/j:k.jsonl"), "\(h.text())")
        await h.settle()
        #expect(Self.exportLine(h).contains("q/j:k.jsonl exists: overwrite it? y/n"), "\(h.text())")
        #expect(h.exporter.asked.count == 1 && h.exporter.asked[0].overwrite == false)
        h.key(.character("n"))
        #expect(Self.exportLine(h).contains("to: q/j:k.jsonl_"), "back to the path: \(h.text())")
        h.key(.enter)
        await h.settle()
        h.key(.character("y"))
        // The progress line while the file is written.
        h.deliver(.exported(.success(.progress(written: 4, total: 11))))
        #expect(Self.exportLine(h).contains("Exporting 4/11 records to q/j:k.jsonl"), "\(h.text())")
        await h.settle()
        let last = try #require(h.exporter.asked.last)
        #expect(h.exporter.asked.count == 3)
        #expect(last.overwrite && last.path == "q/j:k.jsonl")
        #expect(last.records == expected, "the filtered rows, in the order shown")
        #expect(Self.exportLine(h).contains("Exported 11 records (1.1 KiB) to /work/q/j:k.jsonl"), "\(h.text())")
        #expect(h.state.note?.text == "Exported 11 records (1.1 KiB) to /work/q/j:k.jsonl")
        // The tail went on: 40 records received, the list is not frozen by the export.
        #expect(try TailScreenTests.tail(h).received == 40)
    }

    /// Made to fail once by ignoring `.failure` in `exported` (the line kept saying "Exporting").
    @Test func aFileThatCannotBeWrittenSaysWhy() async throws {
        var h = await TailScreenTests.open(size: Size(width: 110, height: 30))
        TailScreenTests.feed(&h, 0..<3)
        h.exporter.failWith = "cannot write /root/x.jsonl: Permission denied"
        h.press("export")
        h.key(.ctrl("u"))
        h.type("/root/x.jsonl")
        h.key(.enter)
        await h.settle()
        #expect(Self.exportLine(h).contains("Export failed: cannot write /root/x.jsonl: Permission denied"), "\(h.text())")
        #expect(h.state.note?.level == .error)
        // Esc in the prompt cancels; nothing is asked of the exporter.
        h.press("export")
        h.key(.escape)
        #expect(h.state.current is TailScreen && h.exporter.asked.count == 1)
        #expect(h.state.note?.text == "Export cancelled")
    }

    /// Leaving the tail while its export is written neither stops the export nor loses its end: the
    /// finished line (path, count, size) or the error comes on the status line of whatever screen
    /// shows, and a tail opened again is free to export (no "Exporting" left over) but not to a file an
    /// export is still writing. Made to fail once by dropping the app's report of results whose screen
    /// left (the note stayed nil), once by keeping the tail's `.writing` state in `leave()` (the
    /// recalled tail refused a new export), and once without the `exportsWriting` check (a second
    /// export of the same file was asked for).
    @Test func anExportFinishingAfterTheTailWasLeftIsToldOnTheScreenShowing() async throws {
        var h = await TailScreenTests.open(size: Size(width: 110, height: 30))
        TailScreenTests.feed(&h, 0..<7)
        h.press("export")
        h.key(.ctrl("u"))
        h.type("left.jsonl")
        h.key(.enter)
        // The export is asked for; it is still being written when the user leaves.
        let i = try #require(h.queue.firstIndex { if case .exportRecords = $0.effect { return true } else { return false } })
        let asked = h.queue.remove(at: i)
        #expect(h.state.exports[asked.from]?.total == 7)
        h.key(.escape)
        await h.settle()
        #expect(!(h.state.current is TailScreen), "left the tail: \(h.state.route)")
        #expect(!h.ran.contains(.cancel(.export)), "leaving does not cancel the export")
        // Progress for a screen that left changes nothing on screen; the end is told.
        h.send(.loaded(.exported(.success(.progress(written: 4, total: 7))), at: h.now, for: asked.from))
        #expect(h.state.exports[asked.from]?.written == 4)
        h.send(.loaded(.exported(.success(.finished(path: "/work/left.jsonl", records: 7, bytes: 2_048))), at: h.now,
                       for: asked.from))
        #expect(h.state.note?.text == "Tail orders: Exported 7 records (2.0 KiB) to /work/left.jsonl", "\(h.text())")
        #expect(h.text().contains("Tail orders: Exported 7 records (2.0 KiB) to /work/left.jsonl"), "\(h.text())")
        #expect(h.state.exports.isEmpty)

        // Back on the tail (the remembered screen): no stale progress line, and `e` works again.
        h.send(.open(.tail(topic: "orders")))
        await h.settle()
        #expect(!h.text().contains("Exporting"), "\(h.text())")
        h.press("export")
        #expect(Self.exportLine(h).contains("to: orders-"), "\(h.text())")
        h.key(.enter)
        let again = try #require(h.queue.first { if case .exportRecords = $0.effect { return true } else { return false } })
        h.queue.removeAll { $0 == again }
        // The same file as an export still being written is refused (the path is asked again).
        h.key(.escape)
        await h.settle()
        h.send(.open(.tail(topic: "orders")))
        await h.settle()
        h.press("export")
        h.key(.ctrl("u"))
        h.type("orders-20251121-130000.jsonl")
        h.key(.enter)
        #expect(h.state.note?.text == "orders-20251121-130000.jsonl is still being written by an earlier export; choose another file",
                "\(String(describing: h.state.note))")
        #expect(Self.exportLine(h).contains("to: orders-20251121-130000.jsonl_"), "still asking: \(h.text())")
        #expect(!h.queue.contains { if case .exportRecords = $0.effect { return true } else { return false } })
        h.key(.escape)
        // A failure after leaving is told as an error.
        await h.settle()
        h.send(.loaded(.exported(.failure(LoadError("writing /work/x.jsonl failed: No space left on device (the file is incomplete)"))),
                       at: h.now, for: again.from))
        #expect(h.state.note?.text == "Tail orders: Export failed: writing /work/x.jsonl failed: No space left on device (the file is incomplete)")
        #expect(h.state.note?.level == .error)
        // Held until a key is pressed, like a write's result (made to fail once with the note not held).
        h.advance(h.state.options.noteDuration * 5)
        #expect(h.state.note?.text.hasPrefix("Tail orders: Export failed") == true, "\(String(describing: h.state.note))")
        h.key(.down)
        h.advance(h.state.options.noteDuration + 1)
        #expect(h.state.note == nil, "\(String(describing: h.state.note))")
    }

    /// Quitting while an export is written says so (the runtime then waits for the file:
    /// RuntimeTests.quittingWaitsForAnExportAndReportsItAfterwards). Made to fail once by leaving the
    /// note out of `quit`.
    @Test func quittingWithAnExportBeingWrittenSaysItFinishesFirst() async throws {
        var h = await TailScreenTests.open(size: Size(width: 110, height: 30))
        TailScreenTests.feed(&h, 0..<3)
        h.press("export")
        h.key(.enter)
        h.queue.removeAll { if case .exportRecords = $0.effect { return true } else { return false } }
        h.key(.ctrl("c"))
        #expect(h.state.isFinished)
        #expect(h.state.note?.text == "Finishing the export of 3 records to orders-20251121-130000.jsonl before quitting")
    }

    /// Exporting is not a Kafka write: read-only mode keeps it; an empty tail has nothing to export.
    /// Made to fail once by declaring `TailAction.export` a write.
    @Test func readOnlyCanExportAndAnEmptyTailSaysSo() async throws {
        var o = BrowserOptions(contextName: "prod-eu", contexts: ["prod-eu"])
        o.readOnly = true
        var h = await TailScreenTests.open(options: o)
        h.press("export")
        #expect(h.state.note?.text == "No records to export")
        TailScreenTests.feed(&h, 0..<2)
        h.press("export")
        h.key(.enter)
        await h.settle()
        #expect(h.exporter.asked.first?.records.count == 2)
        #expect(h.exporter.asked.first?.path == "orders-20251121-130000.jsonl")
    }
}
