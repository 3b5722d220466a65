@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing

/// Kafka's ACL matching (issue 18): which ACLs apply to a topic or group name. Pure rules.
@Suite struct AclMatchTests {
    static func acl(_ name: String, pattern: Int8, type: Int8 = AclNames.topic) -> AclBinding {
        AclBinding(principal: "User:a", host: "*", operation: 3, permission: 3, resourceType: type, resourceName: name, patternType: pattern)
    }

    /// Made to fail once by matching prefixed ACLs with `name.contains` (then "xorders" matched "ord").
    @Test func literalPrefixedAndWildcard() {
        let literal = Self.acl("orders", pattern: AclNames.literal)
        #expect(literal.match(resourceType: AclNames.topic, name: "orders") == .literal)
        #expect(literal.match(resourceType: AclNames.topic, name: "orders2") == nil)
        #expect(literal.match(resourceType: AclNames.topic, name: "Orders") == nil, "names are case-sensitive")

        let prefixed = Self.acl("ord", pattern: AclNames.prefixed)
        #expect(prefixed.match(resourceType: AclNames.topic, name: "orders") == .prefixed)
        #expect(prefixed.match(resourceType: AclNames.topic, name: "ord") == .prefixed, "a prefix matches itself")
        #expect(prefixed.match(resourceType: AclNames.topic, name: "xorders") == nil)
        #expect(prefixed.match(resourceType: AclNames.topic, name: "or") == nil)

        let wildcard = Self.acl("*", pattern: AclNames.literal)
        #expect(wildcard.match(resourceType: AclNames.topic, name: "anything") == .wildcard)
        // A prefixed "*" is a prefix of the character '*', not a wildcard.
        #expect(Self.acl("*", pattern: AclNames.prefixed).match(resourceType: AclNames.topic, name: "orders") == nil)
    }

    /// Made to fail once by ignoring the resource type in `match` (a GROUP ACL then applied to a topic).
    @Test func otherTypesAndPatternsNeverApply() {
        #expect(Self.acl("orders", pattern: AclNames.literal, type: AclNames.group).match(resourceType: AclNames.topic, name: "orders") == nil)
        #expect(Self.acl("orders", pattern: AclNames.match).match(resourceType: AclNames.topic, name: "orders") == nil)
        #expect(Self.acl("orders", pattern: 9).match(resourceType: AclNames.topic, name: "orders") == nil)
        #expect(Self.acl("", pattern: AclNames.prefixed).match(resourceType: AclNames.topic, name: "orders") == nil)
    }

    /// What the topic detail lists for "orders" out of the fixture's ACLs: literal, prefix "ord" and
    /// the wildcard, not the payments DENY, not the groups'. Made to fail once by returning every ACL
    /// of the resource type from `applying`.
    @Test func applyingKeepsOnlyWhatApplies() throws {
        let rows = try #require(AclFilter.applying(toTopic: "orders").applying(FixtureTopicAdmin.acls))
        #expect(rows.map(\.binding.principal) == ["User:alice", "User:alice", "User:bob", "User:ops"])
        #expect(rows.map(\.match) == [.literal, .literal, .prefixed, .wildcard])
        let group = try #require(AclFilter.applying(toGroup: "analytics-etl").applying(FixtureTopicAdmin.acls))
        #expect(group.map(\.binding.principal) == ["User:etl"])
        #expect(AclFilter.all.applying(FixtureTopicAdmin.acls) == nil, "no single resource: no matching")
    }
}

/// The broker detail and `:acls` screens, and the ACL sections of the topic and group detail.
@Suite struct AclBrokerScreensTests {
    /// At 80x24, 120x40, 60x16 and a tiny 30x8; `before` runs before the app starts (to make the
    /// fixture fail from the first read), `prepare` after the route loaded.
    func snap(_ route: Route, _ name: String, before: (Harness) -> Void = { _ in },
              prepare: (inout Harness) async -> Void = { _ in }) async {
        for size in snapshotSizes + [Size(width: 30, height: 8)] {
            var o = BrowserOptions(contextName: "prod-eu", contexts: ["prod-eu", "staging"])
            o.initialRoute = route
            var h = Harness(options: o, size: size, start: false)
            before(h)
            h.send(.start(now: h.now))
            await h.settle()
            await prepare(&h)
            expectSnapshot(h.screen(), "\(name)_\(size.width)x\(size.height)")
        }
    }

    // MARK: Broker detail

    /// Made to fail once by opening nothing from Brokers (`open` returning nil again).
    @Test func enterOnBrokersOpensTheBrokerDetail() async {
        var h = await Harness.at(.brokers)
        h.key(.down)
        h.press("open")
        await h.settle()
        #expect(h.state.route == .broker(2))
        #expect(h.text().contains("kafka-2.internal:9092"), "\(h.text())")
        #expect(h.text().contains("log.retention.ms"), "\(h.text())")
        h.command("brokers 3")
        await h.settle()
        #expect(h.state.route == .broker(3))
        h.command("brokers three")
        #expect(h.state.route == .broker(3))
        #expect(h.text().contains("takes a broker id"), "\(h.text())")
    }

