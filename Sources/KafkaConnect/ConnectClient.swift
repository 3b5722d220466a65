import AsyncHTTPClient
import ClusterModel
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// How 409 (rebalance in progress / stale config) is retried: bounded exponential backoff.
public struct ConnectRetryPolicy: Sendable, Hashable {
    /// Total attempts, the first included.
    public var attempts: Int
    public var initialDelay: Duration
    public var maxDelay: Duration

    public init(attempts: Int = 5, initialDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(2)) {
        self.attempts = max(1, attempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    func delay(afterAttempt n: Int) -> Duration {
        var d = initialDelay
        for _ in 1..<max(1, n) { d = d * 2; if d >= maxDelay { return maxDelay } }
        return min(d, maxDelay)
    }
}

/// A raw answer from a worker.
struct ConnectResponse: Sendable {
    var status: Int
    var body: ByteBuffer
    var attempts: Int
}

/// The REST client of one Connect cluster. Stateless apart from the shared HTTP client.
public struct ConnectClusterClient: Sendable {
    public let endpoint: ConnectEndpoint
    let http: HTTPClient
    let tls: TLSConfiguration?
    let retry: ConnectRetryPolicy
    let logger: Logger
    /// The SOCKS proxy's far-side reason for a failed connection (see KafkaConnectService.init).
    let proxyFailure: (@Sendable (_ host: String, _ port: Int) -> String?)?
    /// Expanded listings carry every trace; 64 MiB is far above thousands of connectors.
    static let maxBodyBytes = 64 * 1024 * 1024

    init(endpoint: ConnectEndpoint, http: HTTPClient, retry: ConnectRetryPolicy, logger: Logger,
         proxyFailure: (@Sendable (_ host: String, _ port: Int) -> String?)? = nil) throws {
        self.endpoint = endpoint
        self.proxyFailure = proxyFailure
        self.http = http
        self.retry = retry
        self.logger = logger
        if endpoint.isHTTPS {
            var tls = TLSConfiguration.makeClientConfiguration()
            func load<T>(_ what: String, _ file: String, _ body: () throws -> T) throws -> T {
                do { return try body() } catch {
                    throw ConnectError(kind: .badConfiguration, cluster: endpoint.name, url: endpoint.url,
                                       message: "Connect cluster \(endpoint.name): cannot load the \(what) \(file): \(error)")
                }
            }
            if let caFile = endpoint.caFile {
                let certs = try load("CA file", caFile) { try NIOSSLCertificate.fromPEMFile(caFile) }
                guard !certs.isEmpty else {
                    throw ConnectError(kind: .badConfiguration, cluster: endpoint.name, url: endpoint.url,
                                       message: "Connect cluster \(endpoint.name): no certificate in the CA file \(caFile)")
                }
                tls.trustRoots = .certificates(certs)
            }
            if let certFile = endpoint.certFile {
                tls.certificateChain = try load("client certificate", certFile) { try NIOSSLCertificate.fromPEMFile(certFile) }
                    .map { .certificate($0) }
                guard let keyFile = endpoint.keyFile else {
                    throw ConnectError(kind: .badConfiguration, cluster: endpoint.name, url: endpoint.url,
                                       message: "Connect cluster \(endpoint.name): a client certificate needs a key file")
                }
                tls.privateKey = .privateKey(try load("client key", keyFile) { try NIOSSLPrivateKey(file: keyFile, format: .pem) })
            }
            if endpoint.insecureSkipVerify { tls.certificateVerification = .none }
            self.tls = tls
        } else {
            self.tls = nil
        }
    }

    var where_: String { "Connect cluster \(endpoint.name) (\(endpoint.url))" }

    /// The host and port a URL's requests go to (80/443 by default), as the proxy is asked for them.
    static func urlTarget(_ url: String) -> (host: String, port: Int)? {
        guard let c = URLComponents(string: url), let host = c.host else { return nil }
        return (host, c.port ?? (c.scheme?.lowercased() == "https" ? 443 : 80))
    }

    // MARK: Requests

    static func encodePathSegment(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? s
    }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func connectorPath(_ name: String, _ suffix: String = "") -> String {
        "/connectors/" + encodePathSegment(name) + suffix
    }

    /// One request with 409 retries. Transport failures and non-409 statuses are returned/thrown at once.
    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], what: String) async throws -> ConnectResponse {
        var attempt = 0
        let started = ContinuousClock.now
        while true {
            attempt += 1
            let response = try await sendOnce(method, path, query: query, what: what)
            if response.status == 409 {
                if attempt < retry.attempts {
                    let pause = retry.delay(afterAttempt: attempt)
                    logger.debug("connect \(endpoint.name) \(method.rawValue) \(path) -> 409, retry \(attempt + 1)/\(retry.attempts) in \(pause)")
                    try await Task.sleep(for: pause)
                    continue
                }
                let server = Self.errorMessage(response.body)
                let elapsed = ContinuousClock.now - started
                throw ConnectError(
                    kind: .conflict(attempts: attempt), cluster: endpoint.name, url: endpoint.url,
                    message: "\(where_): \(what) failed: the worker answered 409 Conflict (rebalance in progress or "
                        + "config change) \(attempt) times over \(Self.seconds(elapsed)); gave up retrying"
                        + (server.map { ". Worker said: \($0)" } ?? ""),
                    serverMessage: server)
            }
            return ConnectResponse(status: response.status, body: response.body, attempts: attempt)
        }
    }

