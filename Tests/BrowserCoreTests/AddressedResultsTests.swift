@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing

/// Results are addressed: each goes to the screen instance that asked for it, and a result for
/// a screen that left the stack is dropped (issue 11, item 3).
@Suite struct AddressedResultsTests {
    static func records(_ topic: String, _ range: Range<Int>) -> LoadResult {
        .tail(.records(range.map { FixtureTailService.record(topic: topic, index: $0) }))
    }

    static func tail(_ h: Harness) throws -> TailScreen { try #require(h.state.current as? TailScreen) }

    @Test func aResultForAScreenThatWasLeftIsDropped() async throws {
        var h = await Harness.at(.tail(topic: "orders"))
        let ordersTail = h.state.currentRequester
        h.command("tail payments")
        await h.settle()
        let paymentsTail = h.state.currentRequester
        #expect(paymentsTail != ordersTail)

        // The orders tail's stream was still delivering when it was left: nothing of it shows.
        h.send(.loaded(Self.records("orders", 0..<5), at: h.now, for: ordersTail))
        #expect(try Self.tail(h).received == 0)
        h.send(.loaded(Self.records("payments", 0..<3), at: h.now, for: paymentsTail))
        #expect(try Self.tail(h).received == 3)

        // Going back recalls the orders screen under a new id: the old stream's late answers stay out.
        h.command("tail orders")
        #expect(h.state.currentRequester != ordersTail)
        h.send(.loaded(Self.records("orders", 5..<9), at: h.now, for: ordersTail))
        #expect(try Self.tail(h).received == 0)
        #expect(try Self.tail(h).topic == "orders")
    }

    @Test func aScreenBelowGetsOnlyItsOwnResults() async throws {
        var h = await Harness.at(.topics)
        let topicsList = h.state.currentRequester
        h.key(.enter)
        await h.settle()
        let detail = h.state.currentRequester
        guard case .topic(let name) = h.state.route else { Issue.record("Enter opened \(h.state.route)"); return }
        #expect(!h.text().contains("failure"))
        // An answer about this very topic, but addressed to the list below: the detail ignores it.
        h.send(.loaded(.topic(name: name, .failure(LoadError("answer for the list below"))), at: h.now + 1, for: topicsList))
        #expect(!h.text().contains("answer for the list below"))
        // An answer addressed to a screen id that never existed reaches no one.
        h.send(.loaded(.topic(name: name, .failure(LoadError("ghost failure"))), at: h.now + 1,
                       for: .screen(ScreenID(9_999))))
        #expect(!h.text().contains("ghost failure"))
        // The same answer addressed to the detail does show (the probe above could see it).
        h.send(.loaded(.topic(name: name, .failure(LoadError("answer for the detail"))), at: h.now + 1, for: detail))
        #expect(h.text().contains("answer for the detail"))
    }

    /// The runtime's own jobs: a cancel from a screen stops only that screen's work.
    @Test func leavingTheTailStopsItsStreamOnly() async throws {
        var h = await Harness.at(.tail(topic: "orders"))
        let leaving = h.state.currentRequester
        h.command("topics")
        #expect(h.queue.contains(Request(.stopTail, from: leaving)))
        #expect(!h.queue.contains { $0.effect == .stopTail && $0.from != leaving })
    }
}
