import ClusterModel
import Foundation
import KafkaConnect
import KafkaTestSupport
import KafscopeConfig
import Logging
import Testing
import WriteFlow
@testable import KafscopeApp

/// Collects log lines so tests can read the audit line.
final class RecordingLog: @unchecked Sendable {
    private let lock = NSLock()
    private var _lines: [String] = []
    func append(_ s: String) { lock.withLock { _lines.append(s) } }
    var lines: [String] { lock.withLock { _lines } }
    var auditLines: [String] { lines.filter { $0.hasPrefix("audit ") } }

    var logger: Logger {
        Logger(label: "test", factory: { _ in Handler(log: self) })
    }

    struct Handler: LogHandler {
        let log: RecordingLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { log.append("\(event.message)") }
    }
}

/// `kafscope connector ...` through the one write flow, against the Connect simulator.
@Suite(.timeLimit(.minutes(2))) struct ConnectorWriteFlowTests {
    func settings(_ sim: ConnectSimulator, password: String? = nil, readOnly: Bool = false, json: Bool = false) -> ConnectCLISettings {
        var e = ConnectEndpoint(name: sim.name, url: sim.url)
        if let password {
            e.username = "ops"
            e.password = password
        }
        return ConnectCLISettings(endpoints: [e], readOnly: readOnly, json: json)
    }

    @Test func readOnlyRefusalNamesTheConnectorOnceAndIsAudited() async throws {
        let qa = try await ConnectSimulator.start(name: "QA")
        defer { qa.stop() }
        let console = RecordingConsole(canPrompt: true, answer: "y")
        let log = RecordingLog()
        let code = await ConnectorCLI.act(.restart(includeTasks: false, onlyFailed: false), name: "orders-source",
                                          settings: settings(qa, readOnly: true), yes: true, console: console, logger: log.logger)
        #expect(code == 1)
        #expect(console.stderr == "error: refusing to restart connector orders-source on Connect cluster QA: kafscope is in read-only mode")
        #expect(console.asked.isEmpty)
        #expect(try await qa.requests().isEmpty, "read-only refuses before any request, reads included")
        #expect(log.auditLines.count == 1)
        #expect(log.auditLines.first?.contains("result=refused sent=false") == true)
    }

    @Test func withoutATerminalAndWithoutYesNothingIsSent() async throws {
        let qa = try await ConnectSimulator.start(name: "QA")
        defer { qa.stop() }
        let console = RecordingConsole(canPrompt: false)
        let log = RecordingLog()
        let code = await ConnectorCLI.act(.resume, name: "orders-source", settings: settings(qa), yes: false, console: console,
                                          retry: fastRetry, logger: log.logger)
        #expect(code == 1)
        #expect(console.stderr == "error: refusing to resume connector orders-source on Connect cluster QA: "
            + "no terminal to ask for confirmation on; pass --yes to confirm")
        #expect(try await qa.actionRequests().isEmpty)
        #expect(log.auditLines.count == 1 && log.auditLines[0].contains("result=refused"))
    }

    @Test func oneAuditLineWithWhoWhatTargetResultAndNoSecret() async throws {
        let qa = try await ConnectSimulator.start(name: "QA", extraArguments: ["--basic-auth", "ops:Pa55-w0rd"])
        defer { qa.stop() }
        let console = RecordingConsole()
        let log = RecordingLog()
        let code = await ConnectorCLI.act(.pause, name: "orders-source", settings: settings(qa, password: "Pa55-w0rd"), yes: true,
                                          console: console, settleTimeout: .seconds(10), pollInterval: .milliseconds(50),
                                          retry: fastRetry, logger: log.logger)
        #expect(code == 0, "\(console.stderr)")
        #expect(console.stdout.contains("QA/orders-source: connector RUNNING → PAUSED"))
        #expect(log.auditLines.count == 1, "\(log.lines)")
        let line = try #require(log.auditLines.first)
        #expect(line.hasPrefix("audit user=\(OSUser.name) kind=connector-action write=\"pause connector\" target=orders-source "
            + "location=\"Connect cluster QA\" result=ok sent=true connect=QA connect_action=pause detail="))
        #expect(line.contains("RUNNING → PAUSED"))
        #expect(!log.lines.joined().contains("Pa55-w0rd") && !console.stdout.contains("Pa55-w0rd") && !console.stderr.contains("Pa55-w0rd"))
    }

    @Test func aWriteThatDoesNotSettleInTimeFails() async throws {
        // The simulator takes a minute to move the state; the flow's deadline is half a second.
        let qa = try await ConnectSimulator.start(name: "QA", stateDelayMs: 60_000)
        defer { qa.stop() }
        let console = RecordingConsole()
        let log = RecordingLog()
        let code = await ConnectorCLI.act(.pause, name: "orders-source", settings: settings(qa), yes: true, console: console,
                                          settleTimeout: .milliseconds(500), pollInterval: .milliseconds(100),
                                          retry: fastRetry, logger: log.logger)
        #expect(code == 1)
        #expect(console.stderr.contains("error: pause connector orders-source on Connect cluster QA: QA/orders-source: pause accepted (HTTP 202), but it did not settle within 0.5s: now RUNNING"))
        #expect(log.auditLines.count == 1 && log.auditLines[0].contains("result=unsettled sent=true"))
        #expect(try await qa.actionRequests().count == 1)
    }

    @Test func theCLIWaitsTheFlowsOneSettleTimeoutByDefault() throws {
        let options = try ConnectorActionOptions.parse(["orders"])
        #expect(options.wait == WriteFlow.defaultSettleTimeout)
    }
}

/// The terminal UI's Connect service comes from the factory: it must log through the app's logger.
/// (Settling is the write flow's, with its one timeout, in the UI and the CLI alike.)
@Suite(.timeLimit(.minutes(2))) struct ConnectServiceFactoryTests {
    @Test func theUIsConnectServiceLogsThroughTheAppLogger() async throws {
        let qa = try await ConnectSimulator.start(name: "QA")
        defer { qa.stop() }
        let log = RecordingLog()
        let settings = KafscopeSettings(connect: [ConnectClusterSettings(name: "QA", url: qa.url)])
        let opened = try LiveServiceFactory().connect(settings, logger: log.logger)
        let service = try #require(opened.service as? KafkaConnectService)
        #expect(service.endpoints.map(\.name) == ["QA"])
        try await opened.service.perform(.pause, cluster: "QA", connector: "orders-source")
        await opened.close()
        #expect(log.lines.contains("connect QA: pause orders-source"), "\(log.lines)")
    }
}
