@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing

/// Issue 11 item 5 in the UI: the live list and the record viewer are two screens over one
/// buffer. The viewer is pushed from the list; the tail keeps running and the list keeps
/// receiving records under it; pause, follow, decoding and `/` act on the list from the viewer.
@Suite struct TailRecordViewerTests {
    static func viewer(_ h: Harness) throws -> TailRecordScreen { try #require(h.state.current as? TailRecordScreen) }

    /// Made to fail once by letting `TailScreen.covered(by:)` return `leave()` for the record
    /// route too: the tail was stopped under the viewer (a `.stopTail` ran) and started again,
    /// with the "restarted" notice, after Esc.
    @Test func theLiveListKeepsReceivingUnderTheRecordViewer() async throws {
        var h = await TailScreenTests.open(size: Size(width: 100, height: 30))
        TailScreenTests.feed(&h, 0..<10)
        h.press("up")
        h.press("open")
        await h.settle()
        let v = try Self.viewer(h)
        #expect(h.state.routes.last == .record(topic: TailScreenTests.topic, partition: v.record.partition, offset: v.record.offset))
        #expect(v.record.key == Array("key-8".utf8), "the selected row's record")
        #expect(h.text().contains("offset \(v.record.offset)") && h.text().contains("Value"))
        #expect(!h.ran.contains(.stopTail), "\(h.ran)")

        // Records keep arriving while the record is read; they go to the list below.
        TailScreenTests.feed(&h, 10..<25)
        #expect(try TailScreenTests.tail(h).received == 25)
        #expect(try Self.viewer(h).record.key == Array("key-8".utf8), "the viewer stays on its record")
        #expect(!h.text().contains("key-24"))

        h.press("closeRecord")
        await h.settle()
        #expect(h.state.current is TailScreen)
        #expect(h.text().contains("Tail orders [25]") && h.text().contains("key-8"), "\(h.text())")
        #expect(!h.ran.contains(.stopTail) && h.ran.filter { if case .startTail = $0 { true } else { false } }.count == 1,
                "one tail, never restarted: \(h.ran)")
        #expect(try !TailScreenTests.tail(h).notices.contains { $0.contains("restarted") })
    }

    /// Made to fail once by dropping `.toParent` in `Updater.process`: space and `m` in the viewer
    /// then left the list unpaused and its decoding unchanged.
    @Test func pauseFilterAndDecodingInTheViewerActOnTheList() async throws {
        var h = await TailScreenTests.open(size: Size(width: 100, height: 30))
        TailScreenTests.feed(&h, 0..<30)
        h.press("open")
        await h.settle()
        h.press("pauseView")
        #expect(try TailScreenTests.tail(h).paused)
        #expect(h.state.note?.text.contains("Paused") == true)
        TailScreenTests.feed(&h, 30..<35)
        #expect(try TailScreenTests.tail(h).pendingCount == 5)

        h.press("valueMode")
        #expect(try Self.viewer(h).valueMode == PayloadMode.auto.next)
        #expect(try TailScreenTests.tail(h).valueMode == PayloadMode.auto.next)
        #expect(h.text().contains("Value (\(PayloadMode.auto.next.rawValue))"), "\(h.text())")

        h.key(.character("/"))
        h.type("key-2")
        h.key(.enter)
        #expect(try TailScreenTests.tail(h).rowCount == 11, "the list below is filtered")
        #expect(h.state.current is TailRecordScreen, "the viewer stays open")
        #expect(h.text().contains("/key-2"))

        h.press("closeRecord")
        #expect(h.state.current is TailScreen)
        #expect(h.text().contains("PAUSED") && h.text().contains("[11/35]"), "\(h.text())")
    }

    /// The viewer offers the keys the record view always had, and Esc closes it (not the filter).
    @Test func theViewerKeepsTheRecordViewKeys() async throws {
        var h = await TailScreenTests.open()
        TailScreenTests.feed(&h, 0..<3)
        h.press("open")
        await h.settle()
        #expect(try Self.viewer(h).actions == [.record(.closeRecord), .record(.resend)] + TailRecordScreen.listActions.map(Action.tail))
        let names = Set(h.state.activeBindings.map(\.name))
        #expect(!names.contains("open") && !names.contains("sort"))
        h.key(.escape)
        #expect(h.state.current is TailScreen)
        h.press("open")
        h.key(.character("q"))
        #expect(h.state.current is TailScreen)
    }
}
