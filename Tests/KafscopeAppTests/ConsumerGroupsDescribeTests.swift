import ClusterModel
import KafscopeApp
import Testing

@Suite struct ConsumerGroupsDescribeTests {
    /// Rows as printed by Apache Kafka's kafka-consumer-groups.sh --describe for a one-consumer group.
    @Test func matchesKafkaToolOutputByteForByte() {
        let id = "consumer-1-a451f9ff-2e47-4bf9-a4c9-60bc3cb4f816"
        let d = GroupDetail(group: "first_group", type: "classic", state: "Stable", offsets: (0..<3).map {
            GroupOffsetRow(topic: "first_topic", partition: $0, committed: 1, end: 1, lag: 0, memberId: id,
                           clientId: "consumer-1", host: "/192.168.0.13")
        })
        let r = ConsumerGroupsDescribe.render(d)
        let kafka = """

            GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID                                     HOST            CLIENT-ID
            first_group     first_topic     0          1               1               0               consumer-1-a451f9ff-2e47-4bf9-a4c9-60bc3cb4f816 /192.168.0.13   consumer-1
            first_group     first_topic     1          1               1               0               consumer-1-a451f9ff-2e47-4bf9-a4c9-60bc3cb4f816 /192.168.0.13   consumer-1
            first_group     first_topic     2          1               1               0               consumer-1-a451f9ff-2e47-4bf9-a4c9-60bc3cb4f816 /192.168.0.13   consumer-1

            """
        #expect(r.stdout == kafka)
        #expect(r.stderr == "")
        #expect(!r.failed)
    }

    func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }

    @Test func widthsGrowWithContentAndUnknownsAreDashes() {
        let r = ConsumerGroupsDescribe.render(Fixture.groupDetail)
        // G = 16 (group), T = 31 (longest topic), C = 64 (member id), H = 15 (minimum).
        func row(_ c: [String]) -> String {
            pad(c[0], 16) + " " + pad(c[1], 31) + " " + pad(c[2], 10) + " " + pad(c[3], 15) + " " + pad(c[4], 15) + " "
                + pad(c[5], 15) + " " + pad(c[6], 64) + " " + pad(c[7], 15) + " " + c[8]
        }
        let g = "orders-processor", m1 = Fixture.member1, m2 = Fixture.member2
        let expected = "\n" + [
            row(["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"]),
            row([g, "orders", "0", "995", "1000", "5", m1, "/10.0.0.5", "consumer-orders-processor-1"]),
            row([g, "orders", "1", "598", "600", "2", m1, "/10.0.0.5", "consumer-orders-processor-1"]),
            row([g, "orders", "2", "-", "0", "-", m2, "/10.0.0.6", "consumer-orders-processor-2"]),
            row([g, "payments-with-a-long-topic-name", "0", "10", "12", "2", "-", "-", "-"]),
        ].joined(separator: "\n") + "\n"
        #expect(m1.count == 64)
        #expect(r.stdout == expected)
    }

    @Test func stateMessages() {
        var d = Fixture.groupDetail
        d.state = "Empty"
        #expect(ConsumerGroupsDescribe.render(d).stderr == "\nConsumer group 'orders-processor' has no active members.\n")
        #expect(!ConsumerGroupsDescribe.render(d).stdout.isEmpty)  // rows still print

        for s in ["PreparingRebalance", "CompletingRebalance", "Assigning", "Reconciling"] {
            d.state = s
            #expect(ConsumerGroupsDescribe.render(d).stderr == "\nWarning: Consumer group 'orders-processor' is rebalancing.\n")
        }

        d.state = "Dead"
        let dead = ConsumerGroupsDescribe.render(d)
        #expect(dead.stderr == "\nError: Consumer group 'orders-processor' does not exist.\n")
        #expect(dead.stdout == "")
        #expect(dead.failed)
    }

    @Test func zeroRowsPrintNothing() {
        let r = ConsumerGroupsDescribe.render(GroupDetail(group: "g", state: "Stable"))
        #expect(r.stdout == "")
        #expect(r.stderr == "")
    }
}
