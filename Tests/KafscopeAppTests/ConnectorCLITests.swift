import ClusterModel
import Foundation
import KafkaConnect
import KafkaTestSupport
import KafscopeConfig
import Testing
@testable import KafscopeApp

/// Captures what a Connect command prints and answers its questions.
final class RecordingConsole: ConnectCLIConsole, @unchecked Sendable {
    private let lock = NSLock()
    private var _out: [String] = []
    private var _err: [String] = []
    private var _asked: [String] = []
    let canPrompt: Bool
    let answer: String?

    init(canPrompt: Bool = false, answer: String? = nil) {
        self.canPrompt = canPrompt
        self.answer = answer
    }

    func out(_ text: String) { lock.withLock { _out.append(text) } }
    func err(_ text: String) { lock.withLock { _err.append(text) } }
    func ask(_ question: String) -> String? { lock.withLock { _asked.append(question) }; return answer }
    var stdout: String { lock.withLock { _out.joined(separator: "\n") } }
    var stderr: String { lock.withLock { _err.joined(separator: "\n") } }
    var asked: [String] { lock.withLock { _asked } }
}

let fastRetry = ConnectRetryPolicy(attempts: 3, initialDelay: .milliseconds(20), maxDelay: .milliseconds(50))

func sampleListing() -> ConnectorListing {
    ConnectorListing(
        clusters: [ConnectClusterInfo(name: "QA", url: "http://127.0.0.1:8083", version: "3.7.0"),
                   ConnectClusterInfo(name: "ARG", url: "http://127.0.0.1:8085", error: "Connect cluster ARG (http://127.0.0.1:8085) is unreachable: connection refused (is a worker listening there?)")],
        connectors: [
            ConnectorStatus(connect: "QA", name: "orders-jdbc-sink", type: "sink", state: "RUNNING", workerId: "10.0.0.6:8083", tasks: [
                ConnectTaskStatus(id: 0, state: "RUNNING", workerId: "10.0.0.5:8083"),
                ConnectTaskStatus(id: 1, state: "FAILED", workerId: "10.0.0.6:8083", trace: "java.lang.Oops: \"db\"\n\tat X.y(X.java:1)"),
            ]),
            ConnectorStatus(connect: "QA", name: "payments", type: "source", state: "PAUSED", workerId: "10.0.0.5:8083", tasks: [
                ConnectTaskStatus(id: 0, state: "PAUSED", workerId: "10.0.0.5:8083"),
            ]),
        ],
        errors: [SourceError(source: "ARG", message: "Connect cluster ARG (http://127.0.0.1:8085) is unreachable: connection refused (is a worker listening there?)")])
}

