import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// REST client of one Confluent-compatible Schema Registry (Confluent, Karapace, Redpanda,
/// Apicurio's compatibility API). Read-only: it never registers or deletes anything.
public final class SchemaRegistryClient: Sendable {
    public let endpoint: RegistryEndpoint
    let http: HTTPClient
    let tls: TLSConfiguration?
    let logger: Logger
    /// Why the SOCKS proxy's last connection to a host and port failed on its far side.
    let proxyFailure: (@Sendable (_ host: String, _ port: Int) -> String?)?
    static let maxBodyBytes = 16 * 1024 * 1024

    /// `socksProxy`: a SOCKS5 proxy every request goes through, with the URL's host name handed to
    /// the proxy and TLS (SNI, certificate checks) still against that name (the SSH jump host's forwarder).
    /// `proxyFailure`: the proxy's far-side reason for a failed connection (a SOCKS reply carries only
    /// a code), for the message a refused registry gets.
    public init(endpoint: RegistryEndpoint, logger: Logger = Logger(label: "kafscope.registry"),
                socksProxy: (host: String, port: Int)? = nil,
                proxyFailure: (@Sendable (_ host: String, _ port: Int) -> String?)? = nil) throws {
        self.endpoint = endpoint
        self.proxyFailure = proxyFailure
        self.logger = logger
        var tls: TLSConfiguration?
        if endpoint.isHTTPS {
            var t = TLSConfiguration.makeClientConfiguration()
            func load<T>(_ what: String, _ file: String, _ body: () throws -> T) throws -> T {
                do { return try body() } catch {
                    throw RegistryError(kind: .badConfiguration, message: "Schema Registry: cannot load the \(what) \(file): \(error)")
                }
            }
            if let ca = endpoint.caFile {
                let certs = try load("CA file", ca) { try NIOSSLCertificate.fromPEMFile(ca) }
                guard !certs.isEmpty else {
                    throw RegistryError(kind: .badConfiguration, message: "Schema Registry: no certificate in the CA file \(ca)")
                }
                t.trustRoots = .certificates(certs)
            }
            if let certFile = endpoint.certFile {
                guard let keyFile = endpoint.keyFile else {
                    throw RegistryError(kind: .badConfiguration, message: "Schema Registry: a client certificate needs a key file")
                }
                t.certificateChain = try load("client certificate", certFile) { try NIOSSLCertificate.fromPEMFile(certFile) }
                    .map { .certificate($0) }
                t.privateKey = .privateKey(try load("client key", keyFile) { try NIOSSLPrivateKey(file: keyFile, format: .pem) })
            }
            tls = t
        }
        self.tls = tls
        var config = HTTPClient.Configuration()
        let ms = Int64(endpoint.timeout.components.seconds * 1000 + endpoint.timeout.components.attoseconds / 1_000_000_000_000_000)
        config.timeout = .init(connect: .milliseconds(max(100, ms)), read: .milliseconds(max(100, ms)))
        config.redirectConfiguration = .disallow
        if let p = socksProxy { config.proxy = .socksServer(host: p.host, port: p.port) }
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    var name: String { "Schema Registry \(endpoint.url)" }

    // MARK: API

    public func schema(id: Int32) async throws -> RegisteredSchema {
        let body: SchemaBody = try await get("/schemas/ids/\(id)", what: "schema id \(id)")
        return RegisteredSchema(id: id, type: Self.type(body.schemaType), schema: body.schema, references: body.references ?? [])
    }

    /// Every subject version registered with this schema id (`GET /schemas/ids/{id}/versions`).
    public func usages(id: Int32) async throws -> [SchemaUsage] {
        try await get("/schemas/ids/\(id)/versions", what: "the subjects of schema id \(id)")
    }

    public func subjects() async throws -> [String] {
        try await get("/subjects", what: "the subject list")
    }

    public func versions(subject: String) async throws -> [Int] {
        try await get("/subjects/\(Self.segment(subject))/versions", what: "the versions of \(subject)")
    }

    /// `version` is a number or `latest`.
    public func version(subject: String, version: String) async throws -> SubjectVersion {
        let body: SchemaBody = try await get("/subjects/\(Self.segment(subject))/versions/\(Self.segment(version))",
                                             what: "version \(version) of \(subject)")
        return SubjectVersion(subject: body.subject ?? subject, version: body.version ?? Int(version) ?? 0, id: body.id ?? 0,
                              type: Self.type(body.schemaType), schema: body.schema, references: body.references ?? [])
    }

    public func globalCompatibility() async throws -> String {
        let body: CompatibilityBody = try await get("/config", what: "the global compatibility")
        return body.compatibilityLevel ?? body.compatibility ?? "?"
    }

    /// The subject's own level, or nil when it follows the global one (40408).
    public func compatibility(subject: String) async throws -> String? {
        do {
            let body: CompatibilityBody = try await get("/config/\(Self.segment(subject))", what: "the compatibility of \(subject)")
            return body.compatibilityLevel ?? body.compatibility
        } catch let e as RegistryError where e.kind == .notFound {
            return nil
        }
    }

    // MARK: Transport

    static func type(_ s: String?) -> SchemaType { SchemaType(rawValue: (s ?? "AVRO").uppercased()) ?? .avro }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    static func segment(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? s }

    func get<T: Decodable>(_ path: String, what: String) async throws -> T {
        var request = HTTPClientRequest(url: endpoint.url + path)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/vnd.schemaregistry.v1+json, application/json")
        if let token = endpoint.bearerToken {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        } else if let user = endpoint.username {
            let token = Data("\(user):\(endpoint.password ?? "")".utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic \(token)")
        }
        request.tlsConfiguration = tls
        let t = endpoint.timeout.components
        let timeout = TimeAmount.nanoseconds(t.seconds * 1_000_000_000 + t.attoseconds / 1_000_000_000)
        let status: Int
        let body: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: timeout, logger: nil)
            status = Int(response.status.code)
            body = try await response.body.collect(upTo: Self.maxBodyBytes)
        } catch {
            throw transportError(error, what: what)
        }
        logger.debug("registry GET \(path) -> \(status)")
        let data = Data(body.readableBytesView)
        guard (200..<300).contains(status) else {
            let err = try? JSONDecoder().decode(ErrorBody.self, from: data)
            let detail = err?.message.map { ": \(String($0.prefix(300)))" } ?? ""
            switch status {
            case 401, 403:
                throw RegistryError(kind: .unauthorized, message: "\(name): \(what): HTTP \(status) (check the username/password or token)\(detail)",
                                    errorCode: err?.error_code)
            case 404:
                throw RegistryError(kind: .notFound, message: "\(name): \(what) not found\(detail)", errorCode: err?.error_code)
            default:
                throw RegistryError(kind: .server, message: "\(name): \(what): HTTP \(status)\(detail)", errorCode: err?.error_code)
            }
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw RegistryError(kind: .badResponse, message: "\(name): \(what): the answer is not the expected JSON (is this a Schema Registry?)")
        }
    }

