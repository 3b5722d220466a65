import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KafkaTestSupport

/// The built kafscope executable, next to the test bundle.
enum KafscopeBinary {
    static func url() throws -> URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("kafscope")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw PeerError("kafscope executable not found next to the test bundle (swift build --build-tests builds it)")
    }

    static func run(_ args: [String], timeout: Duration = .seconds(120)) async throws -> CommandRunner.Output {
        try await CommandRunner.run(try url(), args, environment: ["HOME": NSTemporaryDirectory(), "PATH": "/usr/bin:/bin",
                                                                   "XDG_CONFIG_HOME": NSTemporaryDirectory() + "/kafscope-no-config"],
                                    timeout: timeout)
    }
}
