import ClusterModel
import Foundation
@testable import KafkaAdmin
@testable import KafkaClient
import KafkaProtocol
import NIOCore
import NIOPosix
import Testing

/// A listener that is not a Kafka broker, or stops being one: it answers the first bytes it
/// receives with a script (bytes to send, then close, reset or stay silent).
final class HostileServer: Sendable {
    enum Then: Sendable { case close, reset, silent }

    let channel: any Channel
    var address: String { "127.0.0.1:\(channel.localAddress!.port!)" }

    private init(channel: any Channel) { self.channel = channel }

    static func start(reply: [UInt8], then: Then) async throws -> HostileServer {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.addHandler(ScriptHandler(reply: reply, then: then))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return HostileServer(channel: server)
    }

    func stop() async { try? await channel.close() }

    final class ScriptHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let reply: [UInt8]
        let then: Then
        init(reply: [UInt8], then: Then) { self.reply = reply; self.then = then }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard context.channel.isActive else { return }
            let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
            let then = self.then
            let written = reply.isEmpty ? context.eventLoop.makeSucceededVoidFuture()
                : context.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: reply)))
            written.whenComplete { _ in
                switch then {
                case .silent: break
                case .close: ctx.value.close(promise: nil)
                case .reset:
                    // SO_LINGER 0: close sends RST, as a TLS listener does on a plaintext hello.
                    let ch = ctx.value.channel
                    guard let provider = ch as? any SocketOptionProvider else { ctx.value.close(promise: nil); return }
                    provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in ch.close(promise: nil) }
                }
            }
        }
    }
}

/// What the user reads when the address is not (or stops being) a Kafka broker.
@Suite(.timeLimit(.minutes(1))) struct HostileServerTests {
    func firstError(_ reply: [UInt8], then: HostileServer.Then,
                    connectTimeout: Duration = .seconds(5)) async throws -> KafkaClientError {
        let server = try await HostileServer.start(reply: reply, then: then)
        defer { Task { await server.stop() } }
        let client = TestClients.client(try TestClients.config(bootstrap: server.address, requestTimeout: .seconds(2),
                                                               connectTimeout: connectTimeout))
        defer { Task { await client.shutdown() } }
        do {
            _ = try await client.metadata()
            Issue.record("metadata from a hostile server succeeded")
            throw KafkaClientError.shutdown
        } catch let e as KafkaClientError {
            return e
        }
    }

    /// A reset used to read "read(descriptor:pointer:size:): Connection reset by peer) (errno: 104)"
    /// followed by two overlapping hints.
    @Test func aResetSaysSoOnceWithOneHint() async throws {
        let text = try await firstError([], then: .reset).description
        #expect(text.contains("ApiVersions failed: the peer reset the connection"), "\(text)")
        #expect(!text.contains("descriptor") && !text.contains("errno"), "\(text)")
        #expect(text.contains("security.protocol=SSL"), "\(text)")
        #expect(text.components(separatedBy: "(").count == 3, "one endpoint and one hint in parentheses: \(text)")
    }

    @Test func anHTTPServerIsNamedAsOne() async throws {
        let text = try await firstError(Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8), then: .close).description
        #expect(text.contains("this is not a Kafka broker (looks like HTTP)"), "\(text)")
        #expect(text.contains("check the port"), "\(text)")
        #expect(!text.contains("is this a Kafka listener"), "\(text)")
    }

    /// An SSH server on the port used to read "response frame of 1397966893 bytes exceeds ..." ("SSH-").
    @Test func anSSHServerIsNamedAsOne() async throws {
        let text = try await firstError(Array("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n".utf8), then: .silent).description
        #expect(text.contains("this is not a Kafka broker (looks like SSH)"), "\(text)")
        #expect(text.contains("serves SSH, not Kafka"), "\(text)")
        #expect(!text.contains("1397966893"), "\(text)")
    }

    @Test func aTLSListenerSaysWhatToSet() async throws {
        // A TLS alert record (handshake failure), as a TLS listener sends to a plaintext hello.
        let text = try await firstError([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28], then: .close).description
        #expect(text.contains("this listener needs SSL"), "\(text)")
        #expect(text.components(separatedBy: "(").count == 3, "\(text)")
    }

    /// Connected but silent: bounded by the connect timeout, and the message says TCP worked.
    @Test func aSilentListenerTimesOutWithAKafkaHint() async throws {
        let started = ContinuousClock.now
        let e = try await firstError([], then: .silent, connectTimeout: .seconds(1))
        #expect(ContinuousClock.now - started < .seconds(60))
        var inner = e
        if case .noBrokerAvailable(let all) = e, all.count == 1 { inner = all[0] }
        guard case .connect(_, let stage, _) = inner else { Issue.record("\(e)"); return }
        #expect(stage == .apiVersions)
        #expect(e.description.contains("connected, but ApiVersions got no answer within 1 s"), "\(e)")
        #expect(e.description.contains("is a Kafka listener"), "\(e)")
    }

    /// A broker that answers ApiVersions and then garbage for Metadata: doctor says why it could
    /// not list brokers instead of a bare "no bootstrap address answered Metadata".
    @Test func doctorNamesTheMetadataFailure() async throws {
        let cluster = try await FakeCluster.start(FakeTopology.kraft())
        defer { Task { await cluster.stop() } }
        cluster.setHandler(.metadata) { _, r in
            // Right correlation id, then bytes no Metadata decoder accepts.
            var frame: [UInt8] = withUnsafeBytes(of: r.frame.correlationId.bigEndian, Array.init)
            frame += [0x7F, 0xFF, 0xFF, 0xFF, 0x00]
            return withUnsafeBytes(of: Int32(frame.count).bigEndian, Array.init) + frame
        }
        let address = cluster.bootstrap.split(separator: ",").first.map(String.init)!
        let report = await Doctor.run(config: try TestClients.config(bootstrap: address))
        #expect(!report.ok)
        let b = try #require(report.bootstrap.first)
        #expect(!b.ok)
        #expect(b.failedStage == "Metadata")
        #expect(b.error?.contains("cannot decode Metadata") == true, "\(String(describing: b.error))")
        #expect(report.warnings.contains { $0.contains("cannot decode Metadata") }, "\(report.warnings)")
    }
}

