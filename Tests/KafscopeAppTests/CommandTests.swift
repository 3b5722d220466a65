import ClusterModel
import Foundation
import KafkaClient
import KafscopeApp
import KafscopeConfig
import Testing

/// Commands run in-process against fixture services: parsing, settings, output and exit status together.
@Suite struct CommandTests {
    @Test func getBrokersJSON() async {
        let r = await runCommand(["get", "brokers", "-b", "127.0.0.1:9092", "-o", "json"])
        #expect(r.status == 0)
        #expect(r.stdout == ClusterFormat.brokersJSON(Fixture.brokers).serialized() + "\n")
        // The partial-read error goes to stderr in the documented shape.
        #expect(r.stderr == #"{"errors":[{"source":"broker 2 (srv-prod-kafka-slave1:9093)","message":"connection refused"}]}"# + "\n")
    }

    @Test func getTopicsTableAndGroups() async {
        let t = await runCommand(["get", "topics", "-b", "k:9092"])
        #expect(t.status == 0)
        #expect(t.stdout == ClusterFormat.topicsTable(Fixture.topics))
        #expect(t.stderr == "")

        let g = await runCommand(["get", "groups", "-b", "k:9092", "--output", "json"])
        #expect(g.status == 0)
        #expect(g.stdout.hasPrefix(#"[{"group":"orders-processor","type":"classic","state":"Stable","protocol":"range","members":2,"lag":7"#))
    }

    @Test func partialTableErrorsGoToStderr() async {
        var s = FixtureClusterService()
        s.topicsValue = Partial(Fixture.topics, errors: [SourceError(source: "broker 3", message: "timed out after 30 s")])
        let r = await runCommand(["get", "topics", "-b", "k:9092"], service: s)
        #expect(r.status == 0)
        #expect(r.stderr == "error: broker 3: timed out after 30 s\n")
    }

