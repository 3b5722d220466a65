import Foundation
import KafscopeApp
import KafscopeConfig
import Testing

/// Reading the files a user points at: `--config`, `--command-config`, password files, TLS PEM files.
@Suite struct ConfigFileReadingTests {
    func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-read-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    /// `--config /dev/null` (ignore my config) used to fail with "permission denied".
    @Test func devNullIsAnEmptyFile() throws {
        #expect(try TextFile.read("/dev/null") == "")
        let s = try SettingsResolver.resolve(CommandLineOverrides(bootstrap: "127.0.0.1:9092", configFile: "/dev/null"))
        #expect(s.bootstrap.map(\.description) == ["127.0.0.1:9092"])
    }

    /// `--command-config <(vault read ...)` keeps the password off the disk: the path is a pipe.
    @Test func aFIFOIsReadToTheEnd() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("client.properties").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Thread {
            let fd = open(fifo, O_WRONLY)
            let text = "security.protocol=PLAINTEXT\nbootstrap.servers=127.0.0.1:9092\n"
            _ = text.withCString { write(fd, $0, strlen($0)) }
            close(fd)
        }
        writer.start()
        let s = try SettingsResolver.resolve(CommandLineOverrides(commandConfig: fifo, configFile: "/dev/null"))
        #expect(s.bootstrap.map(\.description) == ["127.0.0.1:9092"])
    }

    @Test func unreadableFilesSayWhy() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        func message(_ path: String) -> String {
            do { _ = try TextFile.read(path); return "" } catch { return SettingsResolver.describeIOError(error) }
        }
        #expect(message(dir.path) == "it is a directory")
        #expect(message(dir.appendingPathComponent("missing").path) == "no such file")
        #expect(message("/dev/zero").contains("larger than 4 MiB"))
        let binary = dir.appendingPathComponent("bin.properties")
        try Data([0xFF, 0xFE, 0x41, 0x0A]).write(to: binary)
        #expect(message(binary.path) == "not UTF-8 text")
        let bom = dir.appendingPathComponent("bom.properties")
        try Data([0xEF, 0xBB, 0xBF] + Array("a=b\n".utf8)).write(to: bom)
        #expect(try TextFile.read(bom.path) == "a=b\n")

        // Through the resolver: file, then reason; exit status 2 comes from ConfigError.
        #expect(throws: ConfigError.self) {
            try SettingsResolver.resolve(CommandLineOverrides(bootstrap: "k:1", commandConfig: dir.path, configFile: "/dev/null"))
        }
        do {
            _ = try SettingsResolver.resolve(CommandLineOverrides(bootstrap: "k:1", configFile: dir.path))
        } catch {
            #expect("\(error)" == "\(dir.path): cannot read the config file: it is a directory")
        }
    }

    /// A wrong TLS file is a configuration error found before dialling (it was exit status 1 with
    /// "failedToLoadCertificate"), and the file's content never appears in the message.
    @Test func tlsFilesAreCheckedBeforeDialling() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let notPEM = dir.appendingPathComponent("ca.jks")
        try "keystore-password=hunter2-secret\n".write(to: notPEM, atomically: true, encoding: .utf8)
        func settings(ca: String) -> KafscopeSettings {
            KafscopeSettings(bootstrap: [HostAddress(host: "k", port: 9093)],
                             security: SecuritySettings(securityProtocol: .ssl, tls: TLSSettings(caFile: ca),
                                                        origin: "--command-config c.properties"))
        }
        do {
            _ = try KafkaClientSettings.clientConfig(from: settings(ca: dir.appendingPathComponent("nope.pem").path))
            Issue.record("a missing CA file was accepted")
        } catch let e as ConfigError {
            #expect("\(e)".contains("TLS CA file"))
            #expect("\(e)".contains("nope.pem (--command-config c.properties): no such file"), "\(e)")
        }
        do {
            _ = try KafkaClientSettings.clientConfig(from: settings(ca: notPEM.path))
            Issue.record("a non-PEM CA file was accepted")
        } catch let e as ConfigError {
            #expect("\(e)".contains("holds no PEM certificate"), "\(e)")
            #expect(!"\(e)".contains("hunter2"))
        }
    }
}

/// Numbers in the config file that are valid TOML but not sensible: `timeout_seconds = 1e300`
/// trapped converting to Int64 milliseconds (exit 132 with a backtrace) on the first Connect command.
@Suite struct ConfigNumberRangeTests {
    static let env = ConfigEnvironment(variables: [:], homeDirectory: "/home/u", readFile: { _ in "" }, fileExists: { _ in false })

    @Test func hugeAndTinySecondsAreConfigErrors() throws {
        for (text, key) in [
            ("[contexts.a.connect]\nQA = { url = \"http://qa:8083\", timeout_seconds = 1e300 }\n", "contexts.a.connect.QA.timeout_seconds"),
            ("[contexts.a]\nrefresh_seconds = 1e-300\n", "contexts.a.refresh_seconds"),
            ("refresh_seconds = 99999999\n", "refresh_seconds"),
        ] {
            let e = #expect(throws: ConfigError.self) { try ConfigFile.parse(text, path: "c.toml", environment: Self.env) }
            #expect(e?.key == key, "\(text)")
            #expect(e?.message.contains("seconds, found") == true, "\(String(describing: e))")
        }
        let ok = try ConfigFile.parse("[contexts.a.connect]\nQA = { url = \"http://qa:8083\", timeout_seconds = 3600 }\n",
                                      path: "c.toml", environment: Self.env)
        #expect(ok.contexts.first?.connect.first?.timeoutSeconds == 3600)
    }

    @Test func theBinaryExitsWith2NotATrap() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-num-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("config.toml")
        try "[contexts.a.connect]\nQA = { url = \"http://127.0.0.1:9\", timeout_seconds = 1e300 }\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let (status, _, err) = try await BinaryTests.run(["get", "connectors", "--config", file.path])
        #expect(status == 2, "\(err)")
        #expect(err.contains("timeout_seconds: expected 0.1 to 3600 seconds"), "\(err)")
    }
}
