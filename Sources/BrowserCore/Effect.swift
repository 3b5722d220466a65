import ClusterModel
import TerminalCore
import WriteFlow

/// A read the runtime performs against a service.
public enum LoadRequest: Hashable, Sendable {
    case overview
    case topics
    case topic(String)
    case groups
    case group(String)
    case connectors
    case connector(cluster: String, name: String)
    /// Schema Registry reads (SchemaLoads.swift).
    case subjects
    case subject(String)
    case schema(subject: String, version: Int)
    /// The plan of an offset reset (read-only: offsets, members, log bounds), for the reset form's preview.
    case resetPlan(group: String, spec: OffsetResetSpec, scope: OffsetResetScope)
    /// The configs of a topic, a broker or the cluster-wide broker default (DescribeConfigs with synonyms).
    case configs(ConfigResource)
    /// The broker's verdict on a topic or config write, asked with validateOnly (nothing changes).
    case adminVerdict(TopicAdminStep)
    /// DescribeAcls with one filter (`:acls`, and the ACLs that apply in a topic or group detail).
    case acls(AclFilter)

    public var kind: EffectKind {
        switch self {
        case .overview: return .overview
        case .topics: return .topics
        case .topic: return .topic
        case .groups: return .groups
        case .group: return .group
        case .connectors: return .connectors
        case .connector: return .connector
        case .subjects: return .subjects
        case .subject: return .subject
        case .schema: return .schema
        case .resetPlan: return .resetPlan
        case .configs: return .configs
        case .adminVerdict: return .adminVerdict
        case .acls: return .acls
        }
    }
}

/// The key of a background job: one job per kind runs at a time, a newer one replaces
/// (cancels) the older, and leaving a view cancels its kinds.
public enum EffectKind: String, Hashable, Sendable, CaseIterable {
    case overview, topics, topic, groups, group, connectors, connector, connectAction, tail
    case subjects, subject, schema
    case resetPlan, groupWrite
    case produce, editor
    case configs, adminVerdict, topicAdmin
    case export
    case acls
}

/// What `update` asks the runtime to do. Effects never touch state; their results come
/// back as `Message.loaded`.
public enum Effect: Hashable, Sendable {
    case load(LoadRequest)
    /// Stops the job of this kind, if any; its result, if it still arrives, is dropped.
    case cancel(EffectKind)
    /// A Connect write. Only emitted by the write flow after confirmation, never in read-only mode.
    case connectAction(ConnectAction, cluster: String, connector: String)
    /// A consumer-group write (offset commit, OffsetDelete, DeleteGroups). Only emitted by the write
    /// flow after confirmation, never in read-only mode.
    case groupWrite(GroupWriteStep)
    /// Sends one record (the produce composer). Only emitted by the write flow after confirmation,
    /// never in read-only mode.
    case produce(ProduceDraft)
    /// A topic or config write (issue 18: create, delete, add partitions, delete records, alter
    /// configs). Only emitted by the write flow after confirmation, never in read-only mode.
    case topicAdmin(TopicAdminStep)
    /// Writes records to a JSONL file (the tail's export); events come back as `.exported`.
    case exportRecords(RecordExport)
    /// Opens `$EDITOR` on this text with the terminal handed over; the text comes back as `.edited`.
    case editExternally(String)
    /// Writes a write's audit line to the app's log.
    case audit(String)
    /// Starts a tail (replacing a running one); events arrive as `.tail` results.
    case startTail(TailOptions)
    case stopTail
    /// Leave the browser so the app can reconnect to another context.
    case switchContext(String)
    case quit

    public var kind: EffectKind? {
        switch self {
        case .load(let r): return r.kind
        case .connectAction: return .connectAction
        case .groupWrite: return .groupWrite
        case .produce: return .produce
        case .topicAdmin: return .topicAdmin
        case .editExternally: return .editor
        case .exportRecords: return .export
        case .startTail, .stopTail: return .tail
        case .cancel, .switchContext, .quit, .audit: return nil
        }
    }
}

/// One screen instance on the stack. A screen gets a new id each time it is put on the stack,
/// so work it asked for before it was left can never reach it (or a later copy of it).
public struct ScreenID: Hashable, Sendable, CustomStringConvertible {
    public let value: Int
    public init(_ value: Int) { self.value = value }
    public var description: String { "screen#\(value)" }
}

/// Who asked for an effect; its results go to that one only.
public enum Requester: Hashable, Sendable {
    /// The app itself: the header's overview, background lag sampling.
    case app
    case screen(ScreenID)
}

/// An effect with the address its results go back to.
public struct Request: Hashable, Sendable {
    public var effect: Effect
    public var from: Requester
    public init(_ effect: Effect, from: Requester) {
        self.effect = effect
        self.from = from
    }
}

/// A failure as shown on screen: one line, no credentials (services make sure of that).
public struct LoadError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public init(_ error: any Error) {
        if let e = error as? LoadError { self = e; return }
        if let u = error as? UserFacingError { self.message = u.message; return }
        self.message = String(describing: error)
    }
    public var description: String { message }
}

