@testable import BrowserCore
import ClusterModel
import Foundation
import KafkaTestSupport
import TerminalCore
import Testing

/// The tail screen, driven through update/render with tail events fed in as the runtime would.
@Suite struct TailScreenTests {
    static let topic = "orders"

    static func record(_ i: Int, partition: Int32? = nil, value: [UInt8]? = nil, key: String? = nil,
                       headers: [RecordHeader]? = nil) -> TailRecord {
        var r = FixtureTailService.record(topic: topic, index: i)
        if let partition { r.partition = partition }
        if let value { r.value = value; r.size = (r.key?.count ?? 0) + value.count + 7 + (r.headers.first?.value?.count ?? 0) }
        if let key { r.key = Array(key.utf8) }
        if let headers { r.headers = headers }
        return r
    }

    static func open(size: Size = Size(width: 80, height: 24), options: BrowserOptions? = nil) async -> Harness {
        var o = options ?? BrowserOptions(contextName: "prod-eu", contexts: ["prod-eu", "staging"])
        o.refreshInterval = 5
        return await Harness.at(.tail(topic: topic), size: size, options: o)
    }

    /// Feeds records i..<j (in batches of 8) arriving at the harness clock.
    static func feed(_ h: inout Harness, _ range: Range<Int>) {
        let rs = range.map { record($0) }
        for chunk in stride(from: 0, to: rs.count, by: 8) {
            h.deliver(.tail(.records(Array(rs[chunk..<min(rs.count, chunk + 8)]))), at: h.now)
        }
    }

    /// The live list (under the record viewer when one is open).
    static func tail(_ h: Harness) throws -> TailScreen {
        try #require(h.state.stack.last { $0 is TailScreen } as? TailScreen)
    }

    func selectedText(_ h: Harness) -> String {
        let buf = h.screen()
        let lines = buf.text().split(separator: "\n", omittingEmptySubsequences: false)
        for y in 0..<buf.size.height where buf[2, y].style.role == .tableSelected { return String(lines[y]) }
        return ""
    }

    // MARK: Lifecycle

    @Test func startsOnceAndStopsWhenLeft() async throws {
        var h = await Self.open()
        #expect(h.ran.contains(.startTail(TailOptions(topic: "orders", start: .end))))
        #expect(h.text().contains("Tail orders"))
        #expect(h.text().contains("Starting the tail of orders"))
        // Auto-refresh and `r` leave the running tail alone.
        h.advance(6)
        await h.settle()
        h.press("refresh")
        await h.settle()
        #expect(h.ran.filter { if case .startTail = $0 { return true } else { return false } }.count == 1)
        // Leaving stops it; coming back (the screen is remembered) starts it again.
        h.key(.escape)
        await h.settle()
        #expect(h.ran.contains(.stopTail))
        #expect(h.state.route == .topics)
        h.command("tail orders")
        await h.settle()
        #expect(h.ran.filter { if case .startTail = $0 { return true } else { return false } }.count == 2)
        #expect(h.text().contains("Tail restarted"))
    }

    @Test func endedTailIsShownAndRestartedByRefresh() async throws {
        var h = await Self.open()
        h.deliver(.tailEnded(LoadError("broker 2 unreachable")), at: h.now)
        #expect(h.text().contains("stopped: broker 2 unreachable"))
        h.press("refresh")
        await h.settle()
        #expect(h.ran.filter { if case .startTail = $0 { return true } else { return false } }.count == 2)
    }

    /// A tail that fails before any event (`:tail nosuch`) is an error, not "stale since ?".
    @Test func tailFailingAtOnceIsAnErrorNotStale() async throws {
        var h = await Self.open()
        h.deliver(.tailEnded(LoadError("topic nosuch does not exist")), at: h.now)
        var text = h.text()
        #expect(text.contains("error: topic nosuch does not exist"), "\(text)")
        #expect(!text.contains("stale since ?"))
        // Once it had data, a later failure is shown as stale since that time.
        h = await Self.open()
        h.deliver(.tail(.caughtUp), at: h.now)
        h.deliver(.tailEnded(LoadError("broker 2 unreachable")), at: h.now + 1)
        text = h.text()
        #expect(text.contains("stale since 13:00:00"), "\(text)")
    }

