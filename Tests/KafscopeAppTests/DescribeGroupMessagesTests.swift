import ClusterModel
import Foundation
import KafscopeApp
import Testing

/// `describe group` against a broker that cannot describe groups (no DescribeGroups): the table
/// mode used to print nothing at all and exit 0, while JSON carried the reason.
@Suite struct DescribeGroupMessagesTests {
    @Test func aGroupWithoutOffsetsOrMembersSaysSo() async {
        var s = FixtureClusterService()
        s.detail["nope"] = GroupDetail(group: "nope", type: "unknown", state: "Unknown",
                                       members: .unsupported("not supported by this broker (DescribeGroups)"))
        let r = await runCommand(["describe", "group", "nope", "-b", "k:1"], service: s)
        #expect(r.status == 0)
        #expect(r.stdout == "")
        #expect(r.stderr.contains("error: members: not supported by this broker (DescribeGroups)\n"), "\(r.stderr)")
        #expect(r.stderr.contains("Consumer group 'nope' has no committed offsets (state Unknown).\n"), "\(r.stderr)")
    }

    /// When offsets could not be read, the reason stands alone: "no committed offsets" would be wrong.
    @Test func anOffsetErrorIsNotCalledNoOffsets() async {
        var s = FixtureClusterService()
        s.detail["locked"] = GroupDetail(group: "locked", type: "unknown", state: "Unknown",
                                         members: .unsupported("not supported by this broker (DescribeGroups)"),
                                         errors: [SourceError(source: "group locked", message: "OffsetFetch: GROUP_AUTHORIZATION_FAILED (30)")])
        let r = await runCommand(["describe", "group", "locked", "-b", "k:1"], service: s)
        #expect(r.stderr.contains("GROUP_AUTHORIZATION_FAILED"))
        #expect(!r.stderr.contains("no committed offsets"), "\(r.stderr)")
    }

    /// A consumer's client.id is chosen by whoever runs the consumer: an escape sequence in it must
    /// not reach the terminal of the operator running `describe group`.
    @Test func controlCharactersFromConsumersAreEscaped() {
        let d = GroupDetail(group: "g", type: "classic", state: "Stable", offsets: [
            GroupOffsetRow(topic: "t", partition: 0, committed: 1, end: 2, lag: 1, memberId: "m-1",
                           clientId: "evil\u{1B}]0;pwned\u{07}\u{1B}[2J", host: "/10.0.0.1"),
        ])
        let r = ConsumerGroupsDescribe.render(d)
        #expect(!r.stdout.contains("\u{1B}") && !r.stdout.contains("\u{07}"))
        #expect(r.stdout.contains("evil\\x1b]0;pwned\\x07\\x1b[2J"), "\(r.stdout)")
    }

    /// The kafka-consumer-groups.sh messages stay exactly as they were.
    @Test func theKafkaToolMessagesAreUnchanged() async {
        var s = FixtureClusterService()
        s.detail["idle"] = GroupDetail(group: "idle", type: "classic", state: "Empty")
        let r = await runCommand(["describe", "group", "idle", "-b", "k:1"], service: s)
        #expect(r.stderr == "\nConsumer group 'idle' has no active members.\n")
    }
}

/// `doctor` with SASL PLAIN over SASL_PLAINTEXT printed the same warning twice, worded two ways.
@Suite struct DoctorWarningTests {
    @Test func plainOverPlaintextIsWarnedOnce() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-doctor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let props = dir.appendingPathComponent("c.properties")
        try """
            security.protocol=SASL_PLAINTEXT
            sasl.mechanism=PLAIN
            sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="pw-doctor-1";
            """.write(to: props, atomically: true, encoding: .utf8)
        // Port 1 on loopback: refused at once.
        let r = await runCommand(["doctor", "-b", "127.0.0.1:1", "--command-config", props.path, "--config", "/dev/null"])
        #expect(r.status == 1)
        let text = r.stdout + r.stderr
        #expect(text.components(separatedBy: "sends the password unencrypted").count == 2, "\(text)")
        #expect(!text.contains("pw-doctor-1"))
    }
}

/// Error text quotes what brokers and workers sent (advertised names, error messages); an escape
/// sequence in it must not reach the terminal, on stdout tables or on the stderr error lines.
@Suite struct TerminalSafetyTests {
    @Test func errorLinesEscapeControlCharacters() async {
        var s = FixtureClusterService()
        s.failing = "broker 2 (\u{1B}[31mred:9092): DNS failed\n  - second line"
        let r = await runCommand(["get", "topics", "-b", "k:1"], service: s)
        #expect(r.status == 1)
        #expect(r.stderr == "error: broker 2 (\\x1b[31mred:9092): DNS failed\n  - second line\n", "\(r.stderr)")

        var p = FixtureClusterService()
        p.topicsValue = Partial(Fixture.topics, errors: [SourceError(source: "broker \u{1B}]0;x\u{07}", message: "m\u{1B}[2J")])
        let partial = await runCommand(["get", "topics", "-b", "k:1"], service: p)
        #expect(partial.stderr == "error: broker \\x1b]0;x\\x07: m\\x1b[2J\n", "\(partial.stderr)")
    }

    /// "error: broker 3: broker 3 is not in the cluster metadata" said the broker twice.
    @Test func aMessageNamingItsSourceIsNotPrefixedAgain() {
        let text = ClusterFormat.errorsText([SourceError(source: "broker 3", message: "broker 3 is not in the cluster metadata"),
                                             SourceError(source: "broker 2", message: "timed out")])
        #expect(text == "error: broker 3 is not in the cluster metadata\nerror: broker 2: timed out\n")
    }
}

/// `describe cluster` printed "Controller: 0" for a cluster whose brokers are 1, 2, 3.
@Suite struct ClusterTextControllerTests {
    @Test func anUnknownControllerIdIsFlagged() {
        let brokers = [1, 2, 3].map { BrokerInfo(id: Int32($0), host: "b\($0)", port: 9092) }
        let odd = ClusterFormat.clusterText(ClusterOverview(controllerId: 0, brokers: brokers))
        #expect(odd.contains("0 (not a known broker)"), "\(odd)")
        let fine = ClusterFormat.clusterText(ClusterOverview(controllerId: 2, brokers: brokers))
        #expect(!fine.contains("not a known broker"))
    }
}
