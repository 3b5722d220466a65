import ArgumentParser
import ClusterModel
import WriteFlow

/// Config changes behind `kafscope topic alter-config` and `kafscope broker alter-config`:
/// IncrementalAlterConfigs only, the diff old -> new first (sensitive values masked), the broker's
/// validate-only verdict, then the change on confirmation. `--dry-run` stops after the verdict.
public enum ConfigWriteCLI {
    /// `--set K=V` and `--delete K` as changes; a key named twice is a usage error.
    static func changes(set: [String], delete: [String]) throws -> [ConfigChange] {
        var seen: Set<String> = []
        var out: [ConfigChange] = []
        for s in try TopicWriteCLI.settings(set) {
            seen.insert(s.key)
            out.append(.set(s.key, s.value))
        }
        for k in delete {
            if k.isEmpty { throw ValidationError("--delete needs a config name") }
            if !seen.insert(k).inserted { throw ValidationError("config \(k) is named twice") }
            out.append(.delete(k))
        }
        if out.isEmpty { throw ValidationError("say what to change: --set K=V and/or --delete K") }
        return out
    }

    static func describe(_ resource: ConfigResource, location: String) -> WriteDescription {
        AdminWriteWording.configChange(resource, location: location)
    }

    static func diffJSON(_ lines: [ConfigDiffLine]) -> JSONValue {
        .array(lines.map { l in
            .object([("key", .string(l.key)), ("kind", .string(l.kind.rawValue)), ("old", .optional(l.old)),
                     ("old_source", .optional(l.oldSource?.rawValue)), ("new", .optional(l.new)), ("fallback", .optional(l.fallback))])
        })
    }

    static func resultJSON(_ resource: ConfigResource, dryRun: Bool, lines: [ConfigDiffLine], refusal: BrokerRefusal?,
                           message: String?) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("resource_type", .string(resource.kafkaType == 2 ? "topic" : "broker")), ("resource", .string(resource.targetName)),
            ("dry_run", .bool(dryRun)), ("result", .string(refusal != nil ? "refused" : message != nil ? "failed" : "ok")),
            ("changes", diffJSON(lines)),
        ]
        if let refusal {
            fields.append(("error", .object([("code", .int(refusal.code)), ("name", .string(refusal.name)), ("message", .optional(refusal.message))])))
        } else if let message {
            fields.append(("error", .object([("code", .null), ("name", .null), ("message", .string(message))])))
        } else {
            fields.append(("error", .null))
        }
        return .object(fields)
    }

    /// What the check learns: the diff, or why the change cannot go ahead.
    final class Check: @unchecked Sendable {
        var lines: [ConfigDiffLine] = []
        var refusal: BrokerRefusal?
        var problem: String?
    }

    /// Reads the current configs, builds the diff, asks the broker (validateOnly). Fills `check`.
    static func prepare(_ resource: ConfigResource, _ changes: [ConfigChange], service: any TopicAdminService, into check: Check) async {
        do {
            let current = try await service.describeConfigs(resource)
            check.lines = ConfigDiff.lines(current: current, changes: changes, resource: resource)
            if check.lines.allSatisfy({ $0.kind == .unchanged }) {
                check.problem = "nothing to change: " + check.lines.map(\.text).joined(separator: "; ")
                return
            }
            let verdict = try await service.alterConfigs(resource, changes: changes, validateOnly: true)
            if let refusal = verdict.refusal {
                check.refusal = refusal
                check.problem = "the broker refuses it: \(refusal)"
            }
        } catch {
            check.problem = TopicWriteCLI.message(error)
        }
    }

    public static func alter(_ resource: ConfigResource, changes: [ConfigChange], dryRun: Bool, yes: Bool, context: GroupWriteContext,
                             service: any TopicAdminService) async -> Int32 {
        let console = context.driver.console
        if dryRun {
            let check = Check()
            await prepare(resource, changes, service: service, into: check)
            if context.json {
                console.out(resultJSON(resource, dryRun: true, lines: check.lines, refusal: check.refusal,
                                       message: check.refusal == nil ? check.problem : nil).serialized())
            } else {
                for l in check.lines { console.out(TextTable.clean(l.text)) }
            }
            if let problem = check.problem {
                console.err("error: \(TextTable.clean(problem))")
                return 1
            }
            if !context.json {
                console.out("valid: the broker would accept this change to \(resource) on \(context.location) (dry run: nothing was changed)")
            }
            return 0
        }
        var description = describe(resource, location: context.location)
        let check = Check()
        var sent: ResourceOutcome?
        var sendError: String?
        var driver = context.driver
        driver.printSuccess = !context.json
        do {
            let report = try await driver.run(description, readOnly: context.readOnly, yes: yes, check: {
                await prepare(resource, changes, service: service, into: check)
                if let problem = check.problem { return .unavailable(problem) }
                description = AdminWriteWording.configChangeReady(description, lines: check.lines)
                return .ready(description)
            }, send: { _ in
                do {
                    let outcome = try await service.alterConfigs(resource, changes: changes, validateOnly: false)
                    sent = outcome
                    return AdminWriteWording.configChangeResult(resource, changed: check.lines.filter { $0.kind != .unchanged }.count, outcome: outcome)
                } catch {
                    sendError = TopicWriteCLI.message(error)
                    return .failed(TopicWriteCLI.message(error))
                }
            })
            if context.json, report.outcome.wasSent {
                console.out(resultJSON(resource, dryRun: false, lines: check.lines, refusal: sent?.refusal, message: sendError).serialized())
            } else if !context.json, report.outcome.succeeded {
                for l in check.lines { console.out(TextTable.clean(l.text)) }
            }
            return report.outcome.succeeded ? 0 : 1
        } catch {
            console.err("error: \(TopicWriteCLI.message(error))")
            return 2
        }
    }
}

