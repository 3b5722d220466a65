import ArgumentParser
import ClusterModel
import Foundation
import KafscopeConfig
import Logging
import WriteFlow

/// `kafscope group reset-offsets|delete-offsets|delete`: consumer-group writes, each through the
/// write flow (read-only refusal, confirmation naming the group, one audit line).
public struct GroupCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "group",
        abstract: "Reset a consumer group's offsets (dry run unless --execute), delete its offsets, or delete it.",
        subcommands: [ResetOffsets.self, DeleteOffsets.self, Delete.self])

    public init() {}

    public struct ResetOffsets: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "reset-offsets",
            abstract: "Plan (and with --execute apply) an offset reset, as kafka-consumer-groups.sh --reset-offsets.")
        @OptionGroup public var global: GlobalOptions
        @Argument(help: "Group id.") public var group: String
        @Flag(name: .customLong("all-topics"), help: "Every topic the group has committed offsets for.") public var allTopics = false
        @Option(name: .customLong("topic"), help: ArgumentHelp("A topic, or chosen partitions of it (repeatable).", valueName: "T[:P,P...]"))
        public var topics: [String] = []
        @Flag(name: .customLong("to-earliest")) public var toEarliest = false
        @Flag(name: .customLong("to-latest")) public var toLatest = false
        @Option(name: .customLong("to-offset"), parsing: .unconditional) public var toOffset: Int64?
        @Option(name: .customLong("to-datetime"), help: "ISO 8601 with a zone, e.g. 2024-05-01T14:00:00Z.") public var toDatetime: String?
        @Option(name: .customLong("by-duration"), help: "Back from now, PnDTnHnMnS (e.g. PT30M).") public var byDuration: String?
        @Option(name: .customLong("shift-by"), parsing: .unconditional, help: "Move each committed offset by N (negative goes back).") public var shiftBy: Int64?
        @Flag(name: .customLong("to-current")) public var toCurrent = false
        @Flag(name: .customLong("execute"), help: "Apply the plan (asks for confirmation unless --yes).") public var execute = false
        @Flag(name: .customLong("dry-run"), help: "Only print the plan (the default).") public var dryRun = false
        @Flag(name: .customLong("yes"), help: "Do not ask for confirmation.") public var yes = false
        public init() {}

        public func validate() throws {
            _ = try spec(nowMs: 0)
            _ = try scope()
            if execute && dryRun { throw ValidationError("--execute and --dry-run exclude each other") }
        }

        func spec(nowMs: Int64) throws -> OffsetResetSpec {
            var specs: [OffsetResetSpec] = []
            do {
                if toEarliest { specs.append(.toEarliest) }
                if toLatest { specs.append(.toLatest) }
                if let toOffset { specs.append(.toOffset(toOffset)) }
                if let toDatetime { specs.append(.toDatetime(epochMs: try OffsetResetParsing.datetime(toDatetime), text: toDatetime)) }
                if let byDuration { specs.append(.byDuration(ms: try OffsetResetParsing.duration(byDuration), text: byDuration)) }
                if let shiftBy { specs.append(.shiftBy(shiftBy)) }
                if toCurrent { specs.append(.toCurrent) }
            } catch let e as OffsetResetInputError {
                throw ValidationError(e.message)
            }
            guard specs.count == 1 else {
                throw ValidationError("give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --by-duration, "
                    + "--shift-by, --to-current")
            }
            return specs[0]
        }

        func scope() throws -> OffsetResetScope {
            if allTopics == !topics.isEmpty { throw ValidationError("give --all-topics or --topic T[:P,P...] (not both)") }
            if allTopics { return .allTopics }
            do { return .topics(try topics.map(OffsetResetScope.TopicSelection.parse)) }
            catch let e as OffsetResetInputError { throw ValidationError(e.message) }
        }

        public func run() async throws {
            let spec = try self.spec(nowMs: 0)
            let scope = try self.scope()
            let code = try await GroupWriteCLI.withService(global) { service, context in
                await GroupWriteCLI.resetOffsets(group: group, spec: spec, scope: scope, execute: execute, yes: yes,
                                                 context: context, service: service)
            }
            if code != 0 { throw ExitCode(code) }
        }
    }

    public struct DeleteOffsets: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "delete-offsets", abstract: "Delete a consumer group's committed offsets for a topic (OffsetDelete).")
        @OptionGroup public var global: GlobalOptions
        @Argument(help: "Group id.") public var group: String
        @Option(name: .customLong("topic"), help: "The topic whose committed offsets are deleted.") public var topic: String
        @Flag(name: .customLong("yes"), help: "Do not ask for confirmation.") public var yes = false
        public init() {}

        public func run() async throws {
            let code = try await GroupWriteCLI.withService(global) { service, context in
                await GroupWriteCLI.deleteOffsets(group: group, topic: topic, yes: yes, context: context, service: service)
            }
            if code != 0 { throw ExitCode(code) }
        }
    }

    public struct Delete: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Delete consumer groups (DeleteGroups); asks you to type each group's name.")
        @OptionGroup public var global: GlobalOptions
        @Argument(help: "Group ids.") public var groups: [String]
        @Flag(name: .customLong("yes"), help: "Do not ask for confirmation.") public var yes = false
        public init() {}

        public func validate() throws {
            if groups.isEmpty || groups.contains(where: \.isEmpty) { throw ValidationError("name at least one group") }
        }

        public func run() async throws {
            let code = try await GroupWriteCLI.withService(global) { service, context in
                await GroupWriteCLI.deleteGroups(groups, yes: yes, context: context, service: service)
            }
            if code != 0 { throw ExitCode(code) }
        }
    }
}

