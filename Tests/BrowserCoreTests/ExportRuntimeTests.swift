@testable import BrowserCore
import ClusterModel
import Foundation
import KafkaTestSupport
import TerminalCore
import Testing

/// An exporter whose files are "written" only when the test opens their gate: it records what
/// finished and what was cancelled half-way (as a real file would be left truncated).
final class GatedExportService: RecordExportService, @unchecked Sendable {
    // @unchecked: every field is touched under `lock`.
    private let lock = NSLock()
    private var open: Set<String> = []
    private var _finished: [String] = []
    private var _cancelled: [String] = []
    private var _unopened: [String] = []
    /// Exports that finished without their gate being opened (the hang guard fired).
    var unopened: [String] { lock.withLock { _unopened } }
    var finished: [String] { lock.withLock { _finished } }
    var cancelled: [String] { lock.withLock { _cancelled } }

    private var allOpen = false
    func openGate(_ path: String) { lock.withLock { _ = open.insert(path) } }
    /// Lets every export through (a script that failed half-way still ends: quitting waits for them).
    func openAll() { lock.withLock { allOpen = true } }

    func export(_ records: [TailRecord], to path: String, overwrite: Bool) -> AsyncThrowingStream<RecordExportEvent, Error> {
        AsyncThrowingStream { c in
            let task = Task {
                c.yield(.progress(written: 0, total: records.count))
                // The guard against a hang only (a runtime waiting for an export whose gate never
                // opens): the test then fails on `unopened`, whatever the clock says.
                let giveUpAt = Date().addingTimeInterval(600)
                while !self.lock.withLock({ self.allOpen || self.open.contains(path) }) {
                    if Date() > giveUpAt {
                        self.lock.withLock { self._unopened.append(path) }
                        break
                    }
                    if Task.isCancelled {
                        self.lock.withLock { self._cancelled.append(path) }
                        c.finish(throwing: CancellationError())
                        return
                    }
                    try? await Task.sleep(for: .milliseconds(5))
                }
                self.lock.withLock { self._finished.append(path) }
                c.yield(.finished(path: "/work/" + path, records: records.count, bytes: records.count * 100))
                c.finish()
            }
            c.onTermination = { _ in task.cancel() }
        }
    }
}

/// A scripted device that runs `onPresent` on every screen drawn (the runtime's own thread).
final class WatchingDevice: TerminalDevice {
    let inner: ScriptedDevice
    let onPresent: (String) -> Void
    init(_ inner: ScriptedDevice, onPresent: @escaping (String) -> Void) {
        self.inner = inner
        self.onPresent = onPresent
    }
    var size: Size { inner.size }
    var capabilities: TerminalCapabilities { inner.capabilities }
    func present(_ buffer: CellBuffer) {
        inner.present(buffer)
        onPresent(buffer.text())
    }
    func readKey(timeoutMilliseconds: Int) -> Key? { inner.readKey(timeoutMilliseconds: timeoutMilliseconds) }
}

/// Issue 16: the tail's export in the real runtime loop. An export is nobody's "job of a kind": leaving
/// the tail does not stop it, a later export does not replace it, and quitting waits for the file.
@Suite(.serialized) struct ExportRuntimeTests {
    static func services(_ exporter: GatedExportService) -> BrowserServices {
        let control = FixtureControl()
        return BrowserServices(cluster: FixtureClusterService(control: control), connect: FixtureConnectService(control: control),
                               tail: FixtureTailService(control: control)).with(export: exporter)
    }

    static func options() -> BrowserOptions {
        // Notes stay up (a loaded machine must not make the script miss one).
        var o = BrowserOptions(contextName: "prod-eu", refreshInterval: 0, noteDuration: 600)
        o.initialRoute = .tail(topic: "orders")
        return o
    }

    static func typed(_ s: String) -> [ScriptedDevice.Step] { s.map { .key(.character($0)) } }

    /// Made to fail once by putting the export back in the runtime's jobs by kind (the second export
    /// cancelled the first: `cancelled == ["a.jsonl"]`, and its line never came).
    @Test func anExportOutlivesItsTailAndIsNotReplacedByTheNext() async {
        let exporter = GatedExportService()
        var steps: [ScriptedDevice.Step] = [.waitFor("recv 20"), .key(.character("e")), .key(.ctrl("u"))]
        steps += Self.typed("a.jsonl") + [.key(.enter), .waitFor("Exporting 0/20 records to a.jsonl"), .key(.escape),
                                          .waitFor("Topics [8]"), .key(.character(":"))]
        // The same tail again (the remembered screen, restarted at the end: the fixture sends 20 more).
        steps += Self.typed("tail orders") + [.key(.enter), .waitFor("recv 40"), .key(.character("e")), .key(.ctrl("u"))]
        steps += Self.typed("b.jsonl") + [.key(.enter), .waitFor("Exporting 0/40 records to b.jsonl"),
                                          .run { exporter.openGate("a.jsonl") },
                                          .waitFor("Tail orders: Exported 20 records (2.0 KiB) to /work/a.jsonl"),
                                          .run { exporter.openGate("b.jsonl") },
                                          .waitFor("Exported 40 records (3.9 KiB) to /work/b.jsonl"),
                                          .key(.ctrl("c"))]
        let device = ScriptedDevice(size: Size(width: 120, height: 30), steps: steps)
        // Should the script fail half-way, quitting waits for the exports: let them through then.
        let watching = WatchingDevice(device) { if $0.contains("Finishing the export") { exporter.openAll() } }
        let runtime = BrowserRuntime(device: watching, services: Self.services(exporter), options: Self.options())
        _ = await runtime.run()
        #expect(device.failure == nil, "\(device.failure ?? "")")
        #expect(exporter.cancelled.isEmpty && exporter.unopened.isEmpty)
        #expect(exporter.finished == ["a.jsonl", "b.jsonl"])
    }

    /// Made to fail once by not waiting in `finishExports` (the export was cancelled at exit:
    /// `cancelled == [path]`, no report).
    @Test func quittingWaitsForAnExportAndReportsItAfterwards() async {
        let exporter = GatedExportService()
        let path = "orders-quit.jsonl"
        var steps: [ScriptedDevice.Step] = [.waitFor("recv 20"), .key(.character("e")), .key(.ctrl("u"))]
        steps += Self.typed(path) + [.key(.enter), .waitFor("Exporting 0/20 records to \(path)"), .key(.ctrl("c"))]
        let scripted = ScriptedDevice(size: Size(width: 120, height: 30), steps: steps)
        // The file is let through only once the screen says quitting waits for it.
        let device = WatchingDevice(scripted) { text in
            if text.contains("Finishing the export of 20 records to \(path) before quitting") { exporter.openGate(path) }
        }
        let runtime = BrowserRuntime(device: device, services: Self.services(exporter), options: Self.options())
        let exit = await runtime.run()
        #expect(scripted.failure == nil, "\(scripted.failure ?? "")")
        #expect(exit == .quit)
        #expect(exporter.cancelled.isEmpty)
        #expect(exporter.unopened.isEmpty, "the screen never said quitting waits for the export")
        #expect(exporter.finished == [path])
        #expect(runtime.reportsAfterExit == ["Exported 20 records (2.0 KiB) to /work/\(path)"])
    }
}