    /// E edits this broker's configs and D the cluster-wide default, in the one config editor; Esc
    /// comes back. Made to fail once by opening the editor on .brokerDefault for E.
    @Test func editKeysOpenTheConfigEditor() async {
        var h = await Harness.at(.broker(2), size: Size(width: 120, height: 30))
        #expect(h.text().contains("<E> edit configs"), "\(h.text())")
        h.press("editBrokerConfigs")
        await h.settle()
        #expect(h.state.route == .editConfigs(.broker(2)))
        #expect(h.text().contains("log.retention.ms"), "\(h.text())")
        h.key(.escape)
        await h.settle()
        #expect(h.state.route == .broker(2))
        h.press("editClusterDefault")
        await h.settle()
        #expect(h.state.route == .editConfigs(.brokerDefault))
        #expect(Route.editConfigs(.broker(2)).parent == .broker(2))
    }

    @Test func brokerDetailSnapshots() async { await snap(.broker(1), "broker_1") }

    @Test func brokerDetailSynonymsSnapshots() async {
        await snap(.broker(1), "broker_1_synonyms", prepare: { h in
            // log.retention.ms: a dynamic cluster default over static and default values.
            h.press("filter")
            h.type("log.retention")
            h.key(.enter)
            h.press("open")
        })
    }

    /// #18: Enter is offered where it does something. In Configs it lists a config's synonyms (the
    /// hint bar says "<Enter> open"); in Synonyms it has nothing to open: no hint, no help line, and
    /// the key changes nothing. Made to fail once by returning [] from DetailScreen's
    /// unusedGlobalActions (the Synonyms hint bar offered Enter again).
    @Test func enterIsOfferedOnlyWhereItOpensSomething() async throws {
        var h = await Harness.at(.broker(1), size: Size(width: 160, height: 30))
        func hintBar() -> String { String(h.text().split(separator: "\n").last ?? "") }
        #expect(hintBar().contains("<Enter> open"), "Configs: \(hintBar())")
        h.press("filter")
        h.type("log.retention")
        h.key(.enter)
        h.press("open")
        let detail = try #require(h.state.current as? BrokerDetailScreen)
        #expect(detail.activeSection == 1)
        #expect(!hintBar().contains("Enter"), "Synonyms: \(hintBar())")
        #expect(h.state.key(forBinding: "open") == nil)
        let before = h.text()
        h.key(.enter)
        #expect(h.text() == before && h.state.route == .broker(1))
        h.key(.character("?"))
        #expect(!h.text().contains("Enter"), "help lists no Enter: \(h.text())")
    }

    /// The summary names the address, rack and KRaft role; Enter on a config lists its synonyms,
    /// most specific first. Made to fail once by listing the synonyms of the first config instead
    /// of the selected one.
    @Test func summaryAndSynonymsOfTheSelectedConfig() async throws {
        var h = await Harness.at(.broker(1), size: Size(width: 160, height: 30))
        let text = h.text()
        #expect(text.contains("address kafka-1.internal:9092"), "\(text)")
        #expect(text.contains("rack eu-west-1a"), "\(text)")
        #expect(text.contains("quorum leader"), "\(text)")
        let detail = try #require(h.state.current as? BrokerDetailScreen)
        let sources = Dictionary(uniqueKeysWithValues: detail.configs.rows.map { ($0.name, $0.source) })
        #expect(sources["log.cleaner.threads"] == .dynamicBroker)
        #expect(sources["log.retention.ms"] == .dynamicDefaultBroker)
        #expect(text.contains("dynamic cluster default"), "\(text)")
        #expect(text.contains("static "), "\(text)")

        h.press("filter")
        h.type("log.retention")
        h.key(.enter)
        h.press("open")
        let shown = try #require(h.state.current as? BrokerDetailScreen)
        #expect(shown.activeSection == 1)
        #expect(shown.synonyms.rows.map(\.source) == [.dynamicDefaultBroker, .staticBroker, .defaultConfig])
        #expect(h.text().contains("Synonyms of log.retention.ms"), "\(h.text())")
        #expect(h.text().contains("log.retention.hours"), "\(h.text())")

        var voter = await Harness.at(.broker(3), size: Size(width: 160, height: 30))
        #expect(voter.text().contains("quorum voter"), "\(voter.text())")
        voter.press("nextSection")
        #expect(voter.text().contains("Enter on a config"), "\(voter.text())")
    }

