import KafkaProtocol
import Logging
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The result of checking one address step by step: DNS, TCP, TLS, ApiVersions, SASL.
public struct DoctorCheck: Sendable, Hashable, Codable {
    /// "bootstrap" or "broker".
    public var role: String
    public var brokerId: Int32?
    public var advertised: String
    /// host:port actually dialled after aliases.
    public var dialed: String
    public var aliasApplied: Bool
    /// Addresses the dialled name resolved to (empty when DNS failed).
    public var dnsAddresses: [String]
    public var dnsError: String?
    public var tcpConnectMillis: Double?
    public var tlsPeerCertificate: String?
    public var tlsVersion: String?
    /// "authenticated as alice (SCRAM-SHA-512)", "failed: ...", or nil without SASL.
    public var sasl: String?
    /// e.g. "ApiVersions v3: 62 APIs; Metadata 0-12, Fetch 4-17, ListOffsets 1-9 ..."
    public var apiVersions: String?
    public var apiVersionsUsed: Int16?
    public var ok: Bool
    /// The stage that failed (DNS, refused, timeout, TLS, SASL, ApiVersions, network).
    public var failedStage: String?
    public var error: String?
    /// The fix: the exact --alias to add, or what to check.
    public var suggestion: String?
}

public struct DoctorReport: Sendable, Hashable, Codable {
    public var securityProtocol: String
    public var saslMechanism: String?
    public var clusterId: String?
    public var bootstrap: [DoctorCheck]
    public var brokers: [DoctorCheck]
    public var warnings: [String]
    public var ok: Bool { !bootstrap.isEmpty && bootstrap.contains { $0.ok } && brokers.allSatisfy(\.ok) && !brokers.isEmpty }

    enum CodingKeys: String, CodingKey {
        case securityProtocol = "security_protocol", saslMechanism = "sasl_mechanism", clusterId = "cluster_id",
             bootstrap, brokers, warnings, ok
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(securityProtocol, forKey: .securityProtocol)
        try c.encodeIfPresent(saslMechanism, forKey: .saslMechanism)
        try c.encodeIfPresent(clusterId, forKey: .clusterId)
        try c.encode(bootstrap, forKey: .bootstrap)
        try c.encode(brokers, forKey: .brokers)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(ok, forKey: .ok)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        securityProtocol = try c.decode(String.self, forKey: .securityProtocol)
        saslMechanism = try c.decodeIfPresent(String.self, forKey: .saslMechanism)
        clusterId = try c.decodeIfPresent(String.self, forKey: .clusterId)
        bootstrap = try c.decode([DoctorCheck].self, forKey: .bootstrap)
        brokers = try c.decode([DoctorCheck].self, forKey: .brokers)
        warnings = try c.decode([String].self, forKey: .warnings)
    }

    public init(securityProtocol: String, saslMechanism: String?, clusterId: String?, bootstrap: [DoctorCheck],
                brokers: [DoctorCheck], warnings: [String]) {
        self.securityProtocol = securityProtocol
        self.saslMechanism = saslMechanism
        self.clusterId = clusterId
        self.bootstrap = bootstrap
        self.brokers = brokers
        self.warnings = warnings
    }

    /// Human-readable report, one block per address.
    public func renderText() -> String {
        var lines: [String] = []
        lines.append("security: \(securityProtocol)" + (saslMechanism.map { " (\($0))" } ?? ""))
        if let clusterId { lines.append("cluster id: \(clusterId)") }
        for w in warnings { lines.append("warning: \(w)") }
        func block(_ c: DoctorCheck) {
            let who = c.brokerId.map { "broker \($0)" } ?? "bootstrap"
            lines.append("")
            lines.append("\(c.ok ? "OK  " : "FAIL") \(who) \(c.advertised)" + (c.aliasApplied ? " -> \(c.dialed)" : ""))
            if let e = c.dnsError {
                lines.append("     DNS          \(e)")
            } else {
                lines.append("     DNS          \(c.dnsAddresses.joined(separator: ", "))")
            }
            if let t = c.tcpConnectMillis { lines.append("     TCP          connected in \(Self.ms(t))") }
            if let v = c.tlsVersion { lines.append("     TLS          \(v)" + (c.tlsPeerCertificate.map { ", certificate \($0)" } ?? "")) }
            if let a = c.apiVersions { lines.append("     ApiVersions  \(a)") }
            if let s = c.sasl { lines.append("     SASL         \(s)") }
            if let e = c.error { lines.append("     error        [\(c.failedStage ?? "?")] \(e)") }
            if let s = c.suggestion { lines.append("     fix          \(s)") }
        }
        for c in bootstrap { block(c) }
        for c in brokers { block(c) }
        lines.append("")
        lines.append(ok ? "all checks passed" : "some checks failed")
        return lines.joined(separator: "\n") + "\n"
    }

