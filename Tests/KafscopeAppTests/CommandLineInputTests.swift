import Foundation
@testable import KafscopeApp
import KafscopeConfig
import Testing

/// Values people paste into options: URLs for addresses, IPv6 without brackets, ListOffsets sentinels.
@Suite struct CommandLineInputTests {
    func message(_ text: String) -> String {
        do { _ = try HostAddress.parseConfiguredList(text); return "" } catch { return error.message }
    }

    /// `-b http://host:9092` used to say "has no port".
    @Test func aURLIsNotAHostAddress() {
        #expect(message("http://kafka-1:9092") == "'http://kafka-1:9092' is a URL; write HOST:PORT without a scheme (kafka-1:9092)")
        #expect(message("kafka-1:9092,SASL_SSL://kafka-2:9093").contains("is a URL"))
        #expect(throws: AddressError.self) { try HostAlias.parse("kafka-1=http://127.0.0.1:9092") }
    }

    @Test func unbracketedIPv6SaysHowToWriteIt() {
        #expect(message("::1:9092") == "'::1:9092' has no port; write IPv6 as [ADDR]:PORT")
        #expect(message("host:1:2") == "'host:1:2': invalid address (write IPv6 as [ADDR]:PORT)")
        #expect(message("[::1]:9092").isEmpty)
        #expect(message("fe80::1%eth0:9092").contains("[ADDR]:PORT"))
    }

    /// `--from @-2` was sent to the broker as the ListOffsets "earliest" sentinel.
    @Test func negativeTimestampsAreRejected() throws {
        #expect(try TailCommand.parseStart("@0") == .timestamp(0))
        #expect(try TailCommand.parseStart("@1960-01-01T00:00:00Z") == .timestamp(0))
        for bad in ["@-1", "@-2", "@-5"] {
            #expect(throws: (any Error).self, "\(bad)") { try TailCommand.parseStart(bad) }
        }
    }

    /// `--max -1` said "Missing value for '--max <max>'": the parser read "-1" as an option. Every numeric
    /// option takes a value that starts with '-' and either keeps it (a negative shift) or refuses it
    /// naming the option and the allowed range.
    @Test(arguments: [
        (["tail", "t", "-b", "k:1", "--max", "-1"], "--max must be 0 or more"),
        (["produce", "t", "-b", "k:1", "--partition", "-1"], "--partition must be 0 or more"),
        (["connector", "restart", "c", "--connect", "http://127.0.0.1:1", "--task", "-1"], "--task must be a task id (0 or more)"),
        (["connector", "pause", "c", "--connect", "http://127.0.0.1:1", "--wait", "-1"], "--wait must be between 0 and 3600 seconds"),
    ])
    func negativeNumbersAreValuesNotOptions(args: [String], expected: String) async {
        let r = await runCommand(args)
        #expect(r.status == 2, "\(args): \(r.stderr)")
        #expect(!r.stderr.contains("Missing value"), "\(args): \(r.stderr)")
        #expect(r.stderr.contains(expected), "\(args): \(r.stderr)")
    }

    /// Offsets may be negative where the Kafka tool allows it: `--shift-by -5` goes back five,
    /// `--to-offset -1` is clamped to the log start in the plan.
    @Test func negativeOffsetOptionsParse() throws {
        let shift = try KafscopeCommand.parseAsRoot(["group", "reset-offsets", "g", "--topic", "t", "--shift-by", "-5", "-b", "k:1"])
        #expect((shift as? GroupCommand.ResetOffsets)?.shiftBy == -5)
        let to = try KafscopeCommand.parseAsRoot(["group", "reset-offsets", "g", "--topic", "t", "--to-offset", "-1", "-b", "k:1"])
        #expect((to as? GroupCommand.ResetOffsets)?.toOffset == -1)
    }