/// A finished effect.
public enum LoadResult: Sendable {
    case overview(Result<ClusterOverview, LoadError>)
    case topics(Result<Partial<[TopicSummary]>, LoadError>)
    case topic(name: String, Result<TopicDetail, LoadError>)
    case groups(Result<Partial<[GroupSummary]>, LoadError>)
    case group(name: String, Result<GroupDetail, LoadError>)
    case connectors(Result<ConnectorListing, LoadError>)
    case connector(cluster: String, name: String, Result<ConnectorDetail, LoadError>)
    /// A Connect write finished; `error` nil means it was accepted.
    case connectAction(ConnectAction, cluster: String, connector: String, error: LoadError?)
    /// The write a screen asked for has ended (delivered to that screen, e.g. to clear its marks).
    case writeFinished(WriteOutcome)
    case tail(TailEvent)
    /// The tail stream ended (nil: normally, e.g. cancelled).
    case tailEnded(LoadError?)
    case subjects(Result<Partial<[SubjectSummary]>, LoadError>)
    case subject(name: String, Result<SubjectDetail, LoadError>)
    case schema(subject: String, version: Int, Result<SubjectSchema, LoadError>)
    case resetPlan(group: String, spec: OffsetResetSpec, scope: OffsetResetScope, Result<OffsetResetPlan, LoadError>)
    /// A consumer-group write step was sent; what it did.
    case groupWrite(GroupWriteStep, WriteSendResult)
    /// A record the produce composer sent, and where the broker put it.
    case produced(ProduceDraft, Result<ProducedRecord, LoadError>)
    /// The text as `$EDITOR` left it (`.editExternally`).
    case edited(Result<String, LoadError>)
    case configs(ConfigResource, Result<[ConfigEntry], LoadError>)
    /// The broker's validateOnly answer for a write (`.adminVerdict`).
    case adminVerdict(TopicAdminStep, Result<ResourceOutcome, LoadError>)
    /// A topic or config write step was sent; what it did.
    case topicAdmin(TopicAdminStep, WriteSendResult)
    /// How an export of records to a file goes (`.exportRecords`).
    case exported(Result<RecordExportEvent, LoadError>)
    case acls(AclFilter, Result<AclListing, LoadError>)

    /// The read this result answers (nil for writes and the tail), so that a read's kind is
    /// declared once, on `LoadRequest`.
    public var answers: LoadRequest? {
        switch self {
        case .overview: return .overview
        case .topics: return .topics
        case .topic(let name, _): return .topic(name)
        case .groups: return .groups
        case .group(let name, _): return .group(name)
        case .connectors: return .connectors
        case .connector(let cluster, let name, _): return .connector(cluster: cluster, name: name)
        case .subjects: return .subjects
        case .subject(let name, _): return .subject(name)
        case .schema(let subject, let version, _): return .schema(subject: subject, version: version)
        case .resetPlan(let group, let spec, let scope, _): return .resetPlan(group: group, spec: spec, scope: scope)
        case .configs(let resource, _): return .configs(resource)
        case .adminVerdict(let step, _): return .adminVerdict(step)
        case .acls(let filter, _): return .acls(filter)
        case .connectAction, .writeFinished, .tail, .tailEnded, .groupWrite, .produced, .edited, .topicAdmin, .exported: return nil
        }
    }

    /// The kind of job that produces this result.
    public var kind: EffectKind {
        switch self {
        case .overview, .topics, .topic, .groups, .group, .connectors, .connector, .subjects, .subject, .schema,
             .resetPlan, .configs, .adminVerdict, .acls:
            return answers!.kind
        case .connectAction, .writeFinished: return .connectAction
        case .tail, .tailEnded: return .tail
        case .groupWrite: return .groupWrite
        case .produced: return .produce
        case .edited: return .editor
        case .topicAdmin: return .topicAdmin
        case .exported: return .export
        }
    }
}

/// Everything that changes `AppState`. Time only enters through messages.
public enum Message: Sendable {
    /// First message: starts the initial loads.
    case start(now: Double)
    case key(Key)
    /// Keys read in one burst (a paste, key repeat): as `.key` for each, except that the
    /// `/` filter is applied once after a run of typed characters, not after every one
    /// (pasting a trace id over 10,000 buffered records refiltered them per character).
    case keys([Key])
    /// Sent by the runtime's loop (about every 50 ms); drives auto-refresh and notes.
    case tick(now: Double)
    case resize(Size)
    /// An effect's result, stamped with the time it arrived, for the one that asked.
    case loaded(LoadResult, at: Double, for: Requester)
    /// Opens a route on top of the stack (as Enter would).
    case open(Route)
    /// Runs a command line as if typed after `:` (without the colon).
    case command(String)
    /// The SSH jump host's link changed (the header shows it).
    case jumpHost(JumpHostLink)
}

/// Records to write to a file (the tail's buffered records, as filtered).
public struct RecordExport: Sendable, Hashable {
    public var path: String
    public var records: [TailRecord]
    /// Replace the file when it exists (asked for after the user said yes).
    public var overwrite: Bool

    public init(path: String, records: [TailRecord], overwrite: Bool) {
        self.path = path
        self.records = records
        self.overwrite = overwrite
    }

    /// Compared by path, flag and count: the records are the same buffer's, and comparing
    /// thousands of them to tell two requests apart is work for nothing.
    public static func == (a: RecordExport, b: RecordExport) -> Bool {
        a.path == b.path && a.overwrite == b.overwrite && a.records.count == b.records.count
            && a.records.first == b.records.first && a.records.last == b.records.last
    }

    public func hash(into h: inout Hasher) {
        h.combine(path)
        h.combine(overwrite)
        h.combine(records.count)
    }
}
