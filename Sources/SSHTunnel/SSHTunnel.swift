import Foundation
import KafkaClient
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSH

/// What `doctor` and the views show about the hop.
public struct SSHHopInfo: Sendable, Hashable {
    public var destination: String
    public var connectMillis: Double
    /// "ssh-ed25519 SHA256:..."
    public var hostKey: String
    /// "matches ~/.ssh/known_hosts line 3", "new; added to ... (--ssh-accept-new)"
    public var hostKeyVerification: String
    /// "publickey: key ~/.ssh/id_ed25519 (ssh-ed25519 SHA256:...)"
    public var authentication: String
}

public enum SSHTunnelStatus: Sendable, Hashable {
    case idle
    case connecting(attempt: Int)
    case connected(SSHHopInfo)
    /// The connection dropped or an attempt failed; another attempt follows after a backoff.
    case reconnecting(attempt: Int, lastError: String)
    /// A failure retrying cannot fix (host key, authentication).
    case failed(String)
    case closed
}

/// One SSH connection to a jump host carrying every broker connection as a `direct-tcpip` channel
/// (names resolved on the far side). Connects on first use; when the connection drops it is
/// re-established with exponential backoff, and callers open their channels again on the new one.
/// Keepalives (a global request the server must answer) detect a silently dead link.
public final class SSHTunnel: BrokerTransport, @unchecked Sendable {
    public let config: SSHTunnelConfig
    /// The SSH connection and every channel on it live here (the SOCKS forwarder's sockets too,
    /// so their glue needs no hops between threads).
    public let eventLoop: any EventLoop
    private let logger: Logger
    private let identities: SSHIdentities
    /// The previous hop (ProxyJump): this tunnel's SSH connection is a direct-tcpip channel of it.
    public let via: SSHTunnel?

    private final class Session: @unchecked Sendable {
        let channel: any Channel
        let info: SSHHopInfo
        init(channel: any Channel, info: SSHHopInfo) { self.channel = channel; self.info = info }
    }

    private enum State {
        case idle
        case connecting(Task<Session, any Error>)
        case ready(Session)
        case failed(SSHTunnelError)
        case shutDown
    }

    private let lock = NIOLock()
    private var state: State = .idle
    private var _status: SSHTunnelStatus = .idle
    private var attempts = 0
    private var lastError: SSHTunnelError?
    private var listeners: [@Sendable (SSHTunnelStatus) -> Void] = []
    /// Callers waiting for the next attempt's outcome (see `session()`), by id.
    private var waiters: [Int: EventLoopPromise<Session>] = [:]
    private var nextWaiter = 0
    /// Whether a connection attempt is in flight (not backing off between attempts).
    private var attemptRunning = false

    /// Loads (and decrypts) the keys now, so passphrases are asked before any UI starts.
    /// `via`: reach the jump host through that tunnel (OpenSSH's ProxyJump), on its event loop.
    public init(config: SSHTunnelConfig, via: SSHTunnel? = nil, eventLoopGroup: (any EventLoopGroup)? = nil,
                logger: Logger = Logger(label: "kafscope.ssh")) {
        self.config = config
        self.via = via
        self.eventLoop = via?.eventLoop ?? (eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton).next()
        self.logger = logger
        self.identities = SSHIdentities.load(config)
    }

    public var routeDescription: String { "SSH jump host \(chainDescription)" }

    /// "ops@b:2222 (through ops@a)" with ProxyJump hops, else the destination.
    public var chainDescription: String {
        var hops: [String] = []
        var t = via
        while let h = t { hops.insert(h.config.destination, at: 0); t = h.via }
        return hops.isEmpty ? config.destination : "\(config.destination) (through \(hops.joined(separator: ", ")))"
    }

    public var status: SSHTunnelStatus { lock.withLock { _status } }

    /// Called on every status change (from any thread).
    public func onStatusChange(_ f: @escaping @Sendable (SSHTunnelStatus) -> Void) {
        lock.withLock { listeners.append(f) }
    }

