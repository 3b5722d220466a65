import ArgumentParser
import ClusterModel
import Foundation
import KafscopeConfig
import Logging
import SchemaRegistry

/// Builds the Schema Registry client from `--schema-registry URL` over the context's
/// `[contexts.NAME.schema_registry]` (credentials, TLS files and timeout stay the context's).
enum SchemaRegistrySetup {
    static func settings(_ global: GlobalOptions, _ resolved: KafscopeSettings) -> SchemaRegistrySettings? {
        if let url = global.schemaRegistry?.trimmingCharacters(in: .whitespaces), !url.isEmpty {
            var s = resolved.schemaRegistry ?? SchemaRegistrySettings(url: url)
            s.url = url
            return s.movingCredentialsOutOfURL()
        }
        return resolved.schemaRegistry
    }

    static func endpoint(_ s: SchemaRegistrySettings) throws -> RegistryEndpoint {
        do {
            return try RegistryEndpoint(url: s.url, username: s.username, password: s.password?.reveal(),
                                        bearerToken: s.token?.reveal(), caFile: s.caFile, certFile: s.certFile,
                                        keyFile: s.keyFile, timeout: .milliseconds(Int64((s.timeoutSeconds ?? 10) * 1000)))
        } catch let e as RegistryError {
            throw ValidationError(e.message)
        }
    }

    static func client(_ global: GlobalOptions, _ resolved: KafscopeSettings, logger: Logger) throws -> SchemaRegistryClient? {
        // resolveSettings() already applied --schema-registry; a jump host's forwarder carries it.
        guard let s = resolved.schemaRegistry else { return nil }
        do {
            let proxy = try SSHJump.socksProxy(resolved)
            return try SchemaRegistryClient(endpoint: try endpoint(s), logger: logger, socksProxy: proxy.map { ($0.host, $0.port) },
                                            proxyFailure: SSHJump.farSideFailure(through: proxy))
        } catch let e as RegistryError {
            throw CommandFailure(e.message)
        }
    }

    /// The browser's registry pieces: the `:schemas` service and the tail decoder (nil without a registry).
    static func browser(_ resolved: KafscopeSettings, logger: Logger) throws -> (schemas: (any SchemaRegistryService)?, decoder: RecordDecoder?, close: @Sendable () async -> Void) {
        guard let s = resolved.schemaRegistry else { return (nil, nil, {}) }
        let client: SchemaRegistryClient
        do {
            let proxy = try SSHJump.socksProxy(resolved)
            client = try SchemaRegistryClient(endpoint: try endpoint(s), logger: logger, socksProxy: proxy.map { ($0.host, $0.port) },
                                              proxyFailure: SSHJump.farSideFailure(through: proxy))
        } catch let e as RegistryError {
            throw CommandFailure(e.message)
        }
        let decoder = RecordDecoder(cache: SchemaCache(client: client, namesSubjects: true))
        return (SchemaRegistryBrowserService(client: client), decoder, { await client.shutdown() })
    }

    static func requireClient(_ global: GlobalOptions, _ resolved: KafscopeSettings, logger: Logger) throws -> SchemaRegistryClient {
        guard let c = try client(global, resolved, logger: logger) else {
            throw CommandFailure("no Schema Registry given: pass --schema-registry URL or add [contexts.NAME.schema_registry] to "
                + (resolved.configFile ?? SettingsResolver.defaultConfigPathHint))
        }
        return c
    }
}
