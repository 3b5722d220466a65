import ClusterModel
import Foundation
import Testing
@testable import KafkaConnect

/// A one-connection-at-a-time TCP listener on 127.0.0.1 that answers every connection with
/// fixed bytes and closes (SO_LINGER 0 makes the close a reset).
final class ScriptedListener: @unchecked Sendable {
    let fd: Int32
    let port: Int

    init(reply: [UInt8], reset: Bool) throws {
        let sock = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        fd = sock
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(sock, $0, len) == 0 && listen(sock, 8) == 0 && getsockname(sock, $0, &len) == 0
            }
        }
        guard ok else { throw POSIXError(.EADDRNOTAVAIL) }
        port = Int(UInt16(bigEndian: addr.sin_port))
        Thread {
            while true {
                let c = accept(sock, nil, nil)
                if c < 0 { return }
                var buf = [UInt8](repeating: 0, count: 4096)
                _ = read(c, &buf, buf.count)
                _ = reply.withUnsafeBytes { write(c, $0.baseAddress, $0.count) }
                if reset {
                    var l = linger(l_onoff: 1, l_linger: 0)
                    setsockopt(c, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
                }
                close(c)
            }
        }.start()
    }

    func stop() { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
}

/// What `get connectors` says when the URL points at something that is not a Connect worker.
@Suite struct ConnectHostileServerTests {
    func listingError(_ listener: ScriptedListener, scheme: String = "http") async throws -> String {
        defer { listener.stop() }
        let service = try KafkaConnectService(endpoints: [ConnectEndpoint(name: "X", url: "\(scheme)://127.0.0.1:\(listener.port)",
                                                                          requestTimeout: .seconds(3))], retry: quickRetry)
        let listing = await service.connectors()
        await service.shutdown()
        return try #require(listing.errors.first).message
    }

    /// Random bytes used to surface the HTTP parser's "invalid constant string".
    @Test func bytesThatAreNotHTTPAreNamedSo() async throws {
        let m = try await listingError(ScriptedListener(reply: Array("\u{1}\u{2}garbage\r\n\r\n".utf8), reset: false))
        #expect(m.contains("the answer is not HTTP (is this the Connect REST port?)"), "\(m)")
    }

    /// A reset used to append NIO's "read(descriptor:pointer:size:) ... (errno: 104)".
    @Test func aResetIsWordedForPeople() async throws {
        let m = try await listingError(ScriptedListener(reply: [], reset: true))
        #expect(m.contains("reset the connection") || m.contains("closed before an answer"), "\(m)")
        #expect(!m.contains("errno") && !m.contains("descriptor"), "\(m)")
    }

    /// https:// to a plain HTTP port: BoringSSL's dump with source paths became one hint.
    @Test func httpsToAPlainPortSuggestsHTTP() async throws {
        let m = try await listingError(ScriptedListener(reply: Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8),
                                                        reset: false), scheme: "https")
        #expect(m.contains("does not speak TLS"), "\(m)")
        #expect(!m.contains(".cc:") && !m.contains("BoringSSL"), "\(m)")
    }

    @Test func tlsReasonsAreShort() {
        #expect(ConnectClusterClient.tlsReason("handshakeFailed(NIOSSL.BoringSSLError.sslError([Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at /x/handshake.cc:320]))")
            .hasPrefix("TLS certificate verification failed"))
        #expect(ConnectClusterClient.tlsReason("sslError([Error: 1 error:1:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA at /x.cc:1])")
            == "TLS failed (TLSV1_ALERT_UNKNOWN_CA); check the CA and client certificate configured for it")
    }
}
