import ClusterModel
import Testing
import WriteFlow

/// The write flow as scripts: each line an event and the one action it must produce.
@Suite struct WriteFlowTests {
    let pause = ConnectWrite.description(.pause, connector: "orders-sink", cluster: "QA")
    let deleteGroup = WriteDescription(kind: .groupDelete, action: "delete consumer group",
                                       target: WriteTarget(name: "billing", location: "cluster prod"),
                                       details: ["Its committed offsets are lost."], typeNameToConfirm: true,
                                       audit: [AuditField("group", "billing")])

    func report(_ a: WriteAction) -> WriteReport? {
        switch a {
        case .refuse(let r), .report(let r): return r
        default: return nil
        }
    }

    @Test func readOnlyRefusesAtStartBeforeTheCheck() {
        var flow = WriteFlow(pause, user: "ops")
        let a = flow.start(readOnly: true, confirmation: .preconfirmed)
        let r = report(a)
        #expect(r?.outcome == .refused(.readOnly))
        #expect(r?.message == "refusing to pause connector orders-sink on Connect cluster QA: kafscope is in read-only mode")
        #expect(r?.audit.sent == false && r?.audit.result == "refused")
        #expect(flow.isFinished)
        // Nothing after the end moves it.
        #expect(flow.checked(.ready(pause)) == .none)
        #expect(flow.confirmed() == .none)
        #expect(flow.sent(.accepted("x"), now: 1) == .none)
    }

    @Test func confirmThenSendThenSettle() {
        var flow = WriteFlow(pause, user: "ops", settleTimeout: 10, pollInterval: 1)
        #expect(flow.start(readOnly: false, confirmation: .ask) == .check)
        #expect(flow.checked(.ready(pause)) == .confirm(WriteConfirmation(question: "Pause connector orders-sink on Connect cluster QA?")))
        #expect(flow.isAwaitingConfirmation)
        #expect(flow.confirmed() == .send(pause))
        #expect(flow.sent(.accepted("pause accepted (HTTP 202)"), now: 100) == .poll)
        #expect(flow.tick(now: 100.5) == .wait, "a poll is in flight")
        #expect(flow.observed(.pending("RUNNING"), now: 100.6) == .wait)
        #expect(flow.tick(now: 101.0) == .wait, "next poll not due before 101.6")
        #expect(flow.tick(now: 101.6) == .poll)
        let done = flow.observed(.settled("connector RUNNING → PAUSED"), now: 101.7)
        guard case .report(let r) = done else { Issue.record("expected a report, got \(done)"); return }
        #expect(r.outcome == .done("connector RUNNING → PAUSED"))
        #expect(r.audit.result == "ok" && r.audit.sent)
        #expect(flow.tick(now: 200) == .none)
    }

    @Test func settleTimeoutIsTheFlowsAndTimeIsInjected() {
        var flow = WriteFlow(pause, user: "ops", settleTimeout: 10, pollInterval: 1)
        _ = flow.start(readOnly: false, confirmation: .preconfirmed)
        #expect(flow.checked(.ready(pause)) == .send(pause), "--yes skips the confirmation")
        #expect(flow.sent(.accepted("accepted"), now: 0) == .poll)
        #expect(flow.observed(.unreadable("HTTP 500"), now: 5) == .wait)
        #expect(flow.tick(now: 6) == .poll)
        #expect(flow.observed(.pending("RUNNING, tasks 1/1 running"), now: 7) == .wait)
        let late = flow.tick(now: 10)
        #expect(report(late)?.outcome == .unsettled("RUNNING, tasks 1/1 running"))
        #expect(report(late)?.message == "pause connector orders-sink on Connect cluster QA: accepted, but it did not settle within 10s: now RUNNING, tasks 1/1 running")
        #expect(WriteFlow.defaultSettleTimeout == 30)
    }

    @Test func noTerminalAndNoYesIsRefusedAfterTheCheck() {
        var flow = WriteFlow(pause, user: "ops")
        #expect(flow.start(readOnly: false, confirmation: .unavailable) == .check)
        let r = report(flow.checked(.ready(pause)))
        #expect(r?.outcome == .refused(.noTerminal))
        #expect(r?.message.contains("--yes") == true)
    }

