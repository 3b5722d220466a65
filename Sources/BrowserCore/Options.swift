import ClusterModel
import TerminalCore
import WriteFlow

/// How the app configures the browser. Everything has a default so tests name only
/// what they care about.
public struct BrowserOptions: Sendable {
    /// Context name shown in the header (`--context`, or the config's current one).
    public var contextName: String
    /// Known context names, for `:ctx` completion.
    public var contexts: [String]
    /// Refuses every write with a visible note.
    public var readOnly: Bool
    /// Auto-refresh period in seconds; 0 or less turns auto-refresh off.
    public var refreshInterval: Double
    /// The first screen.
    public var initialRoute: Route
    /// Local time offset for "stale since HH:MM:SS" (the app passes the zone's offset,
    /// so rendering stays free of clocks and time zones).
    public var utcOffsetSeconds: Int
    /// Samples kept per group for lag sparklines.
    public var lagHistoryLimit: Int
    /// Groups whose history is kept (oldest-touched are dropped beyond this).
    public var lagHistoryGroups: Int
    /// Load the group list on every auto-refresh, whatever the screen, so lag trends
    /// cover the whole session.
    public var sampleLagInBackground: Bool
    /// Box drawing and symbols (`.ascii` for non-UTF-8 terminals).
    public var glyphs: Glyphs
    /// How long a note stays in the status line, in seconds.
    public var noteDuration: Double
    /// Records the tail screen keeps (a ring: the oldest are dropped, and counted, beyond it).
    public var tailBufferSize: Int
    /// Bytes of key+value+headers the tail screen keeps, whatever the record count.
    public var tailBufferBytes: Int
    /// The OS user the audit line of a write names.
    public var user: String = "unknown"
    /// The SSH jump host the context goes through ("ops@bastion:2222"), shown in the header.
    public var jumpHost: String? = nil
    /// How long a write may take to show its effect, and how often it is read meanwhile: the
    /// write flow's one setting, the CLI's too.
    public var settleTimeout: Double = WriteFlow.defaultSettleTimeout
    public var pollInterval: Double = WriteFlow.defaultPollInterval

    public init(contextName: String = "default", contexts: [String] = [], readOnly: Bool = false,
                refreshInterval: Double = 5, initialRoute: Route = .topics, utcOffsetSeconds: Int = 0,
                lagHistoryLimit: Int = 120, lagHistoryGroups: Int = 2_000, sampleLagInBackground: Bool = true,
                glyphs: Glyphs = .unicode, noteDuration: Double = 6,
                tailBufferSize: Int = 10_000, tailBufferBytes: Int = 256 << 20) {
        self.contextName = contextName
        self.contexts = contexts
        self.readOnly = readOnly
        self.refreshInterval = refreshInterval
        self.initialRoute = initialRoute
        self.utcOffsetSeconds = utcOffsetSeconds
        self.lagHistoryLimit = max(2, lagHistoryLimit)
        self.lagHistoryGroups = max(1, lagHistoryGroups)
        self.sampleLagInBackground = sampleLagInBackground
        self.glyphs = glyphs
        self.noteDuration = noteDuration
        self.tailBufferSize = max(1, tailBufferSize)
        self.tailBufferBytes = max(1, tailBufferBytes)
    }
}

/// The services the runtime calls. Connect and tail are optional: without them their
/// screens say so instead of failing.
public struct BrowserServices: Sendable {
    public var cluster: any ClusterService
    public var connect: (any ConnectService)?
    public var tail: (any TailService)?
    /// Where the audit line of every write goes (the app's log, at notice level).
    public var audit: @Sendable (String) -> Void
    /// The Schema Registry (`:schemas`), when one is configured.
    public var schemas: (any SchemaRegistryService)?
    /// Consumer-group writes and reset plans; by default the cluster service, when it can.
    public var groupWrites: (any GroupWriteService)?
    /// Sends the produce composer's records (the write flow calls it after a confirmation).
    public var produce: (any ProduceService)?
    /// Runs `$EDITOR` on a text and returns what it saved (called on the UI thread, with the
    /// terminal handed over); nil when the app has no editor to offer.
    public var editText: (@Sendable (String) throws -> String)?
    /// Topic and config administration, configs with synonyms and ACLs (issue 18); by default the
    /// cluster service, when it can.
    public var topicAdmin: (any TopicAdminService)?
    /// Writes the tail's export files (JSONL as `tail -o json`); nil when the app has none.
    public var export: (any RecordExportService)?
    /// The SSH jump host's link now (read by the UI loop every turn); nil without a jump host.
    public var jumpHostLink: (@Sendable () -> JumpHostLink)?

    public init(cluster: any ClusterService, connect: (any ConnectService)? = nil, tail: (any TailService)? = nil,
                audit: @escaping @Sendable (String) -> Void = { _ in }, schemas: (any SchemaRegistryService)? = nil,
                groupWrites: (any GroupWriteService)? = nil) {
        self.cluster = cluster
        self.connect = connect
        self.tail = tail
        self.audit = audit
        self.schemas = schemas
        self.groupWrites = groupWrites ?? (cluster as? any GroupWriteService)
        self.topicAdmin = cluster as? any TopicAdminService
    }

    /// The same services with another topic administrator (tests).
    public func with(topicAdmin: (any TopicAdminService)?) -> BrowserServices {
        var copy = self
        copy.topicAdmin = topicAdmin
        return copy
    }

    /// The same services with a producer for the composer.
    public func with(produce: (any ProduceService)?) -> BrowserServices {
        var copy = self
        copy.produce = produce
        return copy
    }

    /// The same services with a record exporter.
    public func with(export: (any RecordExportService)?) -> BrowserServices {
        var copy = self
        copy.export = export
        return copy
    }

    /// The same services with an external editor.
    public func with(editor: (@Sendable (String) throws -> String)?) -> BrowserServices {
        var copy = self
        copy.editText = editor
        return copy
    }
}
