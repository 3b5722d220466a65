@testable import BrowserCore
import ClusterModel
import Foundation
import KafkaTestSupport
import TerminalCore
import Testing

/// The real loop: a device feeds keys, the runtime runs effects as tasks and presents.
@Suite(.serialized) struct RuntimeTests {
    static func services(_ cluster: any ClusterService, control: FixtureControl = FixtureControl()) -> BrowserServices {
        BrowserServices(cluster: cluster, connect: FixtureConnectService(control: control),
                        tail: FixtureTailService(control: control))
    }

    @Test func inputIsHandledWhileALoadIsPending() async throws {
        let control = FixtureControl()
        control.close(.topics)  // the topic list never arrives
        let cluster = FixtureClusterService(control: control)
        let device = ScriptedDevice(size: Size(width: 80, height: 24), steps: [
            .waitFor("Loading topics"),
            .key(.character("?")),
            .waitFor("Help: Topics"),
            .key(.escape),
            .waitFor("Loading topics"),
            .key(.character(":")), .key(.character("b")), .key(.character("r")), .key(.enter),
            .waitFor("kafka-3.internal"),
            .key(.character("j")),
            .key(.character(":")), .key(.character("q")), .key(.enter),
        ])
        let runtime = BrowserRuntime(device: device, services: Self.services(cluster, control: control),
                                     options: BrowserOptions(contextName: "prod-eu"))
        let exit = await runtime.run()
        #expect(device.failure == nil, "\(device.failure ?? "")")
        #expect(exit == .quit)
        #expect(control.startedCount(.topics) == 1)
        #expect(control.finishedCount(.topics) == 0)  // still pending when every key was handled
        // Each key reached the screen although the load never finished (finishedCount 0 above):
        // the help screen and the brokers screen were drawn while it was pending. Not timed.
        #expect(device.presented.contains { $0.text().contains("Help: Topics") })
        // `j` moved the cursor on the brokers screen: broker 2's row is selected.
        let last = try #require(device.presented.last)
        let row = last.text().split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains("kafka-2.internal") }
        let r = try #require(row)
        #expect(last[3, r].style.role == .tableSelected)
    }

    /// A service that ignores cancellation: its first topic listing waits for a gate and
    /// then answers with stale data, which the runtime must drop.
    final class StubbornService: ClusterService, @unchecked Sendable {
        let base = FixtureClusterService()
        let lock = NSLock()
        var calls = 0
        var gateOpen = false
        /// Set as the first (stale) call returns its answer.
        var staleReturned = false

        func open() { lock.withLock { gateOpen = true } }
        func overview() async throws -> ClusterOverview { try await base.overview() }
        func topics() async throws -> Partial<[TopicSummary]> {
            let n = lock.withLock { calls += 1; return calls }
            if n == 1 {
                while !lock.withLock({ gateOpen }) { try? await Task.sleep(for: .milliseconds(5)) }
                defer { lock.withLock { staleReturned = true } }
                return Partial([TopicSummary(name: "old-answer", partitions: 1, replicationFactor: 1)])
            }
            return Partial([TopicSummary(name: n == 2 ? "new-answer" : "newest-answer", partitions: 1, replicationFactor: 1)])
        }
        func topic(named name: String) async throws -> TopicDetail { try await base.topic(named: name) }
        func groups() async throws -> Partial<[GroupSummary]> { try await base.groups() }
        func group(named name: String) async throws -> GroupDetail { try await base.group(named: name) }
    }

    @Test func newerRefreshReplacesOlderAndLateResultsAreDropped() async {
        let service = StubbornService()
        let device = ScriptedDevice(size: Size(width: 80, height: 24), steps: [
            .waitFor("Loading topics"),
            .key(.character("r")),
            .waitFor("new-answer"),
            .run { service.open() },
            // The stale answer has been returned (and is posted before anything the next key
            // starts); a third refresh's answer on screen proves the runtime got past it.
            .waitUntil({ service.lock.withLock { service.staleReturned } }, "the stale answer returned"),
            .key(.character("r")),
            .waitFor("newest-answer"),
            .key(.ctrl("c")),
        ])
        let runtime = BrowserRuntime(device: device, services: Self.services(service),
                                     options: BrowserOptions(refreshInterval: 0))
        _ = await runtime.run()
        #expect(device.failure == nil, "\(device.failure ?? "")")
        #expect(service.lock.withLock { service.calls } == 3)
        #expect(device.lastScreen.contains("newest-answer"))
        #expect(!device.presented.contains { $0.text().contains("old-answer") })
    }

    /// Answers the topic and group lists in two stages; the full ones wait for a gate.
    final class StagedService: ClusterService, @unchecked Sendable {
        let base = FixtureClusterService()
        let lock = NSLock()
        var gateOpen = false
        func open() { lock.withLock { gateOpen = true } }
        func overview() async throws -> ClusterOverview { try await base.overview() }
        func topics() async throws -> Partial<[TopicSummary]> { try await base.topics() }
        func topicsInStages() -> AsyncThrowingStream<Partial<[TopicSummary]>, Error> {
            AsyncThrowingStream { continuation in
                Task {
                    var first = TopicSummary(name: "staged-topic", partitions: 10, replicationFactor: 3)
                    first.detailsPending = true
                    continuation.yield(Partial([first], isPreliminary: true))
                    while !self.lock.withLock({ self.gateOpen }) { try? await Task.sleep(for: .milliseconds(5)) }
                    continuation.yield(Partial([TopicSummary(name: "staged-topic", partitions: 10, replicationFactor: 3,
                                                             messages: 777, sizeBytes: 4096)]))
                    continuation.finish()
                }
            }
        }
        func topic(named name: String) async throws -> TopicDetail { try await base.topic(named: name) }
        func groups() async throws -> Partial<[GroupSummary]> { try await base.groups() }
        func groupsInStages() -> AsyncThrowingStream<Partial<[GroupSummary]>, Error> {
            AsyncThrowingStream { continuation in
                Task {
                    var first = GroupSummary(group: "staged-group", type: "classic", state: "Stable")
                    first.detailsPending = true
                    continuation.yield(Partial([first], isPreliminary: true))
                    while !self.lock.withLock({ self.gateOpen }) { try? await Task.sleep(for: .milliseconds(5)) }
                    continuation.yield(Partial([GroupSummary(group: "staged-group", type: "classic", state: "Stable",
                                                             members: 4, lag: 4242)]))
                    continuation.finish()
                }
            }
        }
        func group(named name: String) async throws -> GroupDetail { try await base.group(named: name) }
    }

    /// Issue 11 item 6: the rows are drawn from the first stage while the counts are still being
    /// read (the gate is opened only after that frame was seen), then filled in.
    @Test func topicsAppearBeforeTheirCountsAndFillInLater() async throws {
        let service = StagedService()
        let device = ScriptedDevice(size: Size(width: 100, height: 24), steps: [
            .waitFor("staged-topic"),
            .run { service.open() },
            .waitFor("777"),
            .key(.ctrl("c")),
        ])
        let runtime = BrowserRuntime(device: device, services: Self.services(service),
                                     options: BrowserOptions(refreshInterval: 0))
        _ = await runtime.run()
        #expect(device.failure == nil, "\(device.failure ?? "")")
        let first = try #require(device.presented.first { $0.text().contains("staged-topic") })
        let row = try #require(first.text().split(separator: "\n").first { $0.contains("staged-topic") })
        #expect(row.contains("…") && !row.contains("777"), "\(row)")
        #expect(first.text().contains("Loading") || first.text().contains("…"), "the screen still says it is loading")
        let last = try #require(device.presented.last { $0.text().contains("777") })
        let full = try #require(last.text().split(separator: "\n").first { $0.contains("staged-topic") })
        #expect(full.contains("4.0 KiB") || full.contains("4 KiB") || full.contains("4.0K"), "\(full)")
    }

    /// Issue 11 item 6 for Groups: the rows are drawn from ListGroups while members and lag are
    /// still being read (the gate opens only after that frame was seen), then filled in.
    @Test func groupsAppearBeforeTheirLagAndFillInLater() async throws {
        let service = StagedService()
        let device = ScriptedDevice(size: Size(width: 120, height: 24), steps: [
            .waitFor("staged-group"),
            .run { service.open() },
            .waitFor("4242"),
            .key(.ctrl("c")),
        ])
        let runtime = BrowserRuntime(device: device, services: Self.services(service),
                                     options: BrowserOptions(refreshInterval: 0, initialRoute: .groups))
        _ = await runtime.run()
        #expect(device.failure == nil, "\(device.failure ?? "")")
        let first = try #require(device.presented.first { $0.text().contains("staged-group") })
        let row = try #require(first.text().split(separator: "\n").first { $0.contains("staged-group") })
        #expect(row.contains("Stable") && row.contains("…") && !row.contains("4242"), "\(row)")
        let last = try #require(device.presented.last { $0.text().contains("4242") })
        let full = try #require(last.text().split(separator: "\n").first { $0.contains("staged-group") })
        #expect(!full.contains("…"), "every cell filled: \(full)")
    }

    @Test func autoRefreshTicksWithoutKeys() async {
        let cluster = FixtureClusterService()
        let device = ScriptedDevice(size: Size(width: 80, height: 24), steps: [
            .waitUntil({ cluster.groupListingCount >= 3 }, "three group listings"),
            .key(.ctrl("c")),
        ])
        let runtime = BrowserRuntime(device: device, services: Self.services(cluster),
                                     options: BrowserOptions(refreshInterval: 0.1, initialRoute: .groups))
        _ = await runtime.run()
        #expect(device.failure == nil, "\(device.failure ?? "")")
        #expect(cluster.groupListingCount >= 3)
    }

    @Test func resizeRedrawsAtNewSize() async {
        let device = ScriptedDevice(size: Size(width: 80, height: 24), steps: [
            .waitFor("audit-log"),
            .resize(Size(width: 60, height: 16)),
            .pause(0.2),
            .key(.ctrl("c")),
        ])
        let runtime = BrowserRuntime(device: device, services: Self.services(FixtureClusterService()),
                                     options: BrowserOptions())
        _ = await runtime.run()
        #expect(device.failure == nil, "\(device.failure ?? "")")
        #expect(device.presented.last?.size == Size(width: 60, height: 16))
        #expect(device.presented.contains { $0.size == Size(width: 80, height: 24) })
    }

    @Test func redrawsOnlyWhenSomethingChanged() async {
        let device = ScriptedDevice(size: Size(width: 80, height: 24), steps: [
            .waitFor("audit-log"),
            .pause(0.5),
            .key(.ctrl("c")),
        ])
        let runtime = BrowserRuntime(device: device, services: Self.services(FixtureClusterService()),
                                     options: BrowserOptions(refreshInterval: 0))
        _ = await runtime.run()
        // Start, a few results and the quit: nowhere near one present per 50 ms tick.
        #expect(device.presented.count <= 8)
    }

    @Test func recordingDeviceQuitAndContextSwitch() async {
        let device = RecordingDevice(size: Size(width: 80, height: 24))
        device.type(":ctx staging")
        device.enqueue(.enter)
        let runtime = BrowserRuntime(device: device, services: Self.services(FixtureClusterService()),
                                     options: BrowserOptions(contextName: "prod-eu", contexts: ["prod-eu", "staging"]))
        let exit = await runtime.run()
        #expect(exit == .switchContext("staging", route: .topics))
        #expect(device.presentCount >= 1)
        #expect(device.screenText.contains("ctx prod-eu"))

        let d2 = RecordingDevice(size: Size(width: 1, height: 1), keys: [.character(":"), .character("q"), .enter])
        let exit2 = await BrowserRuntime(device: d2, services: Self.services(FixtureClusterService()),
                                         options: BrowserOptions()).run()
        #expect(exit2 == .quit)
        #expect(d2.lastBuffer?.size == Size(width: 1, height: 1))
    }

    @Test func connectServiceLoadsThroughTheRuntime() async {
        let control = FixtureControl()
        let connect = FixtureConnectService(control: control)
        let services = BrowserServices(cluster: FixtureClusterService(control: control), connect: connect)
        let result = await BrowserRuntime.perform(.connectors, services: services)
        guard case .connectors(.success(let listing)) = result else {
            Issue.record("connectors did not load: \(result)")
            return
        }
        #expect(listing.connectors.count == 3)
        let none = await BrowserRuntime.perform(.connectors, services: BrowserServices(cluster: FixtureClusterService()))
        guard case .connectors(.failure(let e)) = none else { Issue.record("expected a failure"); return }
        #expect(e.message.contains("no Kafka Connect cluster"))
    }

    /// A minimal tail screen: starts a tail on load, stops it when left, counts records.
    struct TailProbeScreen: Screen {
        let route: Route = .tail(topic: "orders")
        var records = 0
        var caughtUp = false
        mutating func load(context: ScreenContext) -> [Effect] { [.startTail(TailOptions(topic: "orders"))] }
        mutating func leave() -> [Effect] { [.stopTail] }
        mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] { [] }
        mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] {
            switch result {
            case .tail(.records(let rs)): records += rs.count
            case .tail(.caughtUp): caughtUp = true
            default: break
            }
            return []
        }
        var status: ViewStatus { ViewStatus() }
        func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
            buffer.put("records \(records)\(caughtUp ? " caught up" : "")", x: area.x, y: area.y, clip: area)
        }
    }

    @Test func tailEffectStreamsEventsAndStopsWhenLeft() async {
        let control = FixtureControl()
        let device = ScriptedDevice(size: Size(width: 80, height: 24), steps: [
            .waitFor("records 20 caught up"),
            .key(.escape),
            .waitFor("Topics [8]"),
            .key(.ctrl("c")),
        ])
        let runtime = BrowserRuntime(device: device, services: Self.services(FixtureClusterService(control: control),
                                                                             control: control),
                                     options: BrowserOptions(refreshInterval: 0))
        runtime.prepareState = { state in
            state.push(TailProbeScreen())
        }
        _ = await runtime.run()
        #expect(device.failure == nil, "\(device.failure ?? "")")
        #expect(control.startedCount(.tail) == 1)
    }
}
