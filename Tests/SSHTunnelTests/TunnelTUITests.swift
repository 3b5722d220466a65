import Foundation
import KafkaTestSupport
import Testing

/// The terminal UI through the jump host: the header says which jump host the context goes through.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct TunnelTUITests {
    @Test func theHeaderNamesTheJumpHostAndTopicsLoadThroughIt() async throws {
        try await withLabCluster(brokers: 1) { lab, cluster in
            try await cluster.createTopic("behind-the-bastion", partitions: 2, replicationFactor: 1)
            let k = try Kafscope(lab: lab, bootstrap: cluster.labBootstrap)
            try k.trust(lab)
            var env = k.environment([:])
            env["TERM"] = "xterm-256color"
            let tmux = try TmuxSession(command: [try Kafscope.binary().path, "--config", k.config.path], width: 120, height: 30,
                                       environment: ["HOME": env["HOME"]!, "XDG_CONFIG_HOME": env["XDG_CONFIG_HOME"]!,
                                                     "XDG_STATE_HOME": env["XDG_STATE_HOME"]!, "TERM": "xterm-256color"])
            defer { tmux.kill() }
            let destination = "root@\(lab.sshAddress):\(lab.sshPort)"
            let screen = try await tmux.waitFor { $0.contains("behind-the-bastion") && $0.contains("via ssh \(destination)") }
            #expect(screen.contains("via ssh \(destination)"), "\(screen)")
            #expect(screen.contains("behind-the-bastion"), "\(screen)")
            // The header's first line: context, then the jump host.
            let header = screen.split(separator: "\n").first.map(String.init) ?? ""
            #expect(header.contains("ctx lab") && header.contains("via ssh \(destination)"), "\(header)")
        }
    }

    /// The header follows the link live: connected, then (sshd killed) reconnecting N, then (sshd
    /// back) connected again, with nothing typed meanwhile.
    @Test func theHeaderFollowsTheJumpHostGoingAwayAndComingBack() async throws {
        try await withLabCluster(brokers: 1) { lab, cluster in
            try await cluster.createTopic("behind-the-bastion", partitions: 1, replicationFactor: 1)
            let k = try Kafscope(lab: lab, bootstrap: cluster.labBootstrap)
            try k.trust(lab)
            let env = k.environment([:])
            let tmux = try TmuxSession(command: [try Kafscope.binary().path, "--config", k.config.path], width: 120, height: 30,
                                       environment: ["HOME": env["HOME"]!, "XDG_CONFIG_HOME": env["XDG_CONFIG_HOME"]!,
                                                     "XDG_STATE_HOME": env["XDG_STATE_HOME"]!, "TERM": "xterm-256color"])
            defer { tmux.kill() }
            let destination = "root@\(lab.sshAddress):\(lab.sshPort)"
            let header = { (screen: String) in screen.split(separator: "\n").first.map(String.init) ?? "" }
            let up = try await tmux.waitFor { header($0).contains("via ssh \(destination) ● connected") && $0.contains("behind-the-bastion") }
            #expect(header(up).contains("● connected"), "\(up)")
            await lab.killSSHD()
            let down = try await tmux.waitFor { header($0).contains("via ssh \(destination) ▲ reconnecting") }
            #expect(header(down).range(of: #"reconnecting \d+"#, options: .regularExpression) != nil, "\(header(down))")
            try await lab.startSSHD()
            let back = try await tmux.waitFor { header($0).contains("via ssh \(destination) ● connected") }
            #expect(!header(back).contains("reconnecting"), "\(header(back))")
        }
    }

    /// The Connectors screen's error line carries the jump host's reason for a worker it cannot
    /// reach, as the CLI does.
    @Test func theConnectorsScreenShowsTheJumpHostsReasonForAnUnreachableWorker() async throws {
        try await withLabCluster(brokers: 1) { lab, cluster in
            let k = try Kafscope(lab: lab, bootstrap: cluster.labBootstrap, connect: ["qa": "http://connect-qa:1"])
            try k.trust(lab)
            let env = k.environment([:])
            let tmux = try TmuxSession(command: [try Kafscope.binary().path, "--config", k.config.path], width: 230, height: 30,
                                       environment: ["HOME": env["HOME"]!, "XDG_CONFIG_HOME": env["XDG_CONFIG_HOME"]!,
                                                     "XDG_STATE_HOME": env["XDG_STATE_HOME"]!, "TERM": "xterm-256color"])
            defer { tmux.kill() }
            _ = try await tmux.waitFor { $0.contains("via ssh root@\(lab.sshAddress):\(lab.sshPort) ● connected") }
            try tmux.type(":connectors")
            try tmux.send("Enter")
            let screen = try await tmux.waitFor { $0.contains("Connection refused") || $0.contains("unreachable") }
            #expect(screen.contains("Connect cluster qa (http://connect-qa:1) is unreachable: the jump host root@\(lab.sshAddress):\(lab.sshPort) "
                                    + "could not open a connection to connect-qa:1: connect failed on the jump host (Connection refused)"), "\(screen)")
        }
    }
}
