import Foundation
import KafkaTestSupport
import Testing

/// Where stdout goes when it is not a terminal: a full disk, a closed descriptor, a pipe whose
/// reader left. Output a script relies on must never vanish with exit status 0.
@Suite(.serialized, .timeLimit(.minutes(2))) struct StandardStreamsTests {
    /// Runs the binary through /bin/sh so the redirection (`> /dev/full`, `>&-`) is the shell's.
    /// (Waits without blocking a thread of the test runner's pool; see BinaryTests.run.)
    static func shell(_ script: String) async throws -> (Int32, String) {
        let out = try await CommandRunner.run(URL(fileURLWithPath: "/bin/sh"), ["-c", script, try BinaryTests.binary().path],
                                              environment: BinaryTests.environment(), timeout: .seconds(120))
        return (out.status, out.stderr)
    }

    @Test func aFullDiskIsAnErrorNotASilentSuccess() async throws {
        let (status, err) = try await Self.shell(#""$0" --version > /dev/full"#)
        #expect(status == 1, "\(err)")
        #expect(err.contains("cannot write to standard output: No space left on device"), "\(err)")
    }

    /// `kafscope ... >&-`: the runtime's first descriptor must not become stdout (the output then went
    /// into an eventfd and was lost, exit status 0).
    @Test func aClosedStdoutIsReported() async throws {
        let (status, err) = try await Self.shell(#""$0" --version >&-"#)
        #expect(status == 1, "\(err)")
        #expect(err.contains("cannot write to standard output: it is closed"), "\(err)")
    }

    @Test func closedStdinAndStderrDoNotMatter() async throws {
        let (status, err) = try await Self.shell(#""$0" --version <&- 2>&- > /dev/null"#)
        #expect(status == 0, "\(err)")
    }

    /// `kafscope tail T | head -1` on a topic that gets no new records: kafscope leaves once head has
    /// gone instead of waiting (forever) for a record to fail writing.
    @Test func anIdleTailEndsWhenTheReaderLeaves() async throws {
        try await MockCluster.with(brokers: 1) { cluster in
            try await cluster.createTopic("idle", partitions: 1, replicationFactor: 1)
            try await cluster.produce(topic: "idle", records: (0..<3).map { .init(key: "k\($0)", value: "v\($0)") })
            // The pipeline's status is head's; kafscope's own is echoed to stderr. `timeout` only bounds a
            // hang: it would end kafscope with 124, which the status check rejects.
            let (_, err) = try await Self.shell(
                #"{ timeout 60 "$0" tail idle --from beginning -b "# + cluster.bootstrap
                    + #"; echo "kafscope-status=$?" >&2; } | head -1 > /dev/null"#)
            let status = err.split(separator: "\n").last { $0.hasPrefix("kafscope-status=") }?.dropFirst(16)
            // A reader that left is not an error (StandardStreams exits 0 on EPIPE), and not a kill by timeout.
            #expect(status == "0", "tail kept running after head exited or failed: \(err)")
            #expect(!err.contains("Fatal error"), "\(err)")
        }
    }
}
