@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing

/// Issue 13 item 7: at 100 columns the Brokers screen dropped its ERROR column and padded ADDRESS
/// to 50 characters. Width goes by priority: an unhealthy broker's error outranks address padding
/// at every width.
@Suite struct ColumnPriorityTests {
    static let error = "connection refused by kafka-2.internal:9092 (check that the broker is up)"

    /// The Brokers screen with broker 2 unreachable, at `width` columns.
    func brokersWithOneDown(width: Int) async throws -> Harness {
        var h = await Harness.at(.brokers, size: Size(width: width, height: 12))
        var overview = try await FixtureClusterService().overview()
        overview.brokers[1].error = Self.error
        h.deliver(.overview(.success(overview)))
        await h.settle()
        return h
    }

    @Test(arguments: [40, 80, 100, 200])
    func anUnreachableBrokersErrorIsShownAtEveryWidth(width: Int) async throws {
        let h = try await brokersWithOneDown(width: width)
        let screen = h.screen()
        expectSnapshot(screen, "brokers_broker_down_\(width)x12")
        let rows = screen.text().split(separator: "\n").map(String.init)
        let header = try #require(rows.first { $0.contains("ADDRESS") }, "\(rows)")
        let row = try #require(rows.first { $0.contains("kafka-2.internal") }, "\(rows)")
        #expect(header.contains("ERROR"), "ERROR column at \(width):\n\(screen.text())")
        // At least its first words, whatever the width.
        #expect(row.contains("connect"), "error text at \(width): \(row)")
        // Cut short only when nothing is padded: the address column is exactly as wide as its
        // widest address, so the column after it starts one blank after the address.
        if !row.contains(Self.error) {
            let start = try #require(header.range(of: "ADDRESS")).lowerBound
            let afterAddress = header[start...].dropFirst("ADDRESS".count)
            let nextTitle = try #require(afterAddress.firstIndex { $0 != " " })
            let addressWidth = header.distance(from: start, to: nextTitle) - 1
            #expect(addressWidth <= "kafka-2.internal:9092".count + 1,  // +1: a right-aligned title after it
                    "ADDRESS padded to \(addressWidth) while the error is cut at \(width):\n\(screen.text())")
        }
    }

    /// With every broker healthy there is no ERROR column taking room.
    @Test func aHealthyClusterHasNoErrorColumn() async throws {
        let h = await Harness.at(.brokers, size: Size(width: 100, height: 12))
        #expect(!h.text().contains("ERROR"), "\(h.text())")
    }
}