    @Test func topicDetailOpensTheTail() async throws {
        var h = await Harness.at(.topic("audit-log"))
        h.press("tail")
        await h.settle()
        #expect(h.state.route == .tail(topic: "audit-log"))
        #expect(h.ran.contains(.startTail(TailOptions(topic: "audit-log"))))
    }

    // MARK: Live view

    @Test func recordsAppearAndFollowKeepsTheNewestSelected() async throws {
        var h = await Self.open()
        h.deliver(.tail(.caughtUp), at: h.now)
        #expect(h.text().contains("Waiting for new records on orders"))
        Self.feed(&h, 0..<40)
        let t = try Self.tail(h)
        #expect(t.rowCount == 40)
        #expect(selectedText(h).contains("key-39"))
        #expect(h.text().contains("[40]"))
        #expect(h.text().contains("LIVE"))
        // Moving up stops following: new records do not move the cursor.
        h.key(.up)
        #expect(selectedText(h).contains("key-38"))
        Self.feed(&h, 40..<45)
        #expect(selectedText(h).contains("key-38"))
        // `f` follows again.
        h.press("follow")
        #expect(selectedText(h).contains("key-44"))
        Self.feed(&h, 45..<46)
        #expect(selectedText(h).contains("key-45"))
    }

    @Test func ratesOverallAndPerPartitionComeFromArrivalTimes() async throws {
        var h = await Self.open(size: Size(width: 120, height: 40))
        // 30 records per second for 4 s: 10/s on each of the 3 partitions.
        var i = 0
        for _ in 0..<16 {
            h.deliver(.tail(.records((0..<8).map { k in Self.record(i + k, partition: Int32((i + k) % 3)) })), at: h.now)
            i += 8
            h.advance(0.25)
        }
        let text = h.text()
        // 128 records over the 4 s since the first arrival.
        #expect(text.contains("rate 32.0/s"), "\(text)")
        #expect(text.contains("recv 128"))
        #expect(text.contains("p0 10.8/s") || text.contains("p0 10.7/s"), "\(text)")
        // Quiet for longer than the window: rates fall to zero.
        h.advance(10)
        #expect(h.text().contains("rate 0.0/s"))
        #expect(h.text().contains("no records in the last 5s"))
    }

    @Test func pauseFreezesTheViewWhileRecordsAreBuffered() async throws {
        var h = await Self.open()
        Self.feed(&h, 0..<10)
        h.press("pauseView")
        Self.feed(&h, 10..<15)
        var t = try Self.tail(h)
        #expect(t.rowCount == 10)
        #expect(t.pendingCount == 5)
        #expect(t.ring?.count == 15)
        #expect(h.text().contains("PAUSED"))
        #expect(h.text().contains("new 5"))
        #expect(!h.text().contains("key-14"))
        h.press("pauseView")
        t = try Self.tail(h)
        #expect(t.rowCount == 15)
        #expect(selectedText(h).contains("key-14"))
    }

    @Test func filterMatchesKeyValueAndHeadersWhileTailing() async throws {
        var h = await Self.open()
        Self.feed(&h, 0..<30)
        h.key(.character("/"))
        h.type("key-2")
        h.key(.enter)
        var t = try Self.tail(h)
        // key-2, key-20 ... key-29
        #expect(t.rowCount == 11)
        #expect(h.text().contains("[11/30]"))
        // New records are filtered as they arrive.
        Self.feed(&h, 30..<40)
        t = try Self.tail(h)
        #expect(t.rowCount == 11)
        h.deliver(.tail(.records([Self.record(200)])), at: h.now)
        #expect(try Self.tail(h).rowCount == 12)
        // Regex on a header value: t-1x.
        h.key(.escape)
        h.key(.character("/"))
        h.type("trace=t-1[0-9]$")
        h.key(.enter)
        #expect(try Self.tail(h).rowCount == 10, "\(h.text())")
        // On the value (JSON text).
        h.key(.escape)
        h.key(.character("/"))
        h.type("\"id\":3[0-9],")
        h.key(.enter)
        #expect(try Self.tail(h).rowCount == 10)
        // Invalid regex keeps the previous filter and says why.
        h.key(.character("/"))
        h.type("(")
        #expect(h.text().contains("invalid regex"))
    }

