import Logging
import Testing
import WriteFlow
@testable import KafscopeApp

/// How WriteDriver prints a write's end: a message over several lines (produce's headline, then
/// one line per failed record) keeps its lines; control characters are still escaped.
@Suite struct WriteDriverMessageTests {
    static func run(_ result: WriteSendResult) async throws -> RecordingConsole {
        let console = RecordingConsole()
        let driver = WriteDriver(console: console, logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }),
                                 user: "ops", settleTimeout: 0, printSuccess: true)
        let description = WriteDescription(kind: .produce, action: "produce records to topic",
                                           target: WriteTarget(name: "t", location: "cluster c"), details: [], audit: [])
        _ = try await driver.run(description, readOnly: false, yes: true, check: { .ready(description) }, send: { _ in result })
        return console
    }

    /// Made to fail once by going back to `TextTable.clean` in `WriteDriver.finish`: the report came
    /// out as one line with a literal `\n` between headline and failure.
    @Test func aPartialFailureKeepsOneLinePerFailedRecord() async throws {
        let console = try await Self.run(.partial("produced 2 records (4 bytes) to t; 1 failed\n  line 2: not a JSON object"))
        #expect(console.stderr.contains("1 failed\n  line 2: not a JSON object"), "\(console.stderr)")
        #expect(!console.stderr.contains("\\n"), "\(console.stderr)")
    }

    @Test func controlCharactersInAMultiLineMessageAreStillEscaped() async throws {
        let console = try await Self.run(.failed("refused\n  line 1: \u{1b}]0;owned\u{07} \u{202e}x\r"))
        #expect(console.stderr.contains("refused\n  line 1: \\x1b]0;owned\\x07 \\u202ex\\r"), "\(console.stderr)")
        #expect(!console.stderr.unicodeScalars.contains { $0 == "\u{1b}" || $0 == "\u{07}" || $0 == "\u{202e}" || $0 == "\r" })
    }
}
