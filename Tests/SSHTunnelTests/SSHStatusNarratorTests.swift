import ClusterModel
@testable import SSHTunnel
import Testing

/// The narrator turns the tunnel's statuses into lines and into the header's link state; both tell
/// the same story (first connect, loss, attempts, return, a failure for good).
@Suite struct SSHStatusNarratorTests {
    static let hop = SSHHopInfo(destination: "ops@bastion", connectMillis: 12.34, hostKey: "k", hostKeyVerification: "v",
                                authentication: "a")

    @Test func theLinkFollowsAConnectALossTwoAttemptsAndTheReturn() {
        let n = SSHStatusNarrator(destination: "ops@bastion")
        #expect(n.link == .connecting(attempt: 1))
        #expect(n.notice(for: .connecting(attempt: 1)) == nil)
        #expect(n.notice(for: .reconnecting(attempt: 1, lastError: "refused")) == nil)  // first connect failing: no "lost"
        #expect(n.link == .connecting(attempt: 1))
        _ = n.notice(for: .reconnecting(attempt: 2, lastError: "refused"))
        #expect(n.link == .connecting(attempt: 2))
        #expect(n.notice(for: .connected(Self.hop)) == nil)
        #expect(n.link == .connected)

        // The tunnel says attempt 0 the moment it drops, then counts from 1 again.
        let lost = n.notice(for: .reconnecting(attempt: 0, lastError: "closed by the jump host or the network"))
        #expect(lost == "SSH connection to ops@bastion lost (closed by the jump host or the network); reconnecting with backoff")
        #expect(n.link == .reconnecting(attempt: 1))
        _ = n.notice(for: .connecting(attempt: 1))
        #expect(n.link == .reconnecting(attempt: 1))
        _ = n.notice(for: .reconnecting(attempt: 2, lastError: "connection refused"))
        #expect(n.link == .reconnecting(attempt: 2))
        let back = n.notice(for: .connected(Self.hop))
        #expect(back == "SSH connection to ops@bastion re-established (connect 12.3 ms); reopening broker connections")
        #expect(n.link == .connected)
    }

    @Test func aFailureRetryingCannotFixIsLost() {
        let n = SSHStatusNarrator(destination: "ops@bastion", connected: true)
        #expect(n.link == .connected)
        _ = n.notice(for: .reconnecting(attempt: 0, lastError: "closed"))
        let line = n.notice(for: .failed("host key changed"))
        #expect(line == "SSH connection to ops@bastion cannot be re-established: host key changed")
        #expect(n.link == .lost("host key changed"))
        // Closing the tunnel at exit changes nothing on screen.
        _ = n.notice(for: .closed)
        #expect(n.link == .lost("host key changed"))
    }
}