    /// A Connect address with credentials but no scheme was repeated whole in the error.
    @Test func connectValuesWithCredentialsAreMaskedInErrors() {
        for spec in ["QA=admin:s3cretPw@connect-1:8083", "admin:s3cretPw@connect-1:8083"] {
            var text = ""
            do { _ = try SettingsResolver.resolve(CommandLineOverrides(configFile: "/dev/null", connect: [spec])) } catch { text = "\(error)" }
            #expect(text.contains("is not a URL"), "\(spec): \(text)")
            #expect(text.contains("***@connect-1:8083"), "\(spec): \(text)")
            #expect(!text.contains("s3cretPw") && !text.contains("admin:"), "\(spec): \(text)")
        }
    }

    /// `--connect localhost:8083` and `--connect QA=` were taken as cluster names and ended in
    /// "no Kafka Connect cluster given".
    @Test func connectValuesThatAreNotURLsSaySo() throws {
        func message(_ spec: String) -> String {
            do { _ = try SettingsResolver.resolve(CommandLineOverrides(configFile: "/dev/null", connect: [spec])); return "" } catch {
                return "\(error)"
            }
        }
        #expect(message("localhost:8083") == "--connect: 'localhost:8083' is not a URL (no http:// or https://) nor a cluster name; write http://localhost:8083")
        #expect(message("QA=") == "--connect: 'QA=': no URL after '='; expected NAME=http://HOST:PORT")
        #expect(message("QA=kafka-connect:8083").contains("write NAME=http://kafka-connect:8083"))
        #expect(message("QA").isEmpty)  // a bare name selects a configured cluster
        let s = ConnectCLISettings(endpoints: [], selectors: ["QA"])
        #expect(throws: (any Error).self) { try s.selectedEndpoints() }
        do { _ = try s.selectedEndpoints() } catch {
            #expect("\(error)".contains("no Connect cluster named QA is configured"), "\(error)")
        }
    }

    @Test func badInputExitsWithStatus2() async throws {
        // An empty topic or group id reached the broker (and a FindCoordinator decode error, exit 0).
        for args in [["get", "topics", "-b", "http://127.0.0.1:9092"], ["tail", "t", "--from", "@-2", "-b", "127.0.0.1:9"],
                     ["describe", "group", "", "-b", "127.0.0.1:9"], ["describe", "topic", "", "-b", "127.0.0.1:9"],
                     ["tail", "", "-b", "127.0.0.1:9"]] {
            let (status, out, err) = try await BinaryTests.run(args)
            #expect(status == 2, "\(args): \(err)")
            #expect(out.isEmpty)
        }
    }
}

/// `request.timeout.ms` and `socket.connection.setup.timeout.ms` in `--command-config` were
/// silently ignored: a slow cluster still timed out after kafscope's fixed 30 s / 10 s.
@Suite struct ClientTimeoutSettingsTests {
    @Test func timeoutsFromThePropertiesFileReachTheClient() throws {
        let props = try JavaProperties.parse("request.timeout.ms=120000\nsocket.connection.setup.timeout.ms=2500\n", file: "c.properties")
        let cc = try CommandConfig.from(props, file: "c.properties")
        #expect(cc.timeouts == ClientTimeouts(requestSeconds: 120, connectSeconds: 2.5))
        var s = KafscopeSettings(bootstrap: [HostAddress(host: "k", port: 1)])
        s.timeouts = cc.timeouts
        let config = try KafkaClientSettings.clientConfig(from: s)
        #expect(config.requestTimeout == .seconds(120))
        #expect(config.connectTimeout == .milliseconds(2500))
        // Absent: kafscope's defaults.
        let plain = try KafkaClientSettings.clientConfig(from: KafscopeSettings(bootstrap: [HostAddress(host: "k", port: 1)]))
        #expect(plain.requestTimeout == .seconds(30) && plain.connectTimeout == .seconds(10))
    }

    @Test func aBadTimeoutNamesFileLineAndKey() throws {
        let props = try JavaProperties.parse("# slow\nrequest.timeout.ms=soon\n", file: "c.properties")
        #expect(throws: ConfigError.self) { try CommandConfig.from(props, file: "c.properties") }
        do { _ = try CommandConfig.from(props, file: "c.properties") } catch {
            #expect("\(error)" == "c.properties:2: request.timeout.ms: expected milliseconds from 1 to 3600000, found 'soon'")
        }
    }
}
