import Foundation

/// Turns the tunnel's status changes into lines for people ("% SSH connection to ... lost"), for the
/// CLI's stderr and the views: the first connect says nothing (the command's own output or error
/// does), a loss says so once, a failing reconnect says why when the reason changes, and the return
/// says so with the new connect time.
public final class SSHStatusNarrator: @unchecked Sendable {
    private let destination: String
    private let lock = NSLock()
    private var everConnected = false
    private var down = false
    private var lastReason: String?

    /// `connected`: the tunnel is already up when the narrator starts listening.
    public init(destination: String, connected: Bool = false) {
        self.destination = destination
        self.everConnected = connected
    }

    public func notice(for status: SSHTunnelStatus) -> String? {
        lock.lock(); defer { lock.unlock() }
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
