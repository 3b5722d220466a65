import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs Debian's kcat as an independent Kafka client, to check peers (and kafscope) against it.
public enum Kcat {
    public enum Librdkafka: Sendable {
        /// Debian's librdkafka (2.0.2 on bookworm).
        case system
        /// The newer librdkafka from the confluent_kafka wheel, loaded through LD_LIBRARY_PATH.
        /// Needed for tansu, whose ApiVersions v3 tagged fields librdkafka 2.0.2 cannot parse.
        case bundled
    }

    private static let linkLock = NSLock()

    public static func run(_ arguments: [String], librdkafka: Librdkafka = .system,
                           environment: PeerEnvironment? = nil,
                           timeout: Duration = .seconds(60)) async throws -> CommandRunner.Output {
        guard let kcat = PeerEnvironment.which("kcat") else {
            throw PeerError.missing("kcat is not on PATH")
        }
        var env = ProcessInfo.processInfo.environment
        if case .bundled = librdkafka {
            let peers = try environment ?? PeerEnvironment.locate()
            env["LD_LIBRARY_PATH"] = try libraryDirectory(for: peers.bundledLibrdkafka()).path
        }
        return try await CommandRunner.run(kcat, arguments, environment: env, timeout: timeout)
    }

    /// Runs kcat and decodes its `-J` output: one JSON value per line (or one document for -L).
    public static func json(_ arguments: [String], librdkafka: Librdkafka = .system,
                            timeout: Duration = .seconds(60)) async throws -> [Any] {
        let out = try await run(arguments, librdkafka: librdkafka, timeout: timeout)
        guard out.status == 0 else {
            throw PeerError("kcat \(arguments.joined(separator: " ")) exited \(out.status): \(out.stderr.suffix(2000))")
        }
        return try out.stdout.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map { line in
            guard let value = try? JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed]) else {
                throw PeerError("kcat printed a line that is not JSON: \(line.prefix(300))")
            }
            return value
        }
    }

    /// A directory holding `librdkafka.so.1` -> the wheel's librdkafka (its soname differs).
    static func libraryDirectory(for library: URL) throws -> URL {
        linkLock.lock(); defer { linkLock.unlock() }
        let fm = FileManager.default
        let dir = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("kafscope-librdkafka-\(getuid())")
        let link = dir.appendingPathComponent("librdkafka.so.1")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        if let current = try? fm.destinationOfSymbolicLink(atPath: link.path), current == library.path {
            return dir
        }
        try? fm.removeItem(at: link)
        do {
            try fm.createSymbolicLink(atPath: link.path, withDestinationPath: library.path)
        } catch {
            // Another test process may have created it meanwhile.
            guard (try? fm.destinationOfSymbolicLink(atPath: link.path)) == library.path else { throw error }
        }
        return dir
    }
}
