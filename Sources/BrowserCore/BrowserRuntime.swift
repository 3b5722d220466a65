import ClusterModel
import Foundation
import TerminalCore

/// Why the browser stopped.
public enum BrowserExit: Sendable, Hashable {
    case quit
    /// `:ctx NAME`: the app reconnects and starts a new runtime (at `route` if it likes).
    case switchContext(String, route: Route)
}

/// Runs the browser: one UI loop on a dedicated thread owns the terminal (read a key
/// with a 50 ms timeout, drain finished effects, update, draw when something changed),
/// while effects run as Swift tasks, one per kind (a newer one cancels the older).
/// Slow services never block input: their results just arrive later.
public final class BrowserRuntime: @unchecked Sendable {
    // @unchecked: `device` and the loop's state are touched only by the UI thread;
    // `inbox` is the only thing other threads reach, and it is locked.
    private let device: any TerminalDevice
    private let services: BrowserServices
    private let options: BrowserOptions
    private let clock: @Sendable () -> Double
    private let inbox = Inbox()
    /// Key-wait per loop turn, in milliseconds.
    public var keyTimeoutMilliseconds = 50
    /// Adjusts the first state before `.start` (tests put probe screens on the stack).
    var prepareState: ((inout AppState) -> Void)?

    private var jobs: [EffectKind: Job] = [:]
    /// Exports to files started by this runtime (finished ones too; awaiting those costs nothing).
    private var exports: [Task<Void, Never>] = []
    /// How exports still being written when the browser stopped ended, one line each: the app
    /// prints them once the terminal is its own again.
    public private(set) var reportsAfterExit: [String] = []
    private var generation: UInt64 = 0
    private var exit: BrowserExit?
    /// The terminal was handed to an external editor: draw every cell again.
    private var redrawAll = false

    private struct Job {
        var generation: UInt64
        /// Where the job's results go.
        var requester: Requester
        var task: Task<Void, Never>
    }

    public init(device: any TerminalDevice, services: BrowserServices, options: BrowserOptions,
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.device = device
        self.services = services
        self.options = options
        self.clock = clock
    }

