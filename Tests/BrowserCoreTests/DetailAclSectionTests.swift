@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing

/// The ACL sections of the topic and group detail (issue 18): loaded beside the detail, listing
/// the ACLs that apply to the name (literal, prefixed, wildcard).
@Suite struct DetailAclSectionTests {
    /// The detail draws before DescribeAcls answers ("ACLs …"), then lists the ACLs that apply.
    /// Made to fail once by loading the ACLs inside the topic read (the partitions then waited).
    @Test func topicDetailListsApplyingAclsLazily() async throws {
        var o = BrowserOptions(contextName: "prod-eu", contexts: ["prod-eu"])
        o.initialRoute = .topic("orders")
        var h = Harness(options: o, size: Size(width: 160, height: 30))
        // Run everything but the ACL read.
        var held: [Request] = []
        while let i = h.queue.firstIndex(where: { if case .load(.acls) = $0.effect { return false } else { return true } }) {
            let r = h.queue.remove(at: i)
            if case .load(let load) = r.effect {
                h.send(.loaded(await BrowserRuntime.perform(load, services: h.services), at: h.now, for: r.from))
            }
            held += h.queue.filter { if case .load(.acls) = $0.effect { return true } else { return false } }
            h.queue.removeAll { if case .load(.acls) = $0.effect { return true } else { return false } }
        }
        #expect(h.text().contains("Partitions 6"), "\(h.text())")
        #expect(h.text().contains("ACLs \u{2026}"), "\(h.text())")
        #expect(held.count == 1)
        h.queue = held
        await h.settle()
        #expect(h.text().contains("ACLs 4"), "\(h.text())")
        for _ in 0..<3 { h.press("nextSection") }
        let screen = try #require(h.state.current as? TopicDetailScreen)
        #expect(screen.aclRows.rows.map(\.match).sorted { $0.rawValue < $1.rawValue } == [.literal, .literal, .prefixed, .wildcard])
        #expect(h.text().contains("prefix ord"), "\(h.text())")
        #expect(h.text().contains("wildcard *"), "\(h.text())")
        #expect(!h.text().contains("mallory"), "\(h.text())")
        #expect(h.topicAdmin.aclRequests.contains("TOPIC orders match"), "\(h.topicAdmin.aclRequests)")
    }

    @Test func topicDetailAclsSnapshots() async {
        await AclBrokerScreensTests().snap(.topic("orders"), "topic_orders_acls", prepare: { h in for _ in 0..<3 { h.press("nextSection") } })
    }

    /// Made to fail once by building the group's filter with `applying(toTopic:)`.
    @Test func groupDetailListsApplyingAcls() async throws {
        var h = await Harness.at(.group("analytics-etl"), size: Size(width: 160, height: 30))
        #expect(h.text().contains("ACLs 1"), "\(h.text())")
        h.press("nextSection")
        h.press("nextSection")
        let screen = try #require(h.state.current as? GroupDetailScreen)
        #expect(screen.aclRows.rows.map(\.binding.principal) == ["User:etl"])
        #expect(h.text().contains("prefix analytics-"), "\(h.text())")
        #expect(h.topicAdmin.aclRequests.contains("GROUP analytics-etl match"), "\(h.topicAdmin.aclRequests)")
    }

    /// A cluster without an authorizer: the section says so, the rest of the detail is unaffected.
    /// Made to fail once by treating the refusal as a failed topic read.
    @Test func aclSectionSaysWhenTheClusterHasNoAuthorizer() async {
        var h = Harness(size: Size(width: 120, height: 24), start: false)
        h.topicAdmin.refuseAcls(BrokerRefusal(code: 54, name: "SECURITY_DISABLED", message: nil))
        h.send(.start(now: h.now))
        h.send(.open(.group("orders-processor")))
        await h.settle()
        #expect(h.text().contains("ACLs -"), "\(h.text())")
        #expect(h.text().contains("Offsets"), "\(h.text())")
        h.press("nextSection")
        h.press("nextSection")
        #expect(h.text().contains("No authorizer is configured"), "\(h.text())")
        #expect(!h.text().contains("cannot load group"), "\(h.text())")
    }
}
