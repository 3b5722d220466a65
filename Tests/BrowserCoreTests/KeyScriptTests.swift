@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing

/// Key scripts: press keys by binding name, then check state and screen.
@Suite struct KeyScriptTests {
    func topics(_ h: Harness) -> TopicsScreen { h.state.current as! TopicsScreen }

    @Test func startLoadsHeaderScreenAndLagSample() async {
        var h = Harness()
        #expect(h.pending == [.load(.overview), .load(.topics), .load(.groups)])
        await h.settle()
        #expect(topics(h).list.rows.count == 8)
        #expect(h.state.lagHistory.samples("analytics-etl") == [50_210])
        #expect(h.state.overview.value?.brokers.count == 3)
    }

    @Test func moveOpenAndBack() async {
        var h = await Harness.at(.topics)
        #expect(topics(h).list.selected?.name == "__consumer_offsets")
        h.press("down")
        h.press("down")
        #expect(topics(h).list.selected?.name == "clickstream")
        h.press("bottom")
        #expect(topics(h).list.selected?.name == "user-events")
        h.press("top")
        h.press("down")
        h.press("open")
        #expect(h.state.routes == [.topics, .topic("audit-log")])
        #expect(h.pending.contains(.load(.topic("audit-log"))))
        #expect(h.pending.contains(.cancel(.topics)))
        await h.settle()
        #expect(h.text().contains("LEADER_N"))
        #expect(h.text().contains("topics › audit-log"))
        h.press("back")
        #expect(h.state.routes == [.topics])
        // Back on the list: the cursor is where it was, and it reloads.
        #expect(topics(h).list.selected?.name == "audit-log")
        #expect(h.pending.contains(.load(.topics)))
    }

    @Test func pagingMovesByAPage() async {
        var h = await Harness.at(.topics, size: Size(width: 80, height: 12), options: nil)
        // Same data but a short screen: 12 rows leave 4 table rows.
        let visible = tableRows(Layout(size: h.state.size).body)
        h.press("pageDown")
        #expect(topics(h).list.scroll.cursor == visible - 1)
        h.press("pageUp")
        #expect(topics(h).list.scroll.cursor == 0)
    }

    @Test func sortCyclesAndReverses() async {
        var h = await Harness.at(.topics)
        #expect(topics(h).list.sort == TableSort(column: 1))
        h.press("sort")  // PART
        #expect(topics(h).list.sort == TableSort(column: 2))
        h.press("sortReverse")
        #expect(topics(h).list.sort == TableSort(column: 2, direction: .descending))
        #expect(topics(h).list.selected?.name == "__consumer_offsets")  // cursor follows the row
        h.press("top")
        #expect(topics(h).list.selected?.name == "__consumer_offsets")  // 50 partitions is the most
        #expect(h.text().contains("PART↓"))
    }

    @Test func filterRegexInvertAndCaseInsensitive() async {
        var h = await Harness.at(.topics)
        h.press("filter")
        h.type("^P")
        #expect(topics(h).list.visible.map { topics(h).list.rows[$0].name } == ["payments"])
        h.key(.enter)
        #expect(h.state.mode == .normal)
        #expect(topics(h).filter == RowFilter("^P"))
        h.press("filter")
        h.key(.ctrl("u"))
        h.type("!s$|_")
        h.key(.enter)
        let names = topics(h).list.visible.map { topics(h).list.rows[$0].name }
        #expect(names == ["audit-log", "clickstream", "orders", "user-events"].filter { !$0.hasSuffix("s") })
        // Esc clears the filter before it goes back.
        h.press("back")
        #expect(topics(h).filter == nil)
        #expect(topics(h).list.visible.count == 8)
    }

