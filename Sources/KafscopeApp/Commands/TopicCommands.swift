import ArgumentParser
import ClusterModel

/// `kafscope topic create|delete|add-partitions|delete-records|alter-config`: topic writes, each
/// through the write flow (read-only refusal, the broker's validate-only verdict first where the API
/// has one, confirmation naming cluster and topic, one audit line). The work is in TopicWriteCLI.
public struct TopicCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "topic",
        abstract: "Create or delete topics, add partitions, delete records, change topic configs.",
        subcommands: [Create.self, Delete.self, AddPartitions.self, DeleteRecords.self, TopicAlterConfig.self])

    public init() {}

    public struct Create: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Create a topic (the broker validates it first; --validate-only stops there).")
        @OptionGroup public var global: GlobalOptions
        @Argument(help: "Topic name.") public var name: String
        @Option(name: .customLong("partitions"), help: "Partition count (default: the broker's num.partitions).") public var partitions: Int32?
        @Option(name: .customLong("replication-factor"), help: "Replicas per partition (default: the broker's default.replication.factor).")
        public var replicationFactor: Int16?
        /// Not `--config`: that is every command's config-file option.
        @Option(name: [.customShort("c"), .customLong("topic-config")], help: ArgumentHelp("A topic config (repeatable).", valueName: "K=V"))
        public var configs: [String] = []
        @Flag(name: .customLong("validate-only"), help: "Only ask the broker whether it would create the topic.") public var validateOnly = false
        @Flag(name: .customLong("yes"), help: "Do not ask for confirmation.") public var yes = false
        public init() {}

        public func validate() throws { _ = try topic() }

        func topic() throws -> NewTopic {
            if let why = TopicNameRules.problem(name) { throw ValidationError(why) }
            if let partitions, partitions < 1 { throw ValidationError("--partitions must be at least 1") }
            if let replicationFactor, replicationFactor < 1 { throw ValidationError("--replication-factor must be at least 1") }
            return NewTopic(name: name, partitions: partitions, replicationFactor: replicationFactor,
                            configs: try TopicWriteCLI.settings(configs))
        }

        public func run() async throws {
            let topic = try self.topic()
            let code = try await TopicWriteCLI.withService(global) { service, context in
                await TopicWriteCLI.create(topic, validateOnly: validateOnly, yes: yes, context: context, service: service)
            }
            if code != 0 { throw ExitCode(code) }
        }
    }

    public struct Delete: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "delete", abstract: "Delete topics and all their records (asks you to type each topic's name).")
        @OptionGroup public var global: GlobalOptions
        @Argument(help: "Topic names.") public var names: [String]
        @Flag(name: .customLong("yes"), help: "Do not ask for confirmation.") public var yes = false
        public init() {}

        public func validate() throws {
            if names.isEmpty || names.contains(where: \.isEmpty) { throw ValidationError("name at least one topic") }
        }

        public func run() async throws {
            let code = try await TopicWriteCLI.withService(global) { service, context in
                await TopicWriteCLI.delete(names, yes: yes, context: context, service: service)
            }
            if code != 0 { throw ExitCode(code) }
        }
    }

    public struct AddPartitions: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "add-partitions", abstract: "Grow a topic to --total partitions (keyed records then map to other partitions).")
        @OptionGroup public var global: GlobalOptions
        @Argument(help: "Topic name.") public var name: String
        @Option(name: .customLong("total"), help: "The new partition count (more than it has).") public var total: Int32
        @Flag(name: .customLong("validate-only"), help: "Only ask the broker whether it would add them.") public var validateOnly = false
        @Flag(name: .customLong("yes"), help: "Do not ask for confirmation.") public var yes = false
        public init() {}

        public func validate() throws {
            if name.isEmpty { throw ValidationError("the topic name is empty") }
            if total < 1 { throw ValidationError("--total must be at least 1") }
        }

        public func run() async throws {
            let code = try await TopicWriteCLI.withService(global) { service, context in
                await TopicWriteCLI.addPartitions(topic: name, total: total, validateOnly: validateOnly, yes: yes,
                                                  context: context, service: service)
            }
            if code != 0 { throw ExitCode(code) }
        }
    }

    public struct DeleteRecords: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "delete-records", abstract: "Delete a partition's records before an offset (DeleteRecords; cannot be undone).")
        @OptionGroup public var global: GlobalOptions
        @Argument(help: "Topic name.") public var name: String
        @Option(name: .customLong("partition"), help: "The partition (repeatable; default: every partition).") public var partitions: [Int32] = []
        @Option(name: .customLong("before"), help: ArgumentHelp("Delete records with offsets below this one; 'end' for all records.",
                                                                valueName: "OFFSET|end"))
        public var before: String
        @Flag(name: .customLong("yes"), help: "Do not ask for confirmation.") public var yes = false
        public init() {}

        public func validate() throws {
            if name.isEmpty { throw ValidationError("the topic name is empty") }
            _ = try offset()
            if partitions.contains(where: { $0 < 0 }) { throw ValidationError("--partition must not be negative") }
        }

        /// -1 is Kafka's "up to the high watermark".
        func offset() throws -> Int64 {
            if before == "end" { return -1 }
            guard let o = Int64(before), o >= 0 else { throw ValidationError("--before takes an offset (0 or more) or 'end'") }
            return o
        }

        public func run() async throws {
            let offset = try self.offset()
            let code = try await TopicWriteCLI.withService(global) { service, context in
                await TopicWriteCLI.deleteRecords(topic: name, partitions: partitions, before: offset, yes: yes,
                                                  context: context, service: service)
            }
            if code != 0 { throw ExitCode(code) }
        }
    }
}
