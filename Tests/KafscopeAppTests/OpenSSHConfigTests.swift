import Foundation
import KafscopeConfig
import Testing

/// ~/.ssh/config as OpenSSH reads it: matching Host blocks, first value wins, IdentityFile adds up,
/// Include, tokens, quoting, Match skipped, ProxyJump lists.
@Suite struct OpenSSHConfigTests {
    func resolve(_ alias: String, _ text: String, extra: [String: String] = [:]) throws -> OpenSSHHostConfig {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-sshcfg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".ssh"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        for (name, body) in extra { try body.write(to: home.appendingPathComponent(".ssh/\(name)"), atomically: true, encoding: .utf8) }
        let file = home.appendingPathComponent(".ssh/config").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        var c = try OpenSSHConfig.resolve(alias, file: file, home: "/home/ops", localUser: "ops")
        c.identityFiles = c.identityFiles.map { $0.replacingOccurrences(of: home.path, with: "HOME") }
        return c
    }

    @Test func firstValueWinsAndIdentityFilesAddUp() throws {
        let c = try resolve("prod-bastion", """
            # comment
            Host prod-*  !prod-db
                HostName %h.example.com
                User deploy
                IdentityFile ~/.ssh/id_prod
            Host prod-bastion
                User someone-else
                Port=2222
                IdentityFile "/keys/with space"
                ProxyJump ops@edge.example.com:22,ssh://inner
            Match host prod-bastion
                User matched
            Host *
                User fallback
                Port 22
                IdentityFile ~/.ssh/id_%r_%p
            """)
        #expect(c.hostName == "prod-bastion.example.com")
        #expect(c.user == "deploy")
        #expect(c.port == 2222)
        #expect(c.identityFiles == ["/home/ops/.ssh/id_prod", "/keys/with space", "/home/ops/.ssh/id_deploy_2222"])
        #expect(c.proxyJump == ["ops@edge.example.com:22", "inner"])
    }

    @Test func negatedPatternsExcludeAndUnknownHostsGetOnlyTheWildcard() throws {
        let text = """
            Host prod-* !prod-db
                HostName bastion.example.com
            Host *
                User fallback
                ProxyJump none
            """
        let db = try resolve("prod-db", text)
        #expect(db.hostName == nil)
        #expect(db.user == "fallback")
        #expect(db.proxyJump == [])
        #expect(try resolve("prod-x", text).hostName == "bastion.example.com")
    }

    @Test func includeIsFollowedRelativeToDotSSH() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-sshinc-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".ssh/conf.d"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        try "Host edge\n  User early\n  Port 2200\n".write(to: home.appendingPathComponent(".ssh/conf.d/a.conf"), atomically: true, encoding: .utf8)
        try "Include conf.d/*.conf\nHost edge\n  User late\n".write(to: home.appendingPathComponent(".ssh/config"), atomically: true, encoding: .utf8)
        let inc = try OpenSSHConfig.resolve("edge", file: home.appendingPathComponent(".ssh/config").path, home: home.path, localUser: "ops")
        #expect(inc.user == "early")
        #expect(inc.port == 2200)
    }

    @Test func badInputSaysWhereAndAMissingFileIsNoConfig() throws {
        #expect(throws: (any Error).self) { try resolve("x", "Host x\n  Port twenty\n") }
        #expect(throws: (any Error).self) { try resolve("x", "Host x\n  HostName \"unterminated\n") }
        let none = try OpenSSHConfig.resolve("x", file: "/nonexistent/kafscope/ssh_config", home: "/home/ops", localUser: "ops")
        #expect(none == OpenSSHHostConfig())
    }

    /// ConnectTimeout per host (each ProxyJump hop resolves its own entry), first value wins.
    @Test func connectTimeoutIsReadPerHostFirstValueWinning() throws {
        let text = """
            Host inner
                ConnectTimeout 2
            Host *
                ConnectTimeout=40
            """
        #expect(try resolve("inner", text).connectTimeoutSeconds == 2)
        #expect(try resolve("outer", text).connectTimeoutSeconds == 40)
        #expect(try resolve("x", "Host y\n  ConnectTimeout 3\n").connectTimeoutSeconds == nil)
        #expect(throws: (any Error).self) { try resolve("x", "Host x\n  ConnectTimeout soon\n") }
    }
}
