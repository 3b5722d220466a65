import Foundation
import KafscopeApp
import KafscopeConfig
import Testing

/// `[contexts.NAME.schema_registry]`: every key, the URL-string form, and the errors, none of
/// which (nor the settings' description, which logs would show) ever holds a credential.
@Suite struct SchemaRegistryConfigTests {
    static let secret = "hunter2-\(UInt32.random(in: 1000...9999))"

    static func parse(_ registryTable: String, variables: [String: String] = [:]) throws(ConfigError) -> ContextConfig? {
        let text = """
            [contexts.prod]
            bootstrap = "kafka-1:9092"
            \(registryTable)
            """
        let env = fakeEnvironment(["/cfg/registry.pw": Self.secret + "\n"], variables: variables)
        return try ConfigFile.parse(text, path: "/cfg/config.toml", environment: env).context(named: "prod")
    }

    static func error(_ table: String, variables: [String: String] = [:]) -> String {
        do {
            _ = try parse(table, variables: variables)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func everyKeyOfTheTable() throws {
        let ctx = try #require(try Self.parse("""
            [contexts.prod.schema_registry]
            url = "https://registry.internal:8081/"
            username = "svc-kafscope"
            password_env = "SR_PASSWORD"
            ca_file = "certs/ca.pem"
            cert_file = "/etc/kafscope/client.pem"
            key_file = "/etc/kafscope/client.key"
            timeout_seconds = 2.5
            """, variables: ["SR_PASSWORD": Self.secret]))
        let r = try #require(ctx.schemaRegistry)
        #expect(r.url == "https://registry.internal:8081/")
        #expect(r.username == "svc-kafscope")
        #expect(r.password?.reveal() == Self.secret)
        #expect(r.caFile == "/cfg/certs/ca.pem")  // relative to the config file
        #expect(r.certFile == "/etc/kafscope/client.pem" && r.keyFile == "/etc/kafscope/client.key")
        #expect(r.timeoutSeconds == 2.5)
        #expect(!String(describing: ctx).contains(Self.secret))
        #expect(!String(reflecting: r).contains(Self.secret))

        let file = try #require(try Self.parse("""
            [contexts.prod.schema_registry]
            url = "http://127.0.0.1:8081"
            username = "u"
            password_file = "/cfg/registry.pw"
            """)?.schemaRegistry)
        #expect(file.password?.reveal() == Self.secret)
        let token = try #require(try Self.parse("""
            [contexts.prod.schema_registry]
            url = "http://127.0.0.1:8081"
            token_env = "SR_TOKEN"
            """, variables: ["SR_TOKEN": Self.secret])?.schemaRegistry)
        #expect(token.token?.reveal() == Self.secret && token.username == nil)
    }

    @Test func aURLStringAndCredentialsInTheURLMovedOut() throws {
        let plain = try #require(try Self.parse(#"schema_registry = "http://127.0.0.1:8081""#)?.schemaRegistry)
        #expect(plain.url == "http://127.0.0.1:8081" && plain.username == nil)
        let ctx = try #require(try Self.parse("schema_registry = \"http://bob:\(Self.secret)@registry:8081\""))
        let r = try #require(ctx.schemaRegistry)
        #expect(r.username == "bob" && r.password?.reveal() == Self.secret)
        #expect(r.url == "http://registry:8081")
        #expect(!String(describing: ctx).contains(Self.secret))
    }

    @Test func errorsNameTheKeyAndNeverACredential() {
        let missing = Self.error("[contexts.prod.schema_registry]\nusername = \"u\"")
        #expect(missing.contains("url") && missing.contains("missing"), "\(missing)")
        let noUser = Self.error("[contexts.prod.schema_registry]\nurl = \"http://r:8081\"\npassword = \"\(Self.secret)\"")
        #expect(noUser.contains("username"), "\(noUser)")
        let noKey = Self.error("[contexts.prod.schema_registry]\nurl = \"https://r\"\ncert_file = \"/c.pem\"")
        #expect(noKey.contains("key_file"), "\(noKey)")
        let typo = Self.error("[contexts.prod.schema_registry]\nurl = \"http://r\"\npasword = \"\(Self.secret)\"")
        #expect(typo.contains("pasword"), "\(typo)")
        let scheme = Self.error("[contexts.prod.schema_registry]\nurl = \"ftp://bob:\(Self.secret)@r:8081\"")
        #expect(scheme.contains("http://") && scheme.contains("***@r:8081"), "\(scheme)")
        let unset = Self.error("[contexts.prod.schema_registry]\nurl = \"http://r\"\ntoken_env = \"SR_UNSET\"")
        #expect(unset.contains("SR_UNSET"), "\(unset)")
        let wrongType = Self.error("schema_registry = 8081")
        #expect(wrongType.contains("URL string or a table"), "\(wrongType)")
        for e in [missing, noUser, noKey, typo, scheme, unset, wrongType] {
            #expect(!e.contains(Self.secret), "a credential in: \(e)")
        }
    }

    /// The flag's URL with credentials: a refused registry's error names the URL without them.
    @Test func aRegistryErrorNeverShowsTheFlagsCredentials() async {
        let r = await runCommand(["get", "subjects", "--schema-registry", "http://bob:\(Self.secret)@127.0.0.1:1"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("127.0.0.1:1"), "\(r.stderr)")
        #expect(!r.stderr.contains(Self.secret) && !r.stdout.contains(Self.secret), "\(r.stderr)")
    }
}