    /// A pasted filter (one key burst) filters the buffer once, not once per character:
    /// pasting a 38-character trace id over ~9,000 buffered records took seconds. The result
    /// is the same as typing it, including the burst ending in Enter or Esc.
    @Test func pastedFilterIsAppliedOnceAndMatchesTyping() async throws {
        var o = BrowserOptions(contextName: "prod-eu")
        o.tailBufferSize = 6_000
        o.initialRoute = .tail(topic: Self.topic)
        var h = await Harness.at(.tail(topic: Self.topic), options: o)
        Self.feed(&h, 0..<6_000)
        let paste = "\"id\":59[0-9]{2},|key-4242$|no-such-trace-id-3f9a2c1b7d4e8f60"
        // Typed: one key at a time, each applied.
        var typed = h
        typed.key(.character("/"))
        let typedBefore = try Self.tail(typed).filterPasses
        typed.type(paste)
        let perKey = try Self.tail(typed).filterPasses - typedBefore
        let typedRows = try Self.tail(typed).rowCount
        #expect(typedRows >= 100 && typedRows < 6_000, "\(typed.text())")
        // Pasted: one burst ending in Enter.
        h.key(.character("/"))
        let pastedBefore = try Self.tail(h).filterPasses
        h.send(.keys(paste.map { Key.character($0) } + [.enter]))
        let burst = try Self.tail(h).filterPasses - pastedBefore
        #expect(try Self.tail(h).rowCount == typedRows)
        #expect(h.state.mode == .normal)
        #expect(h.state.current.filter == RowFilter(paste))
        // Counted, not timed: the burst ran the filter over the buffer once; typing ran it for
        // (nearly) every character.
        #expect(burst == 1, "filter passes for the pasted burst: \(burst)")
        #expect(perKey >= paste.count / 2, "filter passes while typing: \(perKey)")
        // A burst that ends in Esc restores the filter from before the prompt.
        h.key(.character("/"))
        h.send(.keys([.character("x"), .character("("), .escape]))
        #expect(h.state.current.filter == RowFilter(paste))
        #expect(try Self.tail(h).rowCount == typedRows)
        // A burst that leaves an invalid regex shows the error and keeps the rows.
        h.key(.escape)
        h.key(.character("/"))
        h.send(.keys([.character("("), .character("k"), .enter]))
        guard case .filter(_, _, let err?) = h.state.mode else { Issue.record("no error: \(h.state.mode)"); return }
        #expect(err.hasPrefix("invalid regex"))
    }

    @Test func ringBufferDropsTheOldestAndSaysHowMany() async throws {
        var o = BrowserOptions(contextName: "prod-eu")
        o.tailBufferSize = 10
        var h = await Self.open(options: o)
        Self.feed(&h, 0..<25)
        let t = try Self.tail(h)
        #expect(t.ring?.count == 10)
        #expect(t.ring?.dropped == 15)
        #expect(t.rowCount == 10)
        #expect(h.text().contains("15 dropped (buffer 10)"))
        #expect(!h.text().contains("key-14 "))
        #expect(h.text().contains("key-24"))
    }

