@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing

/// Connectors and connector-detail screens over FixtureConnectService (QA 3.7.1, DEV 3.4.1).
@Suite struct ConnectScreenSnapshotTests {
    func atEachSize(_ route: Route, _ name: String, options: BrowserOptions? = nil,
                    prepare: (inout Harness) async -> Void = { _ in },
                    sourceLocation: SourceLocation = #_sourceLocation) async {
        for size in snapshotSizes {
            var h = await Harness.at(route, size: size, options: options)
            await prepare(&h)
            expectSnapshot(h.screen(), "\(name)_\(size.width)x\(size.height)", sourceLocation: sourceLocation)
        }
    }

    @Test func connectors() async { await atEachSize(.connectors, "connect_list") }

    @Test func connectorsMarked() async {
        await atEachSize(.connectors, "connect_list_marked") { h in
            h.press("mark")
            h.press("mark")
        }
    }

    @Test func bulkConfirmation() async {
        await atEachSize(.connectors, "connect_bulk_confirm") { h in
            h.press("mark")
            h.press("mark")
            h.press("pause")
            await h.settle()
        }
    }

    @Test func detailTasks() async {
        await atEachSize(.connector(cluster: "QA", name: "payments-source"), "connect_detail_tasks")
    }

    @Test func detailConfig() async {
        await atEachSize(.connector(cluster: "QA", name: "payments-source"), "connect_detail_config") { h in
            h.press("nextSection")
        }
    }

    @Test func detailTrace() async {
        await atEachSize(.connector(cluster: "QA", name: "payments-source"), "connect_detail_trace") { h in
            h.press("open")
        }
    }

    @Test func restartTaskConfirmation() async {
        await atEachSize(.connector(cluster: "QA", name: "payments-source"), "connect_restart_task_confirm") { h in
            h.press("restartTask")
            await h.settle()
        }
    }

    @Test func stopUnsupportedOnOldWorker() async {
        await atEachSize(.connector(cluster: "DEV", name: "audit-s3-sink"), "connect_stop_unsupported") { h in
            h.press("stop")
            await h.settle()
        }
    }

    @Test func readOnlyRefusal() async {
        var o = BrowserOptions(contextName: "prod-eu", readOnly: true)
        o.initialRoute = .connectors
        await atEachSize(.connectors, "connect_readonly", options: o) { h in
            h.key(.character("F"))  // the action is absent in read-only mode: only its key remains to press
            await h.settle()
        }
    }

    @Test func missingConnector() async {
        await atEachSize(.connector(cluster: "QA", name: "gone"), "connect_detail_404")
    }
}

@Suite struct ConnectScreenBehaviourTests {
    @Test func listShowsEveryClusterAndFlagsFailures() async throws {
        let h = await Harness.at(.connectors, size: Size(width: 120, height: 30))
        let screen = try #require(h.state.current as? ConnectorsScreen)
        #expect(screen.list.rows.map { "\($0.connect)/\($0.name)" } == ["QA/orders-sink", "QA/payments-source", "DEV/audit-s3-sink"])
        let text = h.text()
        #expect(text.contains("payments-source") && text.contains("audit-s3-sink") && text.contains("PAUSED"))
        #expect(screen.titleDetail.contains("1 failing"))
    }

    @Test func pauseAsksNamingClusterAndConnectorThenSendsExactlyOneAction() async throws {
        var h = await Harness.at(.connectors)
        h.press("pause")
        await h.settle()
        guard case .confirm(let intent, _) = h.state.mode else {
            Issue.record("expected a confirmation, mode is \(h.state.mode)")
            return
        }
        #expect(intent.question == "Pause connector audit-s3-sink on Connect cluster DEV?")
        #expect(h.connect.performed.isEmpty, "nothing is sent before confirmation")
        h.key(.character("y"))
        await h.settle()
        #expect(h.connect.performed == ["pause DEV/audit-s3-sink"])
        // After the action the list is read again and the transition is shown.
        #expect(h.state.note?.text.hasPrefix("DEV/audit-s3-sink: ") == true)
    }

    @Test func cancelSendsNothing() async {
        var h = await Harness.at(.connectors)
        h.press("resume")
        await h.settle()
        h.key(.character("n"))
        await h.settle()
        #expect(h.connect.performed.isEmpty)
    }

    @Test func bulkActionConfirmsOnceAndSendsEachInTurn() async throws {
        var h = await Harness.at(.connectors)
        h.press("top")
        h.press("mark")
        h.press("mark")
        h.press("restartFailed")
        await h.settle()
        guard case .confirm(let intent, _) = h.state.mode else {
            Issue.record("expected a confirmation")
            return
        }
        #expect(intent.question.contains("2 connectors"))
        #expect(intent.question.contains("Connect cluster DEV") && intent.question.contains("Connect cluster QA"))
        h.key(.character("y"))
        await h.settle()
        #expect(h.connect.performed.count == 2)
        #expect(Set(h.connect.performed) == ["restart failed tasks DEV/audit-s3-sink", "restart failed tasks QA/orders-sink"])
        let screen = try #require(h.state.current as? ConnectorsScreen)
        #expect(screen.marked.isEmpty)
    }

