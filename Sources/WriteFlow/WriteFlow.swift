/// # The one write flow: check -> confirm -> send -> settle -> report
///
/// Every write kafscope makes (Connect actions; produce, offset resets, group and topic deletes,
/// config changes) runs through one `WriteFlow` value. It is a pure state machine in the
/// postgres-nio style: its methods take events and return the next `WriteAction`; the driver (the
/// CLI's `WriteDriver`, the terminal UI's update function) performs the action and feeds back the
/// answer. No I/O, no clock: time enters as `now` (seconds, any origin) in the events that need it.
///
/// ```
/// var flow = WriteFlow(description, user: "ops")
/// flow.start(readOnly:confirmation:)   -> .refuse (read-only) | .check
/// flow.checked(.ready(d) | .unavailable) -> .confirm(text) | .send(d) | .refuse
/// flow.confirmed(typed:) / declined()  -> .send(d) | .refuse
/// flow.sent(result, now:)              -> .poll (writes that settle) | .report
/// flow.observed(observation, now:)     -> .report | .wait
/// flow.tick(now:)                      -> .poll (next poll due) | .report (timed out) | .wait | .none
/// flow.abandoned()                     -> .refuse (not sent yet) | .report(.abandoned) | .none
/// ```
///
/// Guarantees, tested in WriteFlowTests:
/// - read-only refuses at `start`, before the check, so nothing (not even a read) is sent;
/// - nothing is sent without a confirmation: `.ask` shows one, `.preconfirmed` (`--yes`) skips it,
///   `.unavailable` (no terminal, no `--yes`) refuses; `typeNameToConfirm` requires the target's name;
/// - one wording (`WriteDescription.question`/`phrase`), one settle timeout (`settleTimeout`);
/// - exactly one `.refuse` or `.report` per flow, each carrying the flow's only `AuditRecord`;
/// - an event that does not belong to the current step returns `.none` and changes nothing, so a
///   late answer (a screen left, a cancelled effect) cannot move a finished flow.
///
/// ## Driving it from the terminal UI (BrowserCore)
/// - key press on a write action: build the description from what the screen already loaded, keep
///   the flow in the screen's state, call `start(readOnly: options.readOnly, confirmation: .ask)`;
///   on `.check` call `checked(.ready(description))` (or `.unavailable(reason)`) in the same update,
///   so the `.confirm(text)` is drawn in the same frame as the key press (dialog state = the
///   `WriteConfirmation`; while it is open no key reaches the screen below);
/// - y / Enter (or the typed name) -> `confirmed(typed:)`; n / Esc -> `declined()`;
/// - `.send(d)` -> an Effect addressed to the screen that re-checks and performs the write; its
///   result -> `sent(_:now:)`; `.poll` -> a read Effect whose result -> `observed(_:now:)`;
///   `Message.tick(now)` -> `tick(now:)` while `isSettling`;
/// - `.refuse(r)` / `.report(r)` -> a note with `r.message` (error level unless
///   `r.outcome.succeeded`) plus an effect that logs `r.audit.line` through the app's logger;
/// - leaving the screen -> `abandoned()`, whose report is logged the same way.
public struct WriteFlow: Sendable, Hashable {
    /// The one settle timeout for writes whose effect shows later (Connect needs a rebalance).
    public static let defaultSettleTimeout: Double = 30
    /// How often the target is read while settling.
    public static let defaultPollInterval: Double = 0.25

    enum State: Sendable, Hashable {
        case idle
        case checking
        case confirming
        case sending
        case settling(Settling)
        case finished(WriteOutcome)
    }

    struct Settling: Sendable, Hashable {
        var accepted: String
        var deadline: Double
        var nextPoll: Double
        var polling: Bool
        var lastSeen: String?
    }

    public private(set) var description: WriteDescription
    public let user: String
    public let settleTimeout: Double
    public let pollInterval: Double
    private var policy: ConfirmationPolicy = .ask
    private var state: State = .idle

    /// `user` is the OS user the audit line names; `settleTimeout` 0 skips settling.
    public init(_ description: WriteDescription, user: String,
                settleTimeout: Double = WriteFlow.defaultSettleTimeout,
                pollInterval: Double = WriteFlow.defaultPollInterval) {
        self.description = description
        self.user = user
        self.settleTimeout = max(0, settleTimeout)
        self.pollInterval = max(0, pollInterval)
    }

    // MARK: What the driver may ask

    public var isFinished: Bool { if case .finished = state { return true }; return false }
    public var isAwaitingConfirmation: Bool { state == .confirming }
    public var isSettling: Bool { if case .settling = state { return true }; return false }
    /// Set once the flow has finished.
    public var outcome: WriteOutcome? { if case .finished(let o) = state { return o }; return nil }
    /// The confirmation to show while `isAwaitingConfirmation` (e.g. to redraw the dialog).
    public var confirmation: WriteConfirmation {
        WriteConfirmation(question: description.question, details: description.details,
                          typeName: description.typeNameToConfirm ? description.target.name : nil)
    }