    @Test func ringBufferAlsoBoundsBytes() {
        var ring = TailRing(capacity: 100, maxBytes: 1000)
        for i in 0..<50 { ring.append(Self.record(i, value: [UInt8](repeating: 65, count: 200))) }
        #expect(ring.bytes <= 1000)
        #expect(ring.count < 10 && ring.count > 0)
        #expect(ring.dropped == 50 - ring.count)
        #expect(ring.record(ring.endSeq - 1)?.key == Array("key-49".utf8))
    }

    @Test func droppedRecordsShiftAPausedCursorWithThem() async throws {
        var o = BrowserOptions(contextName: "prod-eu")
        o.tailBufferSize = 20
        var h = await Self.open(options: o)
        Self.feed(&h, 0..<20)
        h.key(.up)
        h.key(.up)
        #expect(selectedText(h).contains("key-17"))
        Self.feed(&h, 20..<25)
        #expect(selectedText(h).contains("key-17"))
    }

    // MARK: Record view and decoding

    @Test func enterOpensTheRecordWithPrettyJSONHeadersAndMetadata() async throws {
        var h = await Self.open(size: Size(width: 120, height: 40))
        Self.feed(&h, 0..<6)
        h.key(.up)
        h.key(.enter)
        let text = h.text()
        #expect(text.contains("partition 1"))
        #expect(text.contains("offset 1"))
        #expect(text.contains("2025-11-21 13:00:01.000 (1763730001000 ms, create time)"), "\(text)")
        #expect(text.contains("Value (json)"))
        #expect(text.contains("\"status\": \"ok\""))
        #expect(text.contains("trace: t-4"))
        #expect(text.contains("Key (text)"))
        // JSON keys are coloured.
        let buf = h.screen()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let y = try #require(lines.firstIndex { $0.contains("\"status\": \"ok\"") })
        let x = try #require(lines[y].range(of: "\"status\"")).lowerBound.utf16Offset(in: lines[y])
        #expect(buf[x + 1, y].style.role == .jsonKey)
        h.press("closeRecord")
        #expect(!h.text().contains("Value (json)"))
        #expect(selectedText(h).contains("key-4"))
    }

    @Test func binaryValuesAreHexAndModesCycle() async throws {
        var h = await Self.open()
        let bin: [UInt8] = [0x00, 0x01, 0xff, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x41, 0x42]
        h.deliver(.tail(.records([Self.record(0, value: bin)])), at: h.now)
        #expect(h.text().contains("00 01 ff 1b 5b 33 31 6d 41 42"))
        h.key(.enter)
        #expect(h.text().contains("00000000  00 01 ff 1b 5b 33 31 6d  41 42"), "\(h.text())")
        #expect(h.text().contains("|....[31mAB|"))
        #expect(h.text().contains("Value (hex)"))
        // m: auto -> text (lossy, control characters replaced) -> json -> hex -> base64.
        h.press("valueMode")
        var text = h.text()
        #expect(text.contains("Value (text)"))
        #expect(!text.contains("\u{1b}"))
        #expect(text.contains("\u{FFFD}[31mAB"))
        h.press("valueMode")
        h.press("valueMode")
        h.press("valueMode")
        text = h.text()
        #expect(text.contains("Value (base64)"))
        #expect(text.contains(Data(bin).base64EncodedString()))
        // M cycles the key independently.
        h.press("keyMode")
        #expect(h.text().contains("Key (text)"))
        h.press("keyMode")
        h.press("keyMode")
        #expect(h.text().contains("Key (hex)"))
        #expect(h.text().contains("6b 65 79 2d 30"))
    }

    @Test func controlCharactersNeverReachTheScreen() async throws {
        var h = await Self.open()
        let evil = Array("ok\u{1b}]0;pwned\u{07}\u{1b}[2J".utf8)
        h.deliver(.tail(.records([Self.record(0, value: evil, key: "k\u{1b}[31m",
                                              headers: [RecordHeader(key: "h\u{1b}x", value: evil)])])), at: h.now)
        #expect(!h.text().unicodeScalars.contains { $0.value == 0x1b || $0.value == 0x07 })
        h.key(.enter)
        #expect(!h.text().unicodeScalars.contains { $0.value == 0x1b || $0.value == 0x07 })
        #expect(h.text().contains("Value (hex)"))
        h.press("valueMode")
        #expect(!h.text().unicodeScalars.contains { $0.value == 0x1b || $0.value == 0x07 })
    }

