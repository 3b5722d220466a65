import Foundation
import KafkaTestSupport
import Testing

// The demo as a new user meets it: the processes `scripts/demo` starts, and the real binary with
// the config the demo writes. Its Schema Registry topics decode in the first minute.

@Suite(.serialized, .timeLimit(.minutes(4))) struct DemoTests {
    func kafscope(_ demo: DemoPeer, _ args: [String]) async throws -> String {
        let out = try await CommandRunner.run(URL(fileURLWithPath: try kafscopeBinary()), args + ["--config", demo.configPath, "--context", "demo"],
                                              environment: ["HOME": NSTemporaryDirectory(), "PATH": "/usr/bin:/bin"],
                                              timeout: .seconds(120))
        #expect(out.status == 0, "kafscope \(args.joined(separator: " ")): \(out.stderr)")
        return out.stdout
    }

    func lines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func theDemoRegistryTopicsDecodeAsAvroAndProtobuf() async throws {
        let demo = try await DemoPeer.start()
        do {
            let listing = try await kafscope(demo, ["get", "subjects", "-o", "json"])
            let subjects = try #require(JSONSerialization.jsonObject(with: Data(listing.utf8)) as? [[String: Any]], "\(listing)")
            #expect(Set(subjects.compactMap { $0["subject"] as? String }) == ["orders-avro-value", "shipments-proto-value"])

            let orders = try lines(try await kafscope(demo, ["tail", "orders-avro", "--from", "beginning", "--exit-at-end", "-o", "json"]))
            #expect(orders.count >= 60, "the demo seeds a backlog of 60 orders")
            for o in orders {
                #expect(o["value_format"] as? String == "avro" && o["value_subject"] as? String == "orders-avro-value", "\(o)")
                let value = try #require(o["value"] as? [String: Any], "decoded value: \(o)")
                #expect((value["order_id"] as? String)?.hasPrefix("ord-") == true)
                let customer = try #require(value["customer"] as? [String: Any])
                #expect(["BRONZE", "SILVER", "GOLD"].contains(customer["tier"] as? String ?? ""), "enum by symbol: \(customer)")
                #expect((value["total"] as? String)?.range(of: #"^\d+\.\d\d$"#, options: .regularExpression) != nil, "decimal with its scale: \(value)")
            }

            let shipments = try lines(try await kafscope(demo, ["tail", "shipments-proto", "--from", "beginning", "--exit-at-end", "-o", "json"]))
            #expect(shipments.count >= 30, "every other seeded order ships")
            for s in shipments {
                #expect(s["value_format"] as? String == "protobuf" && s["value_subject"] as? String == "shipments-proto-value", "\(s)")
                let value = try #require(s["value"] as? [String: Any], "decoded value: \(s)")
                #expect(["DHL", "UPS", "CORREO_ARGENTINO"].contains(value["carrier"] as? String ?? ""), "enum by name: \(value)")
                #expect(value["shipped_at_ms"] is String, "int64 as a string in protobuf's JSON mapping: \(value)")
                #expect(((value["parcels"] as? [Any])?.count ?? 0) >= 1)
            }
        } catch {
            await demo.stop()
            throw error
        }
        await demo.stop()
    }
}
