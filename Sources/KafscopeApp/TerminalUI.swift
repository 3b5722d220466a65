import ArgumentParser
import BrowserCore
import ClusterModel
import Foundation
import KafscopeConfig
import Logging
import TerminalCore
import TerminalNCurses

/// The terminal UI: BrowserCore's runtime on an ncurses device over the concrete services.
/// Everything that can fail with a plain message (config, theme, services) is checked before
/// curses takes the screen; logs go to the log file only.
enum TerminalUI {
    static func run(_ global: GlobalOptions) async throws {
        var settings = try global.resolveSettings()
        guard isatty(STDOUT_FILENO) == 1, isatty(STDIN_FILENO) == 1 else {
            throw ValidationError("the terminal UI needs a terminal on stdin and stdout; for scripts use "
                + "`kafscope get ...` or `kafscope describe ...` (see kafscope --help)")
        }
        _ = try settings.requireBootstrap()
        let environment = ProcessInfo.processInfo.environment
        let theme: Theme
        do {
            theme = try Theme.load(named: settings.theme, searchPaths: Theme.defaultSearchPaths(environment: environment))
        } catch {
            throw ConfigError(key: global.theme != nil ? "--theme" : "theme", "\(error)")
        }
        let logger = AppEnvironment.currentLogger()
        // Only contexts that resolve are offered to `:ctx`, so a switch cannot fail after curses started.
        let usable = usableContexts(global, settings)
        // The jump host going away and coming back, in the log (the header names the jump host).
        SSHJump.narrate(settings) { logger.info("\($0)") }
        var services = try makeServices(settings, logger: logger)
        for w in settings.warnings { logger.warning("\(w)") }

        // Exports the UI finished while quitting: told on stderr once curses has given the terminal back
        // (this defer runs after the one that shuts the terminal down).
        var reportsAfterExit: [String] = []
        defer { for line in reportsAfterExit { FileHandle.standardError.write(Data("kafscope: \(line)\n".utf8)) } }
        let term: NCursesTerminal
        do { term = try NCursesTerminal(theme: theme, environment: environment) } catch {
            await services.close()
            throw CommandFailure("cannot start the terminal UI: \(error)")
        }
        defer { term.shutdown() }
        logger.info("terminal UI started", metadata: ["context": "\(settings.contextName ?? "-")", "term": "\(term.terminalName)"])

        var route: Route = .topics
        while true {
            var options = BrowserOptions(
                contextName: settings.contextName ?? "default", contexts: usable, readOnly: settings.readOnly,
                refreshInterval: settings.refreshSeconds, initialRoute: route,
                utcOffsetSeconds: TimeZone.current.secondsFromGMT(), glyphs: term.capabilities.glyphs)
            options.user = OSUser.name
            options.jumpHost = SSHJump.destination(settings)
            var browserServices = services.browser
            browserServices.jumpHostLink = SSHJump.link(settings)
            let runtime = BrowserRuntime(device: term, services: browserServices, options: options)
            let exit = await runtime.run()
            reportsAfterExit += runtime.reportsAfterExit
            await services.close()
            switch exit {
            case .quit:
                logger.info("terminal UI quit")
                return
            case .switchContext(let name, let lastRoute):
                var o = global.overrides
                o.context = name
                o.bootstrap = nil  // -b belonged to the first context
                do {
                    let next = try SettingsResolver.resolve(o, environment: AppEnvironment.configEnvironment)
                    _ = try next.requireBootstrap()
                    services = try makeServices(next, logger: logger)
                    settings = next
                    route = lastRoute
                    logger.info("switched context", metadata: ["context": "\(name)"])
                } catch {
                    // Checked at start, so only a changed file gets here: stay on the old context.
                    logger.error("cannot switch to context \(name): \(error)")
                    services = try makeServices(settings, logger: logger)
                }
            }
        }
    }

    struct Services {
        var browser: BrowserServices
        var closers: [@Sendable () async -> Void]
        func close() async { for c in closers { await c() } }
    }

    static func makeServices(_ settings: KafscopeSettings, logger: Logger) throws -> Services {
        let factory = AppEnvironment.factory
        let cluster = try factory.cluster(settings, logger: logger)
        var closers = [cluster.close]
        var connect: (any ConnectService)?
        if !settings.connect.isEmpty {
            do {
                let c = try factory.connect(settings, logger: logger)
                connect = c.service
                closers.append(c.close)
            } catch {
                Task { await cluster.close() }
                throw error
            }
        }
        let tail = factory.tail(settings, logger: logger)
        if let tail { closers.append(tail.close) }
        // Read-only mode has no producer at all (and no key that would reach one).
        let produce = settings.readOnly ? nil : factory.produce(settings, logger: logger)
        if let produce { closers.append(produce.close) }
        // Every write's audit line, as the CLI's WriteDriver logs it.
        let audit: @Sendable (String) -> Void = { line in logger.notice(Logger.Message(stringLiteral: line)) }
        // With a Schema Registry, tailed records arrive decoded and `:schemas` has a service.
        let registry = try SchemaRegistrySetup.browser(settings, logger: logger)
        closers.append(registry.close)
        let tailService = tail.map { t in registry.decoder.map { DecodingTailService(inner: t.service, decoder: $0) } ?? t.service }
        return Services(browser: BrowserServices(cluster: cluster.service, connect: connect, tail: tailService, audit: audit,
                                                 schemas: registry.schemas).with(produce: produce?.service)
                                                 .with(editor: { try ExternalEditor.edit($0) })
                                                 .with(export: JSONLRecordExporter()),
                        closers: closers)
    }

    static func usableContexts(_ global: GlobalOptions, _ current: KafscopeSettings) -> [String] {
        current.availableContexts.filter { name in
            if name == current.contextName { return true }
            var o = global.overrides
            o.context = name
            o.bootstrap = nil
            guard let s = try? SettingsResolver.resolve(o, environment: AppEnvironment.configEnvironment) else { return false }
            return !s.bootstrap.isEmpty
        }
    }
}
