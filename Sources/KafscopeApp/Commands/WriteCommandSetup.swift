/// What every write command starts with: settings, the cluster service as the kind of service the
/// write needs, and the write context (where, read-only, JSON, the driver that confirms and audits).
enum WriteCommandSetup {
    /// `Service` is the protocol the write needs (`(any GroupWriteService).self`); a cluster service
    /// that is not one is refused with `cannot`.
    static func withService<Service>(_ global: GlobalOptions, as _: Service.Type, cannot: String,
                                     _ body: (Service, GroupWriteContext) async -> Int32) async throws -> Int32 {
        let format = try global.outputFormat()
        let settings = try global.resolveSettings()
        let console = StandardConsole()
        for w in settings.warnings { console.err("warning: \(w)") }
        let logger = AppEnvironment.currentLogger()
        let opened = try AppEnvironment.factory.cluster(settings, logger: logger)
        guard let service = opened.service as? Service else {
            await opened.close()
            throw CommandFailure(cannot)
        }
        let location = settings.contextName.map { "cluster \($0)" }
            ?? "cluster " + settings.bootstrap.map { "\($0)" }.joined(separator: ",")
        let context = GroupWriteContext(location: location, readOnly: settings.readOnly, json: format == .json,
                                        driver: WriteDriver(console: console, logger: logger, printSuccess: format != .json))
        let code = await body(service, context)
        await opened.close()
        return code
    }
}
