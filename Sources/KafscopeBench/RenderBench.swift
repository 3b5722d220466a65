import BrowserCore
import ClusterModel
import TerminalCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `kafscope-bench render`: how long the Topics screen with 20,000 rows takes to draw,
/// and keypress-to-screen latency through update + render. Run in release:
///   swift run -c release --scratch-path .build-browser KafscopeBench render [--rows N] [--runs N] [--size WxH]
enum RenderBench {
    struct Options {
        var rows = 20_000
        var runs = 2_000
        var size = Size(width: 80, height: 24)
    }

    static func run(_ args: [String]) {
        var o = Options()
        var i = 0
        while i < args.count {
            let value = i + 1 < args.count ? args[i + 1] : ""
            switch args[i] {
            case "--rows": o.rows = Int(value) ?? o.rows; i += 1
            case "--runs": o.runs = max(10, Int(value) ?? o.runs); i += 1
            case "--size":
                let parts = value.split(separator: "x").compactMap { Int($0) }
                if parts.count == 2 { o.size = Size(width: parts[0], height: parts[1]) }
                i += 1
            default: print("unknown option \(args[i])"); return
            }
            i += 1
        }
        print("render bench: Topics screen, \(o.rows) rows, \(o.size.width)x\(o.size.height), \(o.runs) runs")

        var state = AppState(options: BrowserOptions(contextName: "bench", refreshInterval: 0, initialRoute: .topics),
                             size: o.size, now: 1_763_730_000)
        _ = update(&state, .start(now: 1_763_730_000))
        _ = update(&state, .loaded(.overview(.success(overview())), at: 1_763_730_000, for: .app))
        let topics = syntheticTopics(o.rows)
        let loadStart = ContinuousClock.now
        _ = update(&state, .loaded(.topics(.success(Partial(topics))), at: 1_763_730_001, for: state.currentRequester))
        let loadMs = ms(ContinuousClock.now - loadStart)
        let first = render(state, size: o.size).text()
        guard first.contains("load-0000000") else {
            print("the screen does not show the rows:\n\(first)")
            return
        }

        // Render only, at positions spread over the list.
        var renderTimes = Samples()
        var checksum = 0
        for r in 0..<o.runs {
            _ = update(&state, .key(r % 50 == 49 ? .character("g") : .pageDown))
            let t = Stopwatch()
            let b = render(state, size: o.size)
            renderTimes.add(t)
            checksum &+= b.cells.count
        }

        // Keypress to screen: update + render for navigation keys.
        let keys: [Key] = [.down, .down, .pageDown, .up, .character("G"), .character("g"), .pageUp, .down]
        var keyTimes = Samples()
        for r in 0..<o.runs {
            let t = Stopwatch()
            _ = update(&state, .key(keys[r % keys.count]))
            let b = render(state, size: o.size)
            keyTimes.add(t)
            checksum &+= b.cells.count
        }

        // A filter keystroke re-filters all rows (regex over every name).
        _ = update(&state, .key(.character("/")))
        var literalTimes = Samples()
        let literal: [Key] = [.character("0"), .character("1"), .character("2"), .backspace, .backspace, .backspace]
        for r in 0..<min(o.runs, 240) {
            let t = Stopwatch()
            _ = update(&state, .key(literal[r % literal.count]))
            let b = render(state, size: o.size)
            literalTimes.add(t)
            checksum &+= b.cells.count
        }
        var regexTimes = Samples()
        let regex: [Key] = [.character("^"), .character("l"), .character("."), .character("*"), .character("7"),
                            .backspace, .backspace, .backspace, .backspace, .backspace]
        for r in 0..<min(o.runs, 100) {
            let t = Stopwatch()
            _ = update(&state, .key(regex[r % regex.count]))
            let b = render(state, size: o.size)
            regexTimes.add(t)
            checksum &+= b.cells.count
        }

        print(pad("measure (ms)", 36) + pad("p50", 9) + pad("p99", 9) + pad("max", 9) + pad("cpu p50", 9) + "cpu p99")
        report("render (Topics, full screen)", renderTimes)
        report("keypress -> screen (update+render)", keyTimes)
        report("filter key, plain text", literalTimes)
        report("filter key, regex", regexTimes)
        print("load \(o.rows) rows (index + sort): \(fmt(loadMs)) ms")
        let p99 = percentile(renderTimes.wall, 0.99), cpu99 = percentile(renderTimes.cpu, 0.99)
        print("render p99 \(fmt(p99)) ms wall, \(fmt(cpu99)) ms cpu; target 8 ms: "
            + (p99 < 8 ? "met" : cpu99 < 8 ? "met in CPU time; wall time includes waiting for a busy CPU" : "NOT met"))
        if checksum == 0 { print("") }
    }

    static func overview() -> ClusterOverview {
        ClusterOverview(clusterId: "bench-cluster", controllerId: 1,
                        brokers: (1...3).map { BrokerInfo(id: Int32($0), host: "kafka-\($0)", port: 9092) },
                        quorum: .unsupported("bench"), topicCount: 20_000)
    }

    /// Deterministic topics: every 97th under-replicated, every 1,009th offline.
    static func syntheticTopics(_ count: Int) -> [TopicSummary] {
        (0..<count).map { i in
            var digits = String(i)
            while digits.count < 7 { digits = "0" + digits }
            return TopicSummary(name: "load-\(digits)", partitions: 1 + i % 24, replicationFactor: 3,
                                underReplicated: i % 97 == 0 ? 1 : 0, underMinIsr: 0, offline: i % 1_009 == 0 ? 1 : 0,
                                messages: Int64(i) * 7_919 % 10_000_000, sizeBytes: Int64(i) * 104_729 % 5_000_000_000)
        }
    }

    static func ms(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1_000 + Double(d.components.attoseconds) / 1e15
    }

    static func percentile(_ xs: [Double], _ p: Double) -> Double {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        return s[min(s.count - 1, Int((Double(s.count - 1) * p).rounded()))]
    }

    /// Wall time, and the thread's CPU time (which a loaded machine does not inflate).
    struct Stopwatch {
        let wall = ContinuousClock.now
        let cpu = RenderBench.threadCPUms()
    }

    struct Samples {
        var wall: [Double] = []
        var cpu: [Double] = []
        mutating func add(_ t: Stopwatch) {
            wall.append(RenderBench.ms(ContinuousClock.now - t.wall))
            cpu.append(RenderBench.threadCPUms() - t.cpu)
        }
    }

    static func threadCPUms() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1_000 + Double(ts.tv_nsec) / 1e6
    }

    static func report(_ name: String, _ s: Samples) {
        print(pad(name, 36) + pad(fmt(percentile(s.wall, 0.5)), 9) + pad(fmt(percentile(s.wall, 0.99)), 9)
            + pad(fmt(s.wall.max() ?? 0), 9) + pad(fmt(percentile(s.cpu, 0.5)), 9) + fmt(percentile(s.cpu, 0.99)))
    }

    static func fmt(_ v: Double) -> String {
        let t = Int((v * 1_000).rounded())
        let frac = String(t % 1_000)
        return "\(t / 1_000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }

    static func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(1, n - s.count)) }
}
