@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing
import WriteFlow

/// Topic writes in the terminal UI (issue 18 item 1): create from Topics, add partitions and delete
/// records from the topic detail, delete a topic with its name typed. The first Enter asks the broker
/// (validateOnly) and shows its verdict or its error code and message; the next applies through the
/// write flow. Fixture: FixtureTopicAdmin (3 brokers; an RF above 3 is INVALID_REPLICATION_FACTOR);
/// topic orders has 6 partitions, partition 2 holds offsets 2000..207761.
@Suite struct TopicAdminFormTests {
    static let size = Size(width: 120, height: 30)

    static func form(_ h: Harness) -> TopicFormScreen? { h.state.current as? TopicFormScreen }

    static func createForm() async -> Harness {
        var h = await Harness.at(.topics, size: size)
        h.key(.character("C"))
        await h.settle()
        return h
    }

    /// Made to fail once by sending the write on the first Enter (no validate-only request was logged
    /// before the create).
    @Test func createValidatesFirstThenConfirmsNamingClusterAndTopicAndCreatesOnce() async throws {
        var h = await Self.createForm()
        #expect(h.state.route == .createTopic)
        h.type("billing-events")
        h.key(.tab); h.type("3")
        h.key(.tab)
        h.key(.tab); h.type("cleanup.policy=compact, retention.ms=86400000")
        h.key(.enter)
        await h.settle()
        #expect(h.topicAdmin.requests == ["create billing-events partitions=3 rf=default cleanup.policy=compact retention.ms=86400000 (validate-only)"])
        #expect(h.text().contains("the broker would create it: 3 partitions, replication factor 3. Enter creates it"), "\(h.text())")
        #expect(h.state.mode == .normal)

        h.key(.enter)
        guard case .confirm(let intent, _) = h.state.mode else {
            Issue.record("no confirmation: \(h.state.mode)")
            return
        }
        #expect(intent.question == "Create topic billing-events on cluster prod-eu?")
        #expect(intent.details.contains("Configs: cleanup.policy=compact, retention.ms=86400000."))
        #expect(h.topicAdmin.writes.isEmpty)
        h.key(.character("y"))
        await h.settle()
        #expect(h.topicAdmin.writes == ["create billing-events partitions=3 rf=default cleanup.policy=compact retention.ms=86400000"])
        #expect(h.audits.count == 1 && h.audits[0].contains("kind=topic-create") && h.audits[0].contains("result=ok"), "\(h.audits)")
        #expect(h.state.route == .topics, "back to the list once created")
        #expect(h.state.note?.text.contains("created topic billing-events") == true, "\(String(describing: h.state.note))")
    }

    /// #18: the topic write keys were only in `?` help. The Topics hint bar now shows create at 80
    /// columns and configs too when wider, before refresh and sort but never pushing out open;
    /// read-only mode shows none of them. Made to fail once by giving TopicAdminAction no hint (the
    /// bar at 80 columns had no write key) and once with hintPriority nil (own-action priority 70:
    /// at 80 columns "<Enter> open" was pushed out).
    @Test func topicsHintBarOffersTheMainWriteKeysWhenTheyFit() async throws {
        func bar(_ h: Harness, _ width: Int) -> String {
            String(h.text(Size(width: width, height: 24)).split(separator: "\n").last ?? "")
        }
        let h = await Harness.at(.topics)
        #expect(bar(h, 80).contains("<C> create") && bar(h, 80).contains("<Enter> open"), "\(bar(h, 80))")
        #expect(bar(h, 120).contains("<C> create  <E> configs"), "\(bar(h, 120))")
        #expect(bar(h, 200).contains("<ctrl-d> delete") && bar(h, 200).contains("<A> partitions"), "\(bar(h, 200))")
        var o = BrowserOptions(contextName: "prod-eu", contexts: ["prod-eu"])
        o.readOnly = true
        let ro = await Harness.at(.topics, options: o)
        for width in [80, 200] {
            for w in ["create", "configs", "delete", "partitions"] {
                #expect(!bar(ro, width).contains(w), "read-only offers \(w): \(bar(ro, width))")
            }
        }
    }

