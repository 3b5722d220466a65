@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing

/// Issue 13 items 3, 6 and 10 on the screens: a refresh that could not read a screen's essential
/// part keeps the last rows, marked stale, and no health label claims more than what is known.
@Suite struct DetailStaleTests {
    static let area = Rect(x: 0, y: 0, width: 110, height: 14)
    static let ctx = ScreenContext(options: BrowserOptions(), now: 0, area: area, overview: Loadable(), lagHistory: LagHistory())

    func draw<S: Screen>(_ screen: S) -> String {
        var buffer = CellBuffer(size: Size(width: Self.area.width, height: Self.area.height))
        screen.render(into: &buffer, area: Self.area, context: Self.ctx)
        return buffer.text()
    }

    static let rows = [
        GroupOffsetRow(topic: "orders", partition: 0, committed: 10, end: 15, lag: 5, memberId: "m-1", clientId: "c", host: "/10.0.0.1"),
        GroupOffsetRow(topic: "orders", partition: 1, committed: 20, end: 20, lag: 0, memberId: "m-1", clientId: "c", host: "/10.0.0.1"),
    ]

    static func group(offsets: [GroupOffsetRow] = rows, lag: Int64? = 5, offsetsError: String? = nil) -> GroupDetail {
        GroupDetail(group: "billing", type: "classic", state: offsetsError == nil ? "Stable" : "Unknown", coordinator: 2,
                    members: offsetsError == nil ? .value([]) : .failed("could not describe the group"),
                    offsets: offsets, lag: lag,
                    errors: offsetsError.map { [SourceError(source: "group billing", message: $0)] } ?? [],
                    offsetsError: offsetsError)
    }

    static let unreachable = "coordinator unreachable: connection refused by 127.0.0.1:9093"

    /// Item 3: the coordinator down used to show "Offsets 0 — The group has no committed offsets".
    @Test func groupDetailKeepsItsRowsWhenTheCoordinatorIsUnreachable() {
        var screen = GroupDetailScreen(name: "billing")
        _ = screen.load(context: Self.ctx)
        _ = screen.receive(.group(name: "billing", .success(Self.group())), at: 1_000, context: Self.ctx)
        #expect(screen.offsets.rows.count == 2)
        #expect(!screen.status.isStale)

        _ = screen.load(context: Self.ctx)
        _ = screen.receive(.group(name: "billing", .success(Self.group(offsets: [], lag: nil, offsetsError: Self.unreachable))),
                           at: 1_010, context: Self.ctx)
        #expect(screen.offsets.rows.count == 2, "rows kept")
        #expect(screen.status.isStale)
        #expect(screen.status.loadedAt == 1_000, "stale since the last complete read")
        #expect(screen.status.error?.contains("committed offsets not read: coordinator unreachable") == true, "\(screen.status)")
        let text = draw(screen)
        #expect(!text.contains("no committed offsets"), "\(text)")
        #expect(text.contains("Offsets 2"), "\(text)")
        #expect(text.contains("lag 5"), "\(text)")
        #expect(text.contains("orders") && text.contains("20"), "\(text)")

        // Back: the fresh rows replace the kept ones and the marker goes.
        var fresh = Self.rows
        fresh[0].committed = 15
        fresh[0].lag = 0
        _ = screen.receive(.group(name: "billing", .success(Self.group(offsets: fresh, lag: 0))), at: 1_020, context: Self.ctx)
        #expect(!screen.status.isStale)
        #expect(screen.offsets.rows.first { $0.partition == 0 }?.committed == 15)
    }

    /// Without rows to keep, the table says why it is empty instead of "no committed offsets".
    @Test func groupDetailWithoutEarlierRowsSaysTheOffsetsAreUnread() {
        var screen = GroupDetailScreen(name: "billing")
        _ = screen.load(context: Self.ctx)
        _ = screen.receive(.group(name: "billing", .success(Self.group(offsets: [], lag: nil, offsetsError: Self.unreachable))),
                           at: 1_000, context: Self.ctx)
        let text = draw(screen)
        #expect(!text.contains("no committed offsets"), "\(text)")
        #expect(text.contains("cannot read committed offsets: coordinator unreachable"), "\(text)")
        #expect(text.contains("Offsets -"), "\(text)")
        // A second incomplete read is shown as such, not as stale rows (there are none).
        _ = screen.receive(.group(name: "billing", .success(Self.group(offsets: [], lag: nil, offsetsError: Self.unreachable))),
                           at: 1_010, context: Self.ctx)
        #expect(!screen.status.isStale)
    }

