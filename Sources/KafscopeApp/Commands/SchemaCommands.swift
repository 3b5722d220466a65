import ArgumentParser
import Foundation
import KafscopeConfig
import SchemaRegistry

/// `kafscope get subjects`: every subject with its latest version, id, type and compatibility.
public struct GetSubjectsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "subjects",
        abstract: "List Schema Registry subjects (latest version, schema id, type, compatibility).")

    @OptionGroup public var global: GlobalOptions

    public init() {}

    public func run() async throws {
        let format = try global.outputFormat()
        let settings = try global.resolveSettings()
        let client = try SchemaRegistrySetup.requireClient(global, settings, logger: AppEnvironment.currentLogger())
        defer { Task { await client.shutdown() } }
        let console = AppEnvironment.console
        do {
            let subjects = try await client.subjects().sorted()
            let global = (try? await client.globalCompatibility()) ?? "?"
            // Latest versions and compatibility fetched a few at a time.
            var rows: [(String, SubjectVersion?, String?, String?)] = []
            try await withThrowingTaskGroup(of: (Int, SubjectVersion?, String?, String?).self) { group in
                var next = 0
                func add() {
                    guard next < subjects.count else { return }
                    let i = next, s = subjects[i]
                    next += 1
                    group.addTask {
                        do {
                            let v = try await client.version(subject: s, version: "latest")
                            let c = try? await client.compatibility(subject: s)
                            return (i, v, c ?? nil, nil)
                        } catch {
                            return (i, nil, nil, "\(error)")
                        }
                    }
                }
                for _ in 0..<8 { add() }
                var results: [Int: (SubjectVersion?, String?, String?)] = [:]
                while let (i, v, c, e) = try await group.next() { results[i] = (v, c, e); add() }
                rows = subjects.indices.map { (subjects[$0], results[$0]?.0, results[$0]?.1, results[$0]?.2) }
            }
            if format == .json {
                let items: [JSONValue] = rows.map { s, v, c, e in
                    .object([("subject", .string(s)), ("latest_version", .optional(v?.version)), ("id", .optional(v?.id)),
                             ("type", .optional(v?.type.rawValue)), ("compatibility", .string(c ?? global)),
                             ("compatibility_source", .string(c == nil ? "global" : "subject")), ("error", .optional(e))])
                }
                console.out(JSONValue.array(items).serialized() + "\n")
            } else {
                var table = TextTable(["SUBJECT", "VERSION", "ID", "TYPE", "COMPATIBILITY"], align: [.left, .right, .right, .left, .left])
                for (s, v, c, e) in rows {
                    table.add([s, v.map { String($0.version) } ?? "-", v.map { String($0.id) } ?? "-", v?.type.rawValue ?? (e == nil ? "-" : "error"),
                               c ?? "\(global) (global)"])
                }
                console.out(table.render())
                for (s, _, _, e) in rows { if let e { console.err("warning: \(s): \(e)\n") } }
            }
        } catch let e as RegistryError {
            throw CommandFailure(e.message)
        }
    }
}

/// `kafscope describe subject NAME [--version N|latest]`: versions, id, type, references, schema text.
public struct DescribeSubjectCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "subject",
        abstract: "Show a Schema Registry subject's versions and one version's schema.")

    @OptionGroup public var global: GlobalOptions
    @Argument(help: "Subject name (e.g. orders-value).") public var name: String
    @Option(name: .customLong("version"), help: "A version number or latest (default).") public var version: String = "latest"

    public init() {}

    public func validate() throws {
        if version != "latest", Int(version).map({ $0 < 1 }) ?? true {
            throw ValidationError("--version must be a version number (1 or more) or latest, not '\(version)'")
        }
    }

    public func run() async throws {
        let format = try global.outputFormat()
        let settings = try global.resolveSettings()
        let client = try SchemaRegistrySetup.requireClient(global, settings, logger: AppEnvironment.currentLogger())
        defer { Task { await client.shutdown() } }
        let console = AppEnvironment.console
        do {
            let versions = try await client.versions(subject: name)
            let v = try await client.version(subject: name, version: version)
            let own = try? await client.compatibility(subject: name)
            let compatibility: String
            if let c = own ?? nil { compatibility = c } else { compatibility = ((try? await client.globalCompatibility()) ?? "?") + " (global)" }
            if format == .json {
                console.out(JSONValue.object([
                    ("subject", .string(v.subject)), ("version", .int(v.version)), ("versions", .array(versions.map { .int($0) })),
                    ("id", .int(v.id)), ("type", .string(v.type.rawValue)), ("compatibility", .string(compatibility)),
                    ("references", .array(v.references.map { .object([("name", .string($0.name)), ("subject", .string($0.subject)),
                                                                     ("version", .int($0.version))]) })),
                    ("schema", .string(v.schema)),
                ]).serialized() + "\n")
                return
            }
            var out = "Subject:       \(Self.clean(v.subject))\nVersion:       \(v.version) (versions: \(versions.map(String.init).joined(separator: ", ")))\n"
            out += "Schema id:     \(v.id)\nType:          \(v.type.rawValue)\nCompatibility: \(compatibility)\n"
            if !v.references.isEmpty {
                out += "References:\n"
                for r in v.references { out += "  \(Self.clean(r.name)) -> \(Self.clean(r.subject)) v\(r.version)\n" }
            }
            out += "\n" + Self.clean(Self.pretty(v.schema, type: v.type), keepNewlines: true) + "\n"
            console.out(out)
        } catch let e as RegistryError {
            throw CommandFailure(e.message)
        }
    }

    /// Avro and JSON schemas indented; .proto text as it is.
    static func pretty(_ schema: String, type: SchemaType) -> String {
        guard type != .protobuf, let obj = try? JSONSerialization.jsonObject(with: Data(schema.utf8), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed]) else {
            return schema
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Control characters from the registry never reach the terminal raw.
    static func clean(_ s: String, keepNewlines: Bool = false) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { u in
            if keepNewlines && (u == "\n" || u == "\t") { return u }
            return (u.value < 0x20 || u.value == 0x7F || (0x80..<0xA0).contains(u.value)) ? "\u{FFFD}" : u
        }))
    }
}