    public static func seconds(_ d: Duration) -> String {
        let c = d.components
        let s = Double(c.seconds) + Double(c.attoseconds) / 1e18
        return String(format: "%.1f s", s)
    }

    private func sendOnce(_ method: HTTPMethod, _ path: String, query: [(String, String)], what: String) async throws -> ConnectResponse {
        var url = endpoint.url + path
        if !query.isEmpty {
            url += "?" + query.map { "\(Self.encodePathSegment($0.0))=\(Self.encodePathSegment($0.1))" }.joined(separator: "&")
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let user = endpoint.username {
            let token = Data("\(user):\(endpoint.password ?? "")".utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic \(token)")
        }
        if method == .PUT || method == .POST {
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        request.tlsConfiguration = tls
        let timeout = TimeAmount.nanoseconds(Int64(endpoint.requestTimeout.components.seconds) * 1_000_000_000
            + endpoint.requestTimeout.components.attoseconds / 1_000_000_000)
        do {
            let response = try await http.execute(request, timeout: timeout, logger: nil)
            let body = try await response.body.collect(upTo: Self.maxBodyBytes)
            logger.debug("connect \(endpoint.name) \(method.rawValue) \(path) -> \(response.status.code)")
            return ConnectResponse(status: Int(response.status.code), body: body, attempts: 1)
        } catch let error as ConnectError {
            throw error
        } catch {
            throw transportError(error, what: what)
        }
    }

    /// Maps AsyncHTTPClient/NIO failures to a message naming the cluster and URL.
    func transportError(_ error: Error, what: String) -> ConnectError {
        let text = String(describing: error)
        let lower = text.lowercased()
        if let e = error as? HTTPClientError, e == .deadlineExceeded || e == .readTimeout || e == .writeTimeout {
            return ConnectError(kind: .timeout, cluster: endpoint.name, url: endpoint.url,
                                message: "\(where_): \(what) timed out after \(Self.seconds(endpoint.requestTimeout))")
        }
        if let e = error as? HTTPClientError, e == .connectTimeout {
            return ConnectError(kind: .unreachable, cluster: endpoint.name, url: endpoint.url,
                                message: "\(where_) is unreachable: connect timed out")
        }
        if lower.contains("bodylengthexceeded") || lower.contains("toomanybytes") {
            return ConnectError(kind: .badResponse, cluster: endpoint.name, url: endpoint.url,
                                message: "\(where_): \(what): the answer exceeds \(Self.maxBodyBytes / 1024 / 1024) MiB")
        }
        if error is HTTPParserError {
            return ConnectError(kind: .badResponse, cluster: endpoint.name, url: endpoint.url,
                                message: "\(where_): \(what): the answer is not HTTP (is this the Connect REST port?)")
        }
        let reason: String
        if lower.contains("failedtovalidatehostname") {
            reason = "its TLS certificate is not valid for \(URLComponents(string: endpoint.url)?.host ?? "the URL's host name") (a name mismatch)"
        } else if lower.contains("connectionfailed(reply") {
            // The jump host's own words ("connect failed (Connection refused)") when the proxy kept them.
            reason = Self.urlTarget(endpoint.url).flatMap { proxyFailure?($0.host, $0.port) }
                ?? "the SSH jump host could not open a connection to it (refused, unknown name or not reachable from there)"
        } else if lower.contains("refused") { reason = "connection refused (is a worker listening there?)" }
        else if lower.contains("ssl") || lower.contains("tls") || lower.contains("certificate") || lower.contains("handshake") {
            reason = Self.tlsReason(text)
        } else if lower.contains("resolve") || lower.contains("dns") || lower.contains("nodename") {
            reason = "host name does not resolve"
        } else if lower.contains("reset") {
            reason = "the server reset the connection before answering"
        } else if lower.contains("closed") || lower.contains("eof") {
            reason = "the connection was closed before an answer"
        } else if let io = error as? IOError {
            reason = String(cString: strerror(io.errnoCode)).lowercased()
        } else { reason = text }
        return ConnectError(kind: .unreachable, cluster: endpoint.name, url: endpoint.url,
                            message: "\(where_) is unreachable: \(reason)")
    }

    /// BoringSSL's error dump (codes, source paths) reduced to what to do about it.
    static func tlsReason(_ text: String) -> String {
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "TLS certificate verification failed (untrusted CA or a name mismatch); check the ca_file configured for it"
        }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") {
            return "the server does not speak TLS there (use an http:// URL?)"
        }
        // "...:SSL routines:OPENSSL_internal:REASON at /path..." -> REASON
        if let r = text.range(of: "OPENSSL_internal:") {
            let reason = text[r.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            if !reason.isEmpty { return "TLS failed (\(reason)); check the CA and client certificate configured for it" }
        }
        if text.lowercased().contains("reset") || text.lowercased().contains("eof") {
            return "the server closed the connection during the TLS handshake (is it a TLS port?)"
        }
        return "TLS failed; check the CA file configured for it"
    }

    static func errorMessage(_ body: ByteBuffer) -> String? {
        guard body.readableBytes > 0, let dto = try? JSONDecoder().decode(ErrorDTO.self, from: Data(body.readableBytesView)) else {
            return nil
        }
        return dto.message
    }

    /// Turns a non-2xx answer into an error; `connector` names what a 404 refers to.
    func failure(_ response: ConnectResponse, what: String, connector: String?) -> ConnectError {
        let server = Self.errorMessage(response.body)
        let status = response.status
        switch status {
        case 404 where server == nil || server!.hasPrefix("HTTP 404"):
            return ConnectError(kind: .endpointMissing, cluster: endpoint.name, url: endpoint.url,
                                message: "\(where_): \(what) failed: this worker has no such endpoint (404); it may be too old",
                                serverMessage: server)
        case 404:
            let subject = connector.map { "connector \($0)" } ?? "the resource"
            return ConnectError(kind: .connectorNotFound, cluster: endpoint.name, url: endpoint.url,
                                message: "\(where_): \(what) failed: \(subject) not found (deleted or renamed?)"
                                    + (server.map { ". Worker said: \($0)" } ?? ""),
                                serverMessage: server)
        case 405:
            return ConnectError(kind: .endpointMissing, cluster: endpoint.name, url: endpoint.url,
                                message: "\(where_): \(what) failed: this worker does not allow it (405); it may be too old",
                                serverMessage: server)
        case 401, 403:
            return ConnectError(kind: .unauthorized(status: status), cluster: endpoint.name, url: endpoint.url,
                                message: "\(where_): \(what) failed: \(status == 401 ? "authentication failed (401)" : "forbidden (403)"); "
                                    + "check the username and password configured for this cluster",
                                serverMessage: server)
        default:
            return ConnectError(kind: .http(status: status), cluster: endpoint.name, url: endpoint.url,
                                message: "\(where_): \(what) failed with HTTP \(status)" + (server.map { ": \($0)" } ?? ""),
                                serverMessage: server)
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: ConnectResponse, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(response.body.readableBytesView))
        } catch {
            throw ConnectError(kind: .badResponse, cluster: endpoint.name, url: endpoint.url,
                               message: "\(where_): \(what): unexpected answer (\(Self.decodingSummary(error)))")
        }
    }

    static func decodingSummary(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing field \(key.stringValue)"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx):
            return "wrong type at \(ctx.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted: return "not JSON"
        default: return "not JSON"
        }
    }

