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
    private var sshd: Process?
    private let lock = NSLock()

    public init(hosts: [String] = []) throws {
        guard getuid() == 0 else { throw PeerError("JumpHostLab: network namespaces need root; this test cannot run here") }
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") else {
            throw PeerError("JumpHostLab: /usr/sbin/sshd missing (scripts/setup installs openssh-server)")
        }
        let tag = String(format: "%05x", UInt32.random(in: 0..<0xfffff))
        namespace = "kssh\(tag)"
        vethHost = "kssh\(tag)a"
        let third = Int.random(in: 0...255), fourth = Int.random(in: 0...63) * 4
        hostAddress = "10.251.\(third).\(fourth + 1)"
        sshAddress = "10.251.\(third).\(fourth + 2)"
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-ssh-\(tag)")
        clientKey = dir.appendingPathComponent("client_ed25519")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        do {
            try Self.sh("ip", "netns", "add", namespace)
            try Self.sh("ip", "link", "add", vethHost, "type", "veth", "peer", "name", "kssh\(tag)b")
            try Self.sh("ip", "link", "set", "kssh\(tag)b", "netns", namespace)
            try Self.sh("ip", "addr", "add", "\(hostAddress)/30", "dev", vethHost)
            try Self.sh("ip", "link", "set", vethHost, "up")
            try inside("ip", "addr", "add", "\(sshAddress)/30", "dev", "kssh\(tag)b")
            try inside("ip", "link", "set", "kssh\(tag)b", "up")
            try inside("ip", "link", "set", "lo", "up")
            let etc = "/etc/netns/\(namespace)"
            try FileManager.default.createDirectory(atPath: etc, withIntermediateDirectories: true)
            try ("127.0.0.1 localhost " + hosts.joined(separator: " ") + "\n")
                .write(toFile: "\(etc)/hosts", atomically: true, encoding: .utf8)
            try Self.sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "kafscope-test-host", "-f", dir.appendingPathComponent("host_ed25519").path)
            try Self.sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "kafscope-test-client", "-f", clientKey.path)
            try FileManager.default.copyItem(at: clientKey.appendingPathExtension("pub"), to: dir.appendingPathComponent("authorized_keys"))
            try writeSSHDConfig()
            try startSSHD()
        } catch {
            stop()
            throw error
        }
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

    /// Starts sshd (again) and waits until its port accepts connections.
    public func startSSHD() throws {
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        p.arguments = ["netns", "exec", namespace, "/usr/sbin/sshd", "-D", "-e", "-f", dir.appendingPathComponent("sshd_config").path]
        p.standardOutput = FileHandle.nullDevice
        let log = dir.appendingPathComponent("sshd.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        p.standardError = try FileHandle(forWritingTo: log)
        try p.run()
        lock.withLock { sshd = p }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if Self.canConnect(sshAddress, sshPort) { return }
            if !p.isRunning { throw PeerError("sshd exited: \(sshdLog)") }
            usleep(50_000)
        }
        throw PeerError("sshd did not listen on \(sshAddress):\(sshPort): \(sshdLog)")
    }

    public var sshdLog: String { (try? String(contentsOf: dir.appendingPathComponent("sshd.log"), encoding: .utf8)) ?? "" }

    /// Kills sshd and every session process it forked (all sshd processes in the namespace), so
    /// established connections drop as when the jump host goes away.
    public func killSSHD() {
        let p: Process? = lock.withLock { let p = sshd; sshd = nil; return p }
        for pid in namespacePIDs() where Self.command(of: pid).hasPrefix("sshd") { kill(pid, SIGKILL) }
        if let p { p.waitUntilExit() }
    }

    func namespacePIDs() -> [pid_t] {
        guard let out = try? Self.output("ip", "netns", "pids", namespace) else { return [] }
        return out.split(separator: "\n").compactMap { pid_t($0.trimmingCharacters(in: .whitespaces)) }
    }

    static func command(of pid: pid_t) -> String {
        (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// A PeerEnvironment whose python runs inside the namespace (for MockCluster and friends).
    public func peerEnvironment() throws -> PeerEnvironment {
        let base = try PeerEnvironment.locate()
        let wrapper = dir.appendingPathComponent("python-in-ns")
        try "#!/bin/sh\nexec /usr/sbin/ip netns exec \(namespace) \(base.python.path) \"$@\"\n"
            .write(to: wrapper, atomically: true, encoding: .utf8)
        chmod(wrapper.path, 0o755)
        return PeerEnvironment(repoRoot: base.repoRoot, python: wrapper)
    }

    /// Runs a command inside the namespace (tc, a test peer ...).
    public func inside(_ args: String...) throws {
        try Self.sh(["ip", "netns", "exec", namespace] + args)
    }

    /// Removes sshd, every process left in the namespace, the namespace, the veth pair and files.
    public func stop() {
        killSSHD()
        for pid in namespacePIDs() { kill(pid, SIGKILL) }
        _ = try? Self.sh("ip", "link", "del", vethHost)
        _ = try? Self.sh("ip", "netns", "del", namespace)
        try? FileManager.default.removeItem(atPath: "/etc/netns/\(namespace)")
        try? FileManager.default.removeItem(at: dir)
    }

    deinit { stop() }

    /// A known_hosts file trusting this lab's sshd.
    public func knownHostsLine() -> String { "[\(sshAddress)]:\(sshPort) \(hostKeyPublic.split(separator: " ").prefix(2).joined(separator: " "))" }

    // MARK: helpers

    @discardableResult
    static func sh(_ args: String...) throws -> String { try sh(args) }

    @discardableResult
    static func sh(_ args: [String]) throws -> String { try output(args) }

    static func output(_ args: String...) throws -> String { try output(args) }

    static func output(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw PeerError("`\(args.joined(separator: " "))` failed (\(p.terminationStatus)): \(String(decoding: e, as: UTF8.self))")
        }
        return String(decoding: o, as: UTF8.self)
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
