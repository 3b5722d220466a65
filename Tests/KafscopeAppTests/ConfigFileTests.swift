import Foundation
import KafkaConnect
import KafscopeApp
import KafscopeConfig
import Testing

@Suite struct ConfigFileTests {
    static let demo = """
        default_context = "demo"
        theme = "light"
        refresh_seconds = 10

        [contexts.demo]
        bootstrap = ["127.0.0.1:19092", "[::1]:19093"]
        aliases = { "srv-prod-kafka-master" = "127.0.0.1", "srv-prod-kafka-slave1:9093" = "127.0.0.1:40123" }
        groups = ["orders-processor", "payments-audit"]
        read_only = false
        theme = "default"

        [contexts.demo.connect]
        QA = "http://127.0.0.1:8083"
        DEV = { url = "https://dev:8084/", username = "u", password_env = "DEV_CONNECT_PW", ca_file = "certs/ca.pem", timeout_seconds = 42.5 }

        [contexts.prod]
        bootstrap = "kafka-1:9092, kafka-2:9092"
        read_only = true
        refresh_seconds = 2.5
        [contexts.prod.security]
        protocol = "SASL_SSL"
        sasl_mechanism = "SCRAM-SHA-512"
        username = "alice"
        password_file = "~/.kafka/pw"
        ca_file = "/etc/ssl/kafka-ca.pem"
        """

    static let env = fakeEnvironment(["/home/test/.kafka/pw": "s3cr3t\n"], variables: ["DEV_CONNECT_PW": "devpw"])