    static func topic(leaders: [Int32] = [1, 2, 3], unreachable: [Int32: String] = [:], offsets: Bool = true) -> TopicDetail {
        TopicDetail(name: "orders", partitions: leaders.enumerated().map { i, l in
            PartitionInfo(partition: Int32(i), leader: l, replicas: [l], isr: [l],
                          earliest: offsets ? 0 : nil, latest: offsets ? Int64(100 * (i + 1)) : nil)
        }, configs: .value([]), consumingGroups: .value([]), unreachableBrokers: unreachable)
    }

    /// Item 10: "all in sync" while the leader of a partition is down, or every broker is.
    @Test func topicDetailNamesAnUnreachableLeader() {
        var screen = TopicDetailScreen(name: "orders")
        _ = screen.load(context: Self.ctx)
        _ = screen.receive(.topic(name: "orders", .success(Self.topic())), at: 1_000, context: Self.ctx)
        #expect(draw(screen).contains("all in sync"))

        _ = screen.receive(.topic(name: "orders", .success(Self.topic(unreachable: [2: "broker 2: connection refused"]))),
                           at: 1_010, context: Self.ctx)
        let text = draw(screen)
        #expect(!text.contains("all in sync"), "\(text)")
        #expect(text.contains("1 leader unreachable"), "\(text)")
        #expect(text.contains("leader 2 unreachable"), "\(text)")
    }

    @Test func topicDetailKeptAfterAFailedRefreshClaimsNoHealth() {
        var screen = TopicDetailScreen(name: "orders")
        _ = screen.load(context: Self.ctx)
        _ = screen.receive(.topic(name: "orders", .success(Self.topic())), at: 3_600, context: Self.ctx)
        _ = screen.receive(.topic(name: "orders", .failure(LoadError("no broker reachable"))), at: 3_700, context: Self.ctx)
        #expect(screen.status.isStale)
        let text = draw(screen)
        #expect(!text.contains("all in sync"), "\(text)")
        #expect(text.contains("health unknown (in sync at 01:00:00)"), "\(text)")
    }

    /// The sibling of item 3 in Topic detail: offsets a refresh could not read keep their last value.
    @Test func topicDetailKeepsOffsetsItCouldNotReadMarkedStale() {
        var screen = TopicDetailScreen(name: "orders")
        _ = screen.load(context: Self.ctx)
        _ = screen.receive(.topic(name: "orders", .success(Self.topic())), at: 1_000, context: Self.ctx)
        _ = screen.receive(.topic(name: "orders", .success(Self.topic(offsets: false))), at: 1_010, context: Self.ctx)
        #expect(screen.partitions.rows.allSatisfy { $0.offsetsStale && $0.latest != nil })
        let warn = BrowserOptions().glyphs.warn
        #expect(draw(screen).contains("\(warn)300"), "\(draw(screen))")
        _ = screen.receive(.topic(name: "orders", .success(Self.topic())), at: 1_020, context: Self.ctx)
        #expect(screen.partitions.rows.allSatisfy { !$0.offsetsStale })
    }

    /// Item 6: a count kept from an earlier refresh is drawn marked, and the title counts them.
    @Test func topicsScreenMarksStaleMessageCounts() {
        var screen = TopicsScreen(TopicsSpec())
        _ = screen.load(context: Self.ctx)
        var stale = TopicSummary(name: "cnt-a", partitions: 3, replicationFactor: 1, messages: 4_200)
        stale.messagesStale = true
        let fresh = TopicSummary(name: "cnt-b", partitions: 3, replicationFactor: 1, messages: 7)
        _ = screen.receive(.topics(.success(Partial([stale, fresh], errors: [SourceError(source: "ListOffsets", message: "NOT_LEADER_OR_FOLLOWER (cnt-a)")]))),
                           at: 1_000, context: Self.ctx)
        let warn = BrowserOptions().glyphs.warn
        let text = draw(screen)
        let a = text.split(separator: "\n").first { $0.contains("cnt-a") }.map(String.init) ?? ""
        let b = text.split(separator: "\n").first { $0.contains("cnt-b") }.map(String.init) ?? ""
        #expect(a.contains("\(warn)4.2K") || a.contains("\(warn)4200"), "\(a)")
        #expect(!b.contains(String(warn)), "\(b)")
        #expect(screen.titleDetail.contains("1 stale count"), "\(screen.titleDetail)")
    }

