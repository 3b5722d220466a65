import ArgumentParser
import ClusterModel
import Foundation
import KafscopeConfig
import Logging

public enum OutputFormat: String, Sendable, CaseIterable {
    case table
    case json
}

/// Exit status 1 with a message naming what failed and why.
public struct CommandFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension GlobalOptions {
    /// The command-line part of the settings, as plain values.
    public var overrides: CommandLineOverrides {
        var o = CommandLineOverrides(bootstrap: bootstrap, aliases: aliases, commandConfig: commandConfig, configFile: config,
                                     context: context, connect: connect, readOnly: readOnly, theme: theme)
        o.ssh = ssh
        o.sshAcceptNew = sshAcceptNew
        return o
    }

    /// Config file + context + command line, merged. Throws ConfigError (exit status 2).
    public func resolveSettings() throws -> KafscopeSettings {
        var s = try SettingsResolver.resolve(overrides, environment: AppEnvironment.configEnvironment)
        s.schemaRegistry = SchemaRegistrySetup.settings(self, s)
        return s
    }

    /// `-o table|json`; `text` is accepted as `table`.
    public func outputFormat() throws -> OutputFormat {
        switch output.lowercased() {
        case "table", "text": return .table
        case "json": return .json
        default: throw ValidationError("-o must be table or json, not '\(output)'")
        }
    }
}

/// Runs a read against the cluster: settings, service, output, exit status.
enum ClusterRead {
    static func run(_ global: GlobalOptions,
                    _ body: (any ClusterService, OutputFormat, any CommandConsole) async throws -> Void) async throws {
        let format = try global.outputFormat()
        let settings = try global.resolveSettings()
        let console = AppEnvironment.console
        for w in settings.warnings { console.err("warning: \(w)\n") }
        let logger = AppEnvironment.currentLogger()
        let opened = try AppEnvironment.factory.cluster(settings, logger: logger)
        do {
            try await body(opened.service, format, console)
        } catch {
            await opened.close()
            throw error
        }
        await opened.close()
    }

    /// Prints a list; partial-read errors go to stderr (a `{"errors":[...]}` line in JSON mode).
    static func printList(_ format: OutputFormat, _ console: any CommandConsole, errors: [SourceError],
                          json: () -> JSONValue, table: () -> String) {
        switch format {
        case .json:
            console.out(json().serialized() + "\n")
            if !errors.isEmpty { console.err(ClusterFormat.errorsLine(errors)) }
        case .table:
            console.out(table())
            console.err(ClusterFormat.errorsText(errors))
        }
    }
}

/// `kafscope get brokers|topics|groups|connectors`.
public struct GetCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "List brokers, topics, consumer groups or connectors (-o json for scripts).",
        subcommands: [Brokers.self, Topics.self, Groups.self, GetConnectorsCommand.self, GetSubjectsCommand.self, GetAclsCommand.self])

    public init() {}

    public func run() async throws {
        throw ValidationError("say what to get: kafscope get brokers|topics|groups|connectors")
    }

    public struct Brokers: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "brokers", abstract: "Brokers with rack, controller, leader and partition counts, reachability.")
        @OptionGroup public var global: GlobalOptions
        public init() {}

        public func run() async throws {
            try await ClusterRead.run(global) { service, format, console in
                let o = try await service.overview()
                ClusterRead.printList(format, console, errors: o.errors,
                                      json: { ClusterFormat.brokersJSON(o.brokers) },
                                      table: { ClusterFormat.brokersTable(o.brokers) })
                if !o.brokers.isEmpty, o.brokers.allSatisfy({ $0.error != nil }) {
                    throw CommandFailure("no broker could be reached")
                }
            }
        }
    }

    public struct Topics: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "topics", abstract: "Topics with partitions, replication, health and message counts.")
        @OptionGroup public var global: GlobalOptions
        public init() {}

        public func run() async throws {
            try await ClusterRead.run(global) { service, format, console in
                let p = try await service.topics()
                ClusterRead.printList(format, console, errors: p.errors,
                                      json: { ClusterFormat.topicsJSON(p.value) },
                                      table: { ClusterFormat.topicsTable(p.value) })
            }
        }
    }

    public struct Groups: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "groups", abstract: "Consumer groups with type, state, members, lag, and (sampled) status, rates and ETA.")
        @OptionGroup public var global: GlobalOptions
        @Option(name: .customLong("sample"), help: ArgumentHelp(
            "Read the offsets several times over this long (e.g. 30s, 2m) and print status, rates and ETA.",
            valueName: "DURATION"))
        public var sample: String?
        @Flag(name: .customLong("watch"), help: "Print a line per group whenever its status changes (until interrupted).")
        public var watch = false
        @Option(name: .customLong("watch-interval"), help: ArgumentHelp(
            "Seconds between reads with --watch (default: the context's refresh_seconds).", valueName: "DURATION"))
        public var watchInterval: String?
        /// For tests: stop --watch after this many reads.
        @Option(name: .customLong("watch-reads"), help: .hidden) public var watchReads: Int?
        public init() {}

        public func validate() throws {
            do {
                if let sample { _ = try GroupLagSampling.duration(sample, option: "--sample") }
                if let watchInterval { _ = try GroupLagSampling.duration(watchInterval, option: "--watch-interval") }
            } catch let e as CommandFailure { throw ValidationError(e.message) }
            if sample != nil && watch { throw ValidationError("--sample and --watch do not go together: --watch samples on its own") }
            if watchInterval != nil && !watch { throw ValidationError("--watch-interval needs --watch") }
            if let watchReads, watchReads < 1 { throw ValidationError("--watch-reads must be at least 1") }
        }

        public func run() async throws {
            let sample = try self.sample.map { try GroupLagSampling.duration($0, option: "--sample") }
            let interval = try watchInterval.map { try GroupLagSampling.duration($0, option: "--watch-interval") }
            let refresh = (try? global.resolveSettings().refreshSeconds) ?? 5
            let (watch, watchReads) = (self.watch, self.watchReads)
            try await ClusterRead.run(global) { service, format, console in
                let sleep: (Double) async throws -> Void = { try await Task.sleep(for: .milliseconds(Int($0 * 1000))) }
                if watch {
                    try await GroupLagSampling.watch(service, every: interval ?? refresh, format: format, console: console,
                                                     maxReads: watchReads, now: { Date() }, sleep: sleep)
                    return
                }
                let p = if let sample { try await GroupLagSampling.sample(service, over: sample, sleep: sleep) } else {
                    try await service.groups()
                }
                ClusterRead.printList(format, console, errors: p.errors,
                                      json: { ClusterFormat.groupsJSON(p.value) },
                                      table: { ClusterFormat.groupsTable(p.value) })
            }
        }
    }
}