    /// #18: a config typed into the create form whose name says it is a secret (password, secret,
    /// token...) shows its value as `*`s on the form itself, as the dialog and the audit line mask it;
    /// the broker still gets the value, and a refusal quoting it shows `[sensitive]` instead. Made to
    /// fail once by drawing the field's text as typed (hunter2 on screen), and once without
    /// `redactingSecrets` (the broker's message showed it).
    @Test func sensitiveConfigValuesAreMaskedOnTheCreateForm() async throws {
        var h = await Self.createForm()
        h.type("vault-events")
        h.key(.tab); h.key(.tab); h.key(.tab)
        h.type("cleanup.policy=compact, sasl.jaas.password=hunter2, my.secret.key=s3cr3t")
        var text = h.text()
        #expect(text.contains("cleanup.policy=compact, sasl.jaas.password=*******, my.secret.key=******_"), "\(text)")
        #expect(!text.contains("hunter2") && !text.contains("s3cr3t"), "\(text)")
        guard case .success(.createTopic(let t)) = try #require(Self.form(h)).step() else {
            Issue.record("no create step")
            return
        }
        #expect(t.configs.map(\.value) == ["compact", "hunter2", "s3cr3t"], "the broker gets the values")
        h.topicAdmin.refuse("vault-events", BrokerRefusal(code: 40, name: "INVALID_CONFIG",
                                                         message: "Invalid value hunter2 for configuration sasl.jaas.password"))
        h.key(.enter)
        await h.settle()
        text = h.text()
        #expect(text.contains("Invalid value [sensitive] for configuration sasl.jaas.password"), "\(text)")
        #expect(!text.contains("hunter2"), "\(text)")
    }

    /// Made to fail once by leaving the refusal's name and code out of the verdict line.
    @Test func aRefusedCreateShowsTheBrokersCodeAndMessageAndCannotBeApplied() async throws {
        var h = await Self.createForm()
        h.type("billing-events")
        h.key(.tab); h.type("3")
        h.key(.tab); h.type("5")
        h.key(.enter)
        await h.settle()
        #expect(h.text().contains("the broker refuses: INVALID_REPLICATION_FACTOR (38): Replication factor: 5 larger than available brokers: 3."),
                "\(h.text())")
        h.key(.enter)
        #expect(h.state.mode == .normal)
        #expect(h.state.note?.text.contains("INVALID_REPLICATION_FACTOR (38)") == true)
        // A changed input needs a new verdict: the old one is not shown for it.
        h.key(.backspace); h.type("2")
        #expect(h.text().contains("Enter asks the broker whether it would accept this"), "\(h.text())")
        await h.settle()
        #expect(h.topicAdmin.writes.isEmpty && h.audits.isEmpty)
        // Bad input is said before anything is asked.
        h.key(.tab); h.type("retention.ms")
        #expect(h.text().contains("'retention.ms' is not KEY=VALUE"), "\(h.text())")
    }

    /// Made to fail once by dropping the keyed-records warning from the confirmation.
    @Test func addPartitionsWarnsAboutKeyedRecordsValidatesAndApplies() async throws {
        var h = await Harness.at(.topic("orders"), size: Self.size)
        h.key(.character("A"))
        await h.settle()
        #expect(h.state.route == .addPartitions(topic: "orders"))
        h.type("4")
        #expect(h.text().contains("topic orders already has 6 partitions: partitions can only be added"), "\(h.text())")
        h.key(.backspace); h.type("8")
        #expect(h.text().contains("Records with a key will map to other partitions from now on"), "\(h.text())")
        h.key(.enter)
        await h.settle()
        #expect(h.topicAdmin.requests == ["add-partitions orders total=8 (validate-only)"])
        h.key(.enter)
        guard case .confirm(let intent, _) = h.state.mode else {
            Issue.record("no confirmation: \(h.state.mode)")
            return
        }
        #expect(intent.question == "Add partitions to topic orders (to 8 in total) on cluster prod-eu?")
        #expect(intent.details.prefix(2) == ["6 -> 8 partitions (2 new).", AdminWriteWording.keyedRecordsWarning])
        h.key(.character("y"))
        await h.settle()
        #expect(h.topicAdmin.writes == ["add-partitions orders total=8"])
        #expect(h.text().contains("topic orders now has 8 partitions"), "\(h.text())")
    }

    /// Made to fail once by opening the form without the selected partition (it planned all six).
    @Test func deleteRecordsOfTheSelectedPartitionWithTheNameTyped() async throws {
        var h = await Harness.at(.topic("orders"), size: Self.size)
        h.key(.down); h.key(.down)
        h.key(.character("D"))
        await h.settle()
        #expect(h.state.route == .deleteRecords(topic: "orders", partition: 2))
        h.key(.tab); h.type("5000")
        #expect(h.text().contains("partition 2: log start 2000 -> 5000 (3000 records, end 207761)"), "\(h.text())")
        h.key(.enter)
        guard case .confirm(let intent, _) = h.state.mode else {
            Issue.record("no confirmation: \(h.state.mode)")
            return
        }
        #expect(intent.typeName == "orders")
        #expect(intent.question == "Delete records of topic orders (partition 2, before offset 5000) on cluster prod-eu?")
        h.type("orders")
        h.key(.enter)
        await h.settle()
        #expect(h.topicAdmin.writes == ["delete-records orders 2<5000"])
        #expect(h.audits.count == 1 && h.audits.first?.contains("2 2000->5000") == true, "\(h.audits)")
        // Past the end is said on the form and nothing can be sent.
        h.key(.ctrl("u")); h.type("999999")
        #expect(h.text().contains("partition 2 ends at offset 207761"), "\(h.text())")
    }

    /// Made to fail once by confirming the delete with y/n (no typed name: the dialog had no name).
    @Test func deleteTopicNeedsItsNameTypedAndLeavesTheDeletedTopic() async throws {
        var h = await Harness.at(.topic("orders"), size: Self.size)
        h.key(.ctrl("d"))
        guard case .confirm(let intent, _) = h.state.mode else {
            Issue.record("no confirmation: \(h.state.mode)")
            return
        }
        #expect(intent.typeName == "orders")
        #expect(intent.question == "Delete topic orders on cluster prod-eu?")
        #expect(intent.details.first == "6 partitions, replication factor 3, 1234566 records retained.", "\(intent.details)")
        h.type("order")
        h.key(.enter)
        await h.settle()
        #expect(h.topicAdmin.writes.isEmpty)
        h.key(.ctrl("d"))
        h.type("orders")
        h.key(.enter)
        await h.settle()
        #expect(h.topicAdmin.writes == ["delete orders"])
        #expect(h.state.route == .topics, "the deleted topic's detail closes")
        #expect(h.audits.count == 2 && h.audits[1].contains("kind=topic-delete") && h.audits[1].contains("result=ok"), "\(h.audits)")
        // Internal topics are refused before any dialog.
        var l = await Harness.at(.topics, size: Self.size)
        l.key(.home)
        l.key(.ctrl("d"))
        await l.settle()
        #expect(l.state.mode == .normal)
        #expect(l.state.note?.text.contains("internal topic") == true, "\(String(describing: l.state.note))")
        #expect(l.topicAdmin.writes.isEmpty)
    }

    /// The forms at the snapshot sizes and a tiny terminal.
    @Test func formSnapshots() async throws {
        var h = await Self.createForm()
        h.type("billing-events")
        h.key(.tab); h.type("3")
        h.key(.tab); h.type("5")
        h.key(.enter)
        await h.settle()
        for size in snapshotSizes + [Size(width: 40, height: 10)] {
            expectSnapshot(h.screen(size), "topic_create_\(size.width)x\(size.height)")
        }
        var p = await Harness.at(.topic("orders"), size: Self.size)
        p.key(.character("A"))
        await p.settle()
        p.type("8")
        expectSnapshot(p.screen(Size(width: 80, height: 24)), "topic_add_partitions_80x24")
        expectSnapshot(p.screen(Size(width: 40, height: 10)), "topic_add_partitions_40x10")
    }
}
