@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing

/// Whole screens at 80x24, 120x40 and 60x16, compared with __Snapshots__/.
@Suite struct SnapshotTests {
    func snap(_ h: Harness, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for size in snapshotSizes {
            expectSnapshot(h.screen(size), "\(name)_\(size.width)x\(size.height)", sourceLocation: sourceLocation)
        }
    }

    /// Opens a route with the terminal at each size (page sizes depend on it).
    func atEachSize(_ route: Route, _ name: String, prepare: (inout Harness) async -> Void = { _ in },
                    sourceLocation: SourceLocation = #_sourceLocation) async {
        for size in snapshotSizes {
            var h = await Harness.at(route, size: size)
            await prepare(&h)
            expectSnapshot(h.screen(), "\(name)_\(size.width)x\(size.height)", sourceLocation: sourceLocation)
        }
    }

    @Test func topics() async { await atEachSize(.topics, "topics") }

    @Test func topicsSortedBySizeDescending() async {
        await atEachSize(.topics, "topics_sorted") { h in
            // From NAME: PART, RF, URP, <MIN, OFFL, MESSAGES, SIZE.
            for _ in 0..<7 { h.press("sort") }
            h.press("sortReverse")
        }
    }

    @Test func brokers() async { await atEachSize(.brokers, "brokers") }
    @Test func quorum() async { await atEachSize(.quorum, "quorum") }

    @Test func topicDetailPartitions() async { await atEachSize(.topic("audit-log"), "topic_audit-log") }

    @Test func topicDetailConfigs() async {
        await atEachSize(.topic("orders"), "topic_orders_configs") { h in h.press("nextSection") }
    }

    @Test func topicDetailGroups() async {
        await atEachSize(.topic("orders"), "topic_orders_groups") { h in
            h.press("nextSection")
            h.press("nextSection")
        }
    }

    @Test func groupsWithGrowingLag() async {
        await atEachSize(.groups, "groups") { h in
            // Three refreshes: analytics-etl's lag grows on each listing.
            for _ in 0..<3 {
                h.advance(5)
                await h.settle()
            }
        }
    }

    @Test func groupDetailOffsets() async { await atEachSize(.group("orders-processor"), "group_orders-processor") }

    @Test func groupDetailMembers() async {
        await atEachSize(.group("orders-processor"), "group_orders-processor_members") { h in h.press("nextSection") }
    }

    @Test func routeWithoutRegisteredScreen() async {
        // Every route has a screen today; the fallback still says so plainly if one is missing.
        await atEachSize(.topics, "unavailable") { h in
            h.state.push(UnavailableScreen(route: .connector(cluster: "QA", name: "orders-sink")))
        }
    }

    @Test func help() async {
        await atEachSize(.topics, "help_topics") { h in h.press("help") }
    }

    @Test func filterPrompt() async {
        await atEachSize(.topics, "filter_pay") { h in
            h.press("filter")
            h.type("pay|ord")
        }
    }

    @Test func filterInvertedApplied() async {
        await atEachSize(.topics, "filter_inverted") { h in
            h.press("filter")
            h.type("!s")
            h.key(.enter)
        }
    }

    @Test func filterInvalidRegex() async {
        await atEachSize(.topics, "filter_invalid") { h in
            h.press("filter")
            h.type("[oops")
        }
    }

    @Test func commandModeWithCompletion() async {
        await atEachSize(.topics, "command_completion") { h in
            h.press("command")
            h.type("gr")
        }
    }

    @Test func confirmDialog() async {
        await atEachSize(.topics, "confirm_dialog") { h in
            h.state.push(WriteProbeScreen())
            h.key(.character("p"))
        }
    }

    @Test func readOnlyRefusal() async {
        for size in snapshotSizes {
            var o = BrowserOptions(contextName: "prod-eu", readOnly: true)
            o.initialRoute = .topics
            var h = await Harness.at(.topics, size: size, options: o)
            h.state.push(WriteProbeScreen())
            h.key(.character("p"))
            expectSnapshot(h.screen(), "readonly_refusal_\(size.width)x\(size.height)")
        }
    }

    @Test func staleMarker() async {
        await atEachSize(.topics, "stale") { h in
            h.advance(1)
            h.control.fail(.topics, "broker kafka-2.internal:9092: connection refused")
            h.press("refresh")
            await h.settle()
        }
    }

    @Test func errorWithoutData() async {
        for size in snapshotSizes {
            let control = FixtureControl()
            control.fail(.topics, "no broker reachable: kafka-1.internal:9092 timed out after 10s")
            control.fail(.overview, "no broker reachable: kafka-1.internal:9092 timed out after 10s")
            var h = Harness(size: size, control: control)
            await h.settle()
            expectSnapshot(h.screen(), "error_\(size.width)x\(size.height)")
        }
    }

    @Test func loadingKeepsNothingBlank() async {
        // Before any result: loading markers, not an empty screen.
        let h = Harness()
        expectSnapshot(h.screen(), "loading_80x24")
    }

    @Test func asciiGlyphs() async {
        var o = BrowserOptions(contextName: "prod-eu", glyphs: .ascii)
        o.initialRoute = .topics
        let h = await Harness.at(.topics, options: o)
        expectSnapshot(h.screen(), "topics_ascii_80x24")
    }
}
