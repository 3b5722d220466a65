/// The SSH jump host's link as people see it (the TUI header, from the tunnel's status narrator):
/// never up yet, up, down and being re-established, or down for good.
public enum JumpHostLink: Sendable, Hashable {
    /// The first connection is being made (`attempt` counts failed tries plus this one).
    case connecting(attempt: Int)
    case connected
    /// It was up, dropped, and attempt `attempt` to re-establish it is under way.
    case reconnecting(attempt: Int)
    /// A failure retrying cannot fix (a changed host key, a refused login): no more attempts.
    case lost(String)
}
