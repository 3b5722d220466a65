import ClusterModel
import Foundation
import SchemaRegistry

/// The `:schemas` screens' reads over the registry's REST client. Subjects' latest versions and
/// compatibility are read a few at a time; a subject that fails keeps its row with the reason.
public struct SchemaRegistryBrowserService: SchemaRegistryService {
    let client: SchemaRegistryClient
    /// Concurrent requests per listing: enough to hide latency, few enough to spare the registry.
    static let parallelism = 8

    public init(client: SchemaRegistryClient) {
        self.client = client
    }

    public var displayURL: String { client.endpoint.url }

    public func subjects() async throws -> Partial<[SubjectSummary]> {
        let names = try await client.subjects().sorted()
        let global = try? await client.globalCompatibility()
        let client = self.client
        let rows = await Self.bounded(names) { name -> SubjectSummary in
            do {
                let v = try await client.version(subject: name, version: "latest")
                let own = try? await client.compatibility(subject: name)
                return SubjectSummary(name: name, latestVersion: v.version, schemaID: v.id, type: v.type.rawValue,
                                      compatibility: (own ?? nil) ?? global, compatibilityIsGlobal: (own ?? nil) == nil)
            } catch {
                return SubjectSummary(name: name, compatibility: global, compatibilityIsGlobal: true, error: "\(error)")
            }
        }
        let failed = rows.filter { $0.error != nil }
        var errors: [SourceError] = []
        if let first = failed.first?.error {
            errors.append(SourceError(source: "schema registry",
                                      message: failed.count == 1 ? first : "\(failed.count) subjects could not be read: \(first)"))
        }
        return Partial(rows, errors: errors)
    }

    public func subject(named name: String) async throws -> SubjectDetail {
        let numbers = try await client.versions(subject: name)
        let client = self.client
        // A version that cannot be read is reported, not fatal: the others are still shown.
        let read = await Self.bounded(numbers) { n -> (SubjectSchema?, SourceError?) in
            do {
                return (Self.schema(try await client.version(subject: name, version: String(n))), nil)
            } catch {
                return (nil, SourceError(source: "version \(n)", message: "\(error)"))
            }
        }
        let own = try? await client.compatibility(subject: name)
        let compatibility: String?
        if let c = own ?? nil { compatibility = c } else { compatibility = try? await client.globalCompatibility() }
        return SubjectDetail(subject: name, versions: read.compactMap(\.0), compatibility: compatibility,
                             compatibilityIsGlobal: (own ?? nil) == nil, errors: read.compactMap(\.1))
    }

    public func schema(subject: String, version: Int) async throws -> SubjectSchema {
        Self.schema(try await client.version(subject: subject, version: String(version)))
    }

    static func schema(_ v: SubjectVersion) -> SubjectSchema {
        SubjectSchema(subject: v.subject, version: v.version, schemaID: v.id, type: v.type.rawValue, schema: v.schema,
                      references: v.references)
    }

    /// `body` over every item, at most `parallelism` at once, results in the items' order.
    static func bounded<T: Sendable, R: Sendable>(_ items: [T], _ body: @escaping @Sendable (T) async -> R) async -> [R] {
        await withTaskGroup(of: (Int, R).self) { group in
            var next = 0
            var out = [R?](repeating: nil, count: items.count)
            func add() {
                guard next < items.count else { return }
                let i = next, item = items[i]
                next += 1
                group.addTask { (i, await body(item)) }
            }
            for _ in 0..<parallelism { add() }
            while let (i, r) = await group.next() {
                out[i] = r
                add()
            }
            return out.compactMap { $0 }
        }
    }
}
