import ClusterModel
import Foundation
import KafkaTestSupport
import Testing
@testable import KafkaConnect

/// Fast retries so the 409 tests take well under a second.
let quickRetry = ConnectRetryPolicy(attempts: 4, initialDelay: .milliseconds(20), maxDelay: .milliseconds(80))

/// Starts simulators, runs `body`, stops them and the service whatever happens.
func withSims<T>(_ specs: [(name: String, version: String)], extraArguments: [String] = [], stateDelayMs: Int = 150,
                 closed: [String] = [], endpoint: (ConnectSimulator) -> ConnectEndpoint = { ConnectEndpoint(name: $0.name, url: $0.url) },
                 _ body: ([String: ConnectSimulator], KafkaConnectService) async throws -> T) async throws -> T {
    var sims: [String: ConnectSimulator] = [:]
    defer { for s in sims.values { s.stop() } }
    var endpoints: [ConnectEndpoint] = []
    for spec in specs {
        let sim = try await ConnectSimulator.start(name: spec.name, version: spec.version, stateDelayMs: stateDelayMs,
                                                   extraArguments: extraArguments)
        sims[spec.name] = sim
        endpoints.append(endpoint(sim))
    }
    for name in closed {
        endpoints.append(ConnectEndpoint(name: name, url: try ConnectSimulator.closedPortURL(), requestTimeout: .seconds(3)))
    }
    let service = try KafkaConnectService(endpoints: endpoints, retry: quickRetry)
    do {
        let result = try await body(sims, service)
        await service.shutdown()
        return result
    } catch {
        await service.shutdown()
        throw error
    }
}

func expectNoForward(_ requests: [ConnectSimulator.Request]) {
    for r in requests { #expect(r.query["forward"] == nil, "forward= sent on \(r.method) \(r.path)") }
}

@Suite(.timeLimit(.minutes(2))) struct ConnectListingTests {
    @Test func listsEveryClusterAndKeepsOthersVisibleWhenOneIsDown() async throws {
        try await withSims([("QA", "3.7.0"), ("DEV", "3.4.0"), ("OLD", "2.2.1")], closed: ["ARGENTINA"]) { sims, service in
            let listing = await service.connectors()
            #expect(listing.clusters.map(\.name) == ["QA", "DEV", "OLD", "ARGENTINA"])
            #expect(listing.clusters[0].version == "3.7.0")
            #expect(listing.clusters[1].version == "3.4.0")
            #expect(listing.clusters[3].version == nil)
            let argentina = try #require(listing.clusters[3].error)
            #expect(argentina.contains("ARGENTINA") && argentina.contains("127.0.0.1:") && argentina.contains("unreachable"))
            #expect(listing.errors.count == 1)
            #expect(listing.errors.first?.source == "ARGENTINA")
            for cluster in ["QA", "DEV", "OLD"] {
                let names = listing.connectors.filter { $0.connect == cluster }.map(\.name)
                #expect(names == ["audit-legacy-sink", "orders-jdbc-sink", "orders-source", "payments-s3-sink"], "\(cluster)")
            }
            let sink = try #require(listing.connectors.first { $0.connect == "QA" && $0.name == "orders-jdbc-sink" })
            #expect(sink.type == "sink" && sink.state == "RUNNING" && sink.workerId == "10.0.0.6:8083")
            #expect(sink.tasks.map(\.state) == ["RUNNING", "FAILED", "RUNNING"])
            #expect(sink.failedTasks == 1)
            let trace = try #require(sink.tasks[1].trace)
            #expect(trace.hasPrefix("org.apache.kafka.connect.errors.ConnectException") && trace.contains("\n\tat "))
            #expect(sink.tasks[0].trace == nil)
            let failed = try #require(listing.connectors.first { $0.connect == "QA" && $0.name == "audit-legacy-sink" })
            #expect(failed.state == "FAILED" && failed.trace != nil && failed.tasks.isEmpty)
            // The pre-2.3 worker ignored expand: names first, then one status call per connector, same result.
            let oldSink = try #require(listing.connectors.first { $0.connect == "OLD" && $0.name == "orders-jdbc-sink" })
            #expect(oldSink.tasks == sink.tasks && oldSink.type == "sink")

            let qa = try await sims["QA"]!.requests()
            #expect(qa.contains { $0.method == "GET" && $0.path == "/" })
            let list = try #require(qa.first { $0.path == "/connectors" })
            #expect(list.raw_query == "expand=status&expand=info")
            #expect(!qa.contains { $0.path.hasSuffix("/status") }, "expanded listing needs no per-connector calls")
            let old = try await sims["OLD"]!.requests()
            #expect(Set(old.filter { $0.path.hasSuffix("/status") }.map(\.path)) == [
                "/connectors/audit-legacy-sink/status", "/connectors/orders-jdbc-sink/status",
                "/connectors/orders-source/status", "/connectors/payments-s3-sink/status",
            ])
            expectNoForward(qa + old)
        }
    }

    @Test func detailHasConfigTopicsAndTasks() async throws {
        try await withSims([("QA", "3.7.0")]) { _, service in
            let d = try await service.connector(cluster: "QA", name: "orders-source")
            #expect(d.status.type == "source")
            #expect(d.config["connection.password"] == "s3cr3t-pw", "the service returns raw config; views mask")
            #expect(d.config["tasks.max"] == "2")
            #expect(d.topics == ["shop.orders"])
            #expect(d.status.tasks.count == 2)
        }
    }

    @Test func missingConnectorIsA404Message() async throws {
        try await withSims([("QA", "3.7.0")]) { _, service in
            do {
                _ = try await service.connector(cluster: "QA", name: "nope")
                Issue.record("expected 404")
            } catch let e as ConnectError {
                #expect(e.kind == .connectorNotFound)
                #expect(e.message.contains("QA") && e.message.contains("nope") && e.message.contains("not found"))
                #expect(e.serverMessage == "Connector nope not found")
            }
        }
    }
}

