import Foundation
import KafkaTestSupport
import Testing

/// The lab itself: it must not break the rest of the test binary, and it must be the only way in.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct JumpHostLabTests {
    /// The reason TunnelClusterTests once hung: sshd started through Foundation's Process closes the
    /// socket Process watches, Process's one manager thread then blocks in waitpid(sshd), and no
    /// other Process child is ever reaped. With sshd under ChildProcess a Process child still ends.
    @Test func foundationProcessChildrenAreStillReapedWhileTheLabRuns() async throws {
        let lab = try await JumpHostLab.start()
        do {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/true")
            try p.run()
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: .seconds(60))
            while p.isRunning && clock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(!p.isRunning, "a Process child was not reaped while the lab's sshd runs")
            #expect(JumpHostLab.canConnect(lab.sshAddress, lab.sshPort))
        } catch {
            await lab.stop()
            throw error
        }
        await lab.stop()
        // Gone again (never probe the address afterwards: it no longer belongs to a test host).
        #expect(!FileManager.default.fileExists(atPath: "/run/netns/\(lab.namespace)"))
        #expect(!FileManager.default.fileExists(atPath: lab.dir.path))
    }
}
