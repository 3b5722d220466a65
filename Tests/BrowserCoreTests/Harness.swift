@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing
import WriteFlow

/// Drives AppState like the runtime does, but synchronously and with a fixed clock:
/// effects run against fixture services and their results are fed back in order.
struct Harness {
    static let start: Double = 1_763_730_000  // 2025-11-21 13:00:00 UTC

    var state: AppState
    let services: BrowserServices
    let cluster: FixtureClusterService
    let connect: FixtureConnectService
    /// Records the composer's sends and answers where they went.
    let producer = FixtureProduceService()
    /// Topic and config administration (issue 18).
    let topicAdmin = FixtureTopicAdmin()
    /// Keeps what the tail's export was asked to write (no file is written).
    let exporter = FixtureExportService()
    var now: Double = Harness.start
    /// Effects asked for and not run yet, with who asked.
    var queue: [Request] = []
    var pending: [Effect] { queue.map(\.effect) }
    /// Every effect run, in order.
    var ran: [Effect] = []
    /// Audit lines written, in order.
    var audits: [String] = []
    /// Who asked for the latest job of each kind (where `deliver` sends results).
    var requesters: [EffectKind: Requester] = [:]

    init(options: BrowserOptions = BrowserOptions(contextName: "prod-eu", contexts: ["prod-eu", "staging"]),
         size: Size = Size(width: 80, height: 24), control: FixtureControl = FixtureControl(), extraTopics: Int = 0,
         start: Bool = true) {
        cluster = FixtureClusterService(control: control, extraTopics: extraTopics)
        connect = FixtureConnectService(control: control)
        services = BrowserServices(cluster: cluster, connect: connect, tail: FixtureTailService(control: control))
            .with(produce: producer)
            .with(editor: { text in "from the editor\n" + text })
            .with(topicAdmin: topicAdmin)
            .with(export: exporter)
        state = AppState(options: options, size: size, now: now)
        if start { send(.start(now: now)) }
    }

    var control: FixtureControl { cluster.control }

    mutating func send(_ m: Message) { queue += update(&state, m) }

    /// Delivers a result as the runtime would: to whoever asked for the latest job of its kind.
    mutating func deliver(_ result: LoadResult, at time: Double? = nil) {
        send(.loaded(result, at: time ?? now, for: requesters[result.kind] ?? state.currentRequester))
    }

    mutating func press(_ binding: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let key = state.key(forBinding: binding) else {
            Issue.record("no key bound to \(binding) on \(state.route)", sourceLocation: sourceLocation)
            return
        }
        send(.key(key))
    }

    mutating func key(_ k: Key) { send(.key(k)) }
    mutating func type(_ text: String) { for c in text { send(.key(.character(c))) } }
    mutating func command(_ line: String) { key(.character(":")); type(line); key(.enter) }

    mutating func advance(_ seconds: Double) {
        now += seconds
        send(.tick(now: now))
    }

    /// Runs effects (and the effects their results cause) until none is left.
    mutating func settle() async {
        var guardCount = 0
        while !queue.isEmpty {
            // Effects that keep causing effects are a bug to report, not a place to stop quietly.
            guardCount += 1
            if guardCount > 200 {
                Issue.record("settle: still \(queue.count) effects pending after 200 (a loop?): \(pending.prefix(5))")
                queue.removeAll()
                return
            }
            let request = queue.removeFirst()
            let e = request.effect, from = request.from
            ran.append(e)
            if let kind = e.kind, !isCancel(e) { requesters[kind] = from }
            switch e {
            case .load(let r):
                let result = await BrowserRuntime.perform(r, services: services, nowMs: Int64(now * 1000))
                send(.loaded(result, at: now, for: from))
            case .groupWrite(let step):
                send(.loaded(.groupWrite(step, await step.perform(services.groupWrites)), at: now, for: from))
            case .topicAdmin(let step):
                send(.loaded(.topicAdmin(step, await step.perform(services.topicAdmin)), at: now, for: from))
            case .connectAction(let a, let cl, let co):
                var err: LoadError? = nil
                do { try await connect.perform(a, cluster: cl, connector: co) } catch { err = LoadError(error) }
                send(.loaded(.connectAction(a, cluster: cl, connector: co, error: err), at: now, for: from))
            case .editExternally(let text):
                let result: Result<String, LoadError>
                if let edit = services.editText {
                    do { result = .success(try edit(text)) } catch { result = .failure(LoadError(error)) }
                } else {
                    result = .failure(LoadError("no editor"))
                }
                send(.loaded(.edited(result), at: now, for: from))
            case .produce(let draft):
                let result: Result<ProducedRecord, LoadError>
                do { result = .success(try await producer.produce(draft)) } catch { result = .failure(LoadError(error)) }
                send(.loaded(.produced(draft, result), at: now, for: from))
            case .exportRecords(let x):
                do {
                    for try await event in exporter.export(x.records, to: x.path, overwrite: x.overwrite) {
                        send(.loaded(.exported(.success(event)), at: now, for: from))
                    }
                } catch {
                    send(.loaded(.exported(.failure(LoadError(error))), at: now, for: from))
                }
            case .audit(let line):
                audits.append(line)
            case .cancel, .startTail, .stopTail, .switchContext, .quit:
                break
            }
        }
    }

    private func isCancel(_ e: Effect) -> Bool {
        switch e {
        case .cancel, .stopTail: return true
        default: return false
        }
    }

    func screen(_ size: Size? = nil) -> CellBuffer { render(state, size: size ?? state.size) }
    func text(_ size: Size? = nil) -> String { screen(size).text() }

    /// A started harness with data loaded on `route`.
    static func at(_ route: Route, size: Size = Size(width: 80, height: 24), options: BrowserOptions? = nil) async -> Harness {
        var o = options ?? BrowserOptions(contextName: "prod-eu", contexts: ["prod-eu", "staging"])
        o.initialRoute = route
        var h = Harness(options: o, size: size)
        await h.settle()
        return h
    }
}

/// A screen that asks for a write, to exercise confirmation and read-only refusal.
struct WriteProbeScreen: Screen {
    let route: Route = .connector(cluster: "QA", name: "orders-sink")
    var actions: [Action] { [.connector(.pause)] }
    mutating func load(context: ScreenContext) -> [Effect] { [] }
    mutating func leave() -> [Effect] { [] }
    mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        guard action == .perform(.connector(.pause)) else { return [] }
        return [.write(WriteRequest(description: ConnectWrite.description(.pause, connector: "orders-sink", cluster: "QA"),
                                    steps: [.connectAction(.pause, cluster: "QA", connector: "orders-sink")]))]
    }
    mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] { [] }
    var status: ViewStatus { ViewStatus() }
    func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        buffer.put("connector orders-sink (probe)", x: area.x, y: area.y, clip: area)
    }
}

func expectSnapshot(_ buffer: CellBuffer, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    if let failure = Snapshot.verify(buffer, named: name, testFile: #filePath) {
        Issue.record(Comment(rawValue: failure), sourceLocation: sourceLocation)
    }
}

let snapshotSizes = [Size(width: 80, height: 24), Size(width: 120, height: 40), Size(width: 60, height: 16)]