    static func ms(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return "\(r) ms"
    }
}

/// `kafscope doctor`: checks every bootstrap address and every advertised broker, step by step,
/// on fresh connections (not the pooled ones), and suggests a fix for each failure.
public enum Doctor {
    public static func run(config: KafkaClientConfig, eventLoopGroup: (any EventLoopGroup)? = nil,
                           logger: Logger = Logger(label: "kafscope.doctor")) async -> DoctorReport {
        var warnings: [String] = []
        if config.sasl?.mechanism == .plain && config.tls == nil {
            warnings.append("SASL PLAIN over plaintext sends the password unencrypted (use SASL_SSL)")
        }
        if let tls = config.tls, tls.insecureSkipVerify {
            warnings.append("TLS certificate verification is OFF")
        } else if let tls = config.tls, !tls.verifyHostname {
            warnings.append("TLS hostname verification is OFF")
        }
        var report = DoctorReport(securityProtocol: config.securityProtocol, saslMechanism: config.sasl?.mechanism.rawValue,
                                  clusterId: nil, bootstrap: [], brokers: [], warnings: warnings)
        let group = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        let ctx: ConnectionContext
        do {
            let ssl = try config.tls.map(Dialer.makeSSLContext)
            ctx = ConnectionContext(config: config, sslContext: ssl, group: group, counters: RequestCounters(), logger: logger)
        } catch {
            report.warnings.append("configuration error: \(error)")
            return report
        }
        var metadata: ClusterMetadata?
        var metadataErrors: [String] = []
        for address in config.bootstrap {
            let ep = BrokerEndpoint(nodeId: nil, advertised: address, dialed: config.aliases.resolve(address))
            var (check, conn) = await checkEndpoint(ep, role: "bootstrap", context: ctx)
            if let conn {
                if metadata == nil {
                    do { metadata = try await ConnectionPool.requestMetadata(on: conn) } catch {
                        // Connected but unusable: the bootstrap check fails, saying why.
                        check.ok = false
                        check.failedStage = "Metadata"
                        check.error = Self.detail(error)
                        metadataErrors.append("\(ep): \(Self.detail(error))")
                    }
                }
                await conn.close()
            }
            report.bootstrap.append(check)
        }
        guard let meta = metadata else {
            let why = metadataErrors.isEmpty ? "" : " (" + metadataErrors.joined(separator: "; ") + ")"
            report.warnings.append("no bootstrap address answered Metadata\(why), so brokers could not be listed")
            return report
        }
        report.clusterId = meta.clusterId
        report.brokers = await withTaskGroup(of: DoctorCheck.self) { tg in
            for b in meta.sortedBrokers {
                let ep = BrokerEndpoint(nodeId: b.nodeId, advertised: b.advertised, dialed: config.aliases.resolve(b.advertised))
                tg.addTask {
                    let (check, conn) = await checkEndpoint(ep, role: "broker", context: ctx)
                    await conn?.close()
                    return check
                }
            }
            var out: [DoctorCheck] = []
            for await c in tg { out.append(c) }
            return out.sorted { ($0.brokerId ?? -1) < ($1.brokerId ?? -1) }
        }
        return report
    }

