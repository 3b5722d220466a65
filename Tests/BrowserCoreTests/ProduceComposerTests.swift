@testable import BrowserCore
import ClusterModel
import Foundation
import KafkaTestSupport
import TerminalCore
import Testing
import WriteFlow

/// A producer that keeps what it was asked to send and answers offsets per partition in order
/// (partition: the explicit one, else 0 for these tests), or fails when told to.
final class FixtureProduceService: ProduceService, @unchecked Sendable {
    // @unchecked: every field is touched under `lock`.
    private let lock = NSLock()
    private var _sent: [ProduceDraft] = []
    private var next: [Int32: Int64] = [:]
    var failWith: String?
    /// Set: the target topic stamps records with this append time (LogAppendTime), as a broker answers.
    var logAppendTime: Int64?
    var sent: [ProduceDraft] { lock.withLock { _sent } }

    func produce(_ draft: ProduceDraft) async throws -> ProducedRecord {
        try lock.withLock {
            if let failWith { throw UserFacingError(failWith) }
            _sent.append(draft)
            let p = draft.partition ?? 0
            let o = next[p, default: 40]
            next[p] = o + 1
            return ProducedRecord(topic: draft.topic, partition: p, offset: o, logAppendTime: logAppendTime)
        }
    }
}

/// The produce composer (issue 16 item 4): opened with P from the topics list, fields typed as
/// text, a preview of the bytes, sent through the one write flow with a confirmation naming cluster
/// and topic, and the broker's partition and offset shown afterwards. No P in read-only mode.
@Suite struct ProduceComposerTests {
    static func composer(_ h: Harness) -> ProduceComposerScreen? { h.state.current as? ProduceComposerScreen }

    /// The topics list with the cursor on `topic`, then P.
    static func open(_ topic: String, options: BrowserOptions? = nil) async throws -> Harness {
        var h = await Harness.at(.topics, size: Size(width: 100, height: 30), options: options)
        h.press("top")
        for _ in 0..<12 where (h.state.current as? TopicsScreen)?.list.selected?.name != topic { h.press("down") }
        try #require((h.state.current as? TopicsScreen)?.list.selected?.name == topic)
        h.press("produce")
        await h.settle()
        return h
    }

    @Test func composeConfirmSendAndSeeWhereItWent() async throws {
        var h = try await Self.open("orders")
        #expect(h.state.route == .produce(topic: "orders"))
        // The value has focus first; Enter there is a newline, not a send.
        h.type("line one")
        h.key(.enter)
        h.type("j k : / ?")  // global keys are text in a field
        h.press("previousField")
        #expect(Self.composer(h)?.focus == .key)
        h.type("order-7")
        for _ in 0..<2 { h.press("nextField") }
        #expect(Self.composer(h)?.focus == .headers)
        h.type("source=tui, trace=abc")
        h.press("nextField")
        h.type("4")
        h.press("nextField")
        h.key(.right)
        h.key(.right)  // none -> gzip -> snappy
        let screen = h.text()
        #expect(screen.contains("Sends: key 7 bytes, value 18 bytes, 2 headers"), "\(screen)")
        #expect(screen.contains("key   6f 72 64 65 72 2d 37"), "\(screen)")
        #expect(screen.contains("(6 partitions)"), "\(screen)")
        #expect(h.producer.sent.isEmpty)
        h.press("send")
        guard case .confirm(let intent, _) = h.state.mode else {
            Issue.record("no confirmation: \(h.state.mode)")
            return
        }
        #expect(intent.question == "Produce 1 record to topic orders on cluster prod-eu?")
        #expect(h.producer.sent.isEmpty, "sent before the yes")
        h.key(.character("y"))
        await h.settle()
        let sent = try #require(h.producer.sent.first)
        #expect(h.producer.sent.count == 1)
        #expect(sent.key == Array("order-7".utf8))
        #expect(sent.value == Array("line one\nj k : / ?".utf8))
        #expect(sent.headers == [RecordHeader(key: "source", value: Array("tui".utf8)), RecordHeader(key: "trace", value: Array("abc".utf8))])
        #expect(sent.partition == 4)
        #expect(sent.compression == .snappy)
        #expect(Self.composer(h)?.sent == [ProduceComposerScreen.Sent(topic: "orders", partition: 4, offset: 40, bytes: 7 + 18 + 6 + 3 + 5 + 3)])
        #expect(h.text().contains("written to orders partition 4 at offset 40"), "\(h.text())")
        #expect(h.audits.count == 1)
        #expect(h.audits.first?.contains("result=ok") == true, "\(h.audits)")
        #expect(h.audits.first?.contains("target=orders") == true, "\(h.audits)")
        #expect(h.audits.first?.contains("partition=4") == true, "\(h.audits)")
        // Sending again (same fields) writes the next offset.
        h.press("send")
        h.key(.character("y"))
        await h.settle()
        #expect(h.producer.sent.count == 2)
        #expect(h.text().contains("written to orders partition 4 at offset 41"), "\(h.text())")
    }

