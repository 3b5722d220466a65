import Foundation
import KafkaTestSupport
#if canImport(Glibc)
import Glibc
#endif
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

    /// The check the tunnel tests make ("the server is only inside the lab") identifies the lab's
    /// server: an unrelated listener here on the same port number (what once failed TunnelTLSTests)
    /// does not fail it, and a server inside listening on every address is caught.
    @Test func onlyInsideIgnoresAHostListenerOnTheSamePortAndCatchesAServerOnEveryAddress() async throws {
        let lab = try await JumpHostLab.start()
        var servers: [ChildProcess] = []
        do {
            let (loopbackOnly, port) = try await Self.listenInside(lab, "127.0.0.1")
            servers.append(loopbackOnly)
            // Here, 127.0.0.1:port is held by something that is not the lab's server.
            let here = Self.listenHere(port: port)
            defer { if here >= 0 { close(here) } }
            #expect(JumpHostLab.canConnect("127.0.0.1", port), "the host-side listener (the old check's blind spot) must answer")
            let r = try await lab.reachability(ofPortInside: port)
            #expect(r.inside && !r.fromOutside, "\(r)")

            let (everywhere, port2) = try await Self.listenInside(lab, "0.0.0.0")
            servers.append(everywhere)
            let r2 = try await lab.reachability(ofPortInside: port2)
            #expect(r2.inside && r2.fromOutside, "a server on 0.0.0.0 inside is reachable at \(lab.sshAddress): \(r2)")
        } catch {
            for s in servers { await s.stop() }
            await lab.stop()
            throw error
        }
        for s in servers { await s.stop() }
        await lab.stop()
    }

    /// A TCP listener inside the lab on `address` (an ephemeral port), until stopped.
    static func listenInside(_ lab: JumpHostLab, _ address: String) async throws -> (ChildProcess, Int) {
        let p = try lab.spawnInside(["python3", "-u", "-c", """
            import socket, sys, time
            s = socket.socket(); s.bind((sys.argv[1], 0)); s.listen(8)
            print(s.getsockname()[1]); time.sleep(600)
            """, address], log: lab.dir.appendingPathComponent("listener-\(UUID().uuidString.prefix(6))").path)
        for _ in 0..<600 {
            if let port = Int(p.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) { return (p, port) }
            if !p.isRunning { throw PeerError("listener inside the lab exited: \(p.stdout)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        await p.stop()
        throw PeerError("listener inside the lab did not start: \(p.stdout)")
    }

    /// A listening socket on 127.0.0.1:port of this (the test's) namespace (-1: the port was taken).
    static func listenHere(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        // Taken already: something unrelated holds that port number here, which is the case itself.
        guard bound == 0, listen(fd, 8) == 0 else { close(fd); return -1 }
        return fd
    }
}