    private func setStatus(_ s: SSHTunnelStatus) {
        let ls: [@Sendable (SSHTunnelStatus) -> Void] = lock.withLock {
            _status = s
            return listeners
        }
        for l in ls { l(s) }
    }

    /// Connects now (if not connected) and returns what `doctor` shows.
    public func connect() async throws -> SSHHopInfo {
        try await session().info
    }

    public func shutdown() async {
        let s: State = lock.withLock {
            let s = state
            state = .shutDown
            return s
        }
        switch s {
        case .ready(let session): try? await session.channel.close()
        case .connecting(let t): t.cancel()
        default: break
        }
        settleWaiters(.failure(.disconnected(destination: config.destination, detail: "the tunnel was shut down")))
        setStatus(.closed)
    }

    // MARK: Channels

    public func openStream(to address: HostAddress, timeout: Duration,
                           initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>) async throws -> any Channel {
        let session = try await self.session()
        let parent = session.channel
        let target = address.description
        let promise = parent.eventLoop.makePromise(of: Channel.self)
        let originator = try SocketAddress(ipAddress: "127.0.0.1", port: 0)
        parent.eventLoop.execute {
            do {
                let ssh = try parent.pipeline.syncOperations.handler(type: NIOSSHHandler.self)
                ssh.createChannel(promise, channelType: .directTCPIP(.init(targetHost: address.host, targetPort: address.port,
                                                                           originatorAddress: originator))) { child, _ in
                    child.eventLoop.makeCompletedFuture {
                        try child.pipeline.syncOperations.addHandler(SSHChannelDataUnwrapper())
                    }.flatMap { initializer(child) }
                }
            } catch {
                promise.fail(error)
            }
        }
        let timedOut = NIOLockedValueBox(false)
        let timer = parent.eventLoop.scheduleTask(in: .nanoseconds(Self.nanos(timeout))) {
            timedOut.withLockedValue { $0 = true }
            promise.fail(SSHTunnelError.channelTimeout(jumpHost: self.config.destination, target: target,
                                                       seconds: Double(Self.nanos(timeout)) / 1e9))
        }
        promise.futureResult.whenComplete { r in
            timer.cancel()
            // A channel that opens after we gave up is closed, not leaked.
            if case .success(let ch) = r, timedOut.withLockedValue({ $0 }) { ch.close(promise: nil) }
        }
        do {
            return try await promise.futureResult.get()
        } catch let e as SSHTunnelError {
            throw e
        } catch let e as NIOSSHError where e.type == .channelSetupRejected {
            throw SSHTunnelError.channelRejected(jumpHost: config.destination, target: target, reason: Self.rejection(e))
        } catch {
            throw SSHTunnelError.disconnected(destination: config.destination, detail: "\(error)")
        }
    }

    /// "Reason: 2 Connection refused" -> "connect failed (Connection refused)".
    static func rejection(_ e: NIOSSHError) -> String {
        let text = "\(e)"
        guard let r = text.range(of: "Reason: ") else { return text }
        let rest = text[r.upperBound...]
        let code = Int(rest.prefix { $0.isNumber }) ?? 0
        let why = rest.drop { $0.isNumber }.trimmingCharacters(in: .whitespaces)
        let name: String
        switch code {
        case 1: name = "administratively prohibited (the jump host's sshd does not allow forwarding there: AllowTcpForwarding/PermitOpen)"
        case 2: name = "connect failed on the jump host"
        case 3: name = "unknown channel type"
        case 4: name = "resource shortage on the jump host"
        default: name = "rejected (code \(code))"
        }
        return why.isEmpty ? name : "\(name) (\(why))"
    }

    // MARK: The SSH connection

