@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing
import WriteFlow

/// The config editor (issue 18 item 2): changes are staged, shown as a diff old -> new, checked by the
/// broker (validateOnly) as soon as they change, and applied through the write flow with
/// IncrementalAlterConfigs only, one confirmation naming cluster and resource and one audit line.
/// Fixture (FixtureTopicAdmin): topic orders has retention.ms 604800000 from the static broker config,
/// min.insync.replicas 2 set on the topic (default 1), message.format.version read-only; broker 1 has
/// a sensitive SASL JAAS config.
@Suite struct ConfigEditorTests {
    static let size = Size(width: 120, height: 30)

    static func editor(_ resource: ConfigResource = .topic("orders"), size: Size = size) async -> Harness {
        await Harness.at(.editConfigs(resource), size: size, options: BrowserOptions(contextName: "prod-eu"))
    }

    static func screen(_ h: Harness) -> ConfigEditorScreen? { h.state.current as? ConfigEditorScreen }

    /// Moves the cursor to the config named `name` (rows are sorted by name).
    static func select(_ name: String, _ h: inout Harness) {
        h.key(.home)
        for _ in 0..<50 where screen(h)?.rows.selected?.name != name { h.key(.down) }
        #expect(screen(h)?.rows.selected?.name == name)
    }

    static func set(_ name: String, to value: String, _ h: inout Harness) async {
        select(name, &h)
        h.key(.character("e"))
        h.key(.ctrl("u"))
        h.type(value)
        h.key(.enter)
        await h.settle()
    }