    @Test func invalidRegexIsAnErrorNotACrash() async {
        var h = await Harness.at(.topics)
        h.press("filter")
        h.type("ord")
        h.type("(")
        guard case .filter(_, _, let error?) = h.state.mode else {
            Issue.record("expected a filter error, mode is \(h.state.mode)")
            return
        }
        #expect(error.contains("invalid regex"))
        // The last valid filter stays applied; Enter does not accept the broken one.
        #expect(topics(h).filter == RowFilter("ord"))
        h.key(.enter)
        if case .filter = h.state.mode {} else { Issue.record("Enter accepted an invalid regex") }
        h.key(.escape)
        #expect(h.state.mode == .normal)
        #expect(topics(h).filter == nil)
    }

    @Test func commandsAndAliases() async {
        var h = await Harness.at(.topics)
        for (line, route) in [("br", Route.brokers), ("gr", .groups), ("quorum", .quorum), ("tp", .topics),
                              ("cn", .connectors), ("brokers", .brokers)] {
            h.command(line)
            #expect(h.state.route == route, "\(line)")
            #expect(h.state.stack.count == 1)
        }
        h.command("tail orders")
        #expect(h.state.routes == [.topics, .tail(topic: "orders")])
        h.command("group orders-processor")
        #expect(h.state.routes == [.groups, .group("orders-processor")])
        h.command("nonsense")
        #expect(h.state.note?.level == .error)
        #expect(h.text().contains("unknown command 'nonsense'"))
    }

    @Test func commandCompletion() async {
        var h = await Harness.at(.topics)
        h.press("command")
        h.type("gr")
        h.key(.tab)
        guard case .command(let ed, _) = h.state.mode else { Issue.record("not in command mode"); return }
        #expect(ed.text == "groups")
        h.key(.ctrl("u"))
        h.type("tail pay")
        h.key(.tab)
        guard case .command(let ed2, _) = h.state.mode else { Issue.record("not in command mode"); return }
        #expect(ed2.text == "tail payments")
        h.key(.ctrl("u"))
        h.type("ctx st")
        h.key(.tab)
        guard case .command(let ed3, _) = h.state.mode else { Issue.record("not in command mode"); return }
        #expect(ed3.text == "ctx staging")
    }

    @Test func contextSwitchEmitsEffect() async {
        var h = await Harness.at(.topics)
        h.command("ctx nowhere")
        #expect(!h.pending.contains { if case .switchContext = $0 { return true }; return false })
        #expect(h.state.note?.level == .error)
        h.command("ctx staging")
        #expect(h.pending.last == .switchContext("staging"))
        #expect(h.state.isFinished)
    }

    @Test func quitByCommandAndKey() async {
        var h = await Harness.at(.topics)
        h.command("q")
        #expect(h.pending.last == .quit)
        var h2 = await Harness.at(.topics)
        h2.press("quit")
        #expect(h2.pending.last == .quit)
    }

