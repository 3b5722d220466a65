import ClusterModel
import TerminalCore
import WriteFlow

/// Connect actions as write requests, built from what the connector screens loaded: the
/// statuses before (for the transition shown at the end) and the worker versions (a cluster
/// whose version cannot run the action is left out, and said so in the confirmation).
enum ConnectWriteRequest {
    /// `versions`: worker version per cluster as loaded; a cluster of unknown version is offered
    /// (the service checks again when sending). `poll`: the read that shows the new state.
    static func make(_ action: ConnectAction, _ targets: [(ConnectTarget, ConnectorStatus?)],
                     versions: [String: String], poll: Effect) -> WriteRequest {
        var offered: [ConnectTarget] = [], skipped: [String] = [], reasons: [String] = []
        var before: [ConnectTarget: ConnectorStatus] = [:]
        var clusters: [String] = []
        for (t, _) in targets where !clusters.contains(t.cluster) { clusters.append(t.cluster) }
        for cluster in clusters {
            let here = targets.filter { $0.0.cluster == cluster }
            if let reason = versions[cluster].flatMap(ConnectVersion.init)?.unsupportedReason(action, cluster: cluster) {
                skipped.append("\(here.map(\.0.connector).joined(separator: ", ")) on \(cluster): \(reason)")
                reasons.append(reason)
                continue
            }
            for (t, status) in here {
                offered.append(t)
                if let status { before[t] = status }
            }
        }
        let shown = offered.isEmpty ? targets.map(\.0) : offered
        let description = ConnectWrite.bulkDescription(action, targets: shown, skipped: offered.isEmpty ? [] : skipped,
                                                       current: before)
        return WriteRequest(description: description,
                            check: offered.isEmpty ? .unavailable(clusters.count == 1 ? reasons.joined() : skipped.joined(separator: "; "))
                                                    : .ready(description),
                            steps: offered.map { .connectAction(action, cluster: $0.cluster, connector: $0.connector) },
                            poll: poll, settle: .connect(action, targets: offered, before: before))
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