    /// Item 10's sibling on the Topics list: a topic with a partition whose leader is down looked healthy.
    @Test func topicsScreenMarksTopicsWithAnUnreachableLeader() {
        var screen = TopicsScreen(TopicsSpec())
        _ = screen.load(context: Self.ctx)
        var down = TopicSummary(name: "ld", partitions: 3, replicationFactor: 1, messages: 0)
        down.leaderUnreachable = 1
        let fine = TopicSummary(name: "ok-topic", partitions: 3, replicationFactor: 1, messages: 0)
        _ = screen.receive(.topics(.success(Partial([down, fine]))), at: 1_000, context: Self.ctx)
        let g = BrowserOptions().glyphs
        let text = draw(screen)
        let a = text.split(separator: "\n").first { $0.contains(" ld ") }.map(String.init) ?? ""
        let b = text.split(separator: "\n").first { $0.contains("ok-topic") }.map(String.init) ?? ""
        #expect(a.contains(String(g.error)), "\(a)")
        #expect(!b.contains(String(g.error)), "\(b)")
        #expect(screen.titleDetail.contains("1 with unreachable leader"), "\(screen.titleDetail)")
    }

    /// Item 10 (already fixed, checked here on the screen): the tail's error line ("broker 1 refused
    /// the fetch … (+4 earlier)") stayed after records flowed again.
    @Test func tailErrorLineClearsOnceFetchingWorksAgain() {
        let area = Rect(x: 0, y: 0, width: 100, height: 12)
        let ctx = ScreenContext(options: BrowserOptions(), now: 0, area: area, overview: Loadable(), lagHistory: LagHistory())
        var screen = TailScreen(topic: "orders")
        _ = screen.load(context: ctx)
        func draw() -> String {
            var buffer = CellBuffer(size: Size(width: area.width, height: area.height))
            screen.render(into: &buffer, area: area, context: ctx)
            return buffer.text()
        }
        for i in 0..<5 { _ = screen.receive(.tail(.notice("broker 1 refused the fetch: NOT_LEADER_OR_FOLLOWER #\(i)")), at: Double(i), context: ctx) }
        #expect(draw().contains("(+4 earlier)"), "\(draw())")
        _ = screen.receive(.tail(.records([FixtureTailService.record(topic: "orders", index: 0)])), at: 6, context: ctx)
        _ = screen.receive(.tail(.recovered("fetching again")), at: 6, context: ctx)
        #expect(!draw().contains("refused the fetch"), "\(draw())")
        #expect(screen.notices.isEmpty)
    }

    /// Item 10's sibling in the header: "● healthy" next to "stale since" while no broker answered.
    @Test func headerClaimsNoHealthWhileTheOverviewIsStale() {
        var state = AppState(options: BrowserOptions(), size: Size(width: 120, height: 10), now: 3_600)
        let o = ClusterOverview(clusterId: "c1", controllerId: 1,
                                brokers: [BrokerInfo(id: 1, host: "k1", port: 9092, isController: true)])
        state.overview.succeed(o, at: 3_600)
        #expect(render(state, size: state.size).text().contains("healthy"))
        state.overview.fail(LoadError("no broker reachable"), at: 3_700)
        let text = render(state, size: state.size).text()
        let header = text.split(separator: "\n").prefix(2).joined(separator: "\n")
        #expect(!header.contains("● healthy"), "\(header)")
        #expect(header.contains("health unknown") && header.contains("stale since 01:00:00"), "\(header)")
    }
}