/// `kafscope topic alter-config NAME [--set K=V]... [--delete K]... [--dry-run] [--yes]`.
public struct TopicAlterConfig: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "alter-config", abstract: "Set or delete topic configs (IncrementalAlterConfigs), showing the diff first.")
    @OptionGroup public var global: GlobalOptions
    @Argument(help: "Topic name.") public var name: String
    @Option(name: .customLong("set"), help: ArgumentHelp("Set a config (repeatable).", valueName: "K=V")) public var set: [String] = []
    @Option(name: .customLong("delete"), help: ArgumentHelp("Delete a config: back to the broker's default (repeatable).", valueName: "K"))
    public var delete: [String] = []
    @Flag(name: .customLong("dry-run"), help: "Print the diff and the broker's verdict; change nothing.") public var dryRun = false
    @Flag(name: .customLong("yes"), help: "Do not ask for confirmation.") public var yes = false
    public init() {}

    public func validate() throws {
        if name.isEmpty { throw ValidationError("the topic name is empty") }
        _ = try ConfigWriteCLI.changes(set: set, delete: delete)
    }

    public func run() async throws {
        let changes = try ConfigWriteCLI.changes(set: set, delete: delete)
        let code = try await TopicWriteCLI.withService(global) { service, context in
            await ConfigWriteCLI.alter(.topic(name), changes: changes, dryRun: dryRun, yes: yes, context: context, service: service)
        }
        if code != 0 { throw ExitCode(code) }
    }
}

/// `kafscope broker alter-config (ID | --default) ...`.
public struct BrokerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "broker", abstract: "Change a broker's dynamic configs, or the cluster-wide broker default.",
        subcommands: [AlterConfig.self])
    public init() {}

    public struct AlterConfig: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "alter-config", abstract: "Set or delete dynamic broker configs (IncrementalAlterConfigs), showing the diff first.")
        @OptionGroup public var global: GlobalOptions
        @Argument(help: "Broker id (or --default).") public var id: Int32?
        @Flag(name: .customLong("default"), help: "The cluster-wide default of every broker.") public var clusterDefault = false
        @Option(name: .customLong("set"), help: ArgumentHelp("Set a config (repeatable).", valueName: "K=V")) public var set: [String] = []
        @Option(name: .customLong("delete"), help: ArgumentHelp("Delete a dynamic config (repeatable).", valueName: "K"))
        public var delete: [String] = []
        @Flag(name: .customLong("dry-run"), help: "Print the diff and the broker's verdict; change nothing.") public var dryRun = false
        @Flag(name: .customLong("yes"), help: "Do not ask for confirmation.") public var yes = false
        public init() {}

        public func validate() throws {
            if (id == nil) == !clusterDefault { throw ValidationError("give a broker id or --default (not both)") }
            _ = try ConfigWriteCLI.changes(set: set, delete: delete)
        }

        public func run() async throws {
            let changes = try ConfigWriteCLI.changes(set: set, delete: delete)
            let resource: ConfigResource = id.map { .broker($0) } ?? .brokerDefault
            let code = try await TopicWriteCLI.withService(global) { service, context in
                await ConfigWriteCLI.alter(resource, changes: changes, dryRun: dryRun, yes: yes, context: context, service: service)
            }
            if code != 0 { throw ExitCode(code) }
        }
    }
}
