import ClusterModel

/// One connector a Connect action applies to.
public struct ConnectTarget: Hashable, Sendable, CustomStringConvertible {
    public var cluster: String
    public var connector: String
    public init(cluster: String, connector: String) {
        self.cluster = cluster
        self.connector = connector
    }
    /// "QA/orders-sink"
    public var description: String { "\(cluster)/\(connector)" }
}

/// Connect actions as writes: their description and how a status read counts as settled.
/// Shared by the CLI (`kafscope connector ...`) and the connector screens.
public enum ConnectWrite {
    /// `cluster` nil while the connector's cluster is not known yet (the check finds it).
    public static func description(_ action: ConnectAction, connector: String, cluster: String?,
                                   current: ConnectorStatus? = nil) -> WriteDescription {
        let (verb, qualifier) = phrase(action)
        var details: [String] = []
        if let current { details.append("Now \(ConnectTransition.summary(current)).") }
        if action == .stop { details.append("Its tasks will be shut down.") }
        return WriteDescription(kind: .connectorAction, action: verb,
                                target: WriteTarget(name: connector, qualifier: qualifier, location: cluster.map { "Connect cluster \($0)" }),
                                details: details, settles: true,
                                audit: [AuditField("connect", cluster ?? "?"), AuditField("connect_action", action.verb)])
    }

    /// ("restart connector", "and all its tasks"): read as "Restart connector X and all its tasks on Connect cluster QA?".
    public static func phrase(_ action: ConnectAction) -> (String, String?) {
        switch action {
        case .pause: return ("pause connector", nil)
        case .resume: return ("resume connector", nil)
        case .stop: return ("stop connector", nil)
        case .restart(false, false): return ("restart connector", nil)
        case .restart(true, false): return ("restart connector", "and all its tasks")
        case .restart(false, true): return ("restart connector", "if it has failed")
        case .restart(true, true): return ("restart the failed instances of connector", nil)
        case .restartTask(let id): return ("restart task \(id) of connector", nil)
        }
    }

    /// A status read after the action, as the flow's settle observation.
    public static func observation(_ action: ConnectAction, cluster: String, connector: String,
                                   before: ConnectorStatus?, after: ConnectorStatus, elapsed: String? = nil) -> SettleObservation {
        let transition = ConnectTransition.describe(before: before, after: after)
        if action.isSettled(after) {
            let time = elapsed.map { " (\($0))" } ?? ""
            return .settled("\(cluster)/\(connector): \(transition)\(time); now \(ConnectTransition.summary(after))")
        }
        return .pending(ConnectTransition.summary(after))
    }

    /// One action on several connectors (marked rows), confirmed once: "Pause 2 connectors
    /// audit-s3-sink on Connect cluster DEV; orders-sink on Connect cluster QA (skipping ...)?".
    /// `skipped` names the connectors left out and why (their cluster cannot run the action).
    public static func bulkDescription(_ action: ConnectAction, targets: [ConnectTarget], skipped: [String] = [],
                                       current: [ConnectTarget: ConnectorStatus] = [:]) -> WriteDescription {
        if targets.count == 1 {
            var d = description(action, connector: targets[0].connector, cluster: targets[0].cluster, current: current[targets[0]])
            if !skipped.isEmpty {
                d.target.location = (d.target.location ?? "") + " (skipping \(skipped.joined(separator: "; ")))"
            }
            return d
        }
        var clusters: [String] = []
        for t in targets where !clusters.contains(t.cluster) { clusters.append(t.cluster) }
        let list = clusters.map { c in
            targets.filter { $0.cluster == c }.map(\.connector).joined(separator: ", ") + " on Connect cluster \(c)"
        }.joined(separator: "; ")
        let skip = skipped.isEmpty ? "" : " (skipping \(skipped.joined(separator: "; ")))"
        return WriteDescription(kind: .connectorAction, action: "\(bulkVerb(action)) \(targets.count) connectors",
                                target: WriteTarget(name: list + skip), settles: true,
                                audit: [AuditField("connect_action", action.verb),
                                        AuditField("connectors", targets.map(\.description).joined(separator: ","))])
    }

    static func bulkVerb(_ action: ConnectAction) -> String {
        switch action {
        case .restart(true, false): return "restart (with all tasks)"
        case .restart(_, true): return "restart the failed instances of"
        case .restart: return "restart"
        default: return action.verb
        }
    }

    /// Statuses read after the action on `targets` (those it was accepted for), as the flow's
    /// settle observation: settled once every target shows the action's end state; nil when
    /// the read has none of the targets (it cannot tell).
    public static func observation(_ action: ConnectAction, targets: [ConnectTarget], before: [ConnectTarget: ConnectorStatus],
                                   statuses: [ConnectorStatus]) -> SettleObservation? {
        var settled: [String] = [], pending: [String] = []
        for t in targets {
            guard let now = statuses.first(where: { $0.connect == t.cluster && $0.name == t.connector }) else { continue }
            // Each target in the words of the one-connector case (the CLI's).
            switch observation(action, cluster: t.cluster, connector: t.connector, before: before[t], after: now) {
            case .settled(let text): settled.append(text)
            case .pending(let text), .unreadable(let text): pending.append(targets.count == 1 ? text : "\(t) \(text)")
            }
        }
        if settled.isEmpty && pending.isEmpty { return nil }
        if pending.isEmpty && settled.count == targets.count { return .settled(settled.joined(separator: " | ")) }
        return .pending(pending.isEmpty ? "waiting for \(targets.count - settled.count) connector(s)" : pending.joined(separator: "; "))
    }
}
