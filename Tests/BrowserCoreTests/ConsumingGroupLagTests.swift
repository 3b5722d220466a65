@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import LagHealth
import TerminalCore
import Testing

/// Issue 17 item 4: the topic detail's consuming groups carry the Groups screen's lag columns (over
/// that topic's partitions), worst first, Enter opens the group; the group detail shows each
/// partition's produce rate and a sparkline of its lag samples.
@Suite struct ConsumingGroupLagTests {
    @Test func topicDetailListsItsGroupsWithStatusColumnsWorstFirst() async throws {
        var h = await Harness.at(.topic("orders"), size: Size(width: 120, height: 30))
        h.press("nextSection")
        h.press("nextSection")
        let text = h.text()
        let header = try #require(text.split(separator: "\n").first { $0.contains("GROUP") && $0.contains("STATUS") },
                                  "no group header in\n\(text)")
        for title in ["LAG", "TIME-LAG", "RATE", "ETA", "STATUS", "TREND"] {
            #expect(header.contains(title), "\(title) missing from \(header)")
        }
        let screen = try #require(h.state.current as? TopicDetailScreen)
        #expect(screen.groups.visible.map { screen.groups.rows[$0].group } == ["analytics-etl", "orders-processor"])
        let warn = try #require(text.split(separator: "\n").first { $0.contains("analytics-etl") })
        #expect(warn.contains("WARNING") && warn.contains("behind") && warn.contains("95s") && warn.contains("45.2k"), "\(warn)")
        // orders-processor's figures are its detail's rows on this topic: lag 1523, ETA of the slowest partition.
        let ok = try #require(text.split(separator: "\n").first { $0.contains("orders-processor") })
        #expect(ok.contains("1523") && ok.contains("OK") && ok.contains("76s"), "\(ok)")
        h.press("open")
        #expect(h.state.route == .group("analytics-etl"))
    }

    /// Worst status first whatever the names: STOPPED, WARNING, OK, then groups not judged yet.
    @Test func consumingGroupsSortWorstFirst() async throws {
        var h = await Harness.at(.topic("orders"), size: Size(width: 120, height: 30))
        h.press("nextSection")
        h.press("nextSection")
        func judged(_ name: String, _ status: LagStatus?) -> GroupSummary {
            let p = PartitionHealth(key: PartitionKey("orders", 0), status: status, reason: "r", lag: 1)
            return GroupSummary(group: name, lag: 1, health: GroupHealth(group: name, partitions: [p]))
        }
        var d = try await h.cluster.topic(named: "orders")
        d.consumingGroups = .value(["a-ok", "b-new", "c-warning", "d-stopped"])
        d.consumerLag = ["a-ok": judged("a-ok", .ok), "b-new": judged("b-new", nil),
                         "c-warning": judged("c-warning", .warning), "d-stopped": judged("d-stopped", .stopped)]
        h.deliver(.topic(name: "orders", .success(d)))
        let screen = try #require(h.state.current as? TopicDetailScreen)
        #expect(screen.groups.visible.map { screen.groups.rows[$0].group } == ["d-stopped", "c-warning", "a-ok", "b-new"])
        h.press("open")
        #expect(h.state.route == .group("d-stopped"))
    }

    @Test func aGroupNotDescribedKeepsItsNameWithDashes() {
        var d = TopicDetail(name: "t", partitions: [], consumingGroups: .value(["a", "b"]))
        d.consumerLag["b"] = GroupSummary(group: "b", lag: 7)
        let rows = TopicDetailSpec.groupRows(d)
        #expect(rows.map(\.group) == ["a", "b"])
        #expect(rows[0].lag == nil && rows[0].health == nil && rows[1].lag == 7)
    }

    /// A group on two topics, seen from one of them: only that topic's partitions count.
    @Test func summaryOnTopicCountsOnlyThatTopic() {
        func row(_ t: String, _ p: Int32, lag: Int64, seconds: Double) -> GroupOffsetRow {
            var r = GroupOffsetRow(topic: t, partition: p, committed: 100, end: 100 + lag, lag: lag)
            r.lagSeconds = seconds
            return r
        }
        var d = GroupDetail(group: "g", state: "Stable", members: .value([]),
                            offsets: [row("a", 0, lag: 5, seconds: 3), row("a", 1, lag: 7, seconds: 9), row("b", 0, lag: 900, seconds: 600)],
                            lag: 912)
        d.health = GroupHealth(group: "g", partitions: [
            PartitionHealth(key: PartitionKey("a", 0), status: .ok, reason: "catching up", lag: 5, consumeRate: 4, produceRate: 2, etaSeconds: 2.5),
            PartitionHealth(key: PartitionKey("a", 1), status: .ok, reason: "catching up", lag: 7, consumeRate: 3, produceRate: 2, etaSeconds: 7),
            PartitionHealth(key: PartitionKey("b", 0), status: .stalled, reason: "offset 100 has not moved for 2m with lag 900", lag: 900,
                            consumeRate: 0, produceRate: 1, fallingBehind: true),
        ])
        let a = d.summary(onTopic: "a")
        #expect(a.lag == 12 && a.lagSeconds == 9 && a.members == 0)
        #expect(a.health?.status == .ok && a.health?.consumeRate == 7 && a.health?.etaSeconds == 7)
        #expect(a.health?.fallingBehind == false)
        let b = d.summary(onTopic: "b")
        #expect(b.lag == 900 && b.lagSeconds == 600 && b.health?.status == .stalled && b.health?.fallingBehind == true)
        // The group's offsets unreadable this refresh: ERROR on every topic, with why, marked stale.
        d.offsetsError = "coordinator unreachable"
        d.health = GroupHealth(group: "g", partitions: d.health!.partitions, groupError: "coordinator unreachable")
        let failed = d.summary(onTopic: "a")
        #expect(failed.health?.status == .error && failed.health?.reason == "coordinator unreachable")
        #expect(failed.staleReason == "coordinator unreachable")
    }

    @Test func partitionTrendIsASparklineOfItsSamplesWarningWhenGrowing() {
        let g = Glyphs.unicode
        let growing = GroupDetailSpec.partitionTrendCell([1, 2, 3, 5], width: 12, glyphs: g)
        #expect(growing.text == "▁▃▅█ \(g.warn)" && growing.style == Style(.statusWarn), "\(growing.text)")
        let shrinking = GroupDetailSpec.partitionTrendCell([9, 5, 1], width: 12, glyphs: g)
        #expect(shrinking.text == "█▅▁" && shrinking.style == Style(.sparkline), "\(shrinking.text)")
        // Only the last `width` samples are drawn.
        let long = GroupDetailSpec.partitionTrendCell(Array(0..<40).map(Int64.init), width: 12, glyphs: g)
        #expect(long.text.count == 14 && long.style == Style(.statusWarn))
        #expect(GroupDetailSpec.partitionTrendCell([], width: 12, glyphs: g).text == "")
    }

    @Test func groupDetailShowsProduceRateAndEachPartitionsTrend() async throws {
        let h = await Harness.at(.group("orders-processor"), size: Size(width: 120, height: 30))
        let lines = h.text().split(separator: "\n")
        let header = try #require(lines.first { $0.contains("CURRENT-OFFSET") })
        for title in ["TIME-LAG", "RATE", "PROD-RATE", "STATUS", "TREND"] { #expect(header.contains(title), "\(header)") }
        // Partition 2's lag grew over its last samples: the sparkline ends high, with the warn mark.
        let p2 = try #require(lines.first { $0.contains(" 206858 ") })
        #expect(p2.contains("50/s") && p2.contains("▇█ \(Glyphs.unicode.warn)"), "\(p2)")
    }
}