    /// Made to fail once by applying the staged changes without waiting for the verdict (the write
    /// went out while the validate-only request was still pending: `writes` had the change before `y`).
    @Test func aChangeIsDiffedValidatedConfirmedAppliedOnceAndReadBack() async throws {
        var h = await Self.editor()
        await Self.set("retention.ms", to: "86400000", &h)
        #expect(h.topicAdmin.requests == ["alter topic orders set retention.ms=86400000 (validate-only)"])
        let text = h.text()
        #expect(text.contains("Changes to topic orders (old -> new):"), "\(text)")
        // Not set on the topic before: added at the topic level, over the broker's value.
        #expect(text.contains("+ retention.ms: 604800000 (static_broker) -> 86400000"), "\(text)")
        #expect(text.contains("the broker would accept this (validate-only)"), "\(text)")

        h.key(.ctrl("s"))
        guard case .confirm(let intent, _) = h.state.mode else {
            Issue.record("no confirmation: \(h.state.mode)")
            return
        }
        #expect(intent.question == "Change the configs of topic orders on cluster prod-eu?")
        #expect(intent.details.first == "retention.ms: 604800000 (static_broker) -> 86400000")
        #expect(h.topicAdmin.writes.isEmpty, "nothing sent before the yes")
        h.key(.character("y"))
        await h.settle()
        #expect(h.topicAdmin.writes == ["alter topic orders set retention.ms=86400000"])
        #expect(h.audits.count == 1)
        let audit = h.audits.first ?? ""
        #expect(audit.contains("kind=config-change") && audit.contains("result=ok"), "\(audit)")
        #expect(audit.contains("retention.ms: 604800000 (static_broker) -> 86400000"), "\(audit)")
        // Read back: the value is now the topic's own, nothing is staged any more.
        let row = Self.screen(h)?.rows.rows.first { $0.name == "retention.ms" }
        #expect(row?.entry?.value == "86400000" && row?.entry?.source == .topic && row?.change == nil)
        #expect(Self.screen(h)?.staged.isEmpty == true)
        #expect(h.text().contains("changed 1 config of topic orders; the configs below are read back"),
                "\(h.text().split(separator: "\n").filter { $0.contains("config") })")
    }

    /// Made to fail once by showing the verdict without its refusal (the line said "would accept").
    @Test func aRefusalIsShownWithTheBrokersCodeAndMessageAndApplyingSendsNothing() async throws {
        var h = await Self.editor()
        await Self.set("retention.ms", to: "a week", &h)
        #expect(h.text().contains("the broker refuses: INVALID_CONFIG (40): Invalid value a week for configuration retention.ms"),
                "\(h.text())")
        h.key(.ctrl("s"))
        #expect(h.state.mode == .normal, "no dialog for a refused change")
        #expect(h.state.note?.text.contains("INVALID_CONFIG (40)") == true, "\(String(describing: h.state.note))")
        await h.settle()
        #expect(h.topicAdmin.writes.isEmpty && h.audits.isEmpty)
    }

    /// The broker accepts the validation but refuses the change itself (a policy): the report names
    /// the code and message, the change stays staged. Made to fail once by clearing the staged
    /// changes on any write end (the row lost its change).
    @Test func aRefusalWhenApplyingIsReportedAndTheChangeStaysStaged() async throws {
        var h = await Self.editor()
        Self.select("min.insync.replicas", &h)
        h.key(.character("d"))
        await h.settle()
        #expect(h.text().contains("- min.insync.replicas: 2 (dynamic_topic) -> deleted, falls back to 1 (default min.insync.replicas)"),
                "\(h.text())")
        h.topicAdmin.refuse("orders", BrokerRefusal(code: 44, name: "POLICY_VIOLATION", message: "min.insync.replicas must stay set"))
        h.key(.ctrl("s"))
        h.key(.character("y"))
        await h.settle()
        #expect(h.text().contains("not applied: POLICY_VIOLATION (44): min.insync.replicas must stay set"), "\(h.text())")
        #expect(Self.screen(h)?.staged == [.delete("min.insync.replicas")])
        #expect(h.audits.count == 1 && h.audits[0].contains("POLICY_VIOLATION"), "\(h.audits)")
    }

    /// Keys not set on this resource cannot be deleted, read-only ones cannot be set, a new key is
    /// typed as KEY=VALUE, undo unstages. Made to fail once by letting `d` stage a delete of a default.
    @Test func whatCanBeStagedAndUndone() async throws {
        var h = await Self.editor()
        Self.select("cleanup.policy", &h)
        h.key(.character("d"))
        #expect(Self.screen(h)?.staged.isEmpty == true)
        #expect(h.state.note?.text.contains("not set on topic orders (default)") == true)
        Self.select("message.format.version", &h)
        h.key(.character("e"))
        #expect(Self.screen(h)?.editor == nil)
        h.key(.character("a"))
        h.type("compression.type=zstd")
        h.key(.enter)
        await h.settle()
        #expect(Self.screen(h)?.staged == [.set("compression.type", "zstd")])
        #expect(h.text().contains("+ compression.type: (not set) -> zstd"), "\(h.text())")
        Self.select("compression.type", &h)
        h.key(.character("u"))
        await h.settle()
        #expect(Self.screen(h)?.staged.isEmpty == true)
        #expect(Self.screen(h)?.rows.rows.contains { $0.name == "compression.type" } == false)
        // Esc leaves the edit line without staging (and does not leave the screen).
        h.key(.character("a"))
        h.type("x=1")
        h.key(.escape)
        #expect(Self.screen(h)?.editor == nil && Self.screen(h)?.staged.isEmpty == true)
        #expect(h.state.route == .editConfigs(.topic("orders")))
    }

    /// The same editor over a broker: sensitive values never appear, not while typed, not in the
    /// diff, the dialog or the audit line. Made to fail once by echoing the typed value.
    @Test func brokerConfigsKeepSensitiveValuesMasked() async throws {
        var h = await Self.editor(.broker(1))
        let key = "listener.name.internal.scram-sha-256.sasl.jaas.config"
        Self.select(key, &h)
        h.key(.character("e"))
        h.type("hunter2-secret")
        #expect(h.text().contains("**************"), "\(h.text())")
        #expect(!h.text().contains("hunter2"))
        h.key(.enter)
        await h.settle()
        #expect(h.text().contains("\(key): [sensitive] (dynamic_broker) -> [sensitive]"), "\(h.text())")
        h.key(.ctrl("s"))
        guard case .confirm(let intent, _) = h.state.mode else {
            Issue.record("no confirmation: \(h.state.mode)")
            return
        }
        #expect(intent.question == "Change the configs of broker 1 on cluster prod-eu?")
        #expect(!intent.details.joined().contains("hunter2") && !h.text().contains("hunter2"))
        h.key(.character("y"))
        await h.settle()
        #expect(h.topicAdmin.writes == ["alter broker 1 set \(key)=hunter2-secret"], "the real value is sent")
        #expect(h.audits.count == 1 && !h.audits[0].contains("hunter2"), "\(h.audits)")
        #expect(!h.text().contains("hunter2"))
    }

    /// The cluster-wide default is one more resource for the same screen.
    @Test func theClusterDefaultIsEditedTheSameWay() async throws {
        var h = await Self.editor(.brokerDefault)
        await Self.set("log.cleaner.threads", to: "2", &h)
        h.key(.ctrl("s"))
        guard case .confirm(let intent, _) = h.state.mode else {
            Issue.record("no confirmation: \(h.state.mode)")
            return
        }
        #expect(intent.question == "Change the configs of broker default (the cluster-wide broker default) on cluster prod-eu?")
        h.key(.character("y"))
        await h.settle()
        #expect(h.topicAdmin.writes == ["alter the cluster-wide broker default set log.cleaner.threads=2"])
    }

    /// `E` on the topic detail opens the editor of that topic; read-only mode has neither the key
    /// nor any editing key (covered for every screen by ActionTests too).
    @Test func openedFromTheTopicDetailAndAbsentReadOnly() async throws {
        var h = await Harness.at(.topic("orders"), size: Self.size)
        h.key(.character("E"))
        await h.settle()
        #expect(h.state.route == .editConfigs(.topic("orders")))
        #expect(Self.screen(h)?.rows.rows.isEmpty == false)

        var ro = await Harness.at(.topic("orders"), size: Self.size, options: BrowserOptions(contextName: "prod-eu", readOnly: true))
        ro.key(.character("E"))
        await ro.settle()
        #expect(ro.state.route == .topic("orders"))
    }

    /// A staged change with its verdict at the snapshot sizes and a tiny terminal (the diff yields to
    /// the table; nothing traps).
    @Test func editorSnapshots() async throws {
        var h = await Self.editor()
        await Self.set("retention.ms", to: "86400000", &h)
        Self.select("min.insync.replicas", &h)
        h.key(.character("d"))
        await h.settle()
        for size in snapshotSizes + [Size(width: 40, height: 10)] {
            expectSnapshot(h.screen(size), "config_editor_\(size.width)x\(size.height)")
        }
        h.key(.character("e"))
        expectSnapshot(h.screen(Size(width: 80, height: 24)), "config_editor_editing_80x24")
        // A refusal's message is wrapped over up to three rows, never cut.
        var r = await Self.editor()
        await Self.set("retention.ms", to: "a week", &r)
        expectSnapshot(r.screen(Size(width: 80, height: 24)), "config_editor_refused_80x24")
    }
}
