import ArgumentParser
import KafkaClient

/// Options every command takes (see README "Command line").
public struct GlobalOptions: ParsableArguments, Sendable {
    @Option(name: [.short, .customLong("bootstrap")], help: "Bootstrap brokers, HOST:PORT[,HOST:PORT...].")
    public var bootstrap: String?

    @Option(name: .customLong("alias"), help: ArgumentHelp(
        "Map an advertised broker address to the address to dial: NAME=ADDR or NAME:PORT=ADDR:PORT (repeatable).",
        valueName: "NAME=ADDR"))
    public var aliases: [String] = []

    @Option(name: .customLong("command-config"), help: "A Kafka client .properties file (security.protocol, sasl.*, ssl.*).")
    public var commandConfig: String?

    @Option(name: .customLong("config"), help: "Config file (default $XDG_CONFIG_HOME/kafscope/config.toml).")
    public var config: String?

    @Option(name: .customLong("context"), help: "Named context from the config file.")
    public var context: String?

    @Option(name: .customLong("connect"), help: ArgumentHelp("Kafka Connect REST endpoint [NAME=]URL (repeatable).", valueName: "NAME=URL"))
    public var connect: [String] = []

    @Option(name: .customLong("ssh"), help: ArgumentHelp(
        "Reach the brokers (and Connect) through this SSH jump host; broker names resolve there.",
        valueName: "[USER@]HOST[:PORT]"))
    public var ssh: String?

    @Flag(name: .customLong("ssh-accept-new"), help: "Trust and record the jump host's key when known_hosts has none (a changed key is always refused).")
    public var sshAcceptNew = false

    @Option(name: .customLong("schema-registry"), help: ArgumentHelp("Schema Registry URL (decodes Avro, Protobuf and JSON Schema records).", valueName: "URL"))
    public var schemaRegistry: String?

    @Flag(name: .customLong("readonly"), help: "Refuse every write to the cluster or Connect workers.")
    public var readOnly = false

    @Option(name: .customLong("theme"), help: "Theme name from themes/ (default, light, high-contrast ...).")
    public var theme: String?

    @Option(name: [.short, .customLong("output")], help: "Output format for commands: table or json.")
    public var output: String = "table"

    public init() {}
}

public struct KafscopeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kafscope",
        abstract: "Browse and operate Kafka clusters from the terminal.",
        discussion: """
            Without a subcommand, opens the terminal UI. Exit status: 0 success, 1 the operation failed \
            (stderr says what and why), 2 usage or configuration error.
            """,
        version: kafscopeVersion,
        subcommands: KafscopeCommand.commandTree)

    /// Every subcommand; the tail, doctor and connector commands are written by their owners.
    static let commandTree: [any ParsableCommand.Type] = [
        GetCommand.self, DescribeCommand.self, ConnectorCommand.self, TailCommand.self, ProduceCommand.self, DoctorCommand.self,
        GroupCommand.self, TopicCommand.self, BrokerCommand.self,
    ]

    @OptionGroup public var global: GlobalOptions

    public init() {}

    public func run() async throws {
        try await TerminalUI.run(global)
    }
}
