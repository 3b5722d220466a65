import ArgumentParser
import Foundation
import KafkaClient
import KafscopeConfig

/// `kafscope doctor`: per broker, the advertised and dialled address, DNS, TCP connect time, TLS
/// certificate, SASL outcome, ApiVersions range, and a fix (the exact --alias) for each failure.
public struct DoctorCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check DNS, TCP, TLS, SASL and ApiVersions for every bootstrap address and broker.",
        discussion: "Exits 1 when any check fails; each failure names the stage and suggests a fix (e.g. --alias NAME=ADDR).")

    @OptionGroup public var global: GlobalOptions

    public init() {}

    public func run() async throws {
        let output = global.output.lowercased()
        guard output == "table" || output == "json" || output == "text" else {
            throw ValidationError("-o must be table or json, not \(global.output)")
        }
        let (config, settings) = try KafkaClientSettings.clientConfig(from: global)
        // The SSH hop first: connect time, host key and how it was verified, the login that worked.
        let hop = await SSHJump.doctorHop(config)
        if let hop, !hop.ok {
            if output == "json" {
                AppEnvironment.console.out(hop.json(report: nil))
            } else {
                AppEnvironment.console.out(TextTable.cleanLines(hop.text))
            }
            throw ExitCode(1)
        }
        var report = await Doctor.run(config: config)
        // The settings already warn about PLAIN over plaintext, naming the file: once is enough.
        let plainWarned = settings.warnings.contains { $0.hasPrefix("SASL PLAIN over") }
        report.warnings = settings.warnings + report.warnings.filter { !(plainWarned && $0.hasPrefix("SASL PLAIN over")) }
        if output == "json" {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            enc.keyEncodingStrategy = .convertToSnakeCase
            let data = try enc.encode(report)
            if let hop {
                AppEnvironment.console.out(hop.json(report: data))
            } else {
                AppEnvironment.console.out(String(decoding: data, as: UTF8.self) + "\n")
            }
        } else {
            // Advertised names and broker messages are the broker's: no control characters to the terminal.
            AppEnvironment.console.out(TextTable.cleanLines((hop?.text ?? "") + report.renderText()))
        }
        if !report.ok { throw ExitCode(1) }
    }
}