    /// Runs the UI loop on its own thread and returns when the user quits or switches
    /// context. Call once.
    public func run() async -> BrowserExit {
        await withCheckedContinuation { (cont: CheckedContinuation<BrowserExit, Never>) in
            let thread = Thread { [self] in
                cont.resume(returning: self.runBlocking())
            }
            thread.name = "kafscope-ui"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Runs the UI loop on the calling thread (which becomes the UI thread).
    public func runBlocking() -> BrowserExit {
        var state = AppState(options: options, size: device.size, now: clock())
        prepareState?(&state)
        apply(&state, .start(now: clock()))
        var presentedRevision: Int? = nil
        var presentedSize: Size? = nil
        while exit == nil {
            let started = clock()
            var key = device.readKey(timeoutMilliseconds: keyTimeoutMilliseconds)
            if key == nil {
                // Devices that return at once (tests, closed input) must not spin the CPU.
                let waited = (clock() - started) * 1000
                let rest = Double(keyTimeoutMilliseconds) - waited
                if rest > 1 { Thread.sleep(forTimeInterval: rest / 1000) }
            }
            // Drain a burst (paste, key repeat) and apply it at once, then draw once.
            var burst: [Key] = []
            while let k = key {
                if k != .resize { burst.append(k) }
                key = burst.count < 64 ? device.readKey(timeoutMilliseconds: 0) : nil
            }
            if burst.count == 1 { apply(&state, .key(burst[0])) } else if !burst.isEmpty { apply(&state, .keys(burst)) }
            if device.size != state.size { apply(&state, .resize(device.size)) }
            if let link = services.jumpHostLink?(), link != state.jumpHostLink { apply(&state, .jumpHost(link)) }
            for item in inbox.drain() where accept(item) {
                apply(&state, .loaded(item.result, at: item.at, for: item.requester))
            }
            apply(&state, .tick(now: clock()))
            let size = device.size
            if state.revision != presentedRevision || size != presentedSize || redrawAll {
                redrawAll = false
                device.present(render(state, size: size))
                presentedRevision = state.revision
                presentedSize = size
            }
        }
        for (_, job) in jobs { job.task.cancel() }
        jobs.removeAll()
        finishExports()
        return exit ?? .quit
    }

    /// Waits for the exports still being written (local files, bounded by the tail's buffer), so
    /// that quitting never leaves a truncated file, and keeps how each ended for `reportsAfterExit`.
    /// The status line already says "Finishing the export..." (drawn in the loop's last turn).
    private func finishExports() {
        let pending = exports
        exports.removeAll()
        if !pending.isEmpty {
            let done = DispatchSemaphore(value: 0)
            Task {
                for t in pending { await t.value }
                done.signal()
            }
            done.wait()
        }
        for item in inbox.drain() {
            if case .exported(let r) = item.result, let line = ExportReport.final(r) { reportsAfterExit.append(line.text) }
        }
    }

    /// Runs `update` and starts the effects it returns.
    private func apply(_ state: inout AppState, _ message: Message) {
        let requests = update(&state, message)
        for r in requests { start(r, state: state) }
    }

    /// True when a result belongs to the current job of its kind (older ones were
    /// replaced or cancelled and are dropped).
    private func accept(_ item: Inbox.Item) -> Bool {
        guard let kind = item.kind else { return true }
        guard let job = jobs[kind], job.generation == item.generation else { return false }
        if item.final { jobs[kind] = nil }
        return true
    }

    private func start(_ request: Request, state: AppState) {
        let requester = request.from
        switch request.effect {
        case .quit:
            exit = .quit
        case .switchContext(let name):
            exit = .switchContext(name, route: state.route.reopened)
        case .cancel(let kind):
            cancel(kind, for: requester)
        case .stopTail:
            cancel(.tail, for: requester)
        case .load(.topics):
            // In stages: the rows after Metadata, the counts and sizes when they are read.
            launchStaged(kind: .topics, for: requester, what: "topic list", { $0.cluster.topicsInStages() }, LoadResult.topics)
        case .load(.groups):
            // In stages: the rows after ListGroups, members and lag when they are read.
            launchStaged(kind: .groups, for: requester, what: "group list", { $0.cluster.groupsInStages() }, LoadResult.groups)
        case .load(let load):
            launch(kind: load.kind, for: requester) { [services] post in
                post(await Self.perform(load, services: services), true)
            }
        case .audit(let line):
            services.audit(line)
        case .editExternally(let text):
            // On the UI thread, on purpose: the editor owns the terminal until it exits.
            let result: Result<String, LoadError>
            if let edit = services.editText {
                var r: Result<String, LoadError> = .failure(LoadError("the editor did not run"))
                device.suspended {
                    do { r = .success(try edit(text)) } catch { r = .failure(LoadError(error)) }
                }
                result = r
            } else {
                result = .failure(LoadError("no external editor in this build"))
            }
            redrawAll = true
            inbox.post(.init(kind: nil, generation: 0, final: true, requester: requester, result: .edited(result), at: clock()))
        case .produce(let draft):
            // A write: never replaced or dropped; it reports back.
            let inbox = self.inbox, clock = self.clock, services = self.services
            Task {
                let result: Result<ProducedRecord, LoadError>
                if let producer = services.produce {
                    do { result = .success(try await producer.produce(draft)) } catch { result = .failure(LoadError(error)) }
                } else {
                    result = .failure(LoadError("producing is not available in this build"))
                }
                inbox.post(.init(kind: nil, generation: 0, final: true, requester: requester,
                                 result: .produced(draft, result), at: clock()))
            }
        case .exportRecords(let x):
            guard let exporter = services.export else {
                inbox.post(.init(kind: nil, generation: 0, final: true, requester: requester,
                                 result: .exported(.failure(LoadError("exporting is not available in this build"))), at: clock()))
                return
            }
            // Off the UI thread: the file is written in chunks while the progress comes back. Not a
            // job of a kind: a later export (from another tail) must not cancel this one half-written,
            // and leaving the tail does not stop it. Quitting waits for it (`finishExports`).
            let stream = exporter.export(x.records, to: x.path, overwrite: x.overwrite)
            let inbox = self.inbox, clock = self.clock
            exports.append(Task {
                do {
                    for try await event in stream {
                        inbox.post(.init(kind: nil, generation: 0, final: event.isFinal, requester: requester,
                                         result: .exported(.success(event)), at: clock()))
                    }
                } catch {
                    inbox.post(.init(kind: nil, generation: 0, final: true, requester: requester,
                                     result: .exported(.failure(LoadError(error))), at: clock()))
                }
            })
        case .connectAction(let action, let cluster, let connector):
            // Writes are never replaced or dropped: each reports back.
            let inbox = self.inbox, clock = self.clock, services = self.services
            Task {
                var err: LoadError? = nil
                if let c = services.connect {
                    do { try await c.perform(action, cluster: cluster, connector: connector) } catch { err = LoadError(error) }
                } else {
                    err = LoadError("no Kafka Connect cluster is configured")
                }
                inbox.post(.init(kind: nil, generation: 0, final: true, requester: requester,
                                 result: .connectAction(action, cluster: cluster, connector: connector, error: err),
                                 at: clock()))
            }
        case .topicAdmin(let step):
            // Writes are never replaced or dropped: each reports back.
            let inbox = self.inbox, clock = self.clock, services = self.services
            Task {
                let answer = await step.perform(services.topicAdmin)
                inbox.post(.init(kind: nil, generation: 0, final: true, requester: requester,
                                 result: .topicAdmin(step, answer), at: clock()))
            }
        case .groupWrite(let step):
            // Writes are never replaced or dropped: each reports back.
            let inbox = self.inbox, clock = self.clock, services = self.services
            Task {
                let answer = await step.perform(services.groupWrites)
                inbox.post(.init(kind: nil, generation: 0, final: true, requester: requester,
                                 result: .groupWrite(step, answer), at: clock()))
            }
        case .load(.resetPlan(let group, let spec, let scope)):
            // The clock is the runtime's: "--by-duration PT1H" means an hour before now.
            let nowMs = Int64(clock() * 1000)
            launch(kind: .resetPlan, for: requester) { [services] post in
                post(await Self.resetPlan(group: group, spec: spec, scope: scope, nowMs: nowMs, services: services), true)
            }
        case .startTail(let opts):
            guard let tail = services.tail else {
                let at = clock()
                inbox.post(.init(kind: nil, generation: 0, final: true, requester: requester,
                                 result: .tailEnded(LoadError("tailing is not available in this build")), at: at))
                return
            }
            // The stream is made here, on the UI thread, so events sent right after the
            // screen opened are buffered rather than lost before the task subscribes.
            let stream = tail.tail(opts)
            launch(kind: .tail, for: requester) { post in
                do {
                    for try await event in stream {
                        if Task.isCancelled { break }
                        post(.tail(event), false)
                    }
                    post(.tailEnded(nil), true)
                } catch {
                    post(.tailEnded(Task.isCancelled ? nil : LoadError(error)), true)
                }
            }
        }
    }

    /// Starts a job of `kind` for `requester`, cancelling the previous one of that kind.
    private func launch(kind: EffectKind, for requester: Requester,
                        _ body: @escaping @Sendable (_ post: @escaping @Sendable (LoadResult, Bool) -> Void) async -> Void) {
        jobs[kind]?.task.cancel()
        generation &+= 1
        let gen = generation
        let inbox = self.inbox, clock = self.clock
        let post: @Sendable (LoadResult, Bool) -> Void = { result, final in
            inbox.post(.init(kind: kind, generation: gen, final: final, requester: requester, result: result, at: clock()))
        }
        jobs[kind] = Job(generation: gen, requester: requester, task: Task { await body(post) })
    }

    /// A load answered in stages: each stage is drawn as it comes; the full one ends the job.
    private func launchStaged<Row: Sendable>(kind: EffectKind, for requester: Requester, what: String,
                                             _ stages: @escaping @Sendable (BrowserServices) -> AsyncThrowingStream<Partial<[Row]>, Error>,
                                             _ wrap: @escaping @Sendable (Result<Partial<[Row]>, LoadError>) -> LoadResult) {
        launch(kind: kind, for: requester) { [services] post in
            do {
                for try await stage in stages(services) {
                    post(wrap(.success(stage)), !stage.isPreliminary)
                    if !stage.isPreliminary { return }
                }
                post(wrap(.failure(LoadError("the \(what) ended before the full answer"))), true)
            } catch {
                post(wrap(.failure(LoadError(error))), true)
            }
        }
    }

    /// Stops the job of `kind` when it is the requester's own (a screen leaving never stops work
    /// that another screen or the app asked for).
    private func cancel(_ kind: EffectKind, for requester: Requester) {
        guard let job = jobs[kind], requester == .app || job.requester == requester else { return }
        job.task.cancel()
        jobs[kind] = nil
    }

    /// `nowMs`: the clock for reset plans by duration.
    static func perform(_ request: LoadRequest, services: BrowserServices, nowMs: Int64 = 0) async -> LoadResult {
        let cluster = services.cluster
        func run<T>(_ f: () async throws -> T) async -> Result<T, LoadError> {
            do { return .success(try await f()) } catch { return .failure(LoadError(error)) }
        }
        switch request {
        case .overview: return .overview(await run { try await cluster.overview() })
        case .topics: return .topics(await run { try await cluster.topics() })
        case .topic(let name): return .topic(name: name, await run { try await cluster.topic(named: name) })
        case .groups: return .groups(await run { try await cluster.groups() })
        case .group(let name): return .group(name: name, await run { try await cluster.group(named: name) })
        case .connectors:
            guard let c = services.connect else {
                return .connectors(.failure(LoadError("no Kafka Connect cluster is configured (--connect NAME=URL)")))
            }
            return .connectors(.success(await c.connectors()))
        case .connector(let cl, let name):
            guard let c = services.connect else {
                return .connector(cluster: cl, name: name, .failure(LoadError("no Kafka Connect cluster is configured")))
            }
            return .connector(cluster: cl, name: name, await run { try await c.connector(cluster: cl, name: name) })
        case .subjects, .subject, .schema:
            return await SchemaLoads.perform(request, services.schemas)
        case .resetPlan(let group, let spec, let scope):
            return await resetPlan(group: group, spec: spec, scope: scope, nowMs: nowMs, services: services)
        case .configs(let resource):
            guard let admin = services.topicAdmin else {
                return .configs(resource, .failure(LoadError("this cluster service cannot read configs")))
            }
            return .configs(resource, await run { try await admin.describeConfigs(resource) })
        case .adminVerdict(let step):
            return .adminVerdict(step, await step.validate(services.topicAdmin))
        case .acls(let filter):
            guard let admin = services.topicAdmin else {
                return .acls(filter, .failure(LoadError("this cluster service cannot list ACLs")))
            }
            do {
                return .acls(filter, .success(.acls(try await admin.describeAcls(filter))))
            } catch let refused as AclListRefused {
                return .acls(filter, .success(.refused(refused)))
            } catch {
                return .acls(filter, .failure(LoadError(error)))
            }
        }
    }

    static func resetPlan(group: String, spec: OffsetResetSpec, scope: OffsetResetScope, nowMs: Int64,
                          services: BrowserServices) async -> LoadResult {
        guard let g = services.groupWrites else {
            return .resetPlan(group: group, spec: spec, scope: scope,
                              .failure(LoadError("this cluster service cannot write to consumer groups")))
        }
        do {
            return .resetPlan(group: group, spec: spec, scope: scope,
                              .success(try await g.offsetResetPlan(group: group, spec: spec, scope: scope, nowMs: nowMs)))
        } catch {
            return .resetPlan(group: group, spec: spec, scope: scope, .failure(LoadError(error)))
        }
    }
}

/// Finished effect results, handed from tasks to the UI thread.
final class Inbox: @unchecked Sendable {
    // @unchecked: every access to `items` holds `lock`.
    struct Item: Sendable {
        var kind: EffectKind?
        var generation: UInt64
        /// The job ends with this item.
        var final: Bool
        /// Who asked: the only one the result is delivered to.
        var requester: Requester
        var result: LoadResult
        var at: Double
    }

    private let lock = NSLock()
    private var items: [Item] = []

    func post(_ item: Item) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }

    func drain() -> [Item] {
        lock.lock()
        defer { lock.unlock() }
        let out = items
        items.removeAll(keepingCapacity: true)
        return out
    }
}