@Suite(.timeLimit(.minutes(2))) struct ConnectActionTests {
    @Test func eachActionSendsExactlyTheDocumentedRequest() async throws {
        try await withSims([("QA", "3.7.0")]) { sims, service in
            let sim = sims["QA"]!
            let cases: [(ConnectAction, String, String, String, Int)] = [
                (.pause, "PUT", "/connectors/orders-source/pause", "", 202),
                (.resume, "PUT", "/connectors/orders-source/resume", "", 202),
                (.stop, "PUT", "/connectors/orders-source/stop", "", 204),
                (.restart(includeTasks: false, onlyFailed: false), "POST", "/connectors/orders-source/restart",
                 "includeTasks=false&onlyFailed=false", 204),
                (.restart(includeTasks: true, onlyFailed: false), "POST", "/connectors/orders-source/restart",
                 "includeTasks=true&onlyFailed=false", 202),
                (.restart(includeTasks: true, onlyFailed: true), "POST", "/connectors/orders-jdbc-sink/restart",
                 "includeTasks=true&onlyFailed=true", 202),
                (.restartTask(1), "POST", "/connectors/orders-jdbc-sink/tasks/1/restart", "", 204),
            ]
            for (action, method, path, query, status) in cases {
                try await sim.reset()
                let connector = path.split(separator: "/")[1]
                let result = try await service.performDetailed(action, cluster: "QA", connector: String(connector))
                #expect(result.httpStatus == status, "\(action)")
                #expect(result.attempts == 1)
                let sent = try await sim.actionRequests()
                #expect(sent.count == 1, "\(action): \(sent)")
                #expect(sent.first?.method == method && sent.first?.path == path && sent.first?.raw_query == query, "\(action): \(sent)")
                expectNoForward(sent)
            }
        }
    }

    @Test func restartOnlyFailedReportsRestartingThenSettles() async throws {
        try await withSims([("QA", "3.7.0")]) { _, service in
            let action = ConnectAction.restart(includeTasks: true, onlyFailed: true)
            let before = try await service.status(cluster: "QA", name: "orders-jdbc-sink")
            let result = try await service.performDetailed(action, cluster: "QA", connector: "orders-jdbc-sink")
            let reported = try #require(result.reportedState)
            #expect(reported.tasks.map(\.state) == ["RUNNING", "RESTARTING", "RUNNING"])
            #expect(reported.state == "RUNNING", "only failed instances restart")
            let s = try await service.awaitSettled(action, cluster: "QA", connector: "orders-jdbc-sink", before: before,
                                                   timeout: .seconds(60), interval: .milliseconds(50))
            #expect(s.settled)
            #expect(s.after.tasks.map(\.state) == ["RUNNING", "RUNNING", "RUNNING"])
            #expect(s.transition == "task 1 FAILED → RUNNING")
        }
    }

    @Test func pauseSettlesAsynchronously() async throws {
        try await withSims([("QA", "3.7.0")]) { sims, service in
            let sim = try #require(sims["QA"])
            // The simulated worker applies the pause only when the test releases it: no race with a delay.
            try await sim.hold()
            let before = try await service.status(cluster: "QA", name: "orders-source")
            _ = try await service.performDetailed(.pause, cluster: "QA", connector: "orders-source")
            let immediately = try await service.status(cluster: "QA", name: "orders-source")
            #expect(immediately.state == "RUNNING", "202 Accepted: the state changes later")
            try await sim.clearRequests()
            async let settled = service.awaitSettled(.pause, cluster: "QA", connector: "orders-source", before: before,
                                                     timeout: .seconds(120), interval: .milliseconds(50))
            // Release once the poller has asked at least twice and seen no change (events in the sim's log).
            let deadline = ContinuousClock.now + .seconds(60)
            while try await sim.requests().filter({ $0.method == "GET" && $0.path.hasSuffix("/status") }).count < 2,
                  ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await sim.release()
            let s = try await settled
            #expect(s.settled && s.after.state == "PAUSED")
            let polls = try await sim.requests().filter { $0.method == "GET" && $0.path.hasSuffix("/status") }.count
            #expect(polls >= 3, "polled until the state changed: \(polls) status requests")
            #expect(s.transition == "connector RUNNING → PAUSED; task 0 RUNNING → PAUSED; task 1 RUNNING → PAUSED")
        }
    }

    /// `perform` sends once and returns: settling is the write flow's job (one timeout for the UI
    /// and the CLI), so a worker that takes its time does not hold the caller.
    @Test func performSendsOnceWithoutWaitingForTheStateToChange() async throws {
        // The simulator applies the pause ten minutes after accepting it: far beyond this test.
        try await withSims([("QA", "3.7.0")], stateDelayMs: 600_000) { sims, service in
            try await service.perform(.pause, cluster: "QA", connector: "orders-source")
            let now = try await service.status(cluster: "QA", name: "orders-source")
            #expect(now.state == "RUNNING", "perform returned before the worker changed state")
            #expect(try await sims["QA"]!.actionRequests().map(\.path) == ["/connectors/orders-source/pause"])
        }
    }

    @Test func performThenAwaitSettledSeesTheEndState() async throws {
        try await withSims([("QA", "3.7.0")], stateDelayMs: 300) { sims, service in
            try await service.perform(.stop, cluster: "QA", connector: "orders-source")
            let s = try await service.awaitSettled(.stop, cluster: "QA", connector: "orders-source", before: nil,
                                                   timeout: .seconds(60))
            #expect(s.settled && s.after.state == "STOPPED" && s.after.tasks.isEmpty)
            #expect(try await sims["QA"]!.actionRequests().map(\.path) == ["/connectors/orders-source/stop"])
        }
    }

    @Test func detailCarriesTheWorkerVersion() async throws {
        try await withSims([("QA", "3.4.1")]) { _, service in
            let d = try await service.connector(cluster: "QA", name: "orders-source")
            #expect(d.workerVersion == "3.4.1")
        }
    }

    @Test func conflictIsRetriedThenSucceeds() async throws {
        try await withSims([("QA", "3.7.0")]) { sims, service in
            try await sims["QA"]!.inject409(count: 2, path: "/pause")
            let result = try await service.performDetailed(.pause, cluster: "QA", connector: "orders-source")
            #expect(result.attempts == 3 && result.httpStatus == 202)
            let sent = try await sims["QA"]!.actionRequests()
            #expect(sent.map(\.path) == Array(repeating: "/connectors/orders-source/pause", count: 3))
        }
    }

    @Test func persistentConflictGivesUpAndSaysSo() async throws {
        try await withSims([("QA", "3.7.0")]) { sims, service in
            try await sims["QA"]!.inject409(count: 100, path: "/restart")
            do {
                _ = try await service.performDetailed(.restart(includeTasks: false, onlyFailed: false), cluster: "QA", connector: "orders-source")
                Issue.record("expected a conflict")
            } catch let e as ConnectError {
                #expect(e.kind == .conflict(attempts: 4))
                #expect(e.message.contains("409") && e.message.contains("4 times") && e.message.contains("rebalance"))
                #expect(e.message.contains("Connect cluster QA"))
            }
            #expect(try await sims["QA"]!.actionRequests().count == 4, "bounded: exactly the policy's attempts")
        }
    }

    @Test func actionOnDeletedConnectorIs404() async throws {
        try await withSims([("QA", "3.7.0")]) { _, service in
            do {
                try await service.perform(.pause, cluster: "QA", connector: "gone-connector")
                Issue.record("expected 404")
            } catch let e as UserFacingError {
                #expect(e.message.contains("gone-connector") && e.message.contains("not found") && e.message.contains("QA"))
            }
        }
    }

    @Test func oldWorkersRefuseUnsupportedActionsWithoutSendingThem() async throws {
        try await withSims([("DEV", "3.4.0"), ("OLD", "2.8.2")]) { sims, service in
            let stopReason = await service.unsupportedReason(.stop, cluster: "DEV")
            #expect(stopReason?.contains("3.5") == true && stopReason?.contains("3.4.0") == true)
            #expect(await service.unsupportedReason(.pause, cluster: "DEV") == nil)
            do {
                _ = try await service.performDetailed(.stop, cluster: "DEV", connector: "orders-source")
                Issue.record("stop must be refused on 3.4")
            } catch let e as ConnectError {
                #expect(e.kind == .unsupported && e.message.contains("3.5"))
            }
            #expect(try await sims["DEV"]!.actionRequests().isEmpty)
            #expect(await service.unsupportedReason(.restart(includeTasks: true, onlyFailed: true), cluster: "OLD")?.contains("3.0") == true)
            #expect(await service.unsupportedReason(.restart(includeTasks: false, onlyFailed: false), cluster: "OLD") == nil)
        }
    }

    @Test func unreachableWorkerNamesClusterAndURLButNoCredentials() async throws {
        let url = try ConnectSimulator.closedPortURL()
        var e = try ConnectEndpoint.parse("ARGENTINA=\(url.replacingOccurrences(of: "http://", with: "http://admin:hunter2@"))")
        #expect(e.password == "hunter2")
        // Timeouts far beyond the suite's 2-minute limit: only the refusal itself can end the request,
        // and the message says which (not "timed out").
        e.requestTimeout = .seconds(600)
        e.connectTimeout = .seconds(600)
        let service = try KafkaConnectService(endpoints: [e], retry: quickRetry)
        do {
            try await service.perform(.pause, cluster: "ARGENTINA", connector: "x")
            Issue.record("expected unreachable")
        } catch let error as UserFacingError {
            #expect(error.message.contains("ARGENTINA") && error.message.contains(url) && error.message.contains("unreachable"))
            #expect(!error.message.contains("timed out"), "\(error.message)")
            #expect(!error.message.contains("hunter2") && !error.message.contains("admin"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        let listing = await service.connectors()
        #expect(listing.errors.count == 1)
        #expect(listing.errors.allSatisfy { !$0.message.contains("hunter2") && !$0.message.contains("timed out") })
        await service.shutdown()
    }

    @Test func slowWorkerTimesOut() async throws {
        try await withSims([("QA", "3.7.0")], endpoint: { ConnectEndpoint(name: $0.name, url: $0.url, requestTimeout: .milliseconds(400)) }) { sims, service in
            // The answer comes 60 s late against a 400 ms timeout: on a loaded machine an event loop
            // that waited more than a second saw the answer and the deadline at once and took the
            // answer (a 1.5 s answer failed this test under load average 10).
            try await sims["QA"]!.inject(status: 0, count: 1, path: "/status", sleepMs: 60_000)
            do {
                _ = try await service.status(cluster: "QA", name: "orders-source")
                Issue.record("expected a timeout")
            } catch let e as ConnectError {
                #expect(e.kind == .timeout && e.message.contains("timed out") && e.message.contains("QA"))
            }
        }
    }
}

@Suite(.timeLimit(.minutes(2))) struct ConnectAuthTests {
    @Test func basicAuthIsSentAndFailuresDoNotLeakThePassword() async throws {
        let password = "Sup3r-s3cret"
        try await withSims([("QA", "3.7.0")], extraArguments: ["--basic-auth", "ops:\(password)"],
                           endpoint: { ConnectEndpoint(name: $0.name, url: $0.url, username: "ops", password: password) }) { sims, service in
            let listing = await service.connectors()
            #expect(listing.errors.isEmpty)
            #expect(listing.connectors.count == 4)
            let requests = try await sims["QA"]!.requests()
            #expect(!requests.isEmpty && requests.allSatisfy { $0.auth_user == "ops" })

            let wrong = try KafkaConnectService(endpoints: [ConnectEndpoint(name: "QA", url: sims["QA"]!.url, username: "ops", password: "wrong-pw")])
            let bad = await wrong.connectors()
            await wrong.shutdown()
            let message = try #require(bad.errors.first?.message)
            #expect(message.contains("401") && message.contains("QA"))
            #expect(!message.contains("wrong-pw") && !message.contains(password))
        }
    }

    @Test func httpsWithCustomCA() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-connect-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cert = dir.appendingPathComponent("cert.pem").path
        let key = dir.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        openssl.standardError = FileHandle.nullDevice
        openssl.standardOutput = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl could not make a test certificate")

        let sim = try await ConnectSimulator.start(name: "TLS", extraArguments: ["--certfile", cert, "--keyfile", key])
        defer { sim.stop() }
        #expect(sim.url.hasPrefix("https://"))
        let trusted = try KafkaConnectService(endpoints: [ConnectEndpoint(name: "TLS", url: sim.url, caFile: cert)])
        let ok = await trusted.connectors()
        await trusted.shutdown()
        #expect(ok.errors.isEmpty, "\(ok.errors)")
        #expect(ok.connectors.count == 4)
        #expect(ok.clusters.first?.version == "3.7.0")

        let untrusted = try KafkaConnectService(endpoints: [ConnectEndpoint(name: "TLS", url: sim.url)])
        let bad = await untrusted.connectors()
        await untrusted.shutdown()
        let message = try #require(bad.errors.first?.message)
        #expect(message.contains("TLS") && message.contains(sim.url))

        do {
            let s = try KafkaConnectService(endpoints: [ConnectEndpoint(name: "TLS", url: sim.url, caFile: dir.appendingPathComponent("missing.pem").path)])
            await s.shutdown()
            Issue.record("a missing CA file must be refused")
        } catch let e as ConnectError {
            #expect(e.kind == .badConfiguration && e.message.contains("missing.pem"))
        }
    }
}
