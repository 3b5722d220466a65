import KafscopeConfig
import Testing

@Suite struct ResolverTests {
    static let toml = """
        default_context = "demo"
        theme = "file-theme"
        refresh_seconds = 7
        [contexts.demo]
        bootstrap = ["ctx-broker:9092"]
        aliases = { "kafka-0" = "10.0.0.1", "kafka-1:9092" = "127.0.0.1:40001" }
        groups = ["g1"]
        command_config = "/etc/kafscope/demo.properties"
        [contexts.demo.connect]
        QA = { url = "http://qa:8083", username = "u", password = "p" }
        [contexts.prod]
        bootstrap = ["prod:9092"]
        read_only = true
        theme = "prod-theme"
        refresh_seconds = 30
        [contexts.prod.security]
        protocol = "SASL_SSL"
        sasl_mechanism = "PLAIN"
        username = "ctx-user"
        password = "ctx-pw"
        """
    static let ctxProps = """
        bootstrap.servers=props-broker:9092
        security.protocol=SASL_PLAINTEXT
        sasl.mechanism=SCRAM-SHA-256
        sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="props-user" password="props-pw";
        """
    static let cliProps = """
        bootstrap.servers=cli-props:9093
        security.protocol=SSL
        ssl.ca.location=/ca.pem
        """
    static let files = [
        "/home/test/.config/kafscope/config.toml": toml,
        "/etc/kafscope/demo.properties": ctxProps,
        "/tmp/cli.properties": cliProps,
    ]

    func resolve(_ o: CommandLineOverrides, files: [String: String] = files,
                 variables: [String: String] = [:]) throws -> KafscopeSettings {
        try SettingsResolver.resolve(o, environment: fakeEnvironment(files, variables: variables))
    }

    @Test func defaultContextFromDefaultPath() throws {
        let s = try resolve(CommandLineOverrides())
        #expect(s.contextName == "demo")
        #expect(s.configFile == "/home/test/.config/kafscope/config.toml")
        #expect(s.availableContexts == ["demo", "prod"])
        #expect(s.bootstrap.map(\.description) == ["ctx-broker:9092"])  // context beats its command_config
        // No [security] table, so the context's command_config supplies security.
        #expect(s.security.securityProtocol == .saslPlaintext)
        #expect(s.security.sasl?.username == "props-user")
        #expect(s.knownGroups == ["g1"])
        #expect(s.theme == "file-theme")
        #expect(s.refreshSeconds == 7)
        #expect(s.readOnly == false)
        #expect(s.connect.map(\.name) == ["QA"])
    }

    @Test func xdgConfigHomeIsHonoured() throws {
        let s = try resolve(CommandLineOverrides(), files: ["/xdg/kafscope/config.toml": "[contexts.only]\nbootstrap=[\"x:1\"]\n"],
                            variables: ["XDG_CONFIG_HOME": "/xdg"])
        #expect(s.contextName == "only")  // a single context is used without default_context
        #expect(s.configFile == "/xdg/kafscope/config.toml")
    }

    @Test func absentDefaultFileIsFineAbsentExplicitFileIsNot() throws {
        let s = try resolve(CommandLineOverrides(bootstrap: "a:1"), files: [:])
        #expect(s.contextName == nil)
        #expect(s.configFile == nil)
        #expect(s.bootstrap.map(\.description) == ["a:1"])
        #expect(s.theme == "default")
        #expect(s.refreshSeconds == 5)

        let e = #expect(throws: ConfigError.self) { try resolve(CommandLineOverrides(configFile: "/nope.toml"), files: [:]) }
        #expect(e?.description == "/nope.toml: cannot read the config file: no such file")
    }

    @Test func commandLineBeatsContextBeatsFile() throws {
        let s = try resolve(CommandLineOverrides(bootstrap: "cli:1", aliases: ["kafka-1:9092=localhost:50000", "kafka-9=x"],
                                                 context: "prod", readOnly: false, theme: "cli-theme"))
        #expect(s.contextName == "prod")
        #expect(s.bootstrap.map(\.description) == ["cli:1"])
        #expect(s.theme == "cli-theme")
        #expect(s.refreshSeconds == 30)  // context beats file
        #expect(s.readOnly == true)      // the command line cannot undo a read-only context
        #expect(s.security.securityProtocol == .saslSSL)
        #expect(s.security.sasl?.username == "ctx-user")
        #expect(s.aliases.map(\.description) == ["kafka-1:9092=localhost:50000", "kafka-9=x"])
    }

