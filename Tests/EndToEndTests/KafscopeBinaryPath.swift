import Foundation
import KafkaTestSupport

/// The kafscope binary the end-to-end tests drive: KAFSCOPE_BIN, else the debug build of this
/// checkout (`swift build --build-tests` builds it). Missing, it is an error that says how to build it.
func kafscopeBinary() throws -> String {
    if let explicit = ProcessInfo.processInfo.environment["KAFSCOPE_BIN"], !explicit.isEmpty { return explicit }
    let path = PeerEnvironment.repoRoot.appendingPathComponent(".build/debug/kafscope").path
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw PeerError("kafscope binary missing at \(path): run `swift build --product kafscope` before "
            + "`swift test --filter EndToEndTests` (or set KAFSCOPE_BIN)")
    }
    return path
}