    /// A sensitive config never shows its value, nor do its synonyms, at any size or section, even
    /// when a broker (wrongly) sends it. Made to fail once by drawing `c.value` in the VALUE column
    /// when present, and once by showing synonym values of sensitive configs.
    @Test func sensitiveValuesAreMaskedOnScreen() async throws {
        let secret = "hunter2-from-the-broker"
        let configs = [
            ConfigEntry(name: "listener.name.internal.ssl.keystore.password", value: secret, source: .dynamicBroker, isSensitive: true,
                        synonyms: [ConfigSynonym(name: "listener.name.internal.ssl.keystore.password", value: secret, source: .dynamicBroker),
                                   ConfigSynonym(name: "ssl.keystore.password", value: secret, source: .staticBroker)]),
            // Not flagged by the broker, but a secret by its name.
            ConfigEntry(name: "sasl.jaas.config", value: "org.apache.kafka.common.security.plain.PlainLoginModule password=\"\(secret)\";",
                        source: .staticBroker, synonyms: [ConfigSynonym(name: "sasl.jaas.config", value: secret, source: .staticBroker)]),
            ConfigEntry(name: "num.io.threads", value: "8", source: .defaultConfig),
        ]
        for size in snapshotSizes + [Size(width: 200, height: 20), Size(width: 30, height: 8)] {
            var h = await Harness.at(.broker(1), size: size)
            h.deliver(.configs(.broker(1), .success(configs)))
            #expect(!h.text().contains("hunter2"), "\(size)\n\(h.text())")
            #expect(h.text(Size(width: 220, height: 20)).contains(ConfigDiff.masked))
            for row in 0..<2 {
                var each = h
                for _ in 0..<row { each.key(.down) }
                each.press("open")
                #expect(!each.text().contains("hunter2"), "\(size) synonyms of row \(row)\n\(each.text())")
                #expect(!each.text(Size(width: 220, height: 20)).contains("hunter2"))
            }
        }
    }

    /// Made to fail once by showing the DescribeConfigs failure as an empty config list.
    @Test func brokerConfigsErrorState() async {
        let why = "broker 2 (kafka-2.internal:9092): connection refused"
        await snap(.broker(2), "broker_2_error", before: { $0.topicAdmin.failConfigs(why) })
        var h = await Harness.at(.broker(2), size: Size(width: 120, height: 24))
        #expect(h.text().contains("Configs"), "\(h.text())")
        // A failed refresh keeps the rows, marked stale, and says why.
        h.topicAdmin.failConfigs(why)
        h.press("refresh")
        await h.settle()
        #expect(h.text().contains("connection refused"), "\(h.text())")
        #expect(h.text().contains("log.retention.ms"), "\(h.text())")
    }

    // MARK: :acls

    @Test func aclsSnapshots() async { await snap(.acls, "acls") }

    /// Every ACL with its seven fields; filter and sort as on other lists; Enter on a literal topic
    /// ACL opens the topic. Made to fail once by dropping the host from the rows.
    @Test func aclsListFiltersSortsAndOpens() async throws {
        var h = await Harness.at(.acls, size: Size(width: 160, height: 30))
        let screen = try #require(h.state.current as? AclsScreen)
        #expect(screen.list.rows.count == FixtureTopicAdmin.acls.count)
        let text = h.text()
        for word in ["PRINCIPAL", "HOST", "OPERATION", "PERMISSION", "RESOURCE", "NAME", "PATTERN",
                     "10.0.0.7", "PREFIXED", "CLUSTER", "DENY", "* (all)"] {
            #expect(text.contains(word), "\(word)\n\(text)")
        }
        #expect(text.contains("1 deny"), "\(text)")
        h.press("filter")
        h.type("alice")
        h.key(.enter)
        let alice = try #require(h.state.current as? AclsScreen)
        #expect(alice.list.visible.count == 3)
        // Sorted by name: the topic "orders" comes before the group "orders-processor".
        h.press("open")
        await h.settle()
        #expect(h.state.route == .topic("orders"), "\(h.state.route)")
        h.key(.escape)
        await h.settle()
        #expect(h.state.route == .acls)
        h.press("sort")
        let sorted = try #require(h.state.current as? AclsScreen)
        #expect(sorted.list.sort?.column != AclColumns.resourceNameColumn)
    }

    /// No authorizer or no permission: a message saying what that means, not an empty list; the
    /// ACLs again once the broker lists them. Made to fail once by mapping the refusal to an empty listing.
    @Test func aclsRefusedSaysWhy() async {
        await snap(.acls, "acls_security_disabled", before: {
            $0.topicAdmin.refuseAcls(BrokerRefusal(code: 54, name: "SECURITY_DISABLED", message: "No Authorizer is configured."))
        })
        var h = await Harness.at(.acls, size: Size(width: 120, height: 20))
        h.topicAdmin.refuseAcls(BrokerRefusal(code: 31, name: "CLUSTER_AUTHORIZATION_FAILED", message: nil))
        h.press("refresh")
        await h.settle()
        #expect(h.text().contains("Not allowed to list ACLs"), "\(h.text())")
        #expect(h.text().contains("CLUSTER_AUTHORIZATION_FAILED"), "\(h.text())")
        #expect(!h.text().contains("No ACLs"), "\(h.text())")
        h.topicAdmin.refuseAcls(nil)
        h.press("refresh")
        await h.settle()
        #expect(h.text().contains("User:alice"), "\(h.text())")
    }
}
