import ClusterModel
import Foundation
import Testing
@testable import KafscopeApp

/// The tail's export file (issue 16 item 4): its lines are the very lines `kafscope tail -o json`
/// prints for the same records, and `produce --format jsonl`'s reader gets every byte back.
@Suite struct TailExportFileTests {
    static let records: [TailRecord] = [
        TailRecord(topic: "t", partition: 1, offset: 5, timestamp: 1_700_000_000_123, timestampType: .createTime,
                   key: Array("k".utf8), value: Array("{\"a\":\"é\"}\n\u{1B}[2J".utf8),
                   headers: [RecordHeader(key: "h", value: [0xFF, 0x00]), RecordHeader(key: "n", value: nil),
                             RecordHeader(key: "c", value: Array("a,b=c".utf8))]),
        TailRecord(topic: "t", partition: 0, offset: 9, timestamp: 7, timestampType: .logAppendTime, key: nil, value: nil),
        TailRecord(topic: "t", partition: 2, offset: 0, timestamp: 8, timestampType: .createTime,
                   key: [0x00, 0xC3], value: Array((0...255).map { UInt8($0) })),
        TailRecord(topic: "t", partition: 2, offset: 1, timestamp: 9, timestampType: .createTime, key: [], value: []),
    ]

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func run(_ e: JSONLRecordExporter, _ records: [TailRecord], _ path: String, overwrite: Bool) async throws -> [RecordExportEvent] {
        var events: [RecordExportEvent] = []
        for try await ev in e.export(records, to: path, overwrite: overwrite) { events.append(ev) }
        return events
    }

    /// Made to fail once by ending the exported lines with CR LF (the file differed from the tail's
    /// output).
    @Test func theFileIsWhatTailDashOJsonPrints() async throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out.jsonl").path
        let records = Array(repeating: Self.records, count: 3).flatMap { $0 }
        let events = try await Self.run(JSONLRecordExporter(progressEvery: 5, chunkBytes: 300), records, path, overwrite: false)
        let file = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(events.first == .progress(written: 5, total: 12))
        #expect(events.last == .finished(path: path, records: 12, bytes: file.count))

        let tail = CommandRecorder()
        try await TailCommand.stream(ScriptedTail(events: [.records(records), .caughtUp]), TailOptions(topic: "t"),
                                     format: .json, max: nil, exitAtEnd: true, console: tail)
        #expect(String(decoding: file, as: UTF8.self) == tail.stdout)

        // produce --format jsonl's reader: every key, value and header byte back.
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var input = ProduceInput(fd: fd, options: .init(topic: "copy", format: .jsonl, keySeparator: nil, fixedKey: nil,
                                                        fixedPartition: nil, headers: [], keepTimestamps: false,
                                                        keepPartitions: false))
        let items = try input.next(max: 100)
        #expect(items.count == records.count)
        for (item, r) in zip(items, records) {
            guard case .record(let p) = item.item else {
                Issue.record("line \(item.line) not read: \(item.item)")
                continue
            }
            #expect(p.key == r.key && p.value == r.value)
            #expect(p.headers.map(\.key) == r.headers.map(\.key) && p.headers.map(\.value) == r.headers.map(\.value))
        }
    }

    /// Made to fail once by opening with O_TRUNC always (the existing file was replaced unasked).
    @Test func anExistingFileIsKeptUnlessOverwriteIsAsked() async throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("keep.jsonl").path
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: path))
        let e = JSONLRecordExporter()
        #expect(try await Self.run(e, Self.records, path, overwrite: false) == [.exists(path: path)])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious\n")
        let events = try await Self.run(e, Self.records, path, overwrite: true)
        #expect(events.last?.isFinal == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("{\"topic\":\"t\""))
        // A relative path is named in full; a directory that does not exist is an error with its reason.
        do {
            _ = try await Self.run(e, Self.records, dir.appendingPathComponent("no/such/dir/x.jsonl").path, overwrite: false)
            Issue.record("wrote into a missing directory")
        } catch {
            #expect("\(error)".contains("No such file or directory"), "\(error)")
        }
        #expect(JSONLRecordExporter.resolve("a/../b.jsonl") == FileManager.default.currentDirectoryPath + "/b.jsonl")
    }

    /// A file an export of this process is still writing is not truncated by a second export that
    /// names it otherwise (a symlink here; `./x` and `x` alike): refused, the file left as it is, and
    /// free again once released. Made to fail once by truncating before claiming (the file was emptied).
    @Test func aFileAnotherExportIsWritingIsNotTruncatedUnderAnotherName() async throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("busy.jsonl").path
        let alias = dir.appendingPathComponent("alias.jsonl").path
        try Data("being written\n".utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.createSymbolicLink(atPath: alias, withDestinationPath: path)
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let busy = try #require(FilesBeingWritten.identity(of: fd))
        #expect(FilesBeingWritten.claim(busy), "the earlier export holds the file")
        do {
            _ = try await Self.run(JSONLRecordExporter(), Self.records, alias, overwrite: true)
            Issue.record("a second export overwrote a file being written")
        } catch {
            #expect("\(error)".contains("is still being written by an earlier export"), "\(error)")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "being written\n")
        FilesBeingWritten.release(busy)
        let events = try await Self.run(JSONLRecordExporter(), Self.records, alias, overwrite: true)
        #expect(events.last?.isFinal == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("{\"topic\":\"t\""))
    }
}
