import ClusterModel
import TerminalCore

/// One connector an action applies to.
public struct ConnectTarget: Hashable, Sendable {
    public var cluster: String
    public var connector: String
    public init(cluster: String, connector: String) {
        self.cluster = cluster
        self.connector = connector
    }
    var id: String { "\(cluster)/\(connector)" }
}

/// The steps of a Connect write shared by the connector screens:
/// version check per cluster (`.checkConnectAction`) -> confirmation (`.write`) -> one
/// `.connectAction` at a time (the runtime runs one per kind) -> the transition, shown
/// once the next status read arrives. The service polls until the state settles before
/// it answers, so that read shows the end state.
struct ConnectActionFlow: Sendable, Hashable {
    struct Check: Sendable, Hashable {
        var action: ConnectAction
        var targets: [ConnectTarget]
        /// Clusters still to ask, in order; the head is being asked.
        var clusters: [String]
        var skipped: [String] = []
    }

    private(set) var check: Check?
    /// Confirmed (or awaiting confirmation) targets; the head's effect is the one in flight.
    private(set) var queue: [ConnectTarget] = []
    private(set) var queueAction: ConnectAction?
    /// Status at the time of the request, per target id, for the transition note.
    private(set) var before: [String: ConnectorStatus] = [:]
    /// Done targets whose new status has not been read yet.
    private(set) var awaitingRead: [String: ConnectorStatus?] = [:]
    private(set) var failures: [String] = []

    /// Starts an action on `targets` (with their current status): asks about support first.
    mutating func request(_ action: ConnectAction, _ targets: [(ConnectTarget, ConnectorStatus?)]) -> [ScreenOutput] {
        guard !targets.isEmpty else { return [] }
        self = ConnectActionFlow()
        for (t, s) in targets { if let s { before[t.id] = s } }
        var clusters: [String] = []
        for (t, _) in targets where !clusters.contains(t.cluster) { clusters.append(t.cluster) }
        check = Check(action: action, targets: targets.map(\.0), clusters: clusters)
        return [.effect(.checkConnectAction(action, cluster: clusters[0]))]
    }

    /// Feeds a result; returns what to show or send next.
    mutating func receive(_ result: LoadResult) -> [ScreenOutput] {
        switch result {
        case .actionSupport(let action, let cluster, let reason):
            guard var c = check, c.action == action, c.clusters.first == cluster else { return [] }
            c.clusters.removeFirst()
            if let reason {
                let dropped = c.targets.filter { $0.cluster == cluster }
                c.targets.removeAll { $0.cluster == cluster }
                c.skipped.append("\(dropped.map(\.connector).joined(separator: ", ")) on \(cluster): \(reason)")
            }
            if let next = c.clusters.first {
                check = c
                return [.effect(.checkConnectAction(action, cluster: next))]
            }
            check = nil
            if c.targets.isEmpty {
                return [.note("Cannot \(action.verb): " + c.skipped.joined(separator: "; "), .error)]
            }
            queue = c.targets
            queueAction = action
            return [.write(Self.intent(action, c.targets, skipped: c.skipped))]
        case .connectAction(let action, let cluster, let connector, let error):
            guard let head = queue.first, action == queueAction, head.cluster == cluster, head.connector == connector else { return [] }
            queue.removeFirst()
            if let error { failures.append("\(head.id): \(error.message)") } else { awaitingRead[head.id] = .some(before[head.id]) }
            if let next = queue.first {
                return [.effect(.connectAction(action, cluster: next.cluster, connector: next.connector))]
            }
            queueAction = nil
            if !failures.isEmpty && awaitingRead.isEmpty == false {
                // Some succeeded: their transitions follow; say what failed now.
                return [.note("\(failures.count) failed: " + failures.joined(separator: "; "), .error)]
            }
            return []
        default:
            return []
        }
    }

    /// Whether the flow waits for a new read of `id` (to show its transition).
    func awaitsRead(_ id: String) -> Bool { awaitingRead.keys.contains(id) }

    /// Called with freshly read statuses: returns the transition note of the finished action.
    mutating func observe(_ statuses: [ConnectorStatus]) -> [ScreenOutput] {
        guard !awaitingRead.isEmpty, queue.isEmpty else { return [] }
        var parts: [String] = []
        for s in statuses {
            let id = "\(s.connect)/\(s.name)"
            guard awaitingRead.keys.contains(id) else { continue }
            parts.append("\(id): \(ConnectTransition.describe(before: awaitingRead[id]!, after: s))")
            awaitingRead.removeValue(forKey: id)
        }
        guard !parts.isEmpty else { return [] }
        let text = parts.joined(separator: " | ")
        return [.note(failures.isEmpty ? text : text + " | failed: " + failures.joined(separator: "; "),
                      failures.isEmpty ? .info : .error)]
    }

    /// Forgets everything (e.g. when the screen opens a child).
    mutating func reset() { self = ConnectActionFlow() }

    /// The confirmation naming every cluster and connector.
    static func intent(_ action: ConnectAction, _ targets: [ConnectTarget], skipped: [String]) -> WriteIntent {
        let effect = Effect.connectAction(action, cluster: targets[0].cluster, connector: targets[0].connector)
        let skip = skipped.isEmpty ? "" : " (skipping \(skipped.joined(separator: "; ")))"
        if targets.count == 1 {
            let t = targets[0]
            let (verb, what) = phrase(action, connector: t.connector)
            return WriteIntent(action: verb, target: "\(what) on Connect cluster \(t.cluster)\(skip)", effect: effect)
        }
        var clusters: [String] = []
        for t in targets where !clusters.contains(t.cluster) { clusters.append(t.cluster) }
        let list = clusters.map { c in
            targets.filter { $0.cluster == c }.map(\.connector).joined(separator: ", ") + " on Connect cluster \(c)"
        }.joined(separator: "; ")
        return WriteIntent(action: "\(bulkVerb(action)) \(targets.count) connectors", target: list + skip, effect: effect)
    }

    /// ("pause connector", "orders-sink"): the dialog reads "Pause connector orders-sink on Connect cluster QA?".
    static func phrase(_ action: ConnectAction, connector: String) -> (String, String) {
        switch action {
        case .pause: return ("pause connector", connector)
        case .resume: return ("resume connector", connector)
        case .stop: return ("stop connector", connector)
        case .restart(false, false): return ("restart connector", connector)
        case .restart(true, false): return ("restart connector", "\(connector) and all its tasks")
        case .restart(false, true): return ("restart connector", "\(connector) if it has failed")
        case .restart(true, true): return ("restart the failed instances of connector", connector)
        case .restartTask(let id): return ("restart task \(id) of connector", connector)
        }
    }

    static func bulkVerb(_ action: ConnectAction) -> String {
        switch action {
        case .restart(true, false): return "restart (with all tasks)"
        case .restart(_, true): return "restart the failed instances of"
        case .restart: return "restart"
        default: return action.verb
        }
    }
}

/// Connect display helpers shared by both connector screens.
enum ConnectKeys {
    static func stateRole(_ state: String) -> Role {
        switch state {
        case "RUNNING": return .statusOk
        case "FAILED": return .statusError
        case "PAUSED", "STOPPED", "UNASSIGNED", "RESTARTING": return .statusWarn
        default: return .normal
        }
    }
}