    // MARK: Events

    /// The user asked for the write. Read-only mode refuses here, before any request.
    public mutating func start(readOnly: Bool, confirmation: ConfirmationPolicy) -> WriteAction {
        guard state == .idle else { return .none }
        policy = confirmation
        if readOnly { return refuse(.readOnly) }
        state = .checking
        return .check
    }

    /// The check's answer; a `.ready` description replaces the first one (it may name the
    /// cluster found and the current state).
    public mutating func checked(_ check: WriteCheck) -> WriteAction {
        guard state == .checking else { return .none }
        switch check {
        case .unavailable(let why):
            return refuse(.unavailable(why))
        case .ready(let refined):
            description = refined
            switch policy {
            case .unavailable: return refuse(.noTerminal)
            case .preconfirmed:
                state = .sending
                return .send(description)
            case .ask:
                state = .confirming
                return .confirm(confirmation)
            }
        }
    }

    /// The person confirmed; `typed` is what they typed when the name is required.
    public mutating func confirmed(typed: String? = nil) -> WriteAction {
        guard state == .confirming else { return .none }
        if description.typeNameToConfirm {
            let answer = (typed ?? "").trimmingWhitespace
            guard answer == description.target.name else { return refuse(.nameMismatch(typed: answer)) }
        }
        state = .sending
        return .send(description)
    }

    public mutating func declined() -> WriteAction {
        guard state == .confirming else { return .none }
        return refuse(.declined)
    }

    /// The answer to `.send`.
    public mutating func sent(_ result: WriteSendResult, now: Double) -> WriteAction {
        guard state == .sending else { return .none }
        switch result {
        case .failed(let why):
            return finish(.failed(why), message: "\(description.phrase) failed: \(why)")
        case .partial(let what):
            return finish(.partial(what), message: "\(description.phrase) partly failed: \(what)")
        case .accepted(let what):
            guard description.settles, settleTimeout > 0 else { return finish(.done(what), message: what) }
            state = .settling(Settling(accepted: what, deadline: now + settleTimeout, nextPoll: now, polling: true))
            return .poll
        }
    }

    /// The answer to `.poll`.
    public mutating func observed(_ observation: SettleObservation, now: Double) -> WriteAction {
        guard case .settling(var s) = state, s.polling else { return .none }
        s.polling = false
        switch observation {
        case .settled(let text):
            return finish(.done(text), message: text)
        case .pending(let text), .unreadable(let text):
            s.lastSeen = text
        }
        if now >= s.deadline { return timedOut(s) }
        s.nextPoll = now + pollInterval
        state = .settling(s)
        return .wait
    }

    /// Time passes: polls when due, gives up at the settle deadline.
    public mutating func tick(now: Double) -> WriteAction {
        guard case .settling(var s) = state else { return .none }
        if s.polling { return .wait }
        if now >= s.deadline { return timedOut(s) }
        guard now >= s.nextPoll else { return .wait }
        s.polling = true
        state = .settling(s)
        return .poll
    }

    /// Whoever drove the flow went away (the screen was left, Ctrl-C).
    public mutating func abandoned() -> WriteAction {
        switch state {
        case .idle, .checking, .confirming: return refuse(.declined)
        case .sending, .settling: return finish(.abandoned, message: "\(description.phrase): left before the result arrived")
        case .finished: return .none
        }
    }

    // MARK: Endings

    private mutating func timedOut(_ s: Settling) -> WriteAction {
        let seen = s.lastSeen ?? "no state read"
        let limit = Self.seconds(settleTimeout)
        return finish(.unsettled(seen),
                      message: "\(description.phrase): \(s.accepted), but it did not settle within \(limit): now \(seen)")
    }

    private mutating func refuse(_ refusal: WriteRefusal) -> WriteAction {
        let message: String
        switch refusal {
        case .declined, .nameMismatch: message = "cancelled \(description.phrase): \(refusal.reason)"
        default: message = "refusing to \(description.phrase): \(refusal.reason)"
        }
        state = .finished(.refused(refusal))
        return .refuse(WriteReport(outcome: .refused(refusal), message: message, audit: audit(.refused(refusal), detail: refusal.reason)))
    }

    private mutating func finish(_ outcome: WriteOutcome, message: String) -> WriteAction {
        state = .finished(outcome)
        let detail: String?
        switch outcome {
        case .done(let t), .partial(let t), .failed(let t), .unsettled(let t): detail = t
        case .abandoned: detail = "left before the result arrived"
        case .refused(let r): detail = r.reason
        }
        return .report(WriteReport(outcome: outcome, message: message, audit: audit(outcome, detail: detail)))
    }

    private func audit(_ outcome: WriteOutcome, detail: String?) -> AuditRecord {
        AuditRecord(user: user, kind: description.kind, action: description.action, target: description.target,
                    result: outcome.resultWord, sent: outcome.wasSent, detail: detail, fields: description.audit)
    }

    /// "30s", "1.5s".
    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s))s" : "\((s * 10).rounded() / 10)s"
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
