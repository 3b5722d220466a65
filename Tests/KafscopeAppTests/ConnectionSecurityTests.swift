import KafkaClient
@testable import KafscopeApp
import KafscopeConfig
import Testing

/// Issue 11 item 8: the configuration and the client share one type per concept (`Secret`,
/// `SASLMechanism`, `SASLSettings` from ConnectionSecurity), so what the config file says is what
/// the client is given, value for value, with nothing to convert (or to leak on the way).
@Suite struct ConnectionSecurityTests {
    /// Made to fail once by giving the client `.plain` whatever mechanism the config named.
    @Test func theConfigsSASLSettingsAreTheClients() throws {
        for mechanism in SASLMechanism.allCases {
            let sasl = SASLSettings(mechanism: mechanism, username: "svc", password: Secret("pa55-\(mechanism)"))
            var s = KafscopeSettings(bootstrap: [HostAddress(host: "127.0.0.1", port: 9092)])
            s.security = SecuritySettings(securityProtocol: .saslPlaintext, sasl: sasl)
            let config = try KafkaClientSettings.clientConfig(from: s)
            #expect(config.sasl == sasl, "\(mechanism)")
            #expect(config.sasl?.password.reveal() == "pa55-\(mechanism)")
            // The one Secret type hides the password wherever it is printed.
            #expect(!"\(config)".contains("pa55") && !String(reflecting: config).contains("pa55"))
        }
    }

}