    func getJSON<T: Decodable>(_ type: T.Type, _ path: String, query: [(String, String)] = [], what: String, connector: String?) async throws -> T {
        let response = try await send(.GET, path, query: query, what: what)
        guard (200..<300).contains(response.status) else { throw failure(response, what: what, connector: connector) }
        return try decode(T.self, response, what: what)
    }

    // MARK: Reads

    public func root() async throws -> ConnectClusterInfo {
        let dto = try await getJSON(RootInfoDTO.self, "/", what: "GET /", connector: nil)
        return ConnectClusterInfo(name: endpoint.name, url: endpoint.url, version: dto.version, commit: dto.commit,
                                  kafkaClusterId: dto.kafka_cluster_id)
    }

    public func status(_ connector: String) async throws -> ConnectorStatus {
        let dto = try await getJSON(StatusDTO.self, Self.connectorPath(connector, "/status"),
                                    what: "reading the status of \(connector)", connector: connector)
        return dto.model(connect: endpoint.name)
    }

    /// `GET /connectors/{c}`: config, task ids and type.
    func info(_ connector: String) async throws -> InfoDTO {
        try await getJSON(InfoDTO.self, Self.connectorPath(connector), what: "reading connector \(connector)", connector: connector)
    }

    public func config(_ connector: String) async throws -> [String: String] {
        try await getJSON([String: LenientString].self, Self.connectorPath(connector, "/config"),
                          what: "reading the config of \(connector)", connector: connector).compactMapValues { $0.value }
    }

