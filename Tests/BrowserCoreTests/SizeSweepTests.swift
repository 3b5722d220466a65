@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing

/// Every screen and mode renders at every size from 1x1 to 20x10 (and 0x0) without
/// trapping, and the buffer always has the requested size.
@Suite struct SizeSweepTests {
    static func scenarios() async -> [(String, Harness)] {
        var out: [(String, Harness)] = []
        for route in [Route.topics, .brokers, .quorum, .groups, .topic("audit-log"), .topic("orders"),
                      .group("orders-processor"), .group("analytics-etl"), .connectors, .tail(topic: "orders")] {
            out.append(("\(route)", await Harness.at(route)))
        }
        var h = await Harness.at(.topics)
        h.press("help")
        out.append(("help", h))
        h = await Harness.at(.topics)
        h.press("filter")
        h.type("[bad")
        out.append(("filter", h))
        h = await Harness.at(.topics)
        h.press("command")
        h.type("tail pa")
        out.append(("command", h))
        h = await Harness.at(.topics)
        h.state.push(WriteProbeScreen())
        h.key(.character("p"))
        out.append(("confirm", h))
        let control = FixtureControl()
        control.fail(.overview, "down")
        control.fail(.topics, "down")
        h = Harness(control: control)
        await h.settle()
        out.append(("error", h))
        out.append(("loading", Harness()))
        return out
    }

    @Test func tinySizesNeverCrash() async {
        for (name, h) in await Self.scenarios() {
            for w in 0...20 {
                for ht in 0...10 {
                    let b = h.screen(Size(width: w, height: ht))
                    #expect(b.size == Size(width: w, height: ht), "\(name) \(w)x\(ht)")
                }
            }
        }
    }

    @Test func keysAtTinySizesNeverCrash() async {
        // Update uses the size for page lengths; drive every binding at 1x1 and 3x2.
        for size in [Size(width: 1, height: 1), Size(width: 3, height: 2), Size(width: 0, height: 0)] {
            for route in [Route.topics, .topic("orders"), .group("orders-processor"), .quorum] {
                var h = await Harness.at(route, size: size)
                for b in h.state.activeBindings where b.name != "quit" {
                    h.send(.key(b.keys[0]))
                    _ = h.screen()
                    h.key(.escape)
                    _ = h.screen()
                }
                #expect(h.screen().size == size)
            }
        }
    }

    /// Below 20x5 the screen says so instead of drawing a cramped, unreadable view; at 20x5 the
    /// view itself is drawn.
    @Test func tooSmallSaysSo() async {
        let h = await Harness.at(.topics)
        for size in [Size(width: 19, height: 24), Size(width: 80, height: 4), Size(width: 12, height: 3)] {
            let text = h.text(size)
            #expect(text.contains("too small") || text.contains("Terminal"), "\(size.width)x\(size.height)")
            #expect(!text.contains("NAME"), "\(size.width)x\(size.height)")
        }
        #expect(h.text(Size(width: 80, height: 4)).contains("Terminal too small (80x4); needs 20x5."))
        let ok = h.text(Size(width: 20, height: 5))
        #expect(!ok.contains("too small"))
        #expect(ok.contains("NAME"))
    }

    @Test func resizeMessageChangesLayout() async {
        var h = await Harness.at(.topics)
        h.send(.resize(Size(width: 60, height: 16)))
        #expect(h.state.size == Size(width: 60, height: 16))
        #expect(h.screen().size == Size(width: 60, height: 16))
    }
}