/// Setup errors name the Kafka error, not just its number.
@Suite struct SetupErrorWordingTests {
    @Test func apiVersionsErrorCodesAreNamed() {
        var m = ConnectionSetupStateMachine(sasl: nil, clientApiVersionsMax: 3)
        _ = m.start()
        guard case .fail(let stage, let detail) = m.apiVersionsReceived(errorCode: 33, ranges: [:]) else {
            Issue.record("expected a failure"); return
        }
        #expect(stage == .apiVersions)
        #expect(detail.hasPrefix("the broker answered UNSUPPORTED_SASL_MECHANISM (33)"), "\(detail)")
        #expect(!detail.contains("ApiVersions failed"), "the stage already says so: \(detail)")
    }

    /// SASL configured against a listener without SASL APIs (a PLAINTEXT listener) used to blame the
    /// broker's age ("Kafka 1.0+ needed").
    @Test func saslAgainstAPlainListenerSaysSo() {
        let sasl = SASLSettings(mechanism: .plain, username: "u", password: Secret("pw"))
        var m = ConnectionSetupStateMachine(sasl: sasl, clientApiVersionsMax: 3)
        _ = m.start()
        guard case .fail(let stage, let detail) = m.apiVersionsReceived(errorCode: 0, ranges: [18: 0...3, 3: 0...12]) else {
            Issue.record("expected a failure"); return
        }
        #expect(stage == .sasl)
        #expect(detail.hasPrefix("this listener offers no SASL"), "\(detail)")
        #expect(detail.contains("PLAINTEXT"))
    }
}

/// A partition-level ListOffsets error (here TOPIC_AUTHORIZATION_FAILED on one topic) used to
/// leave "-" in the message count with no error anywhere.
@Suite struct OffsetFailureReportingTests {
    @Test func topicsSaysWhyMessagesAreUnknown() async throws {
        try await withFakeCluster(FakeTopology.kraft(bulkTopics: 0)) { cluster, service in
            for p in 0..<3 { cluster.inject(.listOffsets, error: 29, times: 10, key: "orders-\(p)") }
            let t = try await service.topics()
            let orders = try #require(t.value.first { $0.name == "orders" })
            #expect(orders.messages == nil)
            let e = try #require(t.errors.first { $0.source == "ListOffsets" }, "\(t.errors)")
            #expect(e.message.contains("TOPIC_AUTHORIZATION_FAILED") && e.message.contains("(orders)"), "\(e.message)")
            // Other topics are unaffected and named nowhere.
            #expect(!e.message.contains("payments") && t.value.first { $0.name == "logs" }?.messages == 10)

            let d = try await service.topic(named: "orders")
            #expect(d.errors.contains { $0.message.contains("TOPIC_AUTHORIZATION_FAILED") }, "\(d.errors)")
        }
    }

    @Test func brokerLevelErrorsAreNotRepeated() {
        var lookup = OffsetLookup()
        lookup.failures["a", 0] = "broker 3 is not in the cluster metadata"
        lookup.failures["b", 1] = "broker 3 is not in the cluster metadata"
        let known = [SourceError(source: "broker 3", message: "broker 3 is not in the cluster metadata")]
        #expect(KafkaAdminService.offsetFailureErrors([lookup], known: known).isEmpty)
        let fresh = KafkaAdminService.offsetFailureErrors([lookup], known: [])
        #expect(fresh == [SourceError(source: "ListOffsets", message: "broker 3 is not in the cluster metadata (a, b)")])
    }
}