    /// The live session, or the outcome of the next connection attempt: a caller waiting for a
    /// (re)connect gets that attempt's session or its reason, as soon as it has one. Waiting is not
    /// awaiting the connect loop (it retries in the background and never ends while the jump host
    /// stays unreachable: awaiting it hung `get topics` for good behind a refusing ProxyJump hop).
    private func session() async throws -> Session {
        let promise: EventLoopPromise<Session> = try lock.withLock {
            switch state {
            case .ready(let s):
                let p = eventLoop.makePromise(of: Session.self)
                p.succeed(s)
                return p
            case .failed(let e): throw e
            case .shutDown: throw SSHTunnelError.disconnected(destination: config.destination, detail: "the tunnel was shut down")
            case .connecting:
                return addWaiter()
            case .idle:
                let p = addWaiter()
                state = .connecting(Task { try await self.connectLoop() })
                return p
            }
        }
        return try await promise.futureResult.get()
    }

    /// A caller waiting for the next attempt's outcome (call with `lock` held). Between attempts
    /// (backing off) it waits at most the connect timeout, then gets the last attempt's reason; an
    /// attempt in flight ends by itself (each of its steps has the connect timeout of its hop).
    private func addWaiter() -> EventLoopPromise<Session> {
        let p = eventLoop.makePromise(of: Session.self)
        nextWaiter += 1
        let id = nextWaiter
        waiters[id] = p
        eventLoop.scheduleTask(in: .nanoseconds(Self.nanos(config.connectTimeout))) { [self] in
            let expired: SSHTunnelError? = lock.withLock {
                guard !attemptRunning, waiters.removeValue(forKey: id) != nil else { return nil }
                guard let last = lastError else {
                    return .disconnected(destination: config.destination,
                                         detail: "not connected within \(Double(Self.nanos(config.connectTimeout)) / 1e9) s")
                }
                if case .connect = last { return last }
                return .disconnected(destination: config.destination, detail: "\(last); reconnecting")
            }
            if let expired { p.fail(expired) }
        }
        return p
    }

    /// Hands every waiting caller the attempt's outcome.
    private func settleWaiters(_ outcome: Result<Session, SSHTunnelError>) {
        let ws: [EventLoopPromise<Session>] = lock.withLock {
            let ws = Array(waiters.values)
            waiters = [:]
            return ws
        }
        for w in ws { w.completeWith(outcome.mapError { $0 as any Error }) }
    }

    /// Attempts until one succeeds, backing off; stops at a failure retrying cannot fix.
    private func connectLoop() async throws -> Session {
        var failures = 0
        while true {
            if Task.isCancelled {
                settleWaiters(.failure(.disconnected(destination: config.destination, detail: "the tunnel was shut down")))
                throw CancellationError()
            }
            let n = lock.withLock { attempts += 1; attemptRunning = true; return attempts }
            setStatus(n == 1 ? .connecting(attempt: n) : .reconnecting(attempt: n, lastError: lock.withLock { lastError?.description } ?? ""))
            do {
                let s: Session
                do {
                    s = try await connectOnce()
                } catch let e as SSHTunnelError {
                    throw e
                } catch {
                    throw SSHTunnelError.handshake(destination: config.destination, detail: "\(error)")
                }
                let installed: Bool = lock.withLock {
                    attemptRunning = false
                    guard case .connecting = state else { return false }
                    state = .ready(s)
                    attempts = 0
                    lastError = nil
                    return true
                }
                guard installed else {
                    try? await s.channel.close()
                    let e = SSHTunnelError.disconnected(destination: config.destination, detail: "the tunnel was shut down")
                    settleWaiters(.failure(e))
                    throw e
                }
                setStatus(.connected(s.info))
                watch(s)
                settleWaiters(.success(s))
                return s
            } catch let e as SSHTunnelError {
                lock.withLock { lastError = e; attemptRunning = false }
                logger.debug("SSH: \(e)")
                if e.isPermanent {
                    lock.withLock { if case .connecting = state { state = .failed(e) } }
                    setStatus(.failed(e.description))
                    settleWaiters(.failure(e))
                    throw e
                }
                // Whoever waits hears now why this attempt failed; the loop retries in the background.
                settleWaiters(.failure(e))
                failures += 1
                setStatus(.reconnecting(attempt: n, lastError: e.description))
                let backoff = min(Double(Self.nanos(config.maxReconnectBackoff)) / 1e9, 0.25 * pow(2, Double(min(failures, 10))))
                try await Task.sleep(for: .milliseconds(Int64(backoff * 1000)))
            }
        }
    }

