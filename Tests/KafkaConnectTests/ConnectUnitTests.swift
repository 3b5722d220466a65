import ClusterModel
import Testing
@testable import KafkaConnect

@Suite struct ConnectEndpointTests {
    @Test func namedURL() throws {
        let e = try ConnectEndpoint.parse("QA=http://127.0.0.1:8083/")
        #expect(e.name == "QA")
        #expect(e.url == "http://127.0.0.1:8083")
        #expect(e.username == nil && e.password == nil)
        #expect(!e.isHTTPS)
    }

    @Test func unnamedURLIsCalledByHostPort() throws {
        let e = try ConnectEndpoint.parse("https://connect.internal:8443/kafka-connect")
        #expect(e.name == "connect.internal:8443")
        #expect(e.url == "https://connect.internal:8443/kafka-connect")
        #expect(e.isHTTPS)
    }

    @Test func credentialsLeaveTheURL() throws {
        let e = try ConnectEndpoint.parse("DEV=http://ops%40corp:p%3Ass@dev:8084")
        #expect(e.url == "http://dev:8084")
        #expect(e.username == "ops@corp")
        #expect(e.password == "p:ss")
    }

    @Test func badValuesAreRejectedWithoutEchoingPasswords() {
        #expect(throws: ConnectConfigError.self) { try ConnectEndpoint.parse("QA=ftp://x:8083") }
        #expect(throws: ConnectConfigError.self) { try ConnectEndpoint.parse("=http://x:8083") }
        #expect(throws: ConnectConfigError.self) { try ConnectEndpoint.parse("QA=x:8083") }
        do {
            _ = try ConnectEndpoint.parse("QA=gopher://user:hunter2@x:8083")
            Issue.record("expected a failure")
        } catch let e as ConnectConfigError {
            #expect(!e.message.contains("hunter2"))
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func duplicateNamesAreRejected() throws {
        let a = try ConnectEndpoint.parse("QA=http://127.0.0.1:1")
        #expect(throws: ConnectConfigError.self) { try KafkaConnectService(endpoints: [a, a]) }
    }
}

@Suite struct ConnectVersionTests {
    @Test func parsesAndCompares() throws {
        let v = try #require(ConnectVersion("3.4.1"))
        #expect(v < ConnectVersion(major: 3, minor: 5))
        #expect(try #require(ConnectVersion("3.9.0-SNAPSHOT")) == ConnectVersion(major: 3, minor: 9))
        #expect(ConnectVersion("garbage") == nil)
        #expect(try #require(ConnectVersion("7.6.1-ccs")).apacheKafkaEquivalent == ConnectVersion(major: 3, minor: 6, patch: 1))
    }

    @Test func gatesActions() throws {
        let old = try #require(ConnectVersion("3.4.0"))
        #expect(old.unsupportedReason(.stop, cluster: "QA")?.contains("3.5") == true)
        #expect(old.unsupportedReason(.stop, cluster: "QA")?.contains("QA runs 3.4.0") == true)
        #expect(old.unsupportedReason(.restart(includeTasks: true, onlyFailed: false), cluster: "QA") == nil)
        let older = try #require(ConnectVersion("2.8.2"))
        #expect(older.unsupportedReason(.restart(includeTasks: true, onlyFailed: false), cluster: "Q")?.contains("3.0") == true)
        #expect(older.unsupportedReason(.restart(includeTasks: false, onlyFailed: true), cluster: "Q") != nil)
        #expect(older.unsupportedReason(.restart(includeTasks: false, onlyFailed: false), cluster: "Q") == nil)
        #expect(older.unsupportedReason(.pause, cluster: "Q") == nil)
        #expect(try #require(ConnectVersion("7.5.0-ccs")).unsupportedReason(.stop, cluster: "Q") == nil)
        #expect(try #require(ConnectVersion("3.5.0")).unsupportedReason(.stop, cluster: "Q") == nil)
    }

    @Test func retryBackoffIsBounded() {
        let p = ConnectRetryPolicy(attempts: 6, initialDelay: .milliseconds(100), maxDelay: .milliseconds(350))
        #expect(p.delay(afterAttempt: 1) == .milliseconds(100))
        #expect(p.delay(afterAttempt: 2) == .milliseconds(200))
        #expect(p.delay(afterAttempt: 3) == .milliseconds(350))
        #expect(p.delay(afterAttempt: 5) == .milliseconds(350))
    }
}

@Suite struct ConnectMaskingTests {
    @Test(arguments: [
        "connection.password", "ssl.truststore.password", "aws.secret.access.key", "ssl.keystore.key",
        "sasl.jaas.config", "database.password", "basic.auth.user.info", "value.converter.basic.auth.user.info",
        "api.key", "azure.storage.account.key", "gcs.credentials.json", "oauth.token", "ssl.key.password",
        "client.secret", "private.key", "apiKey", "clientSecret", "hec.token", "access.key",
        "consumer.override.sasl.jaas.config", "ssl.keystore.certificate.chain.password",
    ])
    func secretKeys(_ key: String) {
        #expect(ConnectConfigMasking.isSecret(key: key), "\(key) should be masked")
        #expect(ConnectConfigMasking.display(key: key, value: "abc") == ConnectConfigMasking.mask)
    }

    @Test(arguments: [
        "key.converter", "key.converter.schemas.enable", "key.ignore", "value.converter", "connector.class", "tasks.max",
        "topics", "transforms.unwrap.type", "message.key.columns", "pk.fields", "key.converter.schema.registry.url",
        "aws.access.key.id", "s3.bucket.name", "keystore.type", "ssl.keystore.type", "ssl.keystore.location",
        "primary.key.mode", "errors.tolerance", "topic.prefix", "name",
    ])
    func plainKeys(_ key: String) {
        #expect(!ConnectConfigMasking.isSecret(key: key), "\(key) should stay visible")
        #expect(ConnectConfigMasking.display(key: key, value: "v1") == "v1")
    }

    @Test func urlPasswordsAndProviderReferences() {
        #expect(ConnectConfigMasking.display(key: "connection.uri", value: "mongodb://app:pw123@mongo:27017/db")
                == "mongodb://app:********@mongo:27017/db")
        #expect(ConnectConfigMasking.display(key: "connection.url", value: "jdbc:postgresql://db:5432/x") == "jdbc:postgresql://db:5432/x")
        #expect(ConnectConfigMasking.display(key: "connection.password", value: "${file:/etc/secrets.properties:pw}")
                == "${file:/etc/secrets.properties:pw}")
    }