    /// Topics in use (2.5+); nil when the worker lacks the endpoint or topic tracking is off.
    public func topics(_ connector: String) async -> [String]? {
        guard let map = try? await getJSON([String: TopicsDTO].self, Self.connectorPath(connector, "/topics"),
                                           what: "reading topics of \(connector)", connector: connector) else { return nil }
        return map[connector]?.topics.sorted()
    }

    /// Every connector with its status. Uses `?expand=status&expand=info` (2.3+); a worker that
    /// answers with plain names gets one status call per connector (vanished ones are skipped).
    public func listConnectors(concurrency: Int = 8) async throws -> Partial<[ConnectorStatus]> {
        let list = try await getJSON(ConnectorListDTO.self, "/connectors", query: [("expand", "status"), ("expand", "info")],
                                     what: "listing connectors", connector: nil)
        var result: [ConnectorStatus] = []
        var missing: [String] = []
        switch list {
        case .names(let names):
            missing = names
        case .expanded(let map):
            for (name, entry) in map {
                if let status = entry.status {
                    var s = status.model(connect: endpoint.name, fallbackType: entry.info?.type)
                    if s.name.isEmpty { s.name = name }
                    result.append(s)
                } else {
                    missing.append(name)
                }
            }
        }
        var errors: [SourceError] = []
        if !missing.isEmpty {
            let fetched = await fetchStatuses(missing, concurrency: concurrency)
            result += fetched.value
            errors += fetched.errors
        }
        result.sort { $0.name < $1.name }
        return Partial(result, errors: errors)
    }

    private func fetchStatuses(_ names: [String], concurrency: Int) async -> Partial<[ConnectorStatus]> {
        let client = self
        var statuses: [ConnectorStatus] = []
        var errors: [SourceError] = []
        await withTaskGroup(of: (String, Result<ConnectorStatus, ConnectError>?).self) { group in
            var iterator = names.makeIterator()
            func addNext() -> Bool {
                guard let name = iterator.next() else { return false }
                group.addTask {
                    do {
                        var s = try await client.status(name)
                        if s.type == "unknown", let info = try? await client.info(name), let t = info.type { s.type = t }
                        return (name, .success(s))
                    } catch let e as ConnectError {
                        // Deleted between the listing and this call: skip it, as Connect's expand does.
                        if e.kind == .connectorNotFound { return (name, nil) }
                        return (name, .failure(e))
                    } catch {
                        return (name, .failure(client.transportError(error, what: "reading the status of \(name)")))
                    }
                }
                return true
            }
            for _ in 0..<max(1, concurrency) { if !addNext() { break } }
            while let (_, outcome) = await group.next() {
                switch outcome {
                case .success(let s)?: statuses.append(s)
                case .failure(let e)?: errors.append(SourceError(source: endpoint.name, message: e.message))
                case nil: break
                }
                _ = addNext()
            }
        }
        return Partial(statuses, errors: errors)
    }

    // MARK: Actions

    /// What the worker answered to an action.
    public struct ActionResult: Sendable, Hashable {
        public var httpStatus: Int
        /// The ConnectorStateInfo of a 202 restart (affected instances RESTARTING).
        public var reportedState: ConnectorStatus?
        /// Attempts made (more than 1 after 409 retries).
        public var attempts: Int
    }

    public func perform(_ action: ConnectAction, connector: String) async throws -> ActionResult {
        let what = "\(action.verb) \(connector)"
        let response: ConnectResponse
        switch action {
        case .pause:
            response = try await send(.PUT, Self.connectorPath(connector, "/pause"), what: what)
        case .resume:
            response = try await send(.PUT, Self.connectorPath(connector, "/resume"), what: what)
        case .stop:
            response = try await send(.PUT, Self.connectorPath(connector, "/stop"), what: what)
        case .restart(let includeTasks, let onlyFailed):
            response = try await send(.POST, Self.connectorPath(connector, "/restart"),
                                      query: [("includeTasks", includeTasks ? "true" : "false"),
                                              ("onlyFailed", onlyFailed ? "true" : "false")], what: what)
        case .restartTask(let id):
            response = try await send(.POST, Self.connectorPath(connector, "/tasks/\(id)/restart"), what: what)
        }
        guard (200..<300).contains(response.status) else {
            throw failure(response, what: what, connector: connector)
        }
        var reported: ConnectorStatus?
        if response.status == 202, response.body.readableBytes > 0,
           let dto = try? JSONDecoder().decode(StatusDTO.self, from: Data(response.body.readableBytesView)) {
            reported = dto.model(connect: endpoint.name)
        }
        return ActionResult(httpStatus: response.status, reportedState: reported, attempts: response.attempts)
    }
}