    @Test func helpIsGeneratedFromKeyTables() async {
        var h = await Harness.at(.topic("orders"))
        h.press("help")
        let body = Layout(size: h.state.size).body
        let help = HelpContent.visualLines(for: h.state, width: body.width).map { $0.map(\.0).joined() }.joined(separator: "\n")
        for b in h.state.activeBindings {
            #expect(help.contains(b.keyLabel), "help lacks \(b.name)")
        }
        for c in Commands.all { #expect(help.contains(":" + c.usage)) }
        #expect(h.text().contains("Next section"))
        h.press("bottom")
        guard case .help(let offset) = h.state.mode else { Issue.record("help closed"); return }
        #expect(offset > 0)
        h.key(.escape)
        #expect(h.state.mode == .normal)
    }

    @Test func hintBarComesFromBindings() async {
        var h = await Harness.at(.topics, size: Size(width: 120, height: 40))
        var footer = h.text().split(separator: "\n").last.map(String.init) ?? ""
        #expect(!footer.contains("<Esc> back"))  // nothing to go back to
        h.press("open")
        await h.settle()
        // Wide enough for every hint (the topic's write keys too since #18's hint priorities).
        footer = h.text(Size(width: 220, height: 40)).split(separator: "\n").last.map(String.init) ?? ""
        for b in h.state.activeBindings where b.hint != nil {
            #expect(footer.contains("<\(b.keys[0].displayName)> \(b.hint!)"), "hint bar lacks \(b.name)")
        }
    }

    /// Keys that do nothing on a screen are not offered there: the quorum has no detail to open
    /// (the hint bar said "<Enter> open"; brokers open the broker detail since issue 18), the tail
    /// keeps arrival order (the frame said "o/O sort").
    @Test func keysThatDoNothingAreNotOffered() async {
        for route in [Route.quorum] {
            var h = await Harness.at(route)
            let footer = h.text().split(separator: "\n").last.map(String.init) ?? ""
            #expect(!footer.contains("open"), "\(route): \(footer)")
            #expect(h.state.key(forBinding: "open") == nil)
            h.press("help")
            #expect(!h.text(Size(width: 120, height: 60)).contains("Open the selected row"), "\(route)")
        }
        var tail = await Harness.at(.tail(topic: "orders"))
        #expect(!tail.text().contains("o/O sort"))
        #expect(tail.state.key(forBinding: "sort") == nil)
        tail.press("help")
        #expect(!tail.text(Size(width: 120, height: 60)).contains("Sort by the next column"))
        // Where they work they are still offered.
        let topics = await Harness.at(.topics)
        #expect(topics.text().contains("o/O sort"))
        #expect(topics.text().contains("<Enter> open"))
    }

    /// With the overview already in the header, `:brokers` and `:quorum` show it at once while
    /// the fresh one loads (a slow cluster left "Loading brokers…" under a full header).
    @Test func brokersAndQuorumShowTheKnownOverviewWhileReloading() async {
        var h = await Harness.at(.topics)
        #expect(h.state.overview.value != nil)
        h.command("brokers")
        var text = h.text()
        #expect(text.contains("kafka-1.internal:9092"), "\(text)")
        #expect(text.contains("loading"), "refresh still shown")
        #expect(!text.contains("Loading brokers"))
        #expect(h.pending.contains(.load(.overview)))
        h.command("quorum")
        text = h.text()
        #expect(!text.contains("Loading the quorum"), "\(text)")
        #expect(text.contains("voters"), "\(text)")
    }

    @Test func writeNeedsConfirmationNamingTarget() async {
        var h = await Harness.at(.topics)
        h.state.push(WriteProbeScreen())
        h.press("pause")
        guard case .confirm(let intent, _) = h.state.mode else { Issue.record("no dialog"); return }
        #expect(intent.target == "orders-sink on Connect cluster QA")
        #expect(h.text().contains("orders-sink on Connect cluster QA"))
        #expect(h.pending.isEmpty)
        h.key(.enter)  // the default button is No
        #expect(h.state.mode == .normal)
        #expect(!h.pending.contains { if case .connectAction = $0 { true } else { false } }, "\(h.pending)")
        await h.settle()
        h.press("pause")
        h.key(.character("y"))
        #expect(h.pending == [.connectAction(.pause, cluster: "QA", connector: "orders-sink")])
        await h.settle()
        #expect(h.connect.performed == ["pause QA/orders-sink"])
        #expect(h.text().contains("Done: pause connector orders-sink on Connect cluster QA"), "\(h.text())")
    }

    /// Shrunk below the minimum while a confirmation is up, the dialog cannot be read, so
    /// `y` is not taken; cancelling still works and the dialog comes back on enlarging.
    @Test func confirmationIsNotTakenBlindWhenTooSmall() async {
        var h = await Harness.at(.topics)
        h.state.push(WriteProbeScreen())
        h.press("pause")
        h.send(.resize(Size(width: 16, height: 4)))
        #expect(h.text().contains("Confirmation"))
        #expect(h.text().contains("Esc"))
        #expect(h.text(Size(width: 60, height: 4)).contains("Terminal too small (60x4)"))
        h.key(.character("y"))
        h.key(.left)
        h.key(.enter)
        #expect(h.pending.isEmpty)
        guard case .confirm = h.state.mode else { Issue.record("dialog lost while small"); return }
        h.send(.resize(Size(width: 80, height: 24)))
        #expect(h.text().contains("orders-sink on Connect cluster QA"))
        h.key(.character("y"))
        #expect(h.pending == [.connectAction(.pause, cluster: "QA", connector: "orders-sink")])
        // And a cancel is taken at any size.
        h.press("pause")
        h.send(.resize(Size(width: 10, height: 2)))
        h.key(.escape)
        #expect(h.state.mode == .normal)
    }

    @Test func readOnlyRefusesWrites() async {
        var o = BrowserOptions(contextName: "prod-eu", readOnly: true)
        o.initialRoute = .topics
        var h = await Harness.at(.topics, options: o)
        h.state.push(WriteProbeScreen())
        // The write action does not exist in read-only mode: no key, and `p` never reaches the screen.
        #expect(h.state.key(forBinding: "pause") == nil)
        h.key(.character("p"))
        #expect(h.state.mode == .normal)
        #expect(h.pending.isEmpty)
        #expect(h.state.note?.level == .error)
        #expect(h.text().contains("Read-only mode: p would pause the connector"), "\(h.text())")
        await h.settle()
        #expect(h.connect.performed.isEmpty)
    }

    @Test func autoRefreshSkipsWhatIsStillLoading() async {
        var h = await Harness.at(.topics)
        h.advance(4.9)
        #expect(h.pending.isEmpty)
        h.advance(0.2)
        #expect(Set(h.pending) == [.load(.overview), .load(.topics), .load(.groups)])
        // Nothing answered yet: the next period must not restart those loads.
        h.advance(5.1)
        #expect(h.pending.count == 3)
        await h.settle()
        h.advance(5.1)
        #expect(Set(h.pending) == [.load(.overview), .load(.topics), .load(.groups)])
    }

    @Test func staleAndRecovery() async {
        var h = await Harness.at(.topics)
        h.advance(3_600)
        await h.settle()
        h.control.fail(.topics, "connection refused")
        h.press("refresh")
        await h.settle()
        #expect(topics(h).list.rows.count == 8)  // old rows kept
        #expect(h.text().contains("stale since 14:00:00: connection refused"))
        h.control.fail(.topics, nil)
        h.press("refresh")
        #expect(h.text().contains("loading"))
        #expect(h.text().contains("audit-log"))  // rows stay while loading
        await h.settle()
        #expect(!h.text().contains("stale"))
    }

    @Test func lagTrendMarksGrowingGroups() async {
        var h = await Harness.at(.groups)
        for _ in 0..<3 {
            h.advance(5)
            await h.settle()
        }
        #expect(h.state.lagHistory.trend("analytics-etl") == .growing)
        #expect(h.state.lagHistory.trend("audit-archiver") == .flat)
        let line = h.text().split(separator: "\n").first { $0.contains("analytics-etl") }.map(String.init) ?? ""
        #expect(line.contains("▲"))
        #expect(line.contains("▁▃▆█"))
    }

    @Test func lagSampledInBackgroundOnOtherScreens() async {
        var h = await Harness.at(.brokers)
        for _ in 0..<2 {
            h.advance(5)
            await h.settle()
        }
        #expect(h.state.lagHistory.samples("analytics-etl").count == 3)
    }

    @Test func sectionsOnTopicDetail() async {
        var h = await Harness.at(.topic("orders"))
        h.press("nextSection")
        h.press("nextSection")
        #expect(h.text().contains("orders-processor"))
        h.press("down")
        h.press("open")
        #expect(h.state.routes == [.topics, .topic("orders"), .group("orders-processor")])
        await h.settle()
        #expect(h.text().contains("CURRENT-OFFSET"))
        h.press("open")
        #expect(h.state.route == .topic("orders"))
    }

    @Test func tailKeyOpensTailRoute() async {
        var h = await Harness.at(.topics)
        h.press("down")
        h.press("tail")
        #expect(h.state.route == .tail(topic: "audit-log"))
    }

    @Test func unknownTopicShowsErrorNotCrash() async {
        var h = await Harness.at(.topics)
        h.command("topic does-not-exist")
        await h.settle()
        #expect(h.text().contains("does not exist"))
    }
}
