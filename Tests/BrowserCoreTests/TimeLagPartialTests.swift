@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing

/// #17: a group's time lag is the largest over its partitions; when some lagging partition's could
/// not be read (the record at its committed offset, or its end offset), that largest is only a lower
/// bound. The Groups screen shows it with `+` (as a partial LAG) and says how many in the title; the
/// group detail says how many partitions were unread.
@Suite struct TimeLagPartialTests {
    static func row(_ p: Int32, lag: Int64?, seconds: Double?) -> GroupOffsetRow {
        var r = GroupOffsetRow(topic: "orders", partition: p, committed: 100, end: lag.map { 100 + $0 }, lag: lag,
                               memberId: "m-1", clientId: "c", host: "/10.0.0.1")
        r.lagSeconds = seconds
        return r
    }

    /// Made to fail once by counting only rows whose lag is known (a row with an unread end offset
    /// then did not make the time lag partial).
    @Test func partialWhenALaggingPartitionsTimeLagIsUnknown() {
        #expect(!GroupOffsetRow.timeLagPartial([Self.row(0, lag: 5, seconds: 65), Self.row(1, lag: 0, seconds: 0)]))
        #expect(GroupOffsetRow.timeLagPartial([Self.row(0, lag: 5, seconds: 65), Self.row(1, lag: 9, seconds: nil)]))
        #expect(GroupOffsetRow.timeLagPartial([Self.row(0, lag: 5, seconds: 65), Self.row(1, lag: nil, seconds: nil)]))
        // Nothing read at all is "unknown" ("-"), not a partial value.
        #expect(!GroupOffsetRow.timeLagPartial([Self.row(0, lag: 5, seconds: nil)]))
        var d = GroupDetail(group: "g", offsets: [Self.row(0, lag: 5, seconds: 65), Self.row(1, lag: 9, seconds: nil)])
        d.lagSeconds = 65
        #expect(d.lagSecondsPartial)
        #expect(d.summary(onTopic: "orders").lagSecondsPartial)
        #expect(!d.summary(onTopic: "payments").lagSecondsPartial)
    }

    /// Made to fail once by drawing TIME-LAG without the partial flag (the cell said "65s").
    @Test func groupsScreenMarksAPartialTimeLagAndSaysSoInTheTitle() async throws {
        var h = await Harness.at(.groups, size: Size(width: 140, height: 24))
        var partial = GroupSummary(group: "billing", state: "Stable", members: 1, lag: 14, lagSeconds: 65)
        partial.lagSecondsPartial = true
        let whole = GroupSummary(group: "search", state: "Stable", members: 1, lag: 3, lagSeconds: 7)
        h.deliver(.groups(.success(Partial([partial, whole]))))
        let text = h.text()
        let billing = try #require(text.split(separator: "\n").first { $0.contains("billing") })
        let search = try #require(text.split(separator: "\n").first { $0.contains("search") })
        #expect(billing.contains("65s+"), "\(billing)")
        #expect(search.contains("7s") && !search.contains("7s+"), "\(search)")
        #expect(text.contains("1 time-lag+ partial"), "the legend: \(text)")
    }

    /// Made to fail once by adding the time lag to the summary without the partial check.
    @Test func groupDetailSaysHowManyPartitionsWereUnread() async throws {
        var h = await Harness.at(.group("billing"), size: Size(width: 160, height: 30))
        var d = GroupDetail(group: "billing", state: "Stable", members: .value([]),
                            offsets: [Self.row(0, lag: 5, seconds: 65), Self.row(1, lag: 9, seconds: nil), Self.row(2, lag: 0, seconds: 0)],
                            lag: 14)
        d.lagSeconds = 65
        h.deliver(.group(name: "billing", .success(d)))
        let text = h.text()
        #expect(text.contains("65s+ (at least: 1 partition unread)"), "\(text)")
    }
}
