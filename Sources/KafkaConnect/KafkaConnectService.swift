import AsyncHTTPClient
import ClusterModel
import Logging
import NIOCore

/// Every configured Connect cluster behind one `ConnectService`. Clusters are read
/// concurrently; one cluster failing leaves the others' connectors visible.
/// Call `shutdown()` once done (it closes the pooled HTTP connections).
public final class KafkaConnectService: ConnectService, Sendable {
    public let endpoints: [ConnectEndpoint]
    let clients: [String: ConnectClusterClient]
    let http: HTTPClient
    let versions = VersionCache()
    let logger: Logger

    /// `socksProxy`: a SOCKS5 proxy every request goes through, with the URL's host name handed to
    /// the proxy and TLS (SNI, certificate checks) still against that name (the SSH jump host's forwarder).
    /// `proxyFailure`: why the proxy's last connection to a host and port failed on its far side (a
    /// SOCKS reply carries only a code), for the message a refused endpoint gets.
    public init(endpoints: [ConnectEndpoint], retry: ConnectRetryPolicy = ConnectRetryPolicy(),
                logger: Logger = KafkaConnectService.silentLogger, socksProxy: (host: String, port: Int)? = nil,
                proxyFailure: (@Sendable (_ host: String, _ port: Int) -> String?)? = nil) throws {
        var seen = Set<String>()
        for e in endpoints where !seen.insert(e.name).inserted {
            throw ConnectConfigError("two Connect clusters are named \(e.name); give each --connect a distinct NAME=")
        }
        var config = HTTPClient.Configuration()
        // Never follow redirects: a redirect could carry the Authorization header elsewhere.
        config.redirectConfiguration = .disallow
        // Fail at once on "connection refused" instead of retrying until the connect timeout:
        // an operator wants to see the down cluster now, the others are shown meanwhile.
        config.connectionPool.retryConnectionEstablishment = false
        let shortest = endpoints.map(\.connectTimeout).min() ?? .seconds(5)
        config.timeout = .init(connect: .milliseconds(Int64(shortest.components.seconds * 1000
            + shortest.components.attoseconds / 1_000_000_000_000_000)))
        if let p = socksProxy { config.proxy = .socksServer(host: p.host, port: p.port) }
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
        var clients: [String: ConnectClusterClient] = [:]
        do {
            for e in endpoints {
                clients[e.name] = try ConnectClusterClient(endpoint: e, http: http, retry: retry, logger: logger, proxyFailure: proxyFailure)
            }
        } catch {
            try? http.syncShutdown()
            throw error
        }
        self.endpoints = endpoints
        self.clients = clients
        self.http = http
        self.logger = logger
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    public var clusterNames: [String] { endpoints.map(\.name) }

    /// The default: nothing, so no line can ever reach a curses screen; pass the app's file logger.
    public static let silentLogger = Logger(label: "kafscope.connect", factory: { _ in SwiftLogNoOpLogHandler() })

    public func client(_ cluster: String) throws -> ConnectClusterClient {
        guard let c = clients[cluster] else {
            let known = clusterNames.joined(separator: ", ")
            throw ConnectError(kind: .badConfiguration, cluster: cluster, url: "",
                               message: "no Connect cluster named \(cluster) (configured: \(known.isEmpty ? "none" : known))")
        }
        return c
    }

    // MARK: Reads

    /// `GET /` of every cluster; failures fill `error`.
    public func clusterInfos() async -> [ConnectClusterInfo] {
        await withTaskGroup(of: (Int, ConnectClusterInfo).self) { group in
            for (i, e) in endpoints.enumerated() {
                let c = clients[e.name]!
                group.addTask { (i, await self.info(c)) }
            }
            var out: [(Int, ConnectClusterInfo)] = []
            for await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    func info(_ c: ConnectClusterClient) async -> ConnectClusterInfo {
        do {
            let info = try await c.root()
            if let v = info.version.flatMap(ConnectVersion.init) { await versions.set(c.endpoint.name, v) }
            return info
        } catch {
            return ConnectClusterInfo(name: c.endpoint.name, url: c.endpoint.url, error: Self.message(error))
        }
    }

    static func message(_ error: Error) -> String {
        (error as? ConnectError)?.message ?? String(describing: error)
    }

    public func connectors() async -> ConnectorListing {
        struct One: Sendable { var index: Int; var info: ConnectClusterInfo; var connectors: [ConnectorStatus]; var errors: [SourceError] }
        let results = await withTaskGroup(of: One.self) { group in
            for (i, e) in endpoints.enumerated() {
                let c = clients[e.name]!
                group.addTask {
                    async let infoTask = self.info(c)
                    do {
                        let listing = try await c.listConnectors()
                        return One(index: i, info: await infoTask, connectors: listing.value, errors: listing.errors)
                    } catch {
                        let info = await infoTask
                        return One(index: i, info: info, connectors: [],
                                   errors: [SourceError(source: e.name, message: Self.message(error))])
                    }
                }
            }
            var all: [One] = []
            for await r in group { all.append(r) }
            return all.sorted { $0.index < $1.index }
        }
        return ConnectorListing(clusters: results.map(\.info), connectors: results.flatMap(\.connectors),
                                errors: results.flatMap(\.errors))
    }

    public func status(cluster: String, name: String) async throws -> ConnectorStatus {
        try await client(cluster).status(name)
    }

    public func connector(cluster: String, name: String) async throws -> ConnectorDetail {
        let c = try client(cluster)
        async let infoTask = c.info(name)
        async let statusTask = c.status(name)
        async let topicsTask = c.topics(name)
        async let versionTask = workerVersion(c)
        let info = try await infoTask
        var status = try await statusTask
        if status.type == "unknown", let t = info.type { status.type = t }
        return ConnectorDetail(status: status, config: info.configStrings, topics: await topicsTask,
                               workerVersion: await versionTask?.text)
    }

    // MARK: Actions

    public func unsupportedReason(_ action: ConnectAction, cluster: String) async -> String? {
        guard let c = clients[cluster] else { return "no Connect cluster named \(cluster)" }
        var version = await versions.get(cluster)
        if version == nil {
            _ = await info(c)
            version = await versions.get(cluster)
        }
        // Unknown version (GET / failed): let the worker decide rather than block the action.
        return version?.unsupportedReason(action, cluster: cluster)
    }

    /// Sends the action once (after the version check); the caller's write flow polls until it
    /// settles. Throws a message fit for the screen.
    public func perform(_ action: ConnectAction, cluster: String, connector: String) async throws {
        do {
            _ = try await performDetailed(action, cluster: cluster, connector: connector)
        } catch let e as ConnectError {
            throw e.userFacing
        }
    }

    /// The worker version of a cluster, read once (`GET /`) and cached.
    func workerVersion(_ c: ConnectClusterClient) async -> ConnectVersion? {
        if let v = await versions.get(c.endpoint.name) { return v }
        _ = await info(c)
        return await versions.get(c.endpoint.name)
    }

    /// Sends the action after the version check; throws `ConnectError`.
    public func performDetailed(_ action: ConnectAction, cluster: String, connector: String) async throws -> ConnectClusterClient.ActionResult {
        let c = try client(cluster)
        if let reason = await unsupportedReason(action, cluster: cluster) {
            throw ConnectError(kind: .unsupported, cluster: cluster, url: c.endpoint.url,
                               message: "Connect cluster \(cluster): cannot \(action.verb) \(connector): \(reason)")
        }
        logger.notice("connect \(cluster): \(action.verb) \(connector)")
        return try await c.perform(action, connector: connector)
    }

    /// Outcome of polling after an action.
    public struct Settlement: Sendable, Hashable {
        public var before: ConnectorStatus?
        public var after: ConnectorStatus
        public var settled: Bool
        public var elapsed: Duration
        /// e.g. "connector RUNNING → PAUSED; task 0 RUNNING → PAUSED".
        public var transition: String { ConnectTransition.describe(before: before, after: after) }
    }

    /// Polls the status until `action.isSettled` holds or `timeout` passes.
    public func awaitSettled(_ action: ConnectAction, cluster: String, connector: String, before: ConnectorStatus?,
                             timeout: Duration = .seconds(15), interval: Duration = .milliseconds(250)) async throws -> Settlement {
        let c = try client(cluster)
        let start = ContinuousClock.now
        while true {
            let now = try await c.status(connector)
            let elapsed = ContinuousClock.now - start
            if action.isSettled(now) || elapsed >= timeout {
                return Settlement(before: before, after: now, settled: action.isSettled(now), elapsed: elapsed)
            }
            try await Task.sleep(for: interval)
        }
    }
}

actor VersionCache {
    var versions: [String: ConnectVersion] = [:]
    func get(_ cluster: String) -> ConnectVersion? { versions[cluster] }
    func set(_ cluster: String, _ v: ConnectVersion) { versions[cluster] = v }
}