    @Test func noticesAreShown() async throws {
        var h = await Self.open()
        Self.feed(&h, 0..<3)
        h.deliver(.tail(.notice("partition 1: offset 120 is out of range (retention); reset to 340")), at: h.now)
        let text = h.text()
        #expect(text.contains("reset to 340"))
        #expect(h.state.note?.level == .warn)
    }

    /// A record view over a value of several hundred KiB stays responsive: scrolling and
    /// redrawing reuse one wrapped layout (wrapping it again for every key and frame froze
    /// the UI thread for minutes with a 700 KiB value in the demo).
    @Test func hugeValueRecordViewStaysResponsive() async throws {
        var h = await Self.open()
        h.deliver(.tail(.caughtUp), at: h.now)
        let words = String(repeating: "lorem ipsum dolor sit amet ", count: 26_000)  // ~700 KB, one line
        h.deliver(.tail(.records([Self.record(0, value: Array(words.utf8))])), at: h.now)
        h.press("open")
        _ = h.screen()
        for _ in 0..<40 {
            h.key(.down)
            _ = h.screen()
        }
        h.key(.end)
        let last = h.text()
        let view = try #require((h.state.current as? TailRecordScreen)?.view)
        #expect(view.offset > 0)
        #expect(last.contains("lorem ipsum"))
        // Counted, not timed: 42 keys and frames wrapped the value once per width used (the view
        // measures at full width, then draws one column narrower), not once per frame.
        #expect(view.text.wrapComputations <= 2, "wrapped \(view.text.wrapComputations) times for 42 keys and frames")
    }

    @Test func payloadFormatting() {
        #expect(PayloadFormat.preview(nil, mode: .auto) == "null")
        #expect(PayloadFormat.preview(Array("a\nb".utf8), mode: .auto) == "a b")
        #expect(PayloadFormat.preview([0xc3], mode: .auto) == "c3")  // a lone lead byte is not UTF-8
        #expect(PayloadFormat.preview(Array("héllo".utf8), mode: .hex) == "68 c3 a9 6c 6c 6f")
        #expect(PayloadFormat.preview(Array("hi".utf8), mode: .base64) == "aGk=")
        #expect(PayloadFormat.timestamp(0, utcOffset: 0) == "1970-01-01 00:00:00.000")
        #expect(PayloadFormat.timestamp(951_782_400_123, utcOffset: 3600) == "2000-02-29 01:00:00.123")
        #expect(PayloadFormat.timestamp(-1, utcOffset: 0) == "1969-12-31 23:59:59.999")
        let big = [UInt8](repeating: 0x7b, count: PayloadFormat.detailLimit + 10)
        let d = PayloadFormat.detail(big, mode: .text)
        #expect(d.lines.last?.first?.text.contains("10 more bytes not shown") == true)
    }

    @Test func helpDocumentsTheTailKeys() async throws {
        var h = await Self.open(size: Size(width: 120, height: 40))
        h.key(.character("?"))
        let text = h.text()
        #expect(text.contains("Space"))
        #expect(text.contains("Pause / resume the view"))
        #expect(text.contains("Value decoding: auto"))
        #expect(text.contains("Key decoding"))
    }

    @Test func rendersAtEverySizeWithoutTrapping() async throws {
        var h = await Self.open()
        Self.feed(&h, 0..<30)
        h.deliver(.tail(.notice("leader moved")), at: h.now)
        for w in [0, 1, 5, 20, 40, 80] {
            for ht in [0, 1, 3, 5, 10, 24] { _ = h.screen(Size(width: w, height: ht)) }
        }
        h.key(.enter)
        for w in [0, 1, 5, 20] { for ht in [0, 1, 3, 5] { _ = h.screen(Size(width: w, height: ht)) } }
    }

