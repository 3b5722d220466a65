import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private network for SSH jump-host tests: a network namespace of the test's own, joined to this
/// one by a veth pair with addresses the test picks (10.251.X.Y/30), an OpenSSH server inside it
/// (throwaway host key, one authorized test key, never the machine's own sshd) and peers started
/// inside it, so brokers listen on the namespace's loopback and are reachable only through sshd.
/// Names in `hosts` resolve only inside (/etc/netns/NAME/hosts). Everything is removed by `stop()`,
/// also after a failure; if namespaces cannot be created the lab throws (the test fails loudly).
/// Every child (ip, ssh-keygen, sshd) runs under ChildProcess and is awaited without blocking a
/// thread; names carry the test process's pid, so concurrent test runs never collide.
public final class JumpHostLab: @unchecked Sendable {
    public let namespace: String
    public let hostAddress: String
    /// sshd's address (inside the namespace) and port.
    public let sshAddress: String
    public let sshPort = 2222
    public let dir: URL
    /// The test user's key pair (ed25519, no passphrase) authorized in sshd.
    public let clientKey: URL
    public var hostKeyPublic: String { (try? String(contentsOf: dir.appendingPathComponent("host_ed25519.pub"), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }
    private let vethHost: String
    private let vethInside: String
    private var sshd: ChildProcess?
    private var created = false
    private let lock = NSLock()

    /// The 10.251.X.Y/30 subnet of this lab (an index into `claimed`).
    private let subnet: Int
    /// The lab whose namespace holds this one's outer end (a second hop: reachable only from there).
    public let behind: JumpHostLab?

    private init(tag: String, subnet: Int, behind: JumpHostLab?) {
        self.behind = behind
        namespace = "kssh\(tag)"
        vethHost = "kssh\(tag)a"
        vethInside = "kssh\(tag)b"
        self.subnet = subnet
        hostAddress = Self.address(subnet, 1)
        sshAddress = Self.address(subnet, 2)
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-ssh-\(tag)")
        clientKey = dir.appendingPathComponent("client_ed25519")
    }

    /// Creates the namespace, the veth pair, keys and sshd. Throws (the test fails loudly) when
    /// namespaces cannot be made here; whatever was created is removed again.
    /// `behind`: join this lab to that lab's namespace instead of this one, so that only the other
    /// lab's sshd reaches this lab's sshd (a ProxyJump chain: here -> behind -> this).
    public static func start(hosts: [String] = [], behind: JumpHostLab? = nil) async throws -> JumpHostLab {
        guard getuid() == 0 else { throw PeerError("JumpHostLab: network namespaces need root; this test cannot run here") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") else {
            throw PeerError("JumpHostLab: /usr/sbin/sshd missing (scripts/setup installs openssh-server)")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip") else {
            throw PeerError("JumpHostLab: ip missing (scripts/setup installs iproute2)")
        }
        // The pid keeps names apart from other test processes on this machine; the counter apart
        // from the other labs of this process (12 random bits collided: two labs, one namespace).
        let tag = String(format: "%x%03x", getpid() & 0xfffff, claimed.withLock { () -> Int in labCount += 1; return labCount & 0xfff })
        let lab = JumpHostLab(tag: tag, subnet: try await claimSubnet(), behind: behind)
        do {
            try await lab.create(hosts: hosts)
        } catch {
            await lab.stop()
            throw PeerError("JumpHostLab: cannot build the test network (\(error)); the SSH tunnel tests need root, `ip netns` and sshd")
        }
        return lab
    }

    private func create(hosts: [String]) async throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try await Self.sh("ip", "netns", "add", namespace)
        lock.withLock { created = true }
        try await Self.sh("ip", "link", "add", vethHost, "type", "veth", "peer", "name", vethInside)
        try await Self.sh("ip", "link", "set", vethInside, "netns", namespace)
        if let behind {
            try await Self.sh("ip", "link", "set", vethHost, "netns", behind.namespace)
            // Nothing here may reach this lab, not even through the default route (a gateway that
            // answers every TCP connect would make it look reachable): only the lab in front does.
            try await Self.sh("ip", "route", "add", "unreachable", "\(Self.address(subnet, 0))/30")
        }
        try await outside("ip", "addr", "add", "\(hostAddress)/30", "dev", vethHost)
        try await outside("ip", "link", "set", vethHost, "up")
        try await inside("ip", "addr", "add", "\(sshAddress)/30", "dev", vethInside)
        try await inside("ip", "link", "set", vethInside, "up")
        try await inside("ip", "link", "set", "lo", "up")
        let etc = "/etc/netns/\(namespace)"
        try FileManager.default.createDirectory(atPath: etc, withIntermediateDirectories: true)
        try ("127.0.0.1 localhost " + hosts.joined(separator: " ") + "\n")
            .write(toFile: "\(etc)/hosts", atomically: true, encoding: .utf8)
        try await Self.sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "kafscope-test-host", "-f", dir.appendingPathComponent("host_ed25519").path)
        try await Self.sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "kafscope-test-client", "-f", clientKey.path)
        try FileManager.default.copyItem(at: clientKey.appendingPathExtension("pub"), to: dir.appendingPathComponent("authorized_keys"))
        try writeSSHDConfig()
        try await startSSHD()
    }

    /// A new key pair (`ssh-keygen -t TYPE`), authorized in sshd unless `authorize` is false.
    public func makeKey(type: String, bits: Int? = nil, passphrase: String = "", kdfRounds: Int? = nil,
                        authorize: Bool = true) async throws -> URL {
        let key = dir.appendingPathComponent("client_\(type)_\(UUID().uuidString.prefix(6))")
        var args = ["ssh-keygen", "-q", "-t", type, "-N", passphrase, "-C", "kafscope-test-\(type)", "-f", key.path]
        if let bits { args += ["-b", String(bits)] }
        if let kdfRounds { args += ["-a", String(kdfRounds)] }
        try await Self.sh(args)
        if authorize { try self.authorize(publicKeyFile: key.appendingPathExtension("pub")) }
        return key
    }

    /// Replaces sshd's host key (the "changed host key" case); restart sshd afterwards.
    public func regenerateHostKey() async throws {
        for suffix in ["", ".pub"] { try? FileManager.default.removeItem(at: dir.appendingPathComponent("host_ed25519" + suffix)) }
        try await Self.sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "kafscope-test-host-2", "-f", dir.appendingPathComponent("host_ed25519").path)
    }

    /// Authorizes another public key (a test's ECDSA or passphrase key).
    public func authorize(publicKeyFile: URL) throws {
        let key = try String(contentsOf: publicKeyFile, encoding: .utf8)
        let handle = try FileHandle(forWritingTo: dir.appendingPathComponent("authorized_keys"))
        handle.seekToEndOfFile()
        handle.write(Data(key.utf8))
        try handle.close()
    }

    private func writeSSHDConfig() throws {
        let d = dir.path
        try """
            Port \(sshPort)
            ListenAddress \(sshAddress)
            HostKey \(d)/host_ed25519
            PidFile \(d)/sshd.pid
            AuthorizedKeysFile \(d)/authorized_keys
            StrictModes no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            PermitRootLogin prohibit-password
            AllowTcpForwarding yes
            ClientAliveInterval 0
            LogLevel VERBOSE
            """.write(to: dir.appendingPathComponent("sshd_config"), atomically: true, encoding: .utf8)
    }

    /// Starts sshd (again) and waits until its port accepts connections. sshd is started with
    /// posix_spawn (ChildProcess), never Foundation's Process: see ChildProcess for why.
    public func startSSHD() async throws {
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        let log = dir.appendingPathComponent("sshd.log").path
        // The readiness check of a lab behind another reads this log: no line of an earlier sshd.
        if behind != nil { try? FileManager.default.removeItem(atPath: log) }
        let p = try ChildProcess.spawn([Self.ip, "netns", "exec", namespace, "/usr/sbin/sshd", "-D", "-e",
                                        "-f", dir.appendingPathComponent("sshd_config").path],
                                       stdout: log, stderr: log)
        lock.withLock { sshd = p }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(30))
        while clock.now < deadline {
            // A lab behind another cannot be reached from here: its sshd's own word has to do.
            if behind == nil ? Self.canConnect(sshAddress, sshPort) : sshdLog.contains("Server listening on \(sshAddress) port \(sshPort)") {
                return
            }
            if !p.isRunning { throw PeerError("sshd exited: \(sshdLog)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw PeerError("sshd did not listen on \(sshAddress):\(sshPort) within 30 s: \(sshdLog)")
    }

    public var sshdLog: String { (try? String(contentsOf: dir.appendingPathComponent("sshd.log"), encoding: .utf8)) ?? "" }

    /// Kills sshd and every session process it forked (all sshd processes in the namespace), so
    /// established connections drop as when the jump host goes away.
    public func killSSHD() async {
        let p: ChildProcess? = lock.withLock { let p = sshd; sshd = nil; return p }
        for pid in await namespacePIDs() where Self.command(of: pid).hasPrefix("sshd") { kill(pid, SIGKILL) }
        if let p {
            p.signalGroup(SIGKILL)
            _ = try? await p.wait(timeout: .seconds(30))
        }
    }

    func namespacePIDs() async -> [pid_t] {
        guard lock.withLock({ created }), let out = try? await Self.sh("ip", "netns", "pids", namespace) else { return [] }
        return out.split(separator: "\n").compactMap { pid_t($0.trimmingCharacters(in: .whitespaces)) }
    }

    static func command(of pid: pid_t) -> String {
        (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// A PeerEnvironment whose python runs inside the namespace (for MockCluster and friends).
    public func peerEnvironment() async throws -> PeerEnvironment {
        let base = try PeerEnvironment.locate()
        let wrapper = dir.appendingPathComponent("python-in-ns")
        if !FileManager.default.isExecutableFile(atPath: wrapper.path) {
            try "#!/bin/sh\nexec \(Self.ip) netns exec \(namespace) \(base.python.path) \"$@\"\n"
                .write(to: wrapper, atomically: true, encoding: .utf8)
            chmod(wrapper.path, 0o755)
            // A child forked elsewhere in this test binary while the file was open for writing keeps
            // that descriptor until its exec, and executing the script meanwhile fails with ETXTBSY
            // ("Text file busy"): run it once, retrying, before handing it out.
            var attempt = 0
            while true {
                do {
                    _ = try await ChildProcess.check([wrapper.path, "-c", "pass"])
                    break
                } catch where attempt < 100 && "\(error)".contains("Text file busy") {
                    attempt += 1
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
        }
        return PeerEnvironment(repoRoot: base.repoRoot, python: wrapper)
    }

    /// Runs a command where the lab's outer veth end is: this namespace, or the lab it is behind.
    private func outside(_ args: String...) async throws {
        if let behind { try await behind.inside(args) } else { try await Self.sh(args) }
    }

    /// Runs a command inside the namespace (tc, a test peer ...) to completion.
    @discardableResult
    public func inside(_ args: String...) async throws -> String { try await inside(args) }

    @discardableResult
    public func inside(_ args: [String]) async throws -> String {
        try await Self.sh([Self.ip, "netns", "exec", namespace] + args)
    }

    /// Starts a long-running command inside the namespace (output to `log`); the caller stops it.
    public func spawnInside(_ args: [String], log: String) throws -> ChildProcess {
        try ChildProcess.spawn([Self.ip, "netns", "exec", namespace] + args, stdout: log, stderr: log)
    }

    /// Subnets held by this process's labs. Two labs on one subnet route to one of the two sshds:
    /// the other lab's client then meets a host key it does not know ("has CHANGED").
    private static let claimed = NSLock()
    nonisolated(unsafe) private static var claimedSubnets: Set<Int> = []
    /// Labs started by this process (names are made from it), under the same lock.
    nonisolated(unsafe) private static var labCount = 0

    static func address(_ subnet: Int, _ host: Int) -> String { "10.251.\(subnet / 64).\(subnet % 64 * 4 + host)" }

    /// A /30 no lab of this process holds and no interface on this host uses (a leftover included).
    static func claimSubnet() async throws -> Int {
        let inUse = try await sh("ip", "-4", "-o", "addr", "show")
        for _ in 0..<1000 {
            let s = Int.random(in: 0..<(256 * 64))
            guard !inUse.contains(" \(address(s, 1))/"), !inUse.contains(" \(address(s, 2))/") else { continue }
            if claimed.withLock({ claimedSubnets.insert(s).inserted }) { return s }
        }
        throw PeerError("JumpHostLab: no free 10.251.0.0/16 subnet for a test network")
    }

    /// Removes sshd, every process left in the namespace, the namespace, the veth pair and files.
    /// Only what this lab created: other tests' namespaces are never touched.
    public func stop() async {
        await killSSHD()
        for pid in await namespacePIDs() { kill(pid, SIGKILL) }
        if lock.withLock({ created }) {
            // (Behind another lab the pair goes with either namespace.)
            if behind == nil { _ = try? await Self.sh("ip", "link", "del", vethHost) }
            else { _ = try? await Self.sh("ip", "route", "del", "unreachable", "\(Self.address(subnet, 0))/30") }
            _ = try? await Self.sh("ip", "netns", "del", namespace)
            lock.withLock { created = false }
        }
        try? FileManager.default.removeItem(atPath: "/etc/netns/\(namespace)")
        try? FileManager.default.removeItem(at: dir)
        _ = Self.claimed.withLock { Self.claimedSubnets.remove(subnet) }
    }

    /// Makes the host silent, as an unroutable address or a firewall dropping packets: whatever is
    /// sent to it from the other end of its link goes to a link-layer address nobody has (a
    /// permanent neighbour entry there) and is dropped, so a TCP connect to it is never answered.
    /// (No tc netem needed: its kernel module is missing here.)
    public func makeSilent() async throws {
        try await outside("ip", "neigh", "replace", sshAddress, "lladdr", "02:00:00:00:00:01", "dev", vethHost, "nud", "permanent")
    }

    /// Where a server this lab started inside its namespace on `port` can be reached: `inside` (its
    /// port accepts connections on the namespace's loopback, asked from inside) and `fromOutside`
    /// (something answers at the namespace's address from here, the only way into the namespace; a
    /// lab behind another has no route from here at all). A connect to 127.0.0.1:port here says
    /// nothing about the lab: that loopback is this namespace's, where any unrelated listener may hold
    /// the same port number (which once failed TunnelTLSTests).
    public func reachability(ofPortInside port: Int) async throws -> (inside: Bool, fromOutside: Bool) {
        let inside: Bool
        do {
            try await self.inside("timeout", "10", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/\(port)")
            inside = true
        } catch {
            inside = false
        }
        return (inside, Self.canConnect(sshAddress, port))
    }

    /// A known_hosts file trusting this lab's sshd.
    public func knownHostsLine() -> String { "[\(sshAddress)]:\(sshPort) \(hostKeyPublic.split(separator: " ").prefix(2).joined(separator: " "))" }

    // MARK: helpers

    static let ip = FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip"

    @discardableResult
    static func sh(_ args: String...) async throws -> String { try await sh(args) }

    /// Runs a short command (ip, ssh-keygen) to completion without blocking a thread.
    @discardableResult
    static func sh(_ args: [String]) async throws -> String {
        try await ChildProcess.check(["/usr/bin/env"] + args)
    }

    public static func canConnect(_ host: String, _ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &addr.sin_addr)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