    /// When the connection closes (drop, keepalive timeout), reconnect in the background.
    private func watch(_ s: Session) {
        s.channel.closeFuture.whenComplete { _ in
            let restart: Bool = self.lock.withLock {
                guard case .ready(let cur) = self.state, cur === s else { return false }
                self.lastError = .disconnected(destination: self.config.destination, detail: "closed by the jump host or the network")
                self.state = .idle
                return true
            }
            guard restart else { return }
            self.logger.debug("SSH: connection to \(self.config.destination) lost; reconnecting")
            self.setStatus(.reconnecting(attempt: 0, lastError: "closed by the jump host or the network"))
            Task { _ = try? await self.session() }
        }
    }

    private func connectOnce() async throws -> Session {
        let record = HandshakeRecord()
        let loop = eventLoop
        let ready = loop.makePromise(of: Void.self)
        let config = self.config
        let identities = self.identities
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.nanoseconds(Self.nanos(config.connectTimeout)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    let client = SSHClientConfiguration(
                        userAuthDelegate: KeyOfferingDelegate(user: config.user, identities: identities, record: record,
                                                              onExhausted: { ready.fail(SSHTunnelError.authFailed(destination: config.destination, attempts: record.attempts)) }),
                        serverAuthDelegate: KnownHostsDelegate(config: config, record: record))
                    try sync.addHandler(NIOSSHHandler(role: .client(client), allocator: channel.allocator,
                                                      inboundChildChannelInitializer: nil))
                    try sync.addHandler(SSHReadyWatcher(promise: ready))
                }
            }
        let started = NIODeadline.now()
        let channel: any Channel
        if let via {
            // ProxyJump: SSH over a direct-tcpip channel of the previous hop to this hop's sshd.
            do {
                channel = try await via.openStream(to: HostAddress(host: config.host, port: config.port),
                                                   timeout: config.connectTimeout) { child in
                    child.eventLoop.makeCompletedFuture {
                        let sync = child.pipeline.syncOperations
                        try sync.addHandler(NIOSSHHandler(role: .client(SSHClientConfiguration(
                            userAuthDelegate: KeyOfferingDelegate(user: config.user, identities: identities, record: record,
                                                                  onExhausted: { ready.fail(SSHTunnelError.authFailed(destination: config.destination, attempts: record.attempts)) }),
                            serverAuthDelegate: KnownHostsDelegate(config: config, record: record))),
                            allocator: child.allocator, inboundChildChannelInitializer: nil))
                        try sync.addHandler(SSHReadyWatcher(promise: ready))
                    }
                }
            } catch {
                ready.fail(ChannelError.ioOnClosedChannel)
                throw Self.hopUnreachable(error, hop: chainDescription, previous: via.config.destination)
            }
        } else {
            do {
                channel = try await bootstrap.connect(host: config.host, port: config.port).get()
            } catch {
                ready.fail(ChannelError.ioOnClosedChannel)
                throw SSHTunnelError.connect(destination: config.destination, detail: Self.describeConnectError(error))
            }
        }
        let timer = loop.scheduleTask(in: .nanoseconds(Self.nanos(config.connectTimeout))) {
            ready.fail(SSHTunnelError.handshake(destination: config.destination,
                                                detail: "no SSH handshake within \(Double(Self.nanos(config.connectTimeout)) / 1e9) s"))
        }
        do {
            try await ready.futureResult.get()
            timer.cancel()
        } catch {
            timer.cancel()
            try? await channel.close()
            if let e = record.hostKeyError { throw e }
            if record.authExhausted { throw SSHTunnelError.authFailed(destination: config.destination, attempts: record.attempts) }
            if let e = error as? SSHTunnelError { throw e }
            throw SSHTunnelError.handshake(destination: config.destination, detail: "\(error)")
        }
        let millis = Double((NIODeadline.now() - started).nanoseconds) / 1e6
        let hostKey = record.hostKey ?? "?"
        let info = SSHHopInfo(destination: config.destination, connectMillis: millis,
                              hostKey: "\(hostKey.split(separator: " ").first ?? "") \(KnownHosts.fingerprint(key: hostKey))",
                              hostKeyVerification: record.hostKeyVerdict ?? "?",
                              authentication: "publickey: " + (record.lastOffered ?? "?"))
        startKeepalive(channel)
        return Session(channel: channel, info: info)
    }

    /// Every interval a request the server must answer (cancel of a forwarding we never asked for:
    /// sshd answers "failure"); after `keepaliveMaxMissed` unanswered ones the connection is closed.
    private func startKeepalive(_ channel: any Channel) {
        let interval = TimeAmount.nanoseconds(Self.nanos(config.keepaliveInterval))
        let maxMissed = config.keepaliveMaxMissed
        let destination = config.destination
        let logger = self.logger
        let outstanding = NIOLockedValueBox(0)
        channel.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { task in
            guard channel.isActive else { task.cancel(); return }
            let missed = outstanding.withLockedValue { $0 }
            if missed >= maxMissed {
                logger.warning("SSH: \(destination) answered none of the last \(missed) keepalives; closing")
                task.cancel()
                channel.close(promise: nil)
                return
            }
            outstanding.withLockedValue { $0 += 1 }
            let p = channel.eventLoop.makePromise(of: GlobalRequest.TCPForwardingResponse?.self)
            p.futureResult.whenComplete { _ in outstanding.withLockedValue { $0 = 0 } }
            do {
                let ssh = try channel.pipeline.syncOperations.handler(type: NIOSSHHandler.self)
                ssh.sendTCPForwardingRequest(.cancel(host: "127.0.0.1", port: 1), promise: p)
            } catch {
                p.fail(error)
            }
        }
    }

    /// Why this hop of a ProxyJump chain cannot be reached, naming it and the hop in front. When
    /// the hop in front is itself down, its own error (which names it) is the reason.
    static func hopUnreachable(_ error: any Error, hop: String, previous: String) -> SSHTunnelError {
        switch error as? SSHTunnelError {
        case .channelRejected(_, _, let reason)?:
            return .connect(destination: hop, detail: "\(previous) could not open a connection to it: \(reason)")
        case .channelTimeout(_, _, let seconds)?:
            return .connect(destination: hop, detail: "\(previous) got no answer from it within \(seconds) s "
                                + "(is it up, its address routable from there, its port open?)")
        case let e?:
            return e
        case nil:
            return .connect(destination: hop, detail: "through \(previous): \(error)")
        }
    }

    static func describeConnectError(_ error: any Error) -> String {
        if let e = error as? NIOConnectionError {
            if e.connectionErrors.isEmpty {
                return "cannot resolve the host name" + (e.dnsAError.map { " (\($0))" } ?? "")
            }
            // One address (the usual case): the destination already names it.
            if e.connectionErrors.count == 1 { return describeConnectError(e.connectionErrors[0].error) }
            return e.connectionErrors.map { "\($0.target.ipAddress ?? "\($0.target)"): \(describeConnectError($0.error))" }
                .joined(separator: "; ")
        }
        if let e = error as? IOError {
            switch e.errnoCode {
            case ECONNREFUSED: return "connection refused (is sshd listening on that port?)"
            case ETIMEDOUT: return "timed out"
            case EHOSTUNREACH, ENETUNREACH: return "unreachable"
            default: return "\(e)"
            }
        }
        if let e = error as? ChannelError, case .connectTimeout = e { return "no TCP connection within the connect timeout" }
        return "\(error)"
    }

    static func nanos(_ d: Duration) -> Int64 {
        let c = d.components
        return c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
    }
}