    @Test func cliCommandConfigReplacesSecurityAsAUnitAndSuppliesBootstrap() throws {
        let s = try resolve(CommandLineOverrides(commandConfig: "/tmp/cli.properties", context: "prod"))
        #expect(s.bootstrap.map(\.description) == ["cli-props:9093"])
        #expect(s.security.securityProtocol == .ssl)
        #expect(s.security.sasl == nil)
        #expect(s.security.tls?.caFile == "/ca.pem")
        #expect(s.security.origin == "--command-config /tmp/cli.properties")
        // -b still wins over the properties file.
        let t = try resolve(CommandLineOverrides(bootstrap: "b:2", commandConfig: "/tmp/cli.properties"))
        #expect(t.bootstrap.map(\.description) == ["b:2"])
    }

    @Test func aliasOnCommandLineReplacesContextAliasForTheSameKey() throws {
        let s = try resolve(CommandLineOverrides(aliases: ["KAFKA-0=192.168.1.1"]))
        #expect(s.aliases.count == 2)
        #expect(s.aliases.contains(HostAlias(fromHost: "KAFKA-0", toHost: "192.168.1.1")))
        #expect(!s.aliases.contains(HostAlias(fromHost: "kafka-0", toHost: "10.0.0.1")))
    }

    @Test func connectMergingAndSelectors() throws {
        let s = try resolve(CommandLineOverrides(connect: ["QA=http://qa2:8083", "DEV=https://dev:8084", "http://127.0.0.1:8085", "QA"]))
        #expect(s.connect.map(\.name) == ["QA", "DEV", "127.0.0.1:8085"])
        let qa = try #require(s.connect.first)
        #expect(qa.url == "http://qa2:8083")
        #expect(qa.username == "u")  // configured auth kept when only the URL is overridden
        #expect(s.connectSelectors == ["QA"])
        #expect(try s.requireConnect().map(\.name) == ["QA"])

        let bad = try resolve(CommandLineOverrides(connect: ["NOPE"]))
        let e = #expect(throws: ConfigError.self) { try bad.requireConnect() }
        #expect(e?.message.contains("no Connect cluster named NOPE") == true)
    }

    @Test func contextErrors() {
        let e1 = #expect(throws: ConfigError.self) { try resolve(CommandLineOverrides(context: "staging")) }
        #expect(e1?.description == "/home/test/.config/kafscope/config.toml: --context: no context named 'staging'; known: demo, prod")

        let noDefault = ["/home/test/.config/kafscope/config.toml": "[contexts.a]\n[contexts.b]\n"]
        let e2 = #expect(throws: ConfigError.self) { try resolve(CommandLineOverrides(), files: noDefault) }
        #expect(e2?.key == "default_context")
        #expect(e2?.message.contains("pick one with --context") == true)

        let e3 = #expect(throws: ConfigError.self) { try resolve(CommandLineOverrides(context: "x"), files: [:]) }
        #expect(e3?.message.contains("there is no config file") == true)

        let badDefault = ["/home/test/.config/kafscope/config.toml": "default_context = \"zz\"\n[contexts.a]\n"]
        let e4 = #expect(throws: ConfigError.self) { try resolve(CommandLineOverrides(), files: badDefault) }
        #expect(e4?.key == "default_context")
    }

    @Test func commandLineValueErrorsNameTheOption() {
        let e1 = #expect(throws: ConfigError.self) { try resolve(CommandLineOverrides(bootstrap: "nohostport"), files: [:]) }
        #expect(e1?.key == "--bootstrap")
        let e2 = #expect(throws: ConfigError.self) { try resolve(CommandLineOverrides(aliases: ["justaname"]), files: [:]) }
        #expect(e2?.key == "--alias")
        let e3 = #expect(throws: ConfigError.self) { try resolve(CommandLineOverrides(connect: ["QA=ftp://x"]), files: [:]) }
        #expect(e3?.key == "--connect")
    }

    @Test func requireBootstrapExplainsWhatToDo() throws {
        let s = try resolve(CommandLineOverrides(connect: ["http://c:8083"]), files: [:])
        let e = #expect(throws: ConfigError.self) { try s.requireBootstrap() }
        #expect(e?.message.contains("pass -b HOST:PORT") == true)
    }
}
