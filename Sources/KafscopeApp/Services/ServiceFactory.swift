import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
import KafkaConnect
import KafscopeConfig
import LagHealth
import Logging
import WriteFlow

/// A service plus how to release what it holds (connections, event loops).
public struct OpenedService<Service: Sendable>: Sendable {
    public let service: Service
    public let close: @Sendable () async -> Void

    public init(_ service: Service, close: @escaping @Sendable () async -> Void = {}) {
        self.service = service
        self.close = close
    }
}

/// Builds concrete services from settings. Commands depend only on this and the ClusterModel
/// protocols, so tests run every command against fixture services.
public protocol ServiceFactory: Sendable {
    func cluster(_ settings: KafscopeSettings, logger: Logger) throws -> OpenedService<any ClusterService>
    func connect(_ settings: KafscopeSettings, logger: Logger) throws -> OpenedService<any ConnectService>
    /// nil when this build has no tail service.
    func tail(_ settings: KafscopeSettings, logger: Logger) -> OpenedService<any TailService>?
    /// The terminal UI's producer (the composer); nil when this build has none.
    func produce(_ settings: KafscopeSettings, logger: Logger) -> OpenedService<any ProduceService>?
}

extension ServiceFactory {
    public func tail(_ settings: KafscopeSettings, logger: Logger) -> OpenedService<any TailService>? { nil }
    public func produce(_ settings: KafscopeSettings, logger: Logger) -> OpenedService<any ProduceService>? { nil }
}

/// The real thing: KafkaClient + KafkaAdminService, KafkaConnectService.
public struct LiveServiceFactory: ServiceFactory {
    public init() {}

    public func cluster(_ settings: KafscopeSettings, logger: Logger) throws -> OpenedService<any ClusterService> {
        _ = try settings.requireBootstrap()
        let config = try KafkaClientSettings.clientConfig(from: settings)
        let client = KafkaClient(config: config, logger: logger)
        let service = KafkaAdminService(client: client, knownGroups: settings.knownGroups, logger: logger,
                                        lagRules: settings.lagThresholds.rules)
        return OpenedService(service) {
            // For scripts/bench: how many requests of each API went to each broker.
            if ProcessInfo.processInfo.environment["KAFSCOPE_REQUEST_STATS"] == "1",
               let json = try? JSONEncoder().encode(client.counterSnapshot()),
               let text = String(data: json, encoding: .utf8) {
                StandardStreams.err("requests per broker: \(text)\n")
            }
            await client.shutdown()
        }
    }

    public func connect(_ settings: KafscopeSettings, logger: Logger) throws -> OpenedService<any ConnectService> {
        let endpoints = try settings.requireConnect().map { try ConnectorCLI.endpoint(from: $0) }
        let proxy = try SSHJump.socksProxy(settings)
        let service = try KafkaConnectService(endpoints: endpoints, logger: logger, socksProxy: proxy.map { ($0.host, $0.port) },
                                              proxyFailure: SSHJump.farSideFailure(through: proxy))
        return OpenedService(service) { await service.shutdown() }
    }

    /// Its own client, so tail long polls and their connections never queue behind admin reads.
    public func tail(_ settings: KafscopeSettings, logger: Logger) -> OpenedService<any TailService>? {
        guard !settings.bootstrap.isEmpty, let config = try? KafkaClientSettings.clientConfig(from: settings) else {
            return nil
        }
        let client = KafkaClient(config: config, logger: logger)
        return OpenedService(KafkaTailService(client: client, logger: logger)) { await client.shutdown() }
    }

    public func produce(_ settings: KafscopeSettings, logger: Logger) -> OpenedService<any ProduceService>? {
        guard !settings.bootstrap.isEmpty, let config = try? KafkaClientSettings.clientConfig(from: settings) else {
            return nil
        }
        let client = KafkaClient(config: config, logger: logger)
        let service = ComposerProduceService(client: client, logger: logger)
        return OpenedService(service) {
            await service.close()
            await client.shutdown()
        }
    }
}

/// Where command output goes; tests substitute a recorder.
/// `out`/`err` are for people: KafscopeMain wraps the console in `TerminalSafeConsole`, so
/// control characters in what they print are escaped. `outRaw` is for bytes the user asked for
/// unchanged (`tail --raw`).
public protocol CommandConsole: Sendable {
    func out(_ text: String)
    func err(_ text: String)
    func outRaw(_ bytes: [UInt8])
}

extension CommandConsole {
    public func outRaw(_ bytes: [UInt8]) { out(String(decoding: bytes, as: UTF8.self)) }
}

public struct StandardCommandConsole: CommandConsole {
    public init() {}
    public func out(_ text: String) { StandardStreams.out(text) }
    public func err(_ text: String) { StandardStreams.err(text) }
    public func outRaw(_ bytes: [UInt8]) { StandardStreams.outRaw(bytes) }
}

/// Everything a command reaches outside itself, swappable per task for tests.
public enum AppEnvironment {
    @TaskLocal public static var factory: any ServiceFactory = LiveServiceFactory()
    @TaskLocal public static var console: any CommandConsole = StandardCommandConsole()
    @TaskLocal public static var configEnvironment: ConfigEnvironment = .process
    /// nil = the log file (see AppLogging).
    @TaskLocal public static var logger: Logger? = nil

    static func currentLogger() -> Logger { logger ?? AppLogging.makeLogger() }
}

extension LagThresholds {
    /// The rules with this context's overrides.
    var rules: LagRules {
        let d = LagRules()
        return LagRules(window: window ?? d.window, stalledAfter: stalledAfter ?? d.stalledAfter,
                        stoppedAfter: stoppedAfter ?? d.stoppedAfter, minimumSpan: d.minimumSpan)
    }
}
