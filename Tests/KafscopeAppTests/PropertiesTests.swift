import KafscopeConfig
import Testing

@Suite struct JavaPropertiesTests {
    @Test func separatorsCommentsContinuationsAndEscapes() throws {
        let text = """
            # comment
            ! another comment
               bootstrap.servers = a:1,\\
                                   b:2
            security.protocol:SASL_SSL
            sasl.mechanism PLAIN
            key\\ with\\ spaces=v
            tabs=a\\tb\\nc
            unicode=caf\\u00e9 \\uD83D\\uDE00
            colon\\:key=x\\:y
            empty=
            trailing.backslash=ends\\\\
            next=1
            """
        let p = try JavaProperties.parse(text)
        #expect(p.value(for: "bootstrap.servers") == "a:1,b:2")
        #expect(p.entry("bootstrap.servers")?.line == 3)
        #expect(p.value(for: "security.protocol") == "SASL_SSL")
        #expect(p.entry("security.protocol")?.line == 5)
        #expect(p.value(for: "sasl.mechanism") == "PLAIN")
        #expect(p.value(for: "key with spaces") == "v")
        #expect(p.value(for: "tabs") == "a\tb\nc")
        #expect(p.value(for: "unicode") == "café 😀")
        #expect(p.value(for: "colon:key") == "x:y")
        #expect(p.value(for: "empty") == "")
        #expect(p.value(for: "trailing.backslash") == "ends\\")  // even backslashes: no continuation
        #expect(p.value(for: "next") == "1")
        #expect(p.entries.count == 10)
    }

    @Test func crlfAndLastValueWins() throws {
        let p = try JavaProperties.parse("a=1\r\nb=2\r\na=3")
        #expect(p.value(for: "a") == "3")
        #expect(p.entry("a")?.line == 3)
    }

    @Test func malformedUnicodeEscapeIsAnErrorWithLine() {
        let e = #expect(throws: ConfigError.self) { try JavaProperties.parse("ok=1\nbad=\\u12x4\n", file: "c.properties") }
        #expect(e?.description == "c.properties:2: bad: malformed \\uXXXX escape")
    }
}

