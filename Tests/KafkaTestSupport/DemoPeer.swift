import Foundation

/// The demo cluster (Tests/Peers/demo.py --no-ui) as a test peer: the same processes `scripts/demo`
/// starts, on free ports, stopped by closing its stdin.
public final class DemoPeer: @unchecked Sendable {
    public let configPath: String
    private let process: PeerProcess

    private init(configPath: String, process: PeerProcess) {
        self.configPath = configPath
        self.process = process
    }

    public static func start() async throws -> DemoPeer {
        let env = try PeerEnvironment.locate()
        let process = try PeerProcess(name: "demo", executable: env.python,
                                      arguments: [try env.script("demo.py").path, "--no-ui", "--any-ports", "--exit-on-stdin-eof"])
        // The first stdout line is the generated config's path.
        let path = try await process.readLine(timeout: .seconds(120)).trimmingCharacters(in: .whitespaces)
        guard FileManager.default.fileExists(atPath: path) else {
            process.terminate()
            throw PeerError("demo printed \(path.prefix(200)) instead of its config path")
        }
        return DemoPeer(configPath: path, process: process)
    }

    /// Stops every demo process; the blocking wait runs off the test pool's threads.
    public func stop() async {
        let process = self.process
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                process.terminate()
                done.resume()
            }
        }
    }
}