    @Test func unsupportedActionIsRefusedWithTheReason() async {
        var h = await Harness.at(.connector(cluster: "DEV", name: "audit-s3-sink"))
        h.press("stop")
        await h.settle()
        if case .confirm = h.state.mode { Issue.record("stop on a 3.4 worker must not be offered") }
        #expect(h.state.note?.text.contains("3.5") == true)
        #expect(h.connect.performed.isEmpty)
    }

    @Test func bulkSkipsClustersThatCannotAndSaysSo() async {
        var h = await Harness.at(.connectors)
        h.press("top")
        h.press("mark")
        h.press("mark")
        h.press("stop")
        await h.settle()
        guard case .confirm(let intent, _) = h.state.mode else {
            Issue.record("expected a confirmation for the QA connector")
            return
        }
        #expect(intent.question.contains("orders-sink on Connect cluster QA"))
        #expect(intent.question.contains("skipping audit-s3-sink on DEV"))
        h.key(.character("y"))
        await h.settle()
        #expect(h.connect.performed == ["stop QA/orders-sink"])
    }

    @Test func detailKeysSendTheRightActions() async {
        var h = await Harness.at(.connector(cluster: "QA", name: "payments-source"))
        for (binding, expected) in [("restartFailed", "restart failed tasks QA/payments-source"),
                                    ("restartAll", "restart connector and tasks QA/payments-source"),
                                    ("restart", "restart connector QA/payments-source"),
                                    ("restartTask", "restart task 0 QA/payments-source")] {
            let before = h.connect.performed.count
            h.press(binding)
            await h.settle()
            h.key(.character("y"))
            await h.settle()
            #expect(h.connect.performed.count == before + 1)
            #expect(h.connect.performed.last == expected)
        }
    }

    @Test func readOnlyRefusesVisibly() async {
        var o = BrowserOptions(contextName: "prod-eu", readOnly: true)
        o.initialRoute = .connector(cluster: "QA", name: "orders-sink")
        var h = await Harness.at(.connector(cluster: "QA", name: "orders-sink"), options: o)
        h.key(.character("p"))
        await h.settle()
        #expect(h.state.note?.text.contains("Read-only") == true)
        #expect(h.connect.performed.isEmpty)
    }

    @Test func traceViewerOpensTheSelectedTasksTrace() async throws {
        var h = await Harness.at(.connector(cluster: "QA", name: "payments-source"), size: Size(width: 80, height: 24))
        h.press("open")
        let screen = try #require(h.state.current as? ConnectorDetailScreen)
        #expect(screen.activeSection == 2 && screen.traceTask == 0)
        #expect(h.text().contains("ConnectException: timeout"))
    }

    @Test func traceViewerScrollsALongTrace() throws {
        let trace = (0..<60).map { "\tat com.example.Frame\($0).call(Frame.java:\($0))" }.joined(separator: "\n")
        let status = ConnectorStatus(connect: "QA", name: "big", type: "sink", state: "RUNNING", workerId: "w:8083",
                                     tasks: [ConnectTaskStatus(id: 0, state: "FAILED", workerId: "w:8083",
                                                               trace: "java.lang.IllegalStateException: boom\n" + trace)])
        let area = Rect(x: 0, y: 0, width: 70, height: 14)
        let ctx = ScreenContext(options: BrowserOptions(), now: 0, area: area, overview: Loadable(), lagHistory: LagHistory())
        var screen = ConnectorDetailScreen(cluster: "QA", name: "big")
        _ = screen.load(context: ctx)
        _ = screen.receive(.connector(cluster: "QA", name: "big", .success(ConnectorDetail(status: status, config: [:]))),
                           at: 1, context: ctx)
        _ = screen.handle(.open, context: ctx)
        #expect(screen.activeSection == 2)
        func draw() -> String {
            var buffer = CellBuffer(size: Size(width: 70, height: 14))
            screen.render(into: &buffer, area: area, context: ctx)
            return buffer.text()
        }
        #expect(draw().contains("IllegalStateException: boom"))
        #expect(!draw().contains("Frame59"))
        _ = screen.handle(.navigate(.bottom), context: ctx)
        #expect(screen.traceOffset > 0)
        #expect(draw().contains("Frame59") && !draw().contains("IllegalStateException"))
        _ = screen.handle(.navigate(.up), context: ctx)
        let up = screen.traceOffset
        _ = screen.handle(.navigate(.top), context: ctx)
        #expect(screen.traceOffset == 0 && up > 0)
    }
}

@Suite struct ConnectScreenSizeTests {
    /// Every Connect screen state draws at tiny sizes without trapping or writing outside the buffer.
    @Test func tinySizesNeverTrap() async {
        let sizes = [Size(width: 0, height: 0), Size(width: 1, height: 1), Size(width: 10, height: 3),
                     Size(width: 20, height: 5), Size(width: 20, height: 10), Size(width: 40, height: 8)]
        for route in [Route.connectors, .connector(cluster: "QA", name: "payments-source")] {
            var h = await Harness.at(route)
            h.press("open")  // detail: trace section; list: opens the detail
            for size in sizes {
                let buffer = h.screen(size)
                #expect(buffer.width == size.width && buffer.height == size.height)
            }
            h.press("nextSection")
            for size in sizes { _ = h.screen(size) }
        }
    }
}
