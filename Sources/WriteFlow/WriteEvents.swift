/// The values the write flow takes (events) and gives (actions, reports).

/// How a confirmation can be had, decided by the driver before the flow starts.
public enum ConfirmationPolicy: Sendable, Hashable {
    /// Ask the person (a terminal dialog or a /dev/tty prompt).
    case ask
    /// Already confirmed on the command line (`--yes`).
    case preconfirmed
    /// Nobody to ask (no terminal) and no `--yes`: the write is refused.
    case unavailable
}

/// The outcome of the check step: the write is possible (with the target and details the
/// check found, e.g. the cluster holding the connector and its current state), or it is not.
public enum WriteCheck: Sendable, Hashable {
    case ready(WriteDescription)
    /// Why not: "stop needs Kafka 3.5+ (QA runs 3.4.0)", "the group has 2 active members".
    case unavailable(String)
}

/// What the driver's single send produced.
public enum WriteSendResult: Sendable, Hashable {
    /// Accepted; the text says what was done ("pause accepted (HTTP 202)", "12 offsets committed").
    case accepted(String)
    /// Some parts applied and some not; the text names each part that failed.
    case partial(String)
    /// Nothing applied; the text is the broker's or worker's answer.
    case failed(String)
}

/// One read of the target while the flow waits for the write to take effect.
public enum SettleObservation: Sendable, Hashable {
    /// The end state is reached; the text describes it ("connector RUNNING → PAUSED").
    case settled(String)
    /// Not yet; the text describes the state seen.
    case pending(String)
    /// The read failed (keeps polling until the deadline); the text is the error.
    case unreadable(String)
}

/// Why a write was not sent.
public enum WriteRefusal: Sendable, Hashable {
    case readOnly
    /// No terminal to ask on and no `--yes`.
    case noTerminal
    /// The person answered no (or left the dialog).
    case declined
    /// The person was asked to type the target's name and typed something else.
    case nameMismatch(typed: String)
    /// The check found the write impossible now.
    case unavailable(String)

    public var reason: String {
        switch self {
        case .readOnly: return "kafscope is in read-only mode"
        case .noTerminal: return "no terminal to ask for confirmation on; pass --yes to confirm"
        case .declined: return "not confirmed; nothing was sent"
        case .nameMismatch(let typed): return "the name typed (\(typed.isEmpty ? "nothing" : "\"\(typed)\"")) does not match; nothing was sent"
        case .unavailable(let why): return why
        }
    }
}

/// How a write ended.
public enum WriteOutcome: Sendable, Hashable {
    /// Refused before anything was sent.
    case refused(WriteRefusal)
    /// Sent and done; the text describes the result.
    case done(String)
    /// Sent; some parts failed (named in the text).
    case partial(String)
    /// Sent and refused or failed.
    case failed(String)
    /// Accepted, but the end state was not seen before the settle timeout; the text is the last state seen.
    case unsettled(String)
    /// Whoever started it went away after sending (the screen was left); the result is unknown.
    case abandoned

    public var succeeded: Bool {
        if case .done = self { return true }
        return false
    }

    /// Whether a request may have reached the cluster.
    public var wasSent: Bool {
        if case .refused = self { return false }
        return true
    }

    /// The audit line's `result=` word.
    public var resultWord: String {
        switch self {
        case .refused(.declined), .refused(.nameMismatch): return "cancelled"
        case .refused: return "refused"
        case .done: return "ok"
        case .partial: return "partial"
        case .failed: return "failed"
        case .unsettled: return "unsettled"
        case .abandoned: return "unknown"
        }
    }
}

/// What to show before sending.
public struct WriteConfirmation: Sendable, Hashable {
    /// "Pause connector orders-sink on Connect cluster QA?"
    public var question: String
    public var details: [String]
    /// Set when the person must type this name to confirm.
    public var typeName: String?

    public init(question: String, details: [String] = [], typeName: String? = nil) {
        self.question = question
        self.details = details
        self.typeName = typeName
    }

    /// The line a command-line prompt ends with.
    public var answerHint: String {
        if let typeName { return "Type \(typeName) to confirm: " }
        return "[y/N] "
    }
}

/// The end of a write: the message for the person and the audit line for the log.
public struct WriteReport: Sendable, Hashable {
    public var outcome: WriteOutcome
    /// One line for the person: an error message for refusals and failures, the result otherwise.
    public var message: String
    public var audit: AuditRecord

    public init(outcome: WriteOutcome, message: String, audit: AuditRecord) {
        self.outcome = outcome
        self.message = message
        self.audit = audit
    }
}

/// What the flow asks its driver to do next.
public enum WriteAction: Sendable, Hashable {
    /// Check that the write is possible now; answer with `checked(_:)`.
    case check
    /// Show the confirmation; answer with `confirmed(typed:)` or `declined()`.
    case confirm(WriteConfirmation)
    /// Send the write once (re-checking what can change meanwhile); answer with `sent(_:now:)`.
    case send(WriteDescription)
    /// Read the target's state; answer with `observed(_:now:)`.
    case poll
    /// Nothing to do until the next `tick(now:)`.
    case wait
    /// Finished without sending: show `report.message` as an error, log `report.audit`.
    case refuse(WriteReport)
    /// Finished after sending: show `report.message` (an error unless it succeeded), log `report.audit`.
    case report(WriteReport)
    /// The event does not belong to the current step (e.g. a late answer): ignore it.
    case none
}
