import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
import KafkaTestSupport
import Logging

/// Builds clients for tests against peers (loopback only).
enum TestClients {
    static func config(bootstrap: String, aliases: [String] = [], tls: TLSSettings? = nil, sasl: SASLSettings? = nil,
                       requestTimeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(5)) throws -> KafkaClientConfig {
        KafkaClientConfig(bootstrap: try HostAddress.parseList(bootstrap), aliases: try HostAliasMap(aliases), tls: tls,
                          sasl: sasl, clientId: "kafscope-test", connectTimeout: connectTimeout,
                          requestTimeout: requestTimeout, maxReconnectBackoff: .milliseconds(500))
    }

    static func client(_ config: KafkaClientConfig) -> KafkaClient {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return KafkaClient(config: config, logger: logger)
    }

    /// Aliases mapping each mock broker's advertised fake name to loopback.
    static func loopbackAliases(_ names: [String]) -> [String] { names.map { "\($0)=127.0.0.1" } }
}

/// Runs `body` with a started mock cluster and always stops it.
func withMockCluster(brokers: Int = 3, _ body: (MockCluster) async throws -> Void) async throws {
    let mock = try await MockCluster.start(brokers: brokers)
    do {
        try await body(mock)
        await mock.stop()
    } catch {
        await mock.stop()
        throw error
    }
}

/// Runs `body` with a client and always shuts it down.
func withClient(_ config: KafkaClientConfig, _ body: (KafkaClient) async throws -> Void) async throws {
    let client = TestClients.client(config)
    do {
        try await body(client)
        await client.shutdown()
    } catch {
        await client.shutdown()
        throw error
    }
}

/// Polls until `check` holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(60), _ check: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await check() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return false
}