    func transportError(_ error: Error, what: String) -> RegistryError {
        let text = String(describing: error)
        let lower = text.lowercased()
        if let e = error as? HTTPClientError, e == .deadlineExceeded || e == .readTimeout || e == .writeTimeout {
            return RegistryError(kind: .timeout, message: "\(name): \(what) timed out after \(endpoint.timeout)")
        }
        if let e = error as? HTTPClientError, e == .connectTimeout {
            return RegistryError(kind: .unreachable, message: "\(name) is unreachable: connect timed out")
        }
        if error is HTTPParserError {
            return RegistryError(kind: .badResponse, message: "\(name): \(what): the answer is not HTTP")
        }
        let reason: String
        if lower.contains("failedtovalidatehostname") { reason = "its TLS certificate is not valid for this URL's host name (a name mismatch)" }
        else if lower.contains("connectionfailed(reply") {
            // The jump host's own words ("connect failed (Connection refused)") when the proxy kept them.
            let target = URLComponents(string: endpoint.url).flatMap { c in
                c.host.map { ($0, c.port ?? (c.scheme?.lowercased() == "https" ? 443 : 80)) }
            }
            reason = target.flatMap { proxyFailure?($0.0, $0.1) } ?? "the SSH jump host could not open a connection to it (refused, unknown name or not reachable from there)"
        }
        else if lower.contains("refused") { reason = "connection refused" }
        else if lower.contains("certificate_verify_failed") { reason = "TLS certificate verification failed (check ca_file)" }
        else if lower.contains("ssl") || lower.contains("tls") || lower.contains("handshake") { reason = "TLS failed (check ca_file, cert_file, key_file)" }
        else if lower.contains("resolve") || lower.contains("nodename") { reason = "host name does not resolve" }
        else if lower.contains("reset") || lower.contains("closed") || lower.contains("eof") { reason = "the connection closed before an answer" }
        else { reason = String(text.prefix(200)) }
        return RegistryError(kind: .unreachable, message: "\(name) is unreachable: \(reason)")
    }
}