    @Test func tokens() {
        #expect(ConnectConfigMasking.tokens(of: "sasl.jaas.config") == ["sasl", "jaas", "config"])
        #expect(ConnectConfigMasking.tokens(of: "clientSecret") == ["client", "secret"])
        #expect(ConnectConfigMasking.tokens(of: "ssl_key-password") == ["ssl", "key", "password"])
    }
}

@Suite struct ConnectSettleTests {
    func status(_ state: String, _ tasks: [String]) -> ConnectorStatus {
        ConnectorStatus(connect: "QA", name: "c", type: "sink", state: state, workerId: "w",
                        tasks: tasks.enumerated().map { ConnectTaskStatus(id: $0.offset, state: $0.element, workerId: "w") })
    }

    @Test func settleRules() {
        #expect(!ConnectAction.pause.isSettled(status("RUNNING", ["RUNNING"])))
        #expect(!ConnectAction.pause.isSettled(status("PAUSED", ["RUNNING"])))
        #expect(ConnectAction.pause.isSettled(status("PAUSED", ["PAUSED", "FAILED"])))
        #expect(ConnectAction.resume.isSettled(status("RUNNING", ["RUNNING"])))
        #expect(!ConnectAction.resume.isSettled(status("RUNNING", ["PAUSED"])))
        #expect(ConnectAction.stop.isSettled(status("STOPPED", [])))
        #expect(!ConnectAction.restart(includeTasks: true, onlyFailed: true).isSettled(status("RUNNING", ["RUNNING", "RESTARTING"])))
        #expect(!ConnectAction.restart(includeTasks: true, onlyFailed: true).isSettled(status("RUNNING", ["FAILED"])))
        #expect(ConnectAction.restart(includeTasks: true, onlyFailed: true).isSettled(status("RUNNING", ["RUNNING"])))
        #expect(ConnectAction.restart(includeTasks: false, onlyFailed: false).isSettled(status("RUNNING", ["FAILED"])))
        #expect(!ConnectAction.restartTask(1).isSettled(status("RUNNING", ["RUNNING", "FAILED"])))
        #expect(ConnectAction.restartTask(1).isSettled(status("RUNNING", ["FAILED", "RUNNING"])))
    }

    @Test func transitionWording() {
        let before = status("RUNNING", ["RUNNING", "FAILED"])
        let after = status("PAUSED", ["PAUSED", "FAILED"])
        #expect(ConnectTransition.describe(before: before, after: after) == "connector RUNNING → PAUSED; task 0 RUNNING → PAUSED")
        #expect(ConnectTransition.describe(before: after, after: after) == "no change (PAUSED)")
        #expect(ConnectTransition.describe(before: before, after: status("STOPPED", [])) ==
                "connector RUNNING → STOPPED; task 0 RUNNING → removed; task 1 FAILED → removed")
        #expect(ConnectTransition.summary(before) == "RUNNING, tasks 1/2 running, 1 failed")
    }
}
