import ArgumentParser
import ClusterModel
import KafkaConnect
import WriteFlow

/// `kafscope get connectors`: every connector of every Connect cluster.
public struct GetConnectorsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "connectors",
        abstract: "List connectors of every Kafka Connect cluster (--connect NAME=URL, repeatable).")

    @OptionGroup public var global: GlobalOptions

    public init() {}

    public func run() async throws {
        let code = await ConnectorCLI.getConnectors(settings: try ConnectorCLI.settings(global), console: StandardConsole())
        if code != 0 { throw ExitCode(code) }
    }
}

/// `kafscope describe connector NAME [--connect CLUSTER]`.
public struct DescribeConnectorCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "connector",
        abstract: "Show a connector's state, tasks, stack traces and config (secrets masked).")

    @OptionGroup public var global: GlobalOptions
    @Argument(help: "Connector name.") public var name: String

    public init() {}

    public func run() async throws {
        let code = await ConnectorCLI.describeConnector(name: name, settings: try ConnectorCLI.settings(global), console: StandardConsole())
        if code != 0 { throw ExitCode(code) }
    }
}

/// Options shared by the connector actions.
public struct ConnectorActionOptions: ParsableArguments, Sendable {
    @Argument(help: "Connector name.") public var name: String
    @Flag(name: .customLong("yes"), help: "Do not ask for confirmation.") public var yes = false
    @Option(name: .customLong("wait"), parsing: .unconditional, help: "Seconds to poll the status until it settles (0: do not wait).")
    public var wait: Double = WriteFlow.defaultSettleTimeout

    public init() {}
}

/// `kafscope connector pause|resume|stop|restart NAME`.
public struct ConnectorCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "connector",
        abstract: "Pause, resume, stop or restart a Kafka Connect connector (asks for confirmation).",
        subcommands: [Pause.self, Resume.self, Stop.self, Restart.self])

    public init() {}

    static func run(_ action: ConnectAction, _ global: GlobalOptions, _ options: ConnectorActionOptions) async throws {
        guard options.wait >= 0, options.wait <= 3600 else { throw ValidationError("--wait must be between 0 and 3600 seconds") }
        let code = await ConnectorCLI.act(action, name: options.name, settings: try ConnectorCLI.settings(global), yes: options.yes,
                                          console: StandardConsole(), settleTimeout: .milliseconds(Int64(options.wait * 1000)))
        if code != 0 { throw ExitCode(code) }
    }

    public struct Pause: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(abstract: "Pause a connector and its tasks (PUT .../pause).")
        @OptionGroup public var global: GlobalOptions
        @OptionGroup public var options: ConnectorActionOptions
        public init() {}
        public func run() async throws { try await ConnectorCommand.run(.pause, global, options) }
    }

    public struct Resume: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(abstract: "Resume a paused or stopped connector (PUT .../resume).")
        @OptionGroup public var global: GlobalOptions
        @OptionGroup public var options: ConnectorActionOptions
        public init() {}
        public func run() async throws { try await ConnectorCommand.run(.resume, global, options) }
    }

    public struct Stop: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(abstract: "Stop a connector: shut its tasks down (PUT .../stop, Kafka 3.5+).")
        @OptionGroup public var global: GlobalOptions
        @OptionGroup public var options: ConnectorActionOptions
        public init() {}
        public func run() async throws { try await ConnectorCommand.run(.stop, global, options) }
    }

    public struct Restart: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Restart a connector (POST .../restart); --include-tasks and --only-failed need Kafka 3.0+.")
        @OptionGroup public var global: GlobalOptions
        @OptionGroup public var options: ConnectorActionOptions
        @Flag(name: .customLong("include-tasks"), help: "Restart the tasks too.") public var includeTasks = false
        @Flag(name: .customLong("only-failed"), help: "Restart only FAILED instances.") public var onlyFailed = false
        @Option(name: .customLong("task"), parsing: .unconditional, help: "Restart only this task (POST .../tasks/ID/restart).") public var task: Int?
        public init() {}
        public func validate() throws {
            if task != nil && (includeTasks || onlyFailed) {
                throw ValidationError("--task restarts one task; it cannot be combined with --include-tasks or --only-failed")
            }
            if let task, task < 0 { throw ValidationError("--task must be a task id (0 or more)") }
        }
        public func run() async throws {
            let action: ConnectAction = task.map { .restartTask($0) } ?? .restart(includeTasks: includeTasks, onlyFailed: onlyFailed)
            try await ConnectorCommand.run(action, global, options)
        }
    }
}
