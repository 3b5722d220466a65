import ClusterModel
import TerminalCore
import WriteFlow

/// A write the terminal UI is running: the one `WriteFlow` (the CLI's `WriteDriver` drives the
/// same machine), the request it came from and the screen that asked.
public struct ActiveWrite: Sendable {
    public internal(set) var flow: WriteFlow
    let request: WriteRequest
    let requester: Requester
    /// Steps not answered yet; the head is in flight once the write is sent.
    var remaining: [Effect]
    var accepted: [ConnectTarget] = []
    var failures: [String] = []
}

/// Drives `AppState.write` from update: every `WriteAction` the flow returns becomes a dialog,
/// an effect, a note or an audit line here, and nowhere else. Pure, like the rest of update.
enum WriteRunner {
    /// A screen asked for a write: read-only refuses at once; otherwise the check uses what the
    /// screen loaded, so the dialog is up in the same frame as the key press.
    static func begin(_ state: inout AppState, _ request: WriteRequest, from requester: Requester, _ effects: inout Effects) {
        if let running = state.write {
            Updater.note(&state, "Wait for \(running.flow.description.phrase) to finish", .warn)
            return
        }
        var write = ActiveWrite(flow: WriteFlow(request.description, user: state.options.user,
                                                settleTimeout: state.options.settleTimeout,
                                                pollInterval: state.options.pollInterval),
                                request: request, requester: requester, remaining: request.steps)
        let action = write.flow.start(readOnly: state.options.readOnly, confirmation: .ask)
        state.write = write
        drive(&state, action, &effects)
    }

    /// The dialog's answer.
    static func answered(_ state: inout AppState, yes: Bool, typed: String? = nil, _ effects: inout Effects) {
        guard var write = state.write else { return }
        let action = yes ? write.flow.confirmed(typed: typed) : write.flow.declined()
        state.write = write
        drive(&state, action, &effects)
    }

    static func tick(_ state: inout AppState, now: Double, _ effects: inout Effects) {
        guard var write = state.write, write.flow.isSettling else { return }
        let action = write.flow.tick(now: now)
        state.write = write
        drive(&state, action, &effects)
    }

    /// The app is quitting or switching context: a write already sent is reported as abandoned.
    static func abandon(_ state: inout AppState, _ effects: inout Effects) {
        guard var write = state.write else { return }
        let action = write.flow.abandoned()
        state.write = write
        drive(&state, action, &effects)
    }

    /// Every result passes here first: step answers and settle reads move the flow, whichever
    /// screen the read was addressed to (the write is the app's, and outlives its screen).
    static func observe(_ state: inout AppState, _ result: LoadResult, at time: Double, _ effects: inout Effects) {
        guard var write = state.write else { return }
        if case .connectAction(let action, let cluster, let connector, let error) = result {
            guard write.remaining.first == .connectAction(action, cluster: cluster, connector: connector) else { return }
            write.remaining.removeFirst()
            let target = ConnectTarget(cluster: cluster, connector: connector)
            if let error {
                write.failures.append(write.request.steps.count == 1 ? error.message : "\(target): \(error.message)")
            } else {
                write.accepted.append(target)
            }
            if let next = write.remaining.first {
                state.write = write
                effects.append(next, from: .app)
                return
            }
            let sent = sendResult(write)
            let action = write.flow.sent(sent, now: time)
            state.write = write
            drive(&state, action, &effects)
            return
        }
        if case .groupWrite(let step, let answer) = result {
            guard write.remaining.first == .groupWrite(step) else { return }
            // A group write is one request (one OffsetCommit, OffsetDelete or DeleteGroups): its
            // answer, each partition's refusal named, is the write's.
            write.remaining.removeAll()
            let action = write.flow.sent(answer, now: time)
            state.write = write
            drive(&state, action, &effects)
            return
        }
        if case .topicAdmin(let step, let answer) = result {
            guard write.remaining.first == .topicAdmin(step) else { return }
            // One request per topic write: its answer, with the broker's error per resource, is the write's.
            write.remaining.removeAll()
            let action = write.flow.sent(answer, now: time)
            state.write = write
            drive(&state, action, &effects)
            return
        }
        if case .produced(let draft, let answer) = result {
            guard write.remaining.first == .produce(draft) else { return }
            write.remaining.removeAll()
            // The composer shows where the record went (the step was the app's, so tell the screen).
            if case .screen(let id) = write.requester, let i = state.index(of: id) {
                _ = state.entries[i].screen.receive(result, at: time, context: state.screenContext)
            }
            let sent: WriteSendResult
            switch answer {
            case .success(let p):
                sent = .accepted("Produced 1 record to \(p.topic) partition \(p.partition)" + (p.offset.map { " at offset \($0)" } ?? "")
                                 + (p.replacedTimestampNote(sent: draft.timestamp).map { "; \($0)" } ?? ""))
            case .failure(let e):
                sent = .failed(e.message)
            }
            let action = write.flow.sent(sent, now: time)
            state.write = write
            drive(&state, action, &effects)
            return
        }
        guard write.flow.isSettling, let seen = observation(write, result) else { return }
        let action = write.flow.observed(seen, now: time)
        state.write = write
        drive(&state, action, &effects)
    }

