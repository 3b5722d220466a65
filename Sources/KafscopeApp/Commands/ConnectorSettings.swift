import ArgumentParser
import ClusterModel
import Foundation
import KafkaClient
import KafkaConnect
import KafscopeConfig

/// What the Connect commands need from the global options.
public struct ConnectCLISettings: Sendable {
    public var endpoints: [ConnectEndpoint]
    /// Bare `--connect NAME` values: restrict to these configured clusters.
    public var selectors: [String]
    public var readOnly: Bool
    public var json: Bool
    /// Shown once on stderr (e.g. TLS verification is off); never secrets.
    public var warnings: [String]
    /// The SSH jump host's SOCKS forwarder, when the context goes through one.
    public var socksProxy: HostAddress?

    public init(endpoints: [ConnectEndpoint], selectors: [String] = [], readOnly: Bool = false, json: Bool = false,
                warnings: [String] = []) {
        self.endpoints = endpoints
        self.warnings = warnings
        self.selectors = selectors
        self.readOnly = readOnly
        self.json = json
    }

    /// The endpoints the command works on: all, or the selected ones (unknown names are a usage error).
    public func selectedEndpoints() throws -> [ConnectEndpoint] {
        if endpoints.isEmpty, !selectors.isEmpty {
            throw ValidationError("no Connect cluster named \(selectors.joined(separator: ", ")) is configured: "
                + "pass --connect NAME=URL or add it to the context's connect table")
        }
        if endpoints.isEmpty {
            throw ValidationError("no Kafka Connect cluster given: pass --connect NAME=URL (repeatable) or configure one for the context")
        }
        if selectors.isEmpty { return endpoints }
        return try selectors.map { sel in
            guard let e = endpoints.first(where: { $0.name == sel }) else {
                throw ValidationError("no Connect cluster named \(sel); configured: \(endpoints.map(\.name).joined(separator: ", "))")
            }
            return e
        }
    }
}

public enum ConnectorCLI {
    /// Global options -> Connect settings: config file + context + command line (the cli helper's
    /// resolver merges `--connect NAME=URL` over the context's clusters; bare `--connect NAME` selects).
    public static func settings(_ global: GlobalOptions) throws -> ConnectCLISettings {
        let format = try global.outputFormat()
        let s = try global.resolveSettings()
        let endpoints = try s.connect.map { try endpoint(from: $0) }
        var out = ConnectCLISettings(endpoints: endpoints, selectors: s.connectSelectors, readOnly: s.readOnly,
                                     json: format == .json, warnings: s.warnings)
        out.socksProxy = try SSHJump.socksProxy(s)
        return out
    }

    /// A config-file Connect cluster as an endpoint (the password is revealed only here, for the client).
    public static func endpoint(from s: ConnectClusterSettings) throws -> ConnectEndpoint {
        do {
            return try ConnectEndpoint.fromURL(s.url, name: s.name, username: s.username, password: s.password?.reveal(),
                                               caFile: s.caFile)
                .with {
                    $0.certFile = s.certFile
                    $0.keyFile = s.keyFile
                    $0.insecureSkipVerify = s.insecureSkipVerify
                    if let t = s.timeoutSeconds { $0.requestTimeout = .milliseconds(Int64(t * 1000)) }
                }
        } catch let e as ConnectConfigError {
            throw ValidationError(e.message)
        }
    }
}

extension ConnectEndpoint {
    func with(_ change: (inout ConnectEndpoint) -> Void) -> ConnectEndpoint {
        var copy = self
        change(&copy)
        return copy
    }
}
