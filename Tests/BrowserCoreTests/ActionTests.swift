@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing

/// Actions are typed declarations; read-only mode removes the writes before any key
/// reaches a screen.
@Suite struct ActionTests {
    /// One route per screen kind in the registry (and the tail's record view below).
    static let routes: [Route] = [
        .brokers, .quorum, .topics, .topic("orders"), .groups, .group("orders-processor"),
        .connectors, .connector(cluster: "QA", name: "orders-sink"), .connector(cluster: "QA", name: "payments-source"),
        .tail(topic: "orders"), .resetOffsets(group: "audit-archiver"),
        .editConfigs(.topic("orders")), .editConfigs(.broker(1)), .createTopic, .addPartitions(topic: "orders"),
        .deleteRecords(topic: "orders", partition: 0), .broker(1), .acls,
    ]

    static func options(readOnly: Bool) -> BrowserOptions {
        BrowserOptions(contextName: "prod-eu", readOnly: readOnly)
    }

    /// What read-only mode must not offer on the current screen: write keys, help lines, hints.
    static func offeredWrites(_ h: Harness) -> [String] {
        var found: [String] = []
        for b in h.state.activeBindings where b.isWrite { found.append("binding \(b.name)") }
        let writes = Action.all.filter(\.isWrite)
        for case .entry(_, let text) in HelpContent.lines(for: h.state) {
            for w in writes where text.hasPrefix(w.help) { found.append("help line '\(text)'") }
        }
        for hint in Chrome.hints(h.state) {
            for w in writes where w.keys.map(\.displayName).contains(hint.keyName) && w.hint == hint.description {
                found.append("hint <\(hint.keyName)> \(hint.description)")
            }
        }
        return found
    }

    /// The harness on `route`; `.record` is the tail's record view over a delivered record (it has no
    /// factory of its own: the tail makes it from its buffer).
    static func harness(_ route: Route, readOnly: Bool) async -> Harness {
        let target: Route
        if case .record(let topic, _, _) = route { target = .tail(topic: topic) } else { target = route }
        var h = await Harness.at(target, size: Size(width: 160, height: 50), options: Self.options(readOnly: readOnly))
        if case .tail = target {
            h.deliver(.tail(.records([FixtureTailService.record(topic: "orders", index: 1)])), at: h.now)
        }
        if case .record = route {
            h.press("open")
            await h.settle()
        }
        return h
    }

    /// Made to fail once by keeping write actions in `activeBindings` under read-only mode
    /// (and, separately, by letting a removed write key reach the screen). The record view joined
    /// the walk with its re-send key (failed once with `RecordAction.resend` not declared a write:
    /// the writable walk no longer found it, and read-only offered nothing to catch).
    @Test func readOnlyOffersNoWriteOnAnyScreen() async {
        var writable = 0
        for route in Self.routes + [.record(topic: "orders", partition: 0, offset: 1)] {
            // Without read-only the walk finds the writes (so the check below can fail).
            let rw = await Self.harness(route, readOnly: false)
            writable += Self.offeredWrites(rw).count
            if case .record = route {
                #expect(rw.state.current is TailRecordScreen)
                #expect(Self.offeredWrites(rw).contains("binding resend"), "\(Self.offeredWrites(rw))")
            }

            var h = await Self.harness(route, readOnly: true)
            if case .record = route { #expect(h.state.current is TailRecordScreen) }
            #expect(Self.offeredWrites(h).isEmpty, "\(route): \(Self.offeredWrites(h))")
            // Every key of every write action, pressed: nothing is asked, nothing is sent.
            for w in Action.all where w.isWrite {
                for k in w.keys {
                    h.key(k)
                    #expect(h.state.mode == .normal, "\(route) \(k.displayName)")
                    h.key(.escape)
                }
            }
            await h.settle()
            #expect(!h.ran.contains { if case .connectAction = $0 { true } else { false } },
                    "\(route): \(h.ran)")
            #expect(h.connect.performed.isEmpty)
            #expect(!(h.state.current is ProduceComposerScreen), "\(route): a composer opened in read-only mode")
            #expect(h.producer.sent.isEmpty)
        }
        #expect(writable > 0, "the connector screens offer writes when not read-only")
    }

    /// Help and hints are derived from the declarations: every active action appears in help
    /// with its declared text, and an action's declared keys are the keys that run it.
    @Test func helpAndKeysComeFromDeclarations() async {
        for route in Self.routes {
            let h = await Harness.at(route, options: Self.options(readOnly: false))
            let help = HelpContent.lines(for: h.state)
            for b in h.state.activeBindings {
                #expect(help.contains { if case .entry(b.keyLabel, let t) = $0 { t.hasPrefix(b.action.help) } else { false } },
                        "\(route): \(b.name)")
                #expect(b.keys.allSatisfy(b.action.keys.contains))
            }
        }
    }

    /// "pause" named the Connect write and the tail's view freeze; now each name is one action.
    @Test func actionNamesAreUnambiguousAcrossWrites() {
        let writeNames = Set(Action.all.filter(\.isWrite).map(\.name))
        for a in Action.all where !a.isWrite {
            #expect(!writeNames.contains(a.name), "\(a) shares its name with a write")
        }
    }
}