    // MARK: Steps

    private static func drive(_ state: inout AppState, _ action: WriteAction, _ effects: inout Effects) {
        guard var write = state.write else { return }
        switch action {
        case .check:
            let next = write.flow.checked(write.request.check)
            state.write = write
            drive(&state, next, &effects)
        case .confirm:
            state.mode = .confirm(WriteIntent(write.flow.description), DialogState(selected: 1))
        case .send:
            Updater.note(&state, "Sent: \(write.flow.description.phrase)", .info)
            if let first = write.remaining.first {
                effects.append(first, from: .app)
            } else {
                let next = write.flow.sent(.accepted("nothing left to send"), now: state.now)
                state.write = write
                drive(&state, next, &effects)
            }
        case .poll:
            if let poll = write.request.poll {
                effects.append(poll, from: write.requester)
            } else {
                // Nothing to read back: acceptance is all there is to report.
                let next = write.flow.observed(.settled("Done: \(write.flow.description.phrase)"), now: state.now)
                state.write = write
                drive(&state, next, &effects)
            }
        case .wait, .none:
            break
        case .refuse(let report), .report(let report):
            finish(&state, write, report, &effects)
        }
    }

    private static func finish(_ state: inout AppState, _ write: ActiveWrite, _ report: WriteReport,
                               _ effects: inout Effects) {
        state.write = nil
        state.touch()
        if case .confirm = state.mode { state.mode = .normal }
        let level: NoteLevel
        switch report.outcome {
        case .done, .refused(.declined), .refused(.nameMismatch): level = .info
        case .unsettled, .partial: level = .warn
        case .refused, .failed, .abandoned: level = .error
        }
        Updater.note(&state, report.message, level, heldUntilKey: true)
        effects.append(.audit(report.audit.line), from: .app)
        // A write that does not settle still leaves its screen showing what it did: read once.
        if report.outcome.wasSent, case .onAcceptance = write.request.settle, let poll = write.request.poll {
            effects.append(poll, from: write.requester)
        }
        // The asking screen learns that its write ended (e.g. to clear the marks it was for).
        if case .screen(let id) = write.requester, let i = state.index(of: id) {
            let outputs = state.entries[i].screen.receive(.writeFinished(report.outcome), at: state.now,
                                                           context: state.screenContext)
            for o in outputs {
                switch o {
                case .note(let text, let level): Updater.note(&state, text, level)
                // e.g. reading the group again to show what a partial reset left.
                case .effect(let e): effects.append(e, from: write.requester)
                // A form whose write is done (a topic created), a detail whose object is gone (deleted).
                case .close: if write.requester == state.currentRequester { Updater.pop(&state, &effects) }
                case .open, .write, .toParent: break
                }
            }
        }
    }

    /// What the steps' answers add up to.
    private static func sendResult(_ write: ActiveWrite) -> WriteSendResult {
        let total = write.request.steps.count
        if write.failures.isEmpty {
            // A write that does not settle reports this text alone; one that settles says it before "but ...".
            if !write.flow.description.settles { return .accepted("Done: \(write.flow.description.phrase)") }
            let clusters = Set(write.accepted.map(\.cluster)).sorted()
            return .accepted(total == 1 ? "accepted by Connect cluster \(clusters.joined())"
                                        : "accepted for \(total) connectors")
        }
        if write.accepted.isEmpty { return .failed(write.failures.joined(separator: "; ")) }
        return .partial("\(write.failures.count) of \(total) failed: " + write.failures.joined(separator: "; "))
    }

    /// A read as evidence that the write took effect; nil when the result says nothing about it.
    private static func observation(_ write: ActiveWrite, _ result: LoadResult) -> SettleObservation? {
        switch write.request.settle {
        case .onAcceptance:
            return nil
        case .groupOffsets(let group, let expected):
            return GroupWriteRequests.observation(group: group, expected: expected, result)
        case .connect(let action, _, let before):
            let targets = write.accepted
            switch result {
            case .connectors(.success(let listing)):
                return ConnectWrite.observation(action, targets: targets, before: before, statuses: listing.connectors)
            case .connectors(.failure(let e)):
                return .unreadable(e.message)
            case .connector(let cluster, let name, let r):
                guard targets.contains(ConnectTarget(cluster: cluster, connector: name)) else { return nil }
                switch r {
                case .success(let d):
                    return ConnectWrite.observation(action, targets: targets, before: before, statuses: [d.status])
                case .failure(let e):
                    return .unreadable(e.message)
                }
            default:
                return nil
            }
        }
    }
}
