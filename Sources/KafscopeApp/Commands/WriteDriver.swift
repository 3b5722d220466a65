import Foundation
import Logging
import WriteFlow

/// Where a command writes and how it asks; tests substitute a recorder.
public protocol CLIConsole: Sendable {
    func out(_ text: String)
    func err(_ text: String)
    /// True when a person can answer a question (a controlling terminal exists).
    var canPrompt: Bool { get }
    /// Shows the question and reads one answer line; nil at end of input.
    func ask(_ question: String) -> String?
}

/// The Connect commands' name for it.
public typealias ConnectCLIConsole = CLIConsole

/// stdout/stderr for output; questions go to /dev/tty and answers come from it, so a write that
/// reads its data from stdin (`produce`) can still be confirmed, and a pipe cannot answer "y".
public struct StandardConsole: CLIConsole {
    public init() {}
    public func out(_ text: String) {
        StandardStreams.out(text.hasSuffix("\n") ? text : text + "\n")
    }
    public func err(_ text: String) {
        StandardStreams.err(text.hasSuffix("\n") ? text : text + "\n")
    }
    public var canPrompt: Bool { ControllingTerminal.isAvailable }
    public func ask(_ question: String) -> String? { ControllingTerminal.ask(question) }
}

/// The process's controlling terminal, opened only to ask one question.
enum ControllingTerminal {
    static var isAvailable: Bool {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }

    static func ask(_ question: String) -> String? {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let bytes = Array(question.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            written += n
        }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { break }
            if line.count < 4096 { line.append(byte) }
        }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return String(decoding: line, as: UTF8.self)
    }
}

/// The OS user the audit line names.
public enum OSUser {
    public static var name: String {
        if let pw = getpwuid(geteuid()), let n = pw.pointee.pw_name, let s = String(validatingCString: n), !s.isEmpty { return s }
        if let u = ProcessInfo.processInfo.environment["USER"], !u.isEmpty { return u }
        return "uid \(geteuid())"
    }
}

/// Runs a `WriteFlow` for a command: asks on the terminal (unless `--yes`), sends, polls until the
/// write settles, prints refusals and failures as `error: ...` on stderr, and logs the audit line.
public struct WriteDriver: Sendable {
    public var console: any CLIConsole
    public var logger: Logger
    public var user: String
    public var settleTimeout: Double
    public var pollInterval: Double
    /// Monotonic seconds; tests may inject another.
    public var now: @Sendable () -> Double
    public var sleep: @Sendable (Double) async -> Void
    /// Print a successful report's message on stdout (off when the command prints its own, e.g. JSON).
    public var printSuccess: Bool

    public init(console: any CLIConsole, logger: Logger, user: String = OSUser.name,
                settleTimeout: Double = WriteFlow.defaultSettleTimeout, pollInterval: Double = WriteFlow.defaultPollInterval,
                printSuccess: Bool = true,
                now: @escaping @Sendable () -> Double = WriteDriver.monotonicSeconds,
                sleep: @escaping @Sendable (Double) async -> Void = { try? await Task.sleep(for: .milliseconds(Int64($0 * 1000))) }) {
        self.console = console
        self.logger = logger
        self.user = user
        self.settleTimeout = settleTimeout
        self.pollInterval = pollInterval
        self.printSuccess = printSuccess
        self.now = now
        self.sleep = sleep
    }

    @Sendable public static func monotonicSeconds() -> Double {
        let d = ContinuousClock.now - origin
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
    private static let origin = ContinuousClock.now

    /// Runs the flow to its end and returns its report (exit status 1 unless `report.outcome.succeeded`).
    /// `check` answers what the write needs to know first (it may throw a usage error, which is
    /// rethrown: a malformed command is not a write); `send` performs the write once; `observe`
    /// reads the target while a settling write waits for its end state.
    public func run(_ description: WriteDescription, readOnly: Bool, yes: Bool,
                    check: () async throws -> WriteCheck,
                    send: (WriteDescription) async -> WriteSendResult,
                    observe: () async -> SettleObservation = { .settled("") }) async throws -> WriteReport {
        var flow = WriteFlow(description, user: user, settleTimeout: settleTimeout, pollInterval: pollInterval)
        let policy: ConfirmationPolicy = yes ? .preconfirmed : (console.canPrompt ? .ask : .unavailable)
        var action = flow.start(readOnly: readOnly, confirmation: policy)
        while true {
            switch action {
            case .check:
                action = flow.checked(try await check())
            case .confirm(let c):
                let answer = console.ask(Self.prompt(c))
                if c.typeName != nil {
                    action = answer == nil ? flow.declined() : flow.confirmed(typed: answer)
                } else {
                    let a = answer?.trimmingCharacters(in: .whitespaces).lowercased()
                    action = a == "y" || a == "yes" ? flow.confirmed() : flow.declined()
                }
            case .send(let d):
                let result = await send(d)
                action = flow.sent(result, now: now())
            case .poll:
                let seen = await observe()
                action = flow.observed(seen, now: now())
            case .wait:
                await sleep(pollInterval)
                action = flow.tick(now: now())
            case .refuse(let report), .report(let report):
                finish(report)
                return report
            case .none:
                // Cannot happen while one loop drives the flow; end rather than spin.
                let report = WriteReport(outcome: .abandoned, message: "\(flow.description.phrase): internal error in the write flow",
                                         audit: AuditRecord(user: user, kind: description.kind, action: description.action,
                                                            target: description.target, result: "unknown", sent: true,
                                                            detail: "write flow stalled", fields: description.audit))
                finish(report)
                return report
            }
        }
    }

    /// A message may run over several lines (produce's headline, then one line per failed record):
    /// its line breaks are kept, every other control character is escaped.
    private func finish(_ report: WriteReport) {
        logger.notice(Logger.Message(stringLiteral: report.audit.line))
        if report.outcome.succeeded {
            if printSuccess, !report.message.isEmpty { console.out(TextTable.cleanLines(report.message)) }
        } else {
            console.err("error: " + TextTable.cleanLines(report.message))
        }
    }

    /// The question, its details indented, and how to answer; control characters neutralised.
    static func prompt(_ c: WriteConfirmation) -> String {
        var lines = [TextTable.clean(c.question)]
        lines += c.details.map { "  " + TextTable.clean($0) }
        return lines.joined(separator: "\n") + "\n" + TextTable.clean(c.answerHint)
    }
}