/// What a group write knows about where it runs.
public struct GroupWriteContext: Sendable {
    /// "cluster prod" (the context) or "cluster 127.0.0.1:9092".
    public var location: String
    public var readOnly: Bool
    public var json: Bool
    public var driver: WriteDriver
    public var nowMs: @Sendable () -> Int64

    public init(location: String, readOnly: Bool, json: Bool, driver: WriteDriver,
                nowMs: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.location = location
        self.readOnly = readOnly
        self.json = json
        self.driver = driver
        self.nowMs = nowMs
    }
}

public enum GroupWriteCLI {
    /// Settings, the cluster service (which must be able to write to groups), the driver.
    static func withService(_ global: GlobalOptions,
                            _ body: (any GroupWriteService, GroupWriteContext) async -> Int32) async throws -> Int32 {
        try await WriteCommandSetup.withService(global, as: (any GroupWriteService).self, cannot: "this cluster service cannot write to consumer groups", body)
    }

    // MARK: reset-offsets

    /// Dry run: prints the plan (Kafka's table, or JSON). `--execute`: the plan is the check,
    /// the confirmation shows it, one OffsetCommit applies it, the table is printed again.
    public static func resetOffsets(group: String, spec: OffsetResetSpec, scope: OffsetResetScope, execute: Bool, yes: Bool,
                                    context: GroupWriteContext, service: any GroupWriteService) async -> Int32 {
        let console = context.driver.console
        let nowMs = context.nowMs()
        guard execute else {
            do {
                let plan = try await service.offsetResetPlan(group: group, spec: spec, scope: scope, nowMs: nowMs)
                printPlan(plan, context)
                return planProblems(plan, console)
            } catch {
                console.err("error: \(message(error))")
                return 1
            }
        }
        var description = resetDescription(group: group, spec: spec, scope: scope, location: context.location)
        let box = PlanBox()
        var driver = context.driver
        driver.printSuccess = false
        do {
            let report = try await driver.run(description, readOnly: context.readOnly, yes: yes, check: {
                let plan: OffsetResetPlan
                do { plan = try await service.offsetResetPlan(group: group, spec: spec, scope: scope, nowMs: nowMs) }
                catch { return .unavailable(message(error)) }
                box.plan = plan
                if let blocked = plan.blockedReason { return .unavailable(blocked) }
                if plan.rows.isEmpty {
                    return .unavailable("nothing to reset: " + (plan.skipped.isEmpty ? "no partition in scope"
                        : GroupWriteFormat.partitionErrors(plan.skipped)))
                }
                description.details = GroupWriteFormat.previewLines(plan)
                description.audit = resetAudit(plan)
                return .ready(description)
            }, send: { _ in
                guard let plan = box.plan else { return .failed("no plan") }
                let offsets = Dictionary(uniqueKeysWithValues: plan.rows.map { ($0.key, $0.new) })
                do {
                    let failures = try await service.commitOffsets(group: group, offsets: offsets)
                    box.failures = failures
                    let skipped = plan.skipped
                    if failures.count == offsets.count { return .failed(GroupWriteFormat.partitionErrors(failures)) }
                    if !failures.isEmpty || !skipped.isEmpty {
                        return .partial("\(offsets.count - failures.count) of \(offsets.count + skipped.count) partitions reset; "
                            + "not reset: " + GroupWriteFormat.partitionErrors(failures.merging(skipped) { a, _ in a }))
                    }
                    return .accepted("reset \(offsets.count) offset\(offsets.count == 1 ? "" : "s") of consumer group \(group)")
                } catch {
                    return .failed(message(error))
                }
            })
            if let plan = box.plan, report.outcome.wasSent {
                var applied = plan
                applied.rows.removeAll { box.failures[$0.key] != nil }
                printPlan(applied, context)
            }
            return report.outcome.succeeded ? 0 : 1
        } catch {
            console.err("error: \(message(error))")
            return 2
        }
    }

    static func resetDescription(group: String, spec: OffsetResetSpec, scope: OffsetResetScope, location: String) -> WriteDescription {
        WriteDescription(kind: .offsetReset, action: "reset offsets of consumer group",
                         target: WriteTarget(name: group, qualifier: "(\(spec), \(scope))", location: location),
                         audit: [AuditField("group", group), AuditField("spec", spec.description), AuditField("scope", scope.description)])
    }

    static func resetAudit(_ plan: OffsetResetPlan) -> [AuditField] {
        [AuditField("group", plan.group), AuditField("spec", plan.spec.description), AuditField("scope", plan.scope.description),
         AuditField("partitions", String(plan.rows.count)), AuditField("offsets", GroupWriteFormat.auditChanges(plan))]
    }

