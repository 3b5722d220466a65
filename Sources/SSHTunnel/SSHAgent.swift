import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ssh-agent protocol (draft-miller-ssh-agent), as far as kafscope can use it: listing the
/// identities the agent holds. Signing through the agent would need swift-nio-ssh to sign with a key
/// it does not hold, which 0.15.1 cannot do, so agent keys are reported, not used.
public enum SSHAgent {
    public struct Identity: Sendable, Hashable {
        /// "ssh-ed25519 AAAA..."
        public var publicKey: String
        public var comment: String
        public var keyType: String { String(publicKey.split(separator: " ").first ?? "") }
    }

    static let requestIdentities: UInt8 = 11
    static let identitiesAnswer: UInt8 = 12

    /// Lists the agent's identities; throws a message when the socket cannot be used.
    public static func listIdentities(socketPath: String) throws -> [Identity] {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw AgentError("cannot create a socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8)
        guard path.count < MemoryLayout.size(ofValue: addr.sun_path) else { throw AgentError("socket path too long") }
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            for (i, b) in path.enumerated() { buf[i] = b }
            buf[path.count] = 0
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { throw AgentError("cannot connect to \(socketPath): \(String(cString: strerror(errno)))") }
        let request: [UInt8] = SSHWireWriter.uint32(1) + [requestIdentities]
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else {
            throw AgentError("cannot write to the agent")
        }
        let header = try readExactly(fd, 4)
        var hr = SSHWireReader(header)
        let length = Int(try hr.uint32())
        guard length >= 1, length <= 1 << 20 else { throw AgentError("bad answer length \(length)") }
        var r = SSHWireReader(try readExactly(fd, length))
        do {
            let type = try r.take(1)[0]
            guard type == identitiesAnswer else { throw AgentError("the agent refused to list keys (answer \(type))") }
            let count = try r.uint32()
            var out: [Identity] = []
            for _ in 0..<min(count, 1000) {
                let blob = try r.string()
                let comment = try r.text()
                var br = SSHWireReader(blob)
                let type = try br.text()
                out.append(Identity(publicKey: "\(type) \(Data(blob).base64EncodedString())", comment: comment))
            }
            return out
        } catch is SSHWireReader.Truncated {
            throw AgentError("truncated answer")
        }
    }

    static func readExactly(_ fd: Int32, _ n: Int) throws -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: n)
        var got = 0
        while got < n {
            let r = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, n - got, 0) }
            if r <= 0 { throw AgentError(r == 0 ? "the agent closed the connection" : "no answer from the agent") }
            got += r
        }
        return buf
    }

    public struct AgentError: Error, CustomStringConvertible {
        public var description: String
        init(_ d: String) { description = d }
    }
}