    @Test func declinedAndUnavailableSendNothing() {
        var flow = WriteFlow(pause, user: "ops")
        _ = flow.start(readOnly: false, confirmation: .ask)
        _ = flow.checked(.ready(pause))
        #expect(report(flow.declined())?.outcome == .refused(.declined))
        #expect(flow.confirmed() == .none, "a y after n is ignored")

        var old = WriteFlow(ConnectWrite.description(.stop, connector: "x", cluster: "OLD"), user: "ops")
        _ = old.start(readOnly: false, confirmation: .preconfirmed)
        let r = report(old.checked(.unavailable("stop needs Kafka Connect 3.5 or newer; OLD runs 3.4.0")))
        #expect(r?.message == "refusing to stop connector x on Connect cluster OLD: stop needs Kafka Connect 3.5 or newer; OLD runs 3.4.0")
        #expect(r?.audit.sent == false)
    }

    @Test func typedNameMustMatch() {
        var wrong = WriteFlow(deleteGroup, user: "ops")
        _ = wrong.start(readOnly: false, confirmation: .ask)
        #expect(wrong.checked(.ready(deleteGroup)) == .confirm(WriteConfirmation(
            question: "Delete consumer group billing on cluster prod?", details: ["Its committed offsets are lost."], typeName: "billing")))
        #expect(report(wrong.confirmed(typed: "y"))?.outcome == .refused(.nameMismatch(typed: "y")))

        var right = WriteFlow(deleteGroup, user: "ops")
        _ = right.start(readOnly: false, confirmation: .ask)
        _ = right.checked(.ready(deleteGroup))
        #expect(right.confirmed(typed: " billing\n") == .send(deleteGroup))
        let r = report(right.sent(.accepted("deleted consumer group billing"), now: 0))
        #expect(r?.outcome == .done("deleted consumer group billing"), "writes that do not settle report at once")
    }

    @Test func failuresAndPartialsAndAbandonedReportOnce() {
        var failed = WriteFlow(deleteGroup, user: "ops")
        _ = failed.start(readOnly: false, confirmation: .preconfirmed)
        _ = failed.checked(.ready(deleteGroup))
        let f = report(failed.sent(.failed("NON_EMPTY_GROUP: the group has 2 members"), now: 0))
        #expect(f?.outcome == .failed("NON_EMPTY_GROUP: the group has 2 members"))
        #expect(f?.message == "delete consumer group billing on cluster prod failed: NON_EMPTY_GROUP: the group has 2 members")
        #expect(f?.audit.result == "failed" && f?.audit.sent == true)

        var partial = WriteFlow(deleteGroup, user: "ops")
        _ = partial.start(readOnly: false, confirmation: .preconfirmed)
        _ = partial.checked(.ready(deleteGroup))
        #expect(report(partial.sent(.partial("orders/3: NOT_COORDINATOR"), now: 0))?.outcome == .partial("orders/3: NOT_COORDINATOR"))

        var left = WriteFlow(pause, user: "ops")
        _ = left.start(readOnly: false, confirmation: .preconfirmed)
        _ = left.checked(.ready(pause))
        #expect(report(left.abandoned())?.outcome == .abandoned)
        #expect(left.abandoned() == .none)
    }

    @Test func auditLineNamesWhoWhatTargetResultAndNoSecrets() {
        var d = ConnectWrite.description(.restart(includeTasks: true, onlyFailed: false), connector: "evil\nname", cluster: "QA")
        d.audit += [AuditField("sasl.password", "hunter2"), AuditField("url", "http://ops:s3cret@connect:8083/")]
        var flow = WriteFlow(d, user: "alice")
        _ = flow.start(readOnly: false, confirmation: .preconfirmed)
        _ = flow.checked(.ready(d))
        let r = report(flow.sent(.failed("HTTP 500"), now: 0))
        let line = r?.audit.line ?? ""
        #expect(line == #"audit user=alice kind=connector-action write="restart connector" target="evil\nname" qualifier="and all its tasks" location="Connect cluster QA" result=failed sent=true connect=QA connect_action="restart connector and tasks" sasl.password=******** url=http://ops:********@connect:8083/ detail="HTTP 500""#)
        #expect(!line.contains("hunter2") && !line.contains("s3cret") && !line.contains("\n"))
    }
}
