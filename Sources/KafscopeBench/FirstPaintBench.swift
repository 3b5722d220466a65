import BrowserCore
import ClusterModel
import Foundation
import KafkaAdmin
import KafkaClient
import TerminalCore

/// `kafscope-bench firstpaint BOOTSTRAP`: how long until the Topics screen has rows to draw, and
/// until its counts and sizes are filled, over a fresh connection as `kafscope` makes at start.
/// One line of JSON per run, for scripts/bench.py (which compares it with `kcat -L`).
enum FirstPaintBench {
    static func run(_ args: [String]) async {
        guard let bootstrap = args.first, let addresses = try? HostAddress.parseList(bootstrap) else {
            print("usage: kafscope-bench firstpaint HOST:PORT[,HOST:PORT...] [--size WxH]")
            return
        }
        var size = Size(width: 120, height: 40)
        if let i = args.firstIndex(of: "--size"), i + 1 < args.count {
            let parts = args[i + 1].split(separator: "x").compactMap { Int($0) }
            if parts.count == 2 { size = Size(width: parts[0], height: parts[1]) }
        }
        let started = ContinuousClock.now
        let client = KafkaClient(config: KafkaClientConfig(bootstrap: addresses))
        let service = KafkaAdminService(client: client)
        var state = AppState(options: BrowserOptions(contextName: "bench", refreshInterval: 0, sampleLagInBackground: false),
                             size: size, now: 0)
        _ = update(&state, .start(now: 0))
        let topicsScreen = state.currentRequester
        var firstFrame: Duration?
        var fullFrame: Duration?
        var rows = 0
        var pendingCells = false
        do {
            for try await stage in service.topicsInStages() {
                _ = update(&state, .loaded(.topics(.success(stage)), at: 1, for: topicsScreen))
                let frame = render(state, size: size)
                let at = ContinuousClock.now - started
                if firstFrame == nil {
                    firstFrame = at
                    rows = stage.value.count
                    pendingCells = frame.text().contains(state.options.glyphs.ellipsis)
                }
                if !stage.isPreliminary { fullFrame = at }
            }
        } catch {
            print(#"{"error": "\#(String(describing: error).replacingOccurrences(of: "\"", with: "'"))"}"#)
        }
        await client.shutdown()
        func seconds(_ d: Duration?) -> String {
            guard let d else { return "null" }
            return String(format: "%.4f", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
        }
        print(#"{"first_frame_s": \#(seconds(firstFrame)), "full_frame_s": \#(seconds(fullFrame)), "rows": \#(rows), "first_frame_had_pending_cells": \#(pendingCells)}"#)
    }
}