/// `kafscope describe cluster|topic NAME|group NAME|connector NAME`.
public struct DescribeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Details of the cluster, a topic, a consumer group or a connector.",
        subcommands: [Cluster.self, Topic.self, Group.self, DescribeConnectorCommand.self, DescribeSubjectCommand.self,
                      DescribeBrokerCommand.self])

    public init() {}

    public func run() async throws {
        throw ValidationError("say what to describe: kafscope describe cluster|topic NAME|group NAME|connector NAME")
    }

    /// Objects carry their errors inside (`errors: [...]`); table mode lists them on stderr.
    static func printObject(_ format: OutputFormat, _ console: any CommandConsole, errors: [SourceError],
                            json: () -> JSONValue, text: () -> String) {
        switch format {
        case .json: console.out(json().serialized() + "\n")
        case .table:
            console.out(text())
            console.err(ClusterFormat.errorsText(errors))
        }
    }

    public struct Cluster: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "cluster", abstract: "Cluster id, controller, KRaft quorum, brokers and partition health.")
        @OptionGroup public var global: GlobalOptions
        public init() {}

        public func run() async throws {
            try await ClusterRead.run(global) { service, format, console in
                let o = try await service.overview()
                DescribeCommand.printObject(format, console, errors: o.errors,
                                            json: { ClusterFormat.clusterJSON(o) }, text: { ClusterFormat.clusterText(o) })
            }
        }
    }

    public struct Topic: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "topic", abstract: "A topic's partitions (leader, replicas, ISR, offsets) and non-default configs.")
        @OptionGroup public var global: GlobalOptions
        @Argument(help: "Topic name.") public var name: String
        public init() {}

        public func validate() throws {
            if name.isEmpty { throw ValidationError("the topic name is empty") }
        }

        public func run() async throws {
            let name = self.name
            try await ClusterRead.run(global) { service, format, console in
                let d = try await service.topic(named: name)
                DescribeCommand.printObject(format, console, errors: d.errors,
                                            json: { ClusterFormat.topicDetailJSON(d) }, text: { ClusterFormat.topicDetailText(d) })
            }
        }
    }

    public struct Group: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "group",
            abstract: "A consumer group's offsets and lag, as kafka-consumer-groups.sh --describe prints them.")
        @OptionGroup public var global: GlobalOptions
        @Argument(help: "Group id.") public var name: String
        public init() {}

        public func validate() throws {
            if name.isEmpty { throw ValidationError("the group id is empty") }
        }

        public func run() async throws {
            let name = self.name
            try await ClusterRead.run(global) { service, format, console in
                let d = try await service.group(named: name)
                switch format {
                case .json:
                    console.out(ClusterFormat.groupDetailJSON(d).serialized() + "\n")
                    if d.state == "Dead" { console.err("error: consumer group '\(name)' does not exist\n") }
                case .table:
                    let r = ConsumerGroupsDescribe.render(d)
                    console.err(r.stderr)
                    console.out(r.stdout)
                    var errors = d.errors
                    switch d.members {
                    case .value: break
                    case .unsupported(let why), .failed(let why): errors.append(SourceError(source: "members", message: why))
                    }
                    console.err(ClusterFormat.errorsText(errors))
                    // Nothing else would be printed at all (e.g. a broker without DescribeGroups).
                    if r.stdout.isEmpty && r.stderr.isEmpty && d.errors.isEmpty {
                        console.err("Consumer group '\(name)' has no committed offsets (state \(d.state)).\n")
                    }
                }
                if d.state == "Dead" { throw ExitCode(1) }
                // The offsets are what this command is for: unread (coordinator down) is a failure,
                // not a group without offsets.
                if d.offsetsError != nil { throw ExitCode(1) }
            }
        }
    }
}
