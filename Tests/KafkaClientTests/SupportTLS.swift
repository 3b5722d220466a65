import Foundation
import KafkaTestSupport
import NIOCore
import NIOPosix
import NIOSSL

/// A throwaway CA with a server certificate (and a client certificate for mTLS), made with openssl.
struct TestPKI {
    let directory: URL
    var caPEM: String { directory.appendingPathComponent("ca.pem").path }
    var serverCert: String { directory.appendingPathComponent("server.pem").path }
    var serverKey: String { directory.appendingPathComponent("server.key").path }
    var clientCert: String { directory.appendingPathComponent("client.pem").path }
    var clientKey: String { directory.appendingPathComponent("client.key").path }

    /// `serverName` goes into the server certificate's CN and DNS SAN.
    static func make(serverName: String) throws -> TestPKI {
        guard let openssl = PeerEnvironment.which("openssl") else { throw PeerError("openssl is not on PATH") }
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("kafscope-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func run(_ args: [String]) throws {
            let p = Process()
            p.executableURL = openssl
            p.arguments = args
            p.currentDirectoryURL = dir
            p.standardOutput = FileHandle.nullDevice
            let err = Pipe()
            p.standardError = err
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else {
                let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                throw PeerError("openssl \(args.first ?? "") failed: \(text.suffix(500))")
            }
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try run(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=kafscope test CA",
                 "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try "subjectAltName=DNS:\(serverName)\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(to: dir.appendingPathComponent("server.ext"), atomically: true, encoding: .utf8)
        try "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n"
            .write(to: dir.appendingPathComponent("client.ext"), atomically: true, encoding: .utf8)
        try run(["req"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=\(serverName)"])
        try run(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-out", "server.pem", "-days", "2", "-extfile", "server.ext"])
        try run(["req"] + ec + ["-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=kafscope-client"])
        try run(["x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                 "-out", "client.pem", "-days", "2", "-extfile", "client.ext"])
        return TestPKI(directory: dir)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// Terminates TLS on a loopback port and forwards the plaintext to a broker: a TLS listener for
/// tests, since neither peer offers one. Optionally requires a client certificate (mTLS).
final class TLSProxy: Sendable {
    let port: Int
    private let channel: any Channel

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
    }

    static func start(pki: TestPKI, targetPort: Int, requireClientCertificate: Bool = false) async throws -> TLSProxy {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(pki.serverCert).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: pki.serverKey, format: .pem)))
        if requireClientCertificate {
            tls.certificateVerification = .noHostnameVerification
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(pki.caPEM))
        }
        let context = try NIOSSLContext(configuration: tls)
        let target = try SocketAddress(ipAddress: "127.0.0.1", port: targetPort)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try child.pipeline.syncOperations.addHandler(ProxyFrontend(target: target))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TLSProxy(port: channel.localAddress!.port!, channel: channel)
    }

    func stop() async { try? await channel.close() }
}

private final class ProxyFrontend: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let target: SocketAddress
    var backend: (any Channel)?
    var pending: [ByteBuffer] = []
    var closed = false

    init(target: SocketAddress) { self.target = target }

    func channelActive(context: ChannelHandlerContext) {
        let front = context.channel
        ClientBootstrap(group: context.eventLoop)
            .channelInitializer { ch in
                ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(ProxyBackend(frontend: front)) }
            }
            .connect(to: target)
            .whenComplete { result in
                switch result {
                case .success(let ch):
                    if self.closed { ch.close(promise: nil); return }
                    self.backend = ch
                    for p in self.pending { ch.write(p, promise: nil) }
                    ch.flush()
                    self.pending = []
                case .failure:
                    front.close(promise: nil)
                }
            }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let b = unwrapInboundIn(data)
        if let be = backend { be.writeAndFlush(b, promise: nil) } else { pending.append(b) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        backend?.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

private final class ProxyBackend: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let frontend: any Channel
    init(frontend: any Channel) { self.frontend = frontend }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        frontend.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) { frontend.close(promise: nil) }
}