@Suite struct JAASTests {
    @Test func plainAndScramModules() throws {
        let e = try JAASEntry.parse(#"org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="p\"w;d";"#)
        #expect(e.count == 1)
        #expect(e[0].loginModule == "org.apache.kafka.common.security.scram.ScramLoginModule")
        #expect(e[0].controlFlag == "required")
        #expect(e[0].options["username"] == "alice")
        #expect(e[0].options["password"] == "p\"w;d")
    }

    @Test func unquotedValuesAndMissingSemicolon() throws {
        let e = try JAASEntry.parse("x.PlainLoginModule required username=bob password=pw;")
        #expect(e[0].options == ["username": "bob", "password": "pw"])
        #expect(throws: AddressError.self) { try JAASEntry.parse("x.PlainLoginModule required username=\"bob\"") }
        #expect(throws: AddressError.self) { try JAASEntry.parse("x.PlainLoginModule username=\"bob\";") }
    }

    /// #13 item 10: a malformed sasl.jaas.config may hold a password; its error names the position and
    /// the kind of problem, never a token of the text.
    @Test(arguments: [
        // missing control flag: the next token is the password
        "hunter2Secret",
        "x.PlainLoginModule hunter2Secret=x;",
        // a bare value with a space: the rest of the password reads as an option name
        "x.PlainLoginModule required username=bob password=hunter 2Secret;",
        "x.PlainLoginModule required username=bob password=hunter2Secret",
        "x.PlainLoginModule required username=bob password=\"hunter2Secret",
        "x.PlainLoginModule required username=bob =hunter2Secret;",
        "x.PlainLoginModule required username=bob \"hunter2Secret\";",
        "x.PlainLoginModule required username=bob password hunter2Secret;",
        "hunter2Secret required username=bob password=pw;",
    ])
    func malformedTextIsNeverEchoed(text: String) throws {
        let secretParts = ["hunter", "2Secret", "hunter2Secret"]
        // The last case parses (its module is only unknown); every other one is malformed.
        if !text.hasSuffix("password=pw;") {
            let e = #expect(throws: AddressError.self) { try JAASEntry.parse(text) }
            let message = try #require(e?.message)
            for part in secretParts { #expect(!message.contains(part), "\(message)") }
            #expect(message.contains("character"), "the position is named: \(message)")
        }
        // The same through the client.properties mapping (the text users see).
        let props = "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=\(text)\n"
        let c = #expect(throws: ConfigError.self) {
            try CommandConfig.from(JavaProperties.parse(props, file: "client.properties"), file: "client.properties")
        }
        let shown = try #require(c?.description)
        for part in secretParts { #expect(!shown.contains(part), "\(shown)") }
    }
}

@Suite struct CommandConfigTests {
    func map(_ text: String) throws -> CommandConfig {
        try CommandConfig.from(JavaProperties.parse(text, file: "client.properties"), file: "client.properties")
    }

    @Test func saslSSLWithScramAndPEM() throws {
        let c = try map("""
            bootstrap.servers=kafka-1:9093,kafka-2:9093
            security.protocol=SASL_SSL
            sasl.mechanism=SCRAM-SHA-256
            sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\
                username="svc" \\
                password="s3cret";
            ssl.truststore.type=PEM
            ssl.truststore.location=/etc/kafka/ca.pem
            ssl.keystore.type=PEM
            ssl.keystore.location=/etc/kafka/client.pem
            ssl.key.password=kp
            """)
        #expect(c.bootstrap?.map(\.description) == ["kafka-1:9093", "kafka-2:9093"])
        #expect(c.security.securityProtocol == .saslSSL)
        #expect(c.security.sasl == SASLSettings(mechanism: .scramSHA256, username: "svc", password: Secret("s3cret")))
        #expect(c.security.tls?.caFile == "/etc/kafka/ca.pem")
        #expect(c.security.tls?.certificateFile == "/etc/kafka/client.pem")
        #expect(c.security.tls?.keyFile == "/etc/kafka/client.pem")
        #expect(c.security.tls?.keyPassword?.reveal() == "kp")
        #expect(c.security.tls?.verifyHostname == true)
        #expect(c.warnings.isEmpty)
    }

    @Test func librdkafkaStyleLocationsAndHostnameVerificationOff() throws {
        let c = try map("""
            security.protocol=SSL
            ssl.ca.location=/ca.pem
            ssl.certificate.location=/cert.pem
            ssl.key.location=/key.pem
            ssl.endpoint.identification.algorithm=
            """)
        #expect(c.security.securityProtocol == .ssl)
        #expect(c.security.sasl == nil)
        #expect(c.security.tls == TLSSettings(caFile: "/ca.pem", certificateFile: "/cert.pem", keyFile: "/key.pem", verifyHostname: false))
        #expect(c.warnings.contains { $0.contains("hostname verification is OFF") })
    }

    @Test func plaintextDefaultAndPlainOverPlaintextWarns() throws {
        #expect(try map("bootstrap.servers=x:1").security == SecuritySettings(origin: "--command-config client.properties"))
        let c = try map("""
            security.protocol=SASL_PLAINTEXT
            sasl.mechanism=PLAIN
            sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";
            """)
        #expect(c.security.sasl?.mechanism == .plain)
        #expect(c.warnings.contains { $0.contains("unencrypted") })
    }

    @Test func unsupportedSettingsGiveClearErrors() {
        let cases: [(String, String, String)] = [
            ("security.protocol=SSL\nssl.truststore.location=/x/truststore.jks\nssl.truststore.password=changeit",
             "ssl.truststore.location", "JKS/PKCS12"),
            ("security.protocol=SSL\nssl.keystore.type=PKCS12\nssl.keystore.location=/k.p12", "ssl.keystore.type", "not supported"),
            ("security.protocol=SASL_SSL\nsasl.mechanism=GSSAPI\nsasl.kerberos.service.name=kafka", "sasl.mechanism", "Kerberos"),
            ("security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER", "sasl.mechanism", "OAUTHBEARER"),
            ("security.protocol=SASL_SSL", "sasl.mechanism", "GSSAPI"),
            ("security.protocol=SASL_SSL\nsasl.mechanism=PLAIN", "sasl.jaas.config", "missing"),
            ("security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=x.PlainLoginModule required username=\"u\" password=\"p\";",
             "sasl.jaas.config", "does not match"),
            ("security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required;",
             "sasl.jaas.config", "Kerberos"),
            ("security.protocol=TLS", "security.protocol", "unknown protocol"),
            ("bootstrap.servers=kafka-1", "bootstrap.servers", "no port"),
        ]
        for (text, key, fragment) in cases {
            let e = #expect(throws: ConfigError.self, "\(text)") { try map(text) }
            #expect(e?.key == key, "\(text)")
            #expect(e?.file == "client.properties")
            #expect(e?.line != nil || key == "sasl.mechanism" || key == "sasl.jaas.config", "\(text)")
            #expect(e?.message.contains(fragment) == true, "\(e?.message ?? "") should mention \(fragment)")
        }
    }

    @Test func jaasErrorsNeverEchoThePassword() {
        let e = #expect(throws: ConfigError.self) {
            try map("security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=x.PlainLoginModule required username=\"u\" password=\"Hunter2Secret")
        }
        #expect(e?.key == "sasl.jaas.config")
        #expect(e?.line == 3)
        #expect(e.map { !"\($0)".contains("Hunter2Secret") } == true)
    }
}

@Suite struct AliasTests {
    @Test func forms() throws {
        #expect(try HostAlias.parse("kafka-0=127.0.0.1") == HostAlias(fromHost: "kafka-0", toHost: "127.0.0.1"))
        #expect(try HostAlias.parse("kafka-0:9092=localhost:19092")
                == HostAlias(fromHost: "kafka-0", fromPort: 9092, toHost: "localhost", toPort: 19092))
        #expect(try HostAlias.parse("[fe80::1]:9092=[::1]:19092")
                == HostAlias(fromHost: "fe80::1", fromPort: 9092, toHost: "::1", toPort: 19092))
        #expect(try HostAlias.parse("kafka-0:9092=10.0.0.1") == HostAlias(fromHost: "kafka-0", fromPort: 9092, toHost: "10.0.0.1"))
    }

    @Test func descriptionRoundTrips() throws {
        for spec in ["a=b", "a:1=b:2", "[::1]:9092=127.0.0.1:1", "host=[::1]"] {
            #expect(try HostAlias.parse(spec).description == spec)
            #expect(try HostAlias.parse(HostAlias.parse(spec).description) == HostAlias.parse(spec))
        }
    }

    @Test func errors() {
        for bad in ["nohost", "=x", "a=", "a:99999=b", "a:port=b", "[::1=b", "a=b:0"] {
            #expect(throws: AddressError.self, "\(bad)") { try HostAlias.parse(bad) }
        }
        let e = #expect(throws: AddressError.self) { try HostAlias.parse("a:99999=b") }
        #expect(e?.message == "alias 'a:99999=b': 'a:99999': port must be a number from 1 to 65535")
    }

    @Test func brokerAddresses() throws {
        #expect(try HostAddress.parseConfiguredList(" a:1, ,[::1]:2 ").map(\.description) == ["a:1", "[::1]:2"])
        #expect(throws: AddressError.self) { try HostAddress.parseConfiguredList(" , ") }
        #expect(throws: AddressError.self) { try HostAddress.parseConfigured("a b:1") }
    }
}
