import Testing
@testable import KafkaClient

@Suite struct HostAliasTests {
    @Test func hostOnlyAliasKeepsPort() throws {
        let m = try HostAliasMap(["srv-prod-kafka-slave1=127.0.0.1"])
        #expect(m.resolve(HostAddress(host: "srv-prod-kafka-slave1", port: 9092)) == HostAddress(host: "127.0.0.1", port: 9092))
        #expect(m.resolve(HostAddress(host: "SRV-PROD-KAFKA-SLAVE1", port: 9093)) == HostAddress(host: "127.0.0.1", port: 9093))
        #expect(m.resolve(HostAddress(host: "other", port: 9092)) == HostAddress(host: "other", port: 9092))
    }

    @Test func exactHostPortWinsOverHost() throws {
        let m = try HostAliasMap(["kafka-0:9092=localhost:19092", "kafka-0=10.0.0.1"])
        #expect(m.resolve(HostAddress(host: "kafka-0", port: 9092)) == HostAddress(host: "localhost", port: 19092))
        #expect(m.resolve(HostAddress(host: "kafka-0", port: 9094)) == HostAddress(host: "10.0.0.1", port: 9094))
    }

    @Test func valueMayCarryPort() throws {
        let m = try HostAliasMap(["b1=tunnel:29092"])
        #expect(m.resolve(HostAddress(host: "b1", port: 9092)) == HostAddress(host: "tunnel", port: 29092))
    }

    @Test func bracketedIPv6() throws {
        let m = try HostAliasMap(["[fe80::1]:9092=[::1]:19092", "k6=[::1]"])
        #expect(m.resolve(HostAddress(host: "fe80::1", port: 9092)) == HostAddress(host: "::1", port: 19092))
        #expect(m.resolve(HostAddress(host: "k6", port: 9092)) == HostAddress(host: "::1", port: 9092))
        #expect(HostAddress(host: "::1", port: 9092).description == "[::1]:9092")
    }

    @Test func laterEntryReplacesEarlier() throws {
        let m = try HostAliasMap(["a=1.1.1.1", "a=2.2.2.2"])
        #expect(m.resolve(HostAddress(host: "a", port: 1)).host == "2.2.2.2")
    }

    @Test(arguments: ["noequals", "=x", "x=", "a:99999=b", "a=b:0", "[::1=x", "a:port=b", "a b=c"])
    func malformedAliasesAreRejected(_ spec: String) {
        #expect(throws: HostAliasError.self) { try HostAliasMap([spec]) }
    }

    @Test func bootstrapListParsing() throws {
        let l = try HostAddress.parseList("k1:9092, k2 ,[::1]:9093")
        #expect(l == [HostAddress(host: "k1", port: 9092), HostAddress(host: "k2", port: 9092), HostAddress(host: "::1", port: 9093)])
        #expect(throws: HostAliasError.self) { try HostAddress.parseList(" , ") }
    }

    @Test func suggestionNamesTheAdvertisedHost() {
        #expect(HostAliasMap.suggestion(for: HostAddress(host: "srv-prod-kafka-slave1", port: 9092))
            == "--alias srv-prod-kafka-slave1=<reachable address>")
        let ep = BrokerEndpoint(nodeId: 2, advertised: HostAddress(host: "srv-prod-kafka-slave1", port: 9092),
                                dialed: HostAddress(host: "srv-prod-kafka-slave1", port: 9092))
        let e = KafkaClientError.connect(ep, stage: .dns, detail: "cannot resolve srv-prod-kafka-slave1")
        #expect(e.description.contains("broker 2"))
        #expect(e.description.contains("srv-prod-kafka-slave1:9092"))
        #expect(e.description.contains("DNS"))
        #expect(e.description.contains("--alias srv-prod-kafka-slave1=<reachable address>"))
    }
}