    // MARK: Snapshots (80x24 and 120x40)

    static let sizes = [Size(width: 80, height: 24), Size(width: 120, height: 40)]

    func snap(_ name: String, options: BrowserOptions? = nil, _ prepare: (inout Harness) -> Void) async {
        for size in Self.sizes {
            var h = await Self.open(size: size, options: options)
            h.deliver(.tail(.caughtUp), at: h.now)
            prepare(&h)
            expectSnapshot(h.screen(), "tail_\(name)_\(size.width)x\(size.height)")
        }
    }

    @Test func snapshotLive() async { await snap("live") { h in Self.feed(&h, 0..<30); h.advance(1) } }

    @Test func snapshotPaused() async {
        await snap("paused") { h in
            Self.feed(&h, 0..<12)
            h.press("pauseView")
            Self.feed(&h, 12..<19)
        }
    }

    @Test func snapshotFiltered() async {
        await snap("filtered") { h in
            Self.feed(&h, 0..<30)
            h.key(.character("/")); h.type("key-1"); h.key(.enter)
        }
    }

    @Test func snapshotRecordJSON() async {
        await snap("record_json") { h in
            h.deliver(.tail(.records([Self.record(7, value: Array(
                #"{"order":{"id":"o-7781","lines":[{"sku":"A-1","qty":2},{"sku":"B-9","qty":1}],"total":31.5},"paid":true,"note":null}"#.utf8))])), at: h.now)
            h.key(.enter)
        }
    }

    @Test func snapshotBinaryHex() async {
        await snap("binary_hex") { h in
            h.deliver(.tail(.records([Self.record(3, value: (0..<70).map { UInt8(($0 * 37) & 0xff) })])), at: h.now)
            h.key(.enter)
        }
    }

    @Test func snapshotDropped() async {
        var o = BrowserOptions(contextName: "prod-eu")
        o.tailBufferSize = 100
        await snap("dropped", options: o) { h in
            Self.feed(&h, 0..<350)
            h.deliver(.tail(.notice("partition 2: offset 80 no longer exists (retention); reset to 112")), at: h.now)
        }
    }
}

/// The real runtime loop with a tail service that emits records after the screen opened.
@Suite(.serialized) struct TailRuntimeTests {
    @Test func recordsProducedAfterOpeningShowUpAndKeysWork() async throws {
        let control = FixtureControl()
        let tail = PushTailService()
        let device = ScriptedDevice(size: Size(width: 100, height: 30), steps: [
            .waitFor("Starting the tail of orders"),
            .run { tail.emit(.caughtUp) },
            .waitFor("Waiting for new records on orders"),
            .run { tail.emit(.records((0..<5).map { TailScreenTests.record($0) })) },
            .waitFor("key-4"),
            .key(.character(" ")),
            .waitFor("PAUSED"),
            .run { tail.emit(.records([TailScreenTests.record(5)])) },
            .waitFor("new 1"),
            .key(.character(" ")),
            .waitFor("key-5"),
            .key(.enter),
            .waitFor("Value (json)"),
            .key(.escape),
            .waitFor("TIME"),
            .key(.character(":")), .key(.character("q")), .key(.enter),
        ])
        var options = BrowserOptions(contextName: "prod-eu")
        options.initialRoute = .tail(topic: "orders")
        let runtime = BrowserRuntime(device: device,
                                     services: BrowserServices(cluster: FixtureClusterService(control: control), tail: tail),
                                     options: options)
        let exit = await runtime.run()
        #expect(device.failure == nil, "\(device.failure ?? "")\n\(device.lastScreen)")
        #expect(exit == .quit)
        #expect(tail.started == [TailOptions(topic: "orders", start: .end)])
        // Quitting cancelled the stream.
        for _ in 0..<50 where tail.running > 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(tail.running == 0)
    }
}
