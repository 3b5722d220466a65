import ClusterModel

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
}