    @Test func describeCommands() async {
        let c = await runCommand(["describe", "cluster", "-b", "k:1", "-o", "json"])
        #expect(c.status == 0)
        #expect(c.stdout == ClusterFormat.clusterJSON(Fixture.overview).serialized() + "\n")

        let t = await runCommand(["describe", "topic", "orders", "-b", "k:1"])
        #expect(t.status == 0)
        #expect(t.stdout == ClusterFormat.topicDetailText(Fixture.topicDetail))

        let missing = await runCommand(["describe", "topic", "nope", "-b", "k:1"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "error: topic nope does not exist\n")
    }

    @Test func describeGroupTableIsTheKafkaToolOutput() async {
        let r = await runCommand(["describe", "group", "orders-processor", "-b", "k:1"])
        #expect(r.status == 0)
        #expect(r.stdout == ConsumerGroupsDescribe.render(Fixture.groupDetail).stdout)

        let dead = await runCommand(["describe", "group", "ghost", "-b", "k:1"])
        #expect(dead.status == 1)
        #expect(dead.stderr == "\nError: Consumer group 'ghost' does not exist.\n")
        #expect(dead.stdout == "")

        let deadJSON = await runCommand(["describe", "group", "ghost", "-b", "k:1", "-o", "json"])
        #expect(deadJSON.status == 1)
        #expect(deadJSON.stdout.hasPrefix(#"{"group":"ghost","type":"unknown","state":"Dead""#))
    }

    /// Issue 13 item 3 in the CLI: a coordinator that cannot be reached is a failure (status 1 with
    /// the reason), never a group "without committed offsets".
    @Test func describeGroupWithUnreadOffsetsFails() async {
        var s = FixtureClusterService()
        let why = "coordinator unreachable: connection refused by 127.0.0.1:9093"
        s.detail["billing"] = GroupDetail(group: "billing", members: .failed("could not describe the group"),
                                          errors: [SourceError(source: "group billing", message: why)], offsetsError: why)
        let t = await runCommand(["describe", "group", "billing", "-b", "k:1"], service: s)
        #expect(t.status == 1)
        #expect(t.stderr.contains(why), "\(t.stderr)")
        #expect(!t.stderr.contains("has no committed offsets"), "\(t.stderr)")
        let j = await runCommand(["describe", "group", "billing", "-b", "k:1", "-o", "json"], service: s)
        #expect(j.status == 1)
        #expect(j.stdout.contains(#""offsets_error":"\#(why)""#), "\(j.stdout)")
    }

    /// Issue 13 item 6: `get topics -o json` says which counts are kept from an earlier read.
    @Test func getTopicsJSONMarksStaleCounts() async {
        var s = FixtureClusterService()
        s.topicsValue.value[0].messagesStale = true
        let r = await runCommand(["get", "topics", "-b", "k:1", "-o", "json"], service: s)
        #expect(r.stdout.contains(#""name":"orders","#) && r.stdout.contains(#""messages":1500,"messages_stale":true"#), "\(r.stdout)")
        #expect(r.stdout.components(separatedBy: #""messages_stale":true"#).count == 2, "only the stale one")
    }

    @Test func operationFailureIsStatus1WithMessage() async {
        let r = await runCommand(["get", "topics", "-b", "k:9092"],
                                 service: FixtureClusterService(failing: "broker k:9092: connection refused (is Kafka running?)"))
        #expect(r.status == 1)
        #expect(r.stdout == "")
        #expect(r.stderr == "error: broker k:9092: connection refused (is Kafka running?)\n")
    }

    @Test func usageErrorsAreStatus2() async {
        for args in [["get"], ["get", "nothing"], ["describe", "topic"], ["get", "topics", "-o", "yaml", "-b", "k:1"],
                     ["get", "topics", "--bogus"], ["get", "topics", "--alias", "broken", "-b", "k:1"],
                     ["get", "topics"], ["get", "topics", "--config", "/missing.toml"]] {
            let r = await runCommand(args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(!r.stderr.isEmpty, "\(args)")
            #expect(r.stdout == "", "\(args)")
        }
    }

    @Test func helpIsStatus0OnStdout() async {
        let r = await runCommand(["--help"])
        #expect(r.status == 0)
        for word in ["get", "describe", "connector", "doctor", "--bootstrap", "--alias", "--command-config", "--context",
                     "--readonly", "--theme", "--output"] {
            #expect(r.stdout.contains(word), "help lacks \(word)")
        }
        let g = await runCommand(["get", "--help"])
        #expect(g.status == 0)
        for word in ["brokers", "topics", "groups", "connectors"] { #expect(g.stdout.contains(word)) }
        let d = await runCommand(["describe", "--help"])
        for word in ["cluster", "topic", "group", "connector"] { #expect(d.stdout.contains(word)) }
    }

    @Test func versionIsStatus0OnStdout() async {
        let r = await runCommand(["--version"])
        #expect(r.status == 0 && r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == kafscopeVersion, "\(r)")
    }

    @Test func settingsReachTheFactoryFromConfigAndFlags() async throws {
        let toml = """
            default_context = "demo"
            [contexts.demo]
            bootstrap = ["127.0.0.1:19092"]
            aliases = { "srv-prod-kafka-master" = "127.0.0.1" }
            groups = ["orders-processor"]
            """
        let r = await runCommand(["get", "groups", "--alias", "srv-prod-kafka-slave1:9093=127.0.0.1:40123", "--readonly"],
                                 files: ["/home/test/.config/kafscope/config.toml": toml])
        #expect(r.status == 0, "\(r.stderr)")
        let s = try #require(r.settings.first)
        #expect(s.contextName == "demo")
        #expect(s.bootstrap.map(\.description) == ["127.0.0.1:19092"])
        #expect(s.aliases.map(\.description) == ["srv-prod-kafka-master=127.0.0.1", "srv-prod-kafka-slave1:9093=127.0.0.1:40123"])
        #expect(s.knownGroups == ["orders-processor"])
        #expect(s.readOnly)
    }

    @Test func configErrorsAreStatus2AndNameTheKey() async {
        let r = await runCommand(["get", "topics", "--config", "/c.toml"],
                                 files: ["/c.toml": "[contexts.a]\nbootstrap = 5\n"])
        #expect(r.status == 2)
        #expect(r.stderr == "error: /c.toml:2: contexts.a.bootstrap: expected an array of \"host:port\" strings, found an integer\n")
    }

    @Test func warningsAreShownOnStderr() async {
        let props = "bootstrap.servers=k:9093\nsecurity.protocol=SSL\nssl.endpoint.identification.algorithm=\n"
        let r = await runCommand(["get", "topics", "--command-config", "/c.properties"], files: ["/c.properties": props])
        #expect(r.status == 0)
        #expect(r.stderr.contains("warning: TLS hostname verification is OFF"))
    }
}
