import ClusterModel
import Foundation

/// Turns the tunnel's status changes into lines for people ("% SSH connection to ... lost"), for the
/// CLI's stderr and the views: the first connect says nothing (the command's own output or error
/// does), a loss says so once, a failing reconnect says why when the reason changes, and the return
/// says so with the new connect time. `link` is the same story as a state, for the TUI's header.
public final class SSHStatusNarrator: @unchecked Sendable {
    private let destination: String
    private let lock = NSLock()
    private var everConnected = false
    private var down = false
    private var lastReason: String?
    private var _link: JumpHostLink

    /// `connected`: the tunnel is already up when the narrator starts listening.
    public init(destination: String, connected: Bool = false) {
        self.destination = destination
        self.everConnected = connected
        self._link = connected ? .connected : .connecting(attempt: 1)
    }

    /// Where the link stands after the statuses seen so far.
    public var link: JumpHostLink {
        lock.lock(); defer { lock.unlock() }
        return _link
    }

    /// Takes a status change: updates `link` and returns the line to tell people, if any.
    public func notice(for status: SSHTunnelStatus) -> String? {
        lock.lock(); defer { lock.unlock() }
        if let l = Self.link(after: status, everConnected: everConnected) { _link = l }
        return line(for: status)
    }

    /// The tunnel numbers attempts from 1 after every success (and says 0 the moment it drops).
    static func link(after status: SSHTunnelStatus, everConnected: Bool) -> JumpHostLink? {
        switch status {
        case .connected: return .connected
        case .connecting(let n), .reconnecting(let n, _):
            return everConnected ? .reconnecting(attempt: max(1, n)) : .connecting(attempt: max(1, n))
        case .failed(let reason): return .lost(reason)
        case .idle, .closed: return nil
        }
    }

    private func line(for status: SSHTunnelStatus) -> String? {
        switch status {
        case .connected(let info):
            let wasDown = down
            everConnected = true
            down = false
            lastReason = nil
            guard wasDown else { return nil }
            let ms = (info.connectMillis * 10).rounded() / 10
            return "SSH connection to \(destination) re-established (connect \(ms) ms); reopening broker connections"
        case .reconnecting(_, let reason):
            guard everConnected else { return nil }
            if !down {
                down = true
                lastReason = reason
                return "SSH connection to \(destination) lost (\(reason)); reconnecting with backoff"
            }
            guard !reason.isEmpty, reason != lastReason else { return nil }
            lastReason = reason
            return "SSH reconnect to \(destination) failed: \(reason); retrying"
        case .failed(let reason):
            guard everConnected else { return nil }
            return "SSH connection to \(destination) cannot be re-established: \(reason)"
        case .idle, .connecting, .closed:
            return nil
        }
    }
}