    static func checkEndpoint(_ ep: BrokerEndpoint, role: String,
                              context ctx: ConnectionContext) async -> (DoctorCheck, BrokerConnection?) {
        var check = DoctorCheck(role: role, brokerId: ep.nodeId, advertised: ep.advertised.description,
                                dialed: ep.dialed.description, aliasApplied: ep.advertised != ep.dialed,
                                dnsAddresses: [], dnsError: nil, tcpConnectMillis: nil, tlsPeerCertificate: nil,
                                tlsVersion: nil, sasl: nil, apiVersions: nil, apiVersionsUsed: nil, ok: false,
                                failedStage: nil, error: nil, suggestion: nil)
        // Through a tunnel the name resolves on the far side: the local resolver has no say.
        let dns: Result<[String], ResolveError>
        if let t = ctx.config.transport { dns = .success(["(on \(t.transport.routeDescription))"]) } else { dns = await resolve(ep.dialed.host) }
        switch dns {
        case .success(let addrs): check.dnsAddresses = addrs
        case .failure(let e):
            check.dnsError = e.message
            check.failedStage = ConnectStage.dns.rawValue
            let err = KafkaClientError.connect(ep, stage: .dns, detail: "cannot resolve \(ep.dialed.host): \(e.message)")
            check.error = "cannot resolve \(ep.dialed.host): \(e.message)"
            check.suggestion = err.suggestion
            return (check, nil)
        }
        let trace = UnsafeTraceBox()
        do {
            let conn = try await Dialer.connect(endpoint: ep, purpose: .admin, context: ctx, trace: trace)
            fill(&check, trace.value)
            check.apiVersions = summarize(conn.brokerVersions, used: trace.value.apiVersionsUsed)
            check.ok = true
            return (check, conn)
        } catch {
            fill(&check, trace.value)
            if let e = error as? KafkaClientError, case .connect(_, let stage, let detail) = e {
                check.failedStage = stage.rawValue
                check.error = detail
                check.suggestion = e.suggestion
            } else {
                check.failedStage = ConnectStage.network.rawValue
                check.error = "\(error)"
            }
            return (check, nil)
        }
    }

    /// The error without the endpoint prefix the check's heading already shows.
    static func detail(_ error: any Error) -> String {
        guard let e = error as? KafkaClientError else { return "\(error)" }
        switch e {
        case .protocolViolation(_, let d): return "protocol error: \(d)"
        case .connectionClosed(_, let d): return "connection closed: \(d)"
        case .requestTimeout(_, let api, let after): return "\(api) got no response within \(KafkaClientError.seconds(after))"
        case .unsupported(_, let api): return "\(api) is not supported by this broker"
        case .kafka(_, let api, let code, let name, let message):
            return "\(api) failed with \(name) (\(code))" + (message.flatMap { $0.isEmpty ? nil : ": \($0)" } ?? "")
        default: return e.description
        }
    }

    private static func fill(_ check: inout DoctorCheck, _ t: DialTrace) {
        check.tcpConnectMillis = t.tcpConnectMillis
        check.tlsPeerCertificate = t.tls?.peerCertificate
        check.tlsVersion = t.tls?.tlsVersion
        check.sasl = t.saslOutcome
        check.apiVersionsUsed = t.apiVersionsUsed
    }

    /// A short line: the ApiVersions version used, how many APIs, and the ranges kafscope cares about.
    static func summarize(_ v: [Int16: ClosedRange<Int16>], used: Int16?) -> String {
        let interesting: [(String, Int16)] = [("Metadata", 3), ("Fetch", 1), ("ListOffsets", 2), ("OffsetFetch", 9),
                                              ("FindCoordinator", 10), ("ListGroups", 16), ("DescribeGroups", 15),
                                              ("DescribeConfigs", 32), ("DescribeLogDirs", 35),
                                              ("DescribeQuorum", 55), ("ConsumerGroupDescribe", 69)]
        let parts = interesting.map { name, key in
            v[key].map { "\(name) \($0.lowerBound)-\($0.upperBound)" } ?? "\(name) -"
        }
        var s = (used.map { "v\($0): " } ?? "") + "\(v.count) APIs; " + parts.joined(separator: ", ")
        if v[55] != nil { s += "; KRaft" }
        return s
    }

    struct ResolveError: Error { var message: String }

    /// getaddrinfo on NIO's thread pool (it blocks).
    static func resolve(_ host: String) async -> Result<[String], ResolveError> {
        if Dialer.isIPLiteral(host) { return .success([host]) }
        do {
            return try await NIOThreadPool.singleton.runIfActive { () -> Result<[String], ResolveError> in
                var hints = addrinfo()
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                var res: UnsafeMutablePointer<addrinfo>?
                let rc = getaddrinfo(host, nil, &hints, &res)
                guard rc == 0, let first = res else {
                    return .failure(ResolveError(message: String(cString: gai_strerror(rc))))
                }
                defer { freeaddrinfo(first) }
                var out: [String] = []
                var p: UnsafeMutablePointer<addrinfo>? = first
                while let a = p {
                    var buf = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                    if getnameinfo(a.pointee.ai_addr, a.pointee.ai_addrlen, &buf, socklen_t(buf.count), nil, 0, NI_NUMERICHOST) == 0 {
                        let s = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                        if !out.contains(s) { out.append(s) }
                    }
                    p = a.pointee.ai_next
                }
                return .success(out)
            }
        } catch {
            return .failure(ResolveError(message: "\(error)"))
        }
    }
}
