@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing
import WriteFlow

/// The group detail's write keys (issue 15 item 4): R opens the reset form, D deletes the selected
/// topic's committed offsets, Ctrl-D deletes the group after its name is typed. Fixture:
/// audit-archiver (Empty, audit-log 0-1 committed at 0), orders-processor (Stable, 3 members).
@Suite struct GroupDetailWriteTests {
    static let size = Size(width: 130, height: 30)

    static func detail(_ group: String, readOnly: Bool = false) async -> Harness {
        await Harness.at(.group(group), size: size, options: BrowserOptions(contextName: "prod-eu", readOnly: readOnly))
    }

    static func sent(_ h: Harness) -> [String] { h.cluster.groupWrites.requestLog }

    @Test func resetKeyOpensTheFormAndEscReturns() async throws {
        var h = await Self.detail("audit-archiver")
        h.press("resetOffsets")
        await h.settle()
        #expect(h.state.route == .resetOffsets(group: "audit-archiver"))
        #expect(h.text().contains("2 partitions, 0 changing; lag 98000 -> 98000."), "\(h.text())")
        h.key(.escape)
        await h.settle()
        #expect(h.state.route == .group("audit-archiver"))
    }

    /// Made to fail once by dropping the read after the write (the deleted offsets stayed on screen).
    @Test func deleteOffsetsNamesGroupTopicAndOffsetsThenReloads() async throws {
        var h = await Self.detail("audit-archiver")
        h.press("deleteOffsets")
        guard case .confirm(let intent, _) = h.state.mode else {
            Issue.record("no confirmation: \(h.state.mode)")
            return
        }
        #expect(intent.question == "Delete the committed offsets of consumer group audit-archiver for topic audit-log on cluster prod-eu?")
        #expect(intent.details == ["Partitions and committed offsets: 0@0, 1@0."])
        #expect(h.text().contains("Partitions and committed offsets: 0@0, 1@0."))
        #expect(Self.sent(h).isEmpty)
        h.key(.character("y"))
        await h.settle()
        #expect(Self.sent(h) == ["delete-offsets audit-archiver audit-log/0,audit-log/1"])
        #expect((h.state.current as? GroupDetailScreen)?.offsets.rows.isEmpty == true, "read again after the write")
        #expect(h.audits.count == 1 && h.audits[0].contains("kind=offset-delete") && h.audits[0].contains("result=ok"), "\(h.audits)")
    }

    /// D acts on the Offsets section's selected row only while that section is shown: with the Members
    /// tab up, the row is out of sight. Made to fail once by reading `selection.row(0)` again in
    /// GroupDetailScreen (the dialog opened from the Members tab).
    @Test func deleteOffsetsNeedsTheOffsetsSectionShown() async throws {
        var h = await Self.detail("audit-archiver")
        h.press("nextSection")
        #expect((h.state.current as? GroupDetailScreen)?.activeSection == 1)
        h.press("deleteOffsets")
        #expect(h.state.mode == .normal, "\(h.state.mode)")
        #expect(h.state.write == nil)
        #expect(h.state.note?.text == "Show the Offsets section and select a row: its topic's offsets are deleted",
                "\(String(describing: h.state.note))")
        h.press("previousSection")
        h.press("deleteOffsets")
        guard case .confirm(let intent, _) = h.state.mode else {
            Issue.record("no confirmation from the Offsets section: \(h.state.mode)")
            return
        }
        #expect(intent.target.contains("audit-log"), "\(intent.target)")
    }

    /// Made to fail once by answering a typed-name dialog with the y/n keys (y closed it at once:
    /// the flow refused the empty name, and the name could never be typed).
    @Test func deleteGroupAsksForTheNameAndAWrongNameSendsNothing() async throws {
        var h = await Self.detail("audit-archiver")
        h.press("deleteGroup")
        guard case .confirm(let intent, _) = h.state.mode else {
            Issue.record("no confirmation: \(h.state.mode)")
            return
        }
        #expect(intent.typeName == "audit-archiver")
        #expect(h.text().contains("Type audit-archiver to confirm:"), "\(h.text())")
        h.key(.character("y"))
        #expect(Self.sent(h).isEmpty, "y is a letter of the name here, not a yes")
        h.type("audit")
        #expect(h.text().contains("Type audit-archiver to confirm: yaudit_"))
        h.key(.enter)
        await h.settle()
        #expect(Self.sent(h).isEmpty)
        #expect(h.state.note?.text.contains("does not match; nothing was sent") == true, "\(String(describing: h.state.note))")

        h.press("deleteGroup")
        h.type("audit-archiver")
        h.key(.enter)
        await h.settle()
        #expect(Self.sent(h) == ["delete-group audit-archiver"])
        #expect(h.state.note?.text == "deleted consumer group audit-archiver")
        #expect(h.text().contains("does not exist"), "read again: the group is gone\n\(h.text())")
        #expect(h.audits.map { $0.contains("result=cancelled") } == [true, false])
    }

    @Test func aGroupWithMembersIsNotDeletedAndSaysWhy() async throws {
        var h = await Self.detail("orders-processor")
        h.press("deleteGroup")
        await h.settle()
        #expect(h.state.mode == .normal, "refused before any dialog")
        #expect(Self.sent(h).isEmpty)
        #expect(h.state.note?.text.contains("consumer group orders-processor has 3 active members") == true, "\(String(describing: h.state.note))")
    }

    @Test func readOnlyHasNoGroupWriteKeys() async throws {
        var h = await Self.detail("audit-archiver", readOnly: true)
        #expect(!h.state.activeBindings.contains { if case .group = $0.action { true } else { false } })
        for k: Key in [.character("R"), .character("D"), .ctrl("d")] {
            h.key(k)
            await h.settle()
            #expect(h.state.route == .group("audit-archiver") && h.state.mode == .normal)
        }
        #expect(Self.sent(h).isEmpty)
        #expect(h.state.note?.text.contains("Read-only mode") == true)
    }
}
