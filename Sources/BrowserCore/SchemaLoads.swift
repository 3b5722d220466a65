import ClusterModel

/// The Schema Registry reads of `BrowserRuntime.perform`, kept apart so the runtime names them once.
enum SchemaLoads {
    static let notConfigured = "no Schema Registry is configured (--schema-registry URL or [contexts.NAME.schema_registry])"

    static func perform(_ request: LoadRequest, _ service: (any SchemaRegistryService)?) async -> LoadResult {
        func run<T>(_ f: () async throws -> T) async -> Result<T, LoadError> {
            guard service != nil else { return .failure(LoadError(notConfigured)) }
            do { return .success(try await f()) } catch { return .failure(LoadError(error)) }
        }
        switch request {
        case .subject(let name):
            return .subject(name: name, await run { try await service!.subject(named: name) })
        case .schema(let subject, let version):
            return .schema(subject: subject, version: version, await run { try await service!.schema(subject: subject, version: version) })
        default:
            return .subjects(await run { try await service!.subjects() })
        }
    }
}