    @Test func ctrlOHandsTheValueToTheEditorAndTakesItsText() async throws {
        var h = try await Self.open("orders")
        h.type("draft")
        h.press("editValue")
        await h.settle()
        #expect(h.ran.contains(.editExternally("draft")), "\(h.ran)")
        #expect(Self.composer(h)?.value.text == "from the editor\ndraft")
        #expect(h.text().contains("value 21 bytes"), "\(h.text())")
    }

    @Test func declinedOrFailedSendsSayWhyAndAnEmptyKeyIsNull() async throws {
        var h = try await Self.open("payments")
        h.type("v")
        h.press("send")
        h.key(.character("n"))
        await h.settle()
        #expect(h.producer.sent.isEmpty)
        h.producer.failWith = "NOT_ENOUGH_REPLICAS: not enough in-sync replicas"
        h.press("send")
        h.key(.character("y"))
        await h.settle()
        #expect(h.text().contains("NOT_ENOUGH_REPLICAS"), "\(h.text())")
        #expect(h.audits.last?.contains("result=failed") == true, "\(h.audits)")
        h.producer.failWith = nil
        h.press("send")
        h.key(.character("y"))
        await h.settle()
        #expect(h.producer.sent.first?.key == nil)
        #expect(h.producer.sent.first?.partition == nil)
    }

    @Test func aPartitionTheTopicDoesNotHaveIsNeverSent() async throws {
        var h = try await Self.open("payments")
        for _ in 0..<2 { h.press("nextField") }
        #expect(Self.composer(h)?.focus == .partition)
        h.type("3")
        #expect(h.text().contains("payments has 3 partitions; there is no partition 3"), "\(h.text())")
        h.press("send")
        await h.settle()
        #expect(h.state.mode == .normal)
        #expect(h.producer.sent.isEmpty)
    }

    /// P on the topic detail opens the composer of that topic; read-only has no P there either.
    @Test func theTopicDetailOpensTheComposerToo() async throws {
        var h = await Harness.at(.topic("payments"), size: Size(width: 100, height: 30))
        h.press("produce")
        await h.settle()
        #expect(h.state.route == .produce(topic: "payments"))
        #expect(h.text().contains("(3 partitions)"), "\(h.text())")
        var o = BrowserOptions(contextName: "prod-eu", contexts: ["prod-eu"])
        o.readOnly = true
        let ro = await Harness.at(.topic("payments"), size: Size(width: 100, height: 30), options: o)
        #expect(ro.state.key(forBinding: "produce") == nil)
    }

    /// The composer at the three snapshot sizes, with a multi-line value and a binary-looking key.
    @Test func composerSnapshots() async throws {
        var h = try await Self.open("orders")
        h.type("{\"id\": 7,")
        h.key(.enter)
        h.type(" \"total\": 12.5}")
        h.press("previousField")
        h.type("order-7")
        for size in snapshotSizes {
            h.send(.resize(size))
            expectSnapshot(h.screen(size), "produce_composer_\(size.width)x\(size.height)")
        }
    }

    @Test func readOnlyHasNoProduceKeyAndNoSend() async throws {
        var o = BrowserOptions(contextName: "prod-eu", contexts: ["prod-eu"])
        o.readOnly = true
        var h = await Harness.at(.topics, size: Size(width: 100, height: 30), options: o)
        #expect(h.state.key(forBinding: "produce") == nil)
        h.key(.character("P"))
        await h.settle()
        #expect(h.state.route == .topics)
        #expect(h.text().contains("Read-only mode"), "\(h.text())")
        // Even if the composer were reached, it has no send.
        h.send(.open(.produce(topic: "orders")))
        await h.settle()
        #expect(h.state.key(forBinding: "send") == nil)
        h.type("x")
        h.press("nextField")
        h.key(.enter)
        h.key(.ctrl("s"))
        await h.settle()
        #expect(h.producer.sent.isEmpty)
        #expect(h.audits.isEmpty)
    }
}
