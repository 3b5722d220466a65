import ArgumentParser
import Foundation
import ClusterModel
import KafscopeConfig

/// Parses, runs and maps outcomes to the documented exit statuses:
/// 0 success, 1 the operation failed (stderr names what and why), 2 usage or configuration error.
public enum KafscopeMain {
    public static func run(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Int32 {
        // Whatever a command prints for a person passes the terminal-control filter.
        let console = TerminalSafeConsole(AppEnvironment.console)
        return await AppEnvironment.$console.withValue(console) { await run(arguments, console: console) }
    }

    private static func run(_ arguments: [String], console: any CommandConsole) async -> Int32 {
        let command: any ParsableCommand
        do {
            command = try KafscopeCommand.parseAsRoot(arguments)
        } catch {
            let code = KafscopeCommand.exitCode(for: error)
            let message = KafscopeCommand.fullMessage(for: error)
            if code == .success {
                console.out(message.hasSuffix("\n") ? message : message + "\n")
                return 0
            }
            console.err(message.hasSuffix("\n") ? message : message + "\n")
            return 2
        }
        do {
            if var c = command as? any AsyncParsableCommand {
                try await c.run()
            } else {
                var c = command
                try c.run()
            }
            return 0
        } catch {
            return report(error, console: console)
        }
    }

    /// The exit status for an error thrown by a command, after printing it.
    static func report(_ error: any Error, console: any CommandConsole) -> Int32 {
        switch error {
        case let e as ExitCode:
            return e.rawValue
        case let e as ValidationError:
            console.err("error: \(TextTable.cleanLines(e.message))\n")
            return 2
        case let e as ConfigError:
            console.err("error: \(TextTable.cleanLines("\(e)"))\n")
            return 2
        case let e as CleanExit:
            console.out(KafscopeCommand.fullMessage(for: e) + "\n")
            return 0
        case let e as CommandFailure:
            console.err("error: \(TextTable.cleanLines(e.message))\n")
            return 1
        case is UserFacingError:
            console.err("error: \(TextTable.cleanLines("\(error)"))\n")
            return 1
        default:
            // ArgumentParser's own outcomes (help requested while running, parse errors of nested groups).
            let code = KafscopeCommand.exitCode(for: error)
            if code == .success {
                let message = KafscopeCommand.fullMessage(for: error)
                console.out(message.hasSuffix("\n") ? message : message + "\n")
                return 0
            }
            if code == .validationFailure {
                let message = KafscopeCommand.fullMessage(for: error)
                console.err(message.hasSuffix("\n") ? message : message + "\n")
                return 2
            }
            console.err("error: \(TextTable.cleanLines("\(error)"))\n")
            return 1
        }
    }
}