    @Test func parsesContextsAndGlobals() throws {
        let f = try ConfigFile.parse(Self.demo, path: "/cfg/config.toml", environment: Self.env)
        #expect(f.defaultContext == "demo")
        #expect(f.theme == "light")
        #expect(f.refreshSeconds == 10)
        #expect(f.contexts.map(\.name) == ["demo", "prod"])

        let demo = try #require(f.context(named: "demo"))
        #expect(demo.bootstrap == [HostAddress(host: "127.0.0.1", port: 19092), HostAddress(host: "::1", port: 19093)])
        #expect(Set(demo.aliases) == [
            HostAlias(fromHost: "srv-prod-kafka-master", toHost: "127.0.0.1"),
            HostAlias(fromHost: "srv-prod-kafka-slave1", fromPort: 9093, toHost: "127.0.0.1", toPort: 40123),
        ])
        #expect(demo.groups == ["orders-processor", "payments-audit"])
        #expect(demo.readOnly == false)
        #expect(demo.security == nil)
        let dev = try #require(demo.connect.first { $0.name == "DEV" })
        #expect(dev.url == "https://dev:8084")
        #expect(dev.username == "u")
        #expect(dev.password?.reveal() == "devpw")
        #expect(dev.caFile == "/cfg/certs/ca.pem")  // relative to the config file
        #expect(dev.timeoutSeconds == 42.5)
        #expect(try ConnectorCLI.endpoint(from: dev).requestTimeout == .milliseconds(42_500))
        let qa = try #require(demo.connect.first { $0.name == "QA" })
        #expect(qa.url == "http://127.0.0.1:8083")
        #expect(qa.password == nil)
        #expect(qa.timeoutSeconds == nil)
        #expect(try ConnectorCLI.endpoint(from: qa).requestTimeout == ConnectEndpoint.fromURL(qa.url, name: "QA").requestTimeout)

        let prod = try #require(f.context(named: "prod"))
        #expect(prod.bootstrap?.map(\.description) == ["kafka-1:9092", "kafka-2:9092"])
        #expect(prod.readOnly == true)
        #expect(prod.refreshSeconds == 2.5)
        let sec = try #require(prod.security)
        #expect(sec.securityProtocol == .saslSSL)
        #expect(sec.sasl?.mechanism == .scramSHA512)
        #expect(sec.sasl?.username == "alice")
        #expect(sec.sasl?.password.reveal() == "s3cr3t")  // trailing newline trimmed
        #expect(sec.tls?.caFile == "/etc/ssl/kafka-ca.pem")
        #expect(sec.tls?.verifyHostname == true)
    }

    @Test func wrongBootstrapTypeNamesFileLineAndKey() {
        let text = """
            [contexts.demo]
            read_only = true
            bootstrap = 9092
            """
        let e = #expect(throws: ConfigError.self) { try ConfigFile.parse(text, path: "config.toml", environment: Self.env) }
        #expect(e?.description == "config.toml:3: contexts.demo.bootstrap: expected an array of \"host:port\" strings, found an integer")
    }

    @Test func badAddressInBootstrapArray() {
        let text = "[contexts.x]\nbootstrap = [\"kafka-1\"]\n"
        let e = #expect(throws: ConfigError.self) { try ConfigFile.parse(text, path: "c.toml", environment: Self.env) }
        #expect(e?.line == 2)
        #expect(e?.key == "contexts.x.bootstrap")
        #expect(e?.message.contains("has no port") == true)
    }

    @Test func syntaxErrorCarriesLine() {
        let text = "default_context = \"a\"\n[contexts.a]\nbootstrap = [\"x:1\"\n"
        let e = #expect(throws: ConfigError.self) { try ConfigFile.parse(text, path: "c.toml", environment: Self.env) }
        #expect(e?.file == "c.toml")
        #expect(e?.line != nil)
        #expect(e?.message.hasPrefix("invalid TOML") == true)
    }

    @Test func unknownKeyIsReportedWithItsLine() {
        let text = "[contexts.a]\nbootstrap = [\"x:1\"]\nbootstrap_servers = \"y:2\"\n"
        let e = #expect(throws: ConfigError.self) { try ConfigFile.parse(text, path: "c.toml", environment: Self.env) }
        #expect(e?.key == "contexts.a.bootstrap_servers")
        #expect(e?.line == 3)
        #expect(e?.message.contains("unknown key") == true)
    }

    @Test func missingPasswordEnvNamesTheVariableNotAValue() {
        let text = """
            [contexts.a]
            bootstrap = ["x:1"]
            [contexts.a.security]
            sasl_mechanism = "PLAIN"
            username = "bob"
            password_env = "KAFKA_PW"
            """
        let e = #expect(throws: ConfigError.self) { try ConfigFile.parse(text, path: "c.toml", environment: Self.env) }
        #expect(e?.description == "c.toml:6: contexts.a.security.password_env: environment variable KAFKA_PW is not set")
    }

    @Test func securityProtocolIsInferredAndChecked() throws {
        let onlyCA = "[contexts.a]\nbootstrap=[\"x:1\"]\n[contexts.a.security]\nca_file = \"/ca.pem\"\n"
        let f = try ConfigFile.parse(onlyCA, path: "c.toml", environment: Self.env)
        #expect(f.contexts[0].security?.securityProtocol == .ssl)

        let conflict = "[contexts.a]\n[contexts.a.security]\nprotocol = \"PLAINTEXT\"\nusername = \"u\"\npassword = \"p\"\n"
        let e = #expect(throws: ConfigError.self) { try ConfigFile.parse(conflict, path: "c.toml", environment: Self.env) }
        #expect(e?.key == "contexts.a.security.protocol")
        #expect(e?.line == 3)

        let gssapi = "[contexts.a]\n[contexts.a.security]\nprotocol = \"SASL_SSL\"\nsasl_mechanism = \"GSSAPI\"\nusername=\"u\"\npassword=\"p\"\n"
        let g = #expect(throws: ConfigError.self) { try ConfigFile.parse(gssapi, path: "c.toml", environment: Self.env) }
        #expect(g?.message.contains("Kerberos") == true)
    }

    @Test func insecureTLSIsVisible() throws {
        let text = "[contexts.a]\n[contexts.a.security]\nprotocol = \"SSL\"\ninsecure_skip_verify = true\n"
        let f = try ConfigFile.parse(text, path: "c.toml", environment: Self.env)
        #expect(f.contexts[0].security?.tls?.insecureSkipVerify == true)
        #expect(f.contexts[0].warnings.contains { $0.contains("certificate verification is OFF") })
    }

    @Test func connectCredentialsInURLMoveOut() throws {
        let text = "[contexts.a.connect]\nQA = \"http://admin:hunter2@qa:8083\"\n"
        let f = try ConfigFile.parse(text, path: "c.toml", environment: Self.env)
        let qa = try #require(f.contexts.first?.connect.first)
        #expect(qa.url == "http://qa:8083")
        #expect(qa.username == "admin")
        #expect(qa.password?.reveal() == "hunter2")
        #expect(!"\(qa)".contains("hunter2"))
    }

    @Test func connectTimeoutMustBePositive() {
        let text = "[contexts.a.connect]\nQA = { url = \"http://qa:8083\", timeout_seconds = 0 }\n"
        let e = #expect(throws: ConfigError.self) { try ConfigFile.parse(text, path: "c.toml", environment: Self.env) }
        #expect(e?.key == "contexts.a.connect.QA.timeout_seconds")
    }

    @Test func badConnectURL() {
        let text = "[contexts.a.connect]\nQA = \"qa:8083\"\n"
        let e = #expect(throws: ConfigError.self) { try ConfigFile.parse(text, path: "c.toml", environment: Self.env) }
        #expect(e?.key == "contexts.a.connect.QA")
        #expect(e?.line == 2)
    }

    @Test func lineIndexHandlesQuotedAndDottedKeys() {
        let text = """
            [contexts."my.ctx"]
            bootstrap = ["x:1"]
            aliases = { "a" = 5 }
            """
        let e = #expect(throws: ConfigError.self) { try ConfigFile.parse(text, path: "c.toml", environment: Self.env) }
        #expect(e?.key == "contexts.\"my.ctx\".aliases.a")
        #expect(e?.line == 3)
    }
}

@Suite struct SecretTests {
    @Test func secretsNeverAppearInDescriptions() throws {
        let text = """
            [contexts.a]
            bootstrap = ["x:1"]
            [contexts.a.security]
            protocol = "SASL_SSL"
            sasl_mechanism = "PLAIN"
            username = "bob"
            password = "TopSecret42"
            key_password = "KeyPass99"
            cert_file = "/c.pem"
            key_file = "/k.pem"
            [contexts.a.connect]
            QA = { url = "http://qa:8083", username = "u", password = "ConnectPw7" }
            """
        let f = try ConfigFile.parse(text, path: "c.toml", environment: fakeEnvironment())
        let settings = try SettingsResolver.resolve(CommandLineOverrides(configFile: "/c.toml"),
                                                    environment: fakeEnvironment(["/c.toml": text]))
        for rendering in ["\(f)", String(reflecting: f), "\(settings)", String(reflecting: settings), dumped(settings)] {
            #expect(!rendering.contains("TopSecret42"))
            #expect(!rendering.contains("KeyPass99"))
            #expect(!rendering.contains("ConnectPw7"))
        }
        #expect(settings.security.sasl?.password.reveal() == "TopSecret42")
        #expect(settings.security.tls?.keyPassword?.reveal() == "KeyPass99")
        #expect("\(Secret("x"))" == "***")
    }

    func dumped<T>(_ v: T) -> String {
        var s = ""
        dump(v, to: &s)
        return s
    }
}
