@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing

/// A burst of keys (a paste, key repeat) is applied in one update, before any frame is drawn: a
/// confirmation opened by one of its keys must not be answered by the keys after it.
@Suite struct KeyBurstConfirmTests {
    static func burst(_ text: String) -> Message {
        .keys(text.map { $0 == "\n" ? Key.enter : Key.character($0) })
    }

    /// Pasting "ops-sync" on the Connectors screen: `p` opens the pause dialog, `y` must not confirm it.
    /// Made to fail once by removing the `break` after a confirmation opens in `Updater.apply(.keys)`.
    @Test func aPastedYDoesNotConfirmTheDialogThePasteOpened() async throws {
        var h = try await WriteFlowUITests.onOrdersSink()
        h.send(Self.burst("ops-sync"))
        await h.settle()
        guard case .confirm(let intent, _) = h.state.mode else {
            Issue.record("the dialog is not up: \(h.state.mode)")
            return
        }
        #expect(intent.question == "Pause connector orders-sink on Connect cluster QA?")
        #expect(h.connect.performed.isEmpty, "\(h.connect.performed)")
        #expect(h.audits.isEmpty, "\(h.audits)")
        #expect(h.text().contains("orders-sink on Connect cluster QA"), "\(h.text())")
        // Once drawn, the dialog takes its answer as usual.
        h.key(.character("y"))
        await h.settle()
        #expect(h.connect.performed == ["pause QA/orders-sink"])
    }

    /// Pasting "k1\nyes" into the composer's key field: Enter sends (opens the dialog), `y` must not confirm.
    /// Made to fail once by removing the `break` after a confirmation opens in `Updater.apply(.keys)`.
    @Test func aPastedEnterAndYesDoNotProduce() async throws {
        var h = try await ProduceComposerTests.open("orders")
        h.type("v")
        h.press("previousField")
        #expect(ProduceComposerTests.composer(h)?.focus == .key)
        h.send(Self.burst("k1\nyes"))
        await h.settle()
        guard case .confirm(let intent, _) = h.state.mode else {
            Issue.record("the dialog is not up: \(h.state.mode)")
            return
        }
        #expect(intent.question == "Produce 1 record to topic orders on cluster prod-eu?")
        #expect(h.producer.sent.isEmpty, "\(h.producer.sent)")
        #expect(h.audits.isEmpty, "\(h.audits)")
        h.key(.character("n"))
        await h.settle()
        #expect(h.producer.sent.isEmpty)
        #expect(ProduceComposerTests.composer(h)?.key.text == "k1", "the keys before the send were typed")
    }
}