    static func printPlan(_ plan: OffsetResetPlan, _ context: GroupWriteContext) {
        let console = context.driver.console
        if context.json {
            console.out(GroupWriteFormat.resetJSON(plan))
        } else {
            let table = GroupWriteFormat.resetTable(plan)
            if !table.isEmpty { console.out(String(table.dropLast())) }
        }
    }

    /// Exit status of a dry run: 1 when the reset could not be applied as planned.
    static func planProblems(_ plan: OffsetResetPlan, _ console: any CLIConsole) -> Int32 {
        for note in plan.notes { console.err("note: \(TextTable.clean(note))") }
        for (tp, why) in plan.skipped.sorted(by: { $0.key < $1.key }) { console.err("error: \(TextTable.clean(tp.description)): \(TextTable.clean(why))") }
        if let blocked = plan.blockedReason {
            console.err("error: cannot apply this plan now: \(TextTable.clean(blocked))")
            return 1
        }
        if plan.rows.isEmpty && plan.skipped.isEmpty { console.err("error: nothing to reset: no partition in scope") }
        return plan.skipped.isEmpty && !plan.rows.isEmpty ? 0 : 1
    }

    // MARK: delete-offsets

    public static func deleteOffsets(group: String, topic: String, yes: Bool, context: GroupWriteContext,
                                     service: any GroupWriteService) async -> Int32 {
        var description = WriteDescription(kind: .offsetDelete, action: "delete the committed offsets of consumer group",
                                           target: WriteTarget(name: group, qualifier: "for topic \(topic)", location: context.location),
                                           audit: [AuditField("group", group), AuditField("topic", topic)])
        let box = PlanBox()
        do {
            let report = try await context.driver.run(description, readOnly: context.readOnly, yes: yes, check: {
                let committed: [TopicPartition: Int64]
                do { committed = try await service.committedPartitions(group: group, topic: topic) }
                catch { return .unavailable(message(error)) }
                guard !committed.isEmpty else {
                    return .unavailable("consumer group \(group) has no committed offsets for topic \(topic)")
                }
                box.partitions = committed.keys.sorted()
                let list = committed.sorted { $0.key < $1.key }.map { "\($0.key.partition)@\($0.value)" }.joined(separator: ", ")
                description.details = ["Partitions and committed offsets: \(list)."]
                description.audit.append(AuditField("offsets", committed.sorted { $0.key < $1.key }
                    .map { "\($0.key) \($0.value)->deleted" }.joined(separator: ", ")))
                return .ready(description)
            }, send: { _ in
                do {
                    let failures = try await service.deleteOffsets(group: group, partitions: box.partitions)
                    if failures.count == box.partitions.count { return .failed(GroupWriteFormat.partitionErrors(failures)) }
                    if !failures.isEmpty { return .partial("not deleted: " + GroupWriteFormat.partitionErrors(failures)) }
                    return .accepted("deleted the committed offsets of consumer group \(group) for topic \(topic) "
                        + "(\(box.partitions.count) partition\(box.partitions.count == 1 ? "" : "s"))")
                } catch {
                    return .failed(message(error))
                }
            })
            return report.outcome.succeeded ? 0 : 1
        } catch {
            context.driver.console.err("error: \(message(error))")
            return 2
        }
    }

    // MARK: delete

    /// One flow (one confirmation, one audit line) per group; exit 1 if any was not deleted.
    public static func deleteGroups(_ groups: [String], yes: Bool, context: GroupWriteContext, service: any GroupWriteService) async -> Int32 {
        var code: Int32 = 0
        for group in groups {
            let description = WriteDescription(kind: .groupDelete, action: "delete consumer group",
                                               target: WriteTarget(name: group, location: context.location),
                                               details: ["Its committed offsets are deleted with it; this cannot be undone."],
                                               typeNameToConfirm: true, audit: [AuditField("group", group)])
            do {
                let report = try await context.driver.run(description, readOnly: context.readOnly, yes: yes, check: {
                    do {
                        if let why = try await service.deleteBlockedReason(group: group) { return .unavailable(why) }
                    } catch {
                        return .unavailable(message(error))
                    }
                    return .ready(description)
                }, send: { _ in
                    let result = await service.deleteGroups([group])
                    if let failure = result[group], let why = failure { return .failed(why) }
                    return .accepted("deleted consumer group \(group)")
                })
                if !report.outcome.succeeded { code = 1 }
            } catch {
                context.driver.console.err("error: \(message(error))")
                code = 1
            }
        }
        return code
    }

    static func message(_ error: any Error) -> String {
        (error as? UserFacingError)?.message ?? (error as? CommandFailure)?.message ?? String(describing: error)
    }
}

/// What a group write's steps learn (the plan the confirmation showed is the one sent).
final class PlanBox: @unchecked Sendable {
    var plan: OffsetResetPlan?
    var failures: [TopicPartition: String] = [:]
    var partitions: [TopicPartition] = []
}