@Suite struct ConnectorFormatTests {
    @Test func table() {
        let text = ConnectorFormat.connectorsTable(sampleListing())
        #expect(text == """
        CONNECT  NAME              TYPE    STATE     TASKS  FAILED  WORKER
        QA       orders-jdbc-sink  sink    RUNNING!    1/2       1  10.0.0.6:8083
        QA       payments          source  PAUSED      0/1       0  10.0.0.5:8083

        """)
    }

    @Test func json() throws {
        let text = ConnectorFormat.connectorsJSON(sampleListing())
        #expect(text.hasPrefix(#"[{"connect":"QA","name":"orders-jdbc-sink","type":"sink","state":"RUNNING","worker_id":"10.0.0.6:8083","trace":null,"tasks":[{"id":0,"state":"RUNNING","worker_id":"10.0.0.5:8083","trace":null},{"id":1,"state":"FAILED","worker_id":"10.0.0.6:8083","trace":"java.lang.Oops: \"db\"\n\tat X.y(X.java:1)"}]}"#))
        // Valid JSON with the documented fields.
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        #expect(parsed.count == 2)
        #expect(Set(parsed[0].keys).isSuperset(of: ["connect", "name", "type", "state", "worker_id", "tasks"]))
        let errors = ConnectorFormat.errorsJSON(sampleListing().errors)
        let e = try #require(try JSONSerialization.jsonObject(with: Data(errors.utf8)) as? [String: [[String: String]]])
        #expect(e["errors"]?.first?["source"] == "ARG")
    }

    @Test func describeMasksSecretsAndShowsTraces() {
        let listing = sampleListing()
        let detail = ConnectorDetail(status: listing.connectors[0], config: [
            "connection.password": "hunter2", "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "connection.url": "jdbc:postgresql://db:5432/x", "name": "orders-jdbc-sink",
        ], topics: ["shop.orders"])
        let text = ConnectorFormat.describeText(detail, cluster: listing.clusters[0])
        #expect(text == """
        Connector  orders-jdbc-sink
        Connect    QA (http://127.0.0.1:8083, Kafka Connect 3.7.0)
        Type       sink
        State      RUNNING on 10.0.0.6:8083
        Tasks      1/2 running, 1 failed
        Topics     shop.orders

        CONFIG
          connection.password  ********
          connection.url       jdbc:postgresql://db:5432/x
          key.converter        org.apache.kafka.connect.storage.StringConverter
          name                 orders-jdbc-sink

        TASKS
          ID  STATE    WORKER
           0  RUNNING  10.0.0.5:8083
           1  FAILED   10.0.0.6:8083

        TASK 1 TRACE
          java.lang.Oops: "db"
          \tat X.y(X.java:1)
        """)
        let json = ConnectorFormat.describeJSON(detail, cluster: listing.clusters[0])
        #expect(json.contains(#""connection.password":"********""#))
        #expect(!json.contains("hunter2") && !text.contains("hunter2"))
    }
}

@Suite(.timeLimit(.minutes(2))) struct ConnectorCLISimTests {
    func settings(_ sims: [ConnectSimulator], extra: [ConnectEndpoint] = [], selectors: [String] = [], readOnly: Bool = false,
                  json: Bool = false) -> ConnectCLISettings {
        ConnectCLISettings(endpoints: sims.map { ConnectEndpoint(name: $0.name, url: $0.url) } + extra,
                           selectors: selectors, readOnly: readOnly, json: json)
    }

    @Test func getConnectorsAcrossClustersWithOneDown() async throws {
        let qa = try await ConnectSimulator.start(name: "QA")
        defer { qa.stop() }
        let dev = try await ConnectSimulator.start(name: "DEV", version: "3.4.0")
        defer { dev.stop() }
        let down = ConnectEndpoint(name: "ARGENTINA", url: try ConnectSimulator.closedPortURL())
        let console = RecordingConsole()
        let code = await ConnectorCLI.getConnectors(settings: settings([qa, dev], extra: [down], json: true), console: console, retry: fastRetry)
        #expect(code == 0, "other clusters answered")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(console.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 8)
        #expect(Set(rows.compactMap { $0["connect"] as? String }) == ["QA", "DEV"])
        #expect(console.stderr.contains(#""source":"ARGENTINA""#) && console.stderr.contains(down.url))

        let onlyDown = RecordingConsole()
        #expect(await ConnectorCLI.getConnectors(settings: settings([], extra: [down]), console: onlyDown, retry: fastRetry) == 1)
        #expect(onlyDown.stderr.contains("ARGENTINA") && onlyDown.stderr.contains("unreachable"))
    }

    @Test func describeFindsTheClusterAndMasks() async throws {
        let qa = try await ConnectSimulator.start(name: "QA")
        defer { qa.stop() }
        let console = RecordingConsole()
        let code = await ConnectorCLI.describeConnector(name: "orders-source", settings: settings([qa]), console: console, retry: fastRetry)
        #expect(code == 0, "\(console.stderr)")
        #expect(console.stdout.contains("connection.password") && !console.stdout.contains("s3cr3t-pw"))
        #expect(console.stdout.contains("org.apache.kafka.connect.storage.StringConverter"))
        let missing = RecordingConsole()
        #expect(await ConnectorCLI.describeConnector(name: "nope", settings: settings([qa]), console: missing, retry: fastRetry) == 1)
        #expect(missing.stderr.contains("nope") && missing.stderr.contains("not found"))
    }

    @Test func actionWithoutTTYOrYesIsRefusedAndSendsNothing() async throws {
        let qa = try await ConnectSimulator.start(name: "QA")
        defer { qa.stop() }
        let console = RecordingConsole(canPrompt: false)
        let code = await ConnectorCLI.act(.pause, name: "orders-source", settings: settings([qa]), yes: false, console: console, retry: fastRetry)
        #expect(code == 1)
        #expect(console.stderr.contains("--yes") && console.stderr.contains("orders-source") && console.stderr.contains("QA"))
        #expect(try await qa.actionRequests().isEmpty)
    }

    @Test func readOnlyRefusesBeforeAnyRequest() async throws {
        let qa = try await ConnectSimulator.start(name: "QA")
        defer { qa.stop() }
        let console = RecordingConsole(canPrompt: true, answer: "y")
        let code = await ConnectorCLI.act(.stop, name: "orders-source", settings: settings([qa], readOnly: true), yes: true, console: console)
        #expect(code == 1 && console.stderr.contains("read-only"))
        #expect(try await qa.requests().isEmpty)
    }

    @Test func confirmationNamesClusterAndConnector() async throws {
        let qa = try await ConnectSimulator.start(name: "QA")
        defer { qa.stop() }
        let no = RecordingConsole(canPrompt: true, answer: "n")
        #expect(await ConnectorCLI.act(.pause, name: "orders-source", settings: settings([qa]), yes: false, console: no, retry: fastRetry) == 1)
        #expect(no.asked.count == 1)
        #expect(no.asked.first?.hasPrefix("Pause connector orders-source on Connect cluster QA?") == true)
        #expect(try await qa.actionRequests().isEmpty)

        let yes = RecordingConsole(canPrompt: true, answer: "yes")
        let code = await ConnectorCLI.act(.pause, name: "orders-source", settings: settings([qa]), yes: false, console: yes,
                                          settleTimeout: .seconds(5), pollInterval: .milliseconds(50), retry: fastRetry)
        #expect(code == 0, "\(yes.stderr)")
        #expect(yes.stdout.contains("QA/orders-source: pause accepted (HTTP 202)"))
        #expect(yes.stdout.contains("connector RUNNING → PAUSED"))
        #expect(try await qa.actionRequests().map { "\($0.method) \($0.path)" } == ["PUT /connectors/orders-source/pause"])
    }

    @Test func restartFailedTasksAcrossClustersPicksTheOneSelected() async throws {
        let qa = try await ConnectSimulator.start(name: "QA")
        defer { qa.stop() }
        let dev = try await ConnectSimulator.start(name: "DEV")
        defer { dev.stop() }
        let ambiguous = RecordingConsole()
        #expect(await ConnectorCLI.act(.restart(includeTasks: true, onlyFailed: true), name: "orders-jdbc-sink",
                                       settings: settings([qa, dev]), yes: true, console: ambiguous, retry: fastRetry) == 2)
        #expect(ambiguous.stderr.contains("QA, DEV") || ambiguous.stderr.contains("DEV, QA"))

        let console = RecordingConsole()
        let code = await ConnectorCLI.act(.restart(includeTasks: true, onlyFailed: true), name: "orders-jdbc-sink",
                                          settings: settings([qa, dev], selectors: ["DEV"]), yes: true, console: console,
                                          settleTimeout: .seconds(5), pollInterval: .milliseconds(50), retry: fastRetry)
        #expect(code == 0, "\(console.stderr)")
        #expect(console.stdout.contains("task 1 FAILED → RUNNING"))
        let sent = try await dev.actionRequests()
        #expect(sent.map { "\($0.method) \($0.path)?\($0.raw_query)" } == ["POST /connectors/orders-jdbc-sink/restart?includeTasks=true&onlyFailed=true"])
        #expect(try await qa.actionRequests().isEmpty)
    }

    @Test func stopOnOldWorkerSaysWhy() async throws {
        let old = try await ConnectSimulator.start(name: "OLD", version: "3.4.0")
        defer { old.stop() }
        let console = RecordingConsole()
        #expect(await ConnectorCLI.act(.stop, name: "orders-source", settings: settings([old]), yes: true, console: console) == 1)
        #expect(console.stderr.contains("3.5") && console.stderr.contains("3.4.0"))
        #expect(try await old.actionRequests().isEmpty)
    }
}

@Suite struct ConnectorSettingsTests {
    @Test func configFileClusterBecomesAnEndpoint() throws {
        let s = ConnectClusterSettings(name: "DEV", url: "https://dev:8084/", username: "ops", password: Secret("pw"),
                                       caFile: "/etc/ca.pem", certFile: "/c.pem", keyFile: "/k.pem", insecureSkipVerify: true)
        let e = try ConnectorCLI.endpoint(from: s)
        #expect(e.name == "DEV" && e.url == "https://dev:8084" && e.username == "ops" && e.password == "pw")
        #expect(e.caFile == "/etc/ca.pem" && e.certFile == "/c.pem" && e.keyFile == "/k.pem" && e.insecureSkipVerify)
    }

    @Test func selectorsPickConfiguredClusters() throws {
        let qa = ConnectEndpoint(name: "QA", url: "http://127.0.0.1:1")
        let dev = ConnectEndpoint(name: "DEV", url: "http://127.0.0.1:2")
        #expect(try ConnectCLISettings(endpoints: [qa, dev]).selectedEndpoints().map(\.name) == ["QA", "DEV"])
        #expect(try ConnectCLISettings(endpoints: [qa, dev], selectors: ["DEV"]).selectedEndpoints().map(\.name) == ["DEV"])
        #expect(throws: (any Error).self) { try ConnectCLISettings(endpoints: [qa], selectors: ["ARG"]).selectedEndpoints() }
        #expect(throws: (any Error).self) { try ConnectCLISettings(endpoints: []).selectedEndpoints() }
    }
}
