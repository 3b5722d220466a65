import ClusterModel
import TerminalCore

/// All topics: partitions, RF, under-replicated, under-min-ISR, offline, messages, size.
public typealias TopicsScreen = ListScreen<TopicsSpec>

public struct TopicsSpec: ListScreenSpec {
    public static let make: ScreenRegistry.Factory = { $0 == .topics ? TopicsScreen(TopicsSpec()) : nil }

    public let route: Route = .topics
    public let what = "topics"
    public var columns: [ListColumn<TopicSummary>] { Self.columns }
    public func identity(_ t: TopicSummary) -> String { t.name }
    public func searchText(_ t: TopicSummary) -> String { t.name }
    public func loads(context: ScreenContext) -> [Effect] { [.load(.topics)] }
    public var leaveEffects: [Effect] { [.cancel(.topics)] }
    public func value(in result: LoadResult) -> Result<Partial<[TopicSummary]>, LoadError>? {
        if case .topics(let r) = result { return r }
        return nil
    }
    public func warnings(_ p: Partial<[TopicSummary]>) -> [SourceError] { p.errors }
    public func isPreliminary(_ p: Partial<[TopicSummary]>) -> Bool { p.isPreliminary }
    public func rows(_ p: Partial<[TopicSummary]>, at time: Double) -> [TopicSummary] { p.value }
    public func open(_ t: TopicSummary) -> Route? { .topic(t.name) }
    public var actions: [Action] {
        [.topic(.tailSelected), .produce(.produceSelected)]
            + [TopicAdminAction.createTopic, .editConfigs, .addPartitions, .deleteTopic].map(Action.topicAdmin)
    }

    public mutating func perform(_ action: Action, on rows: [TopicSummary], context: ScreenContext) -> [ScreenOutput] {
        if action == .topicAdmin(.createTopic) { return [.open(.createTopic)] }
        guard let t = rows.first else { return [] }
        switch action {
        case .topicAdmin(.editConfigs): return [.open(.editConfigs(.topic(t.name)))]
        case .topicAdmin(.addPartitions): return [.open(.addPartitions(topic: t.name))]
        case .topicAdmin(.deleteTopic):
            var request = TopicWriteRequests.deleteTopic(t.name, summary: TopicWriteRequests.held(t), context: context)
            request.poll = .load(.topics)
            return [.write(request)]
        case .topic(.tailSelected): return [.open(.tail(topic: t.name))]
        case .produce(.produceSelected): return [.open(.produce(topic: t.name))]
        default: return []
        }
    }

    public func titleDetail(_ p: Partial<[TopicSummary]>, countLabel: String, rows: [TopicSummary]) -> String {
        let urp = rows.reduce(0) { $0 + ($1.underReplicated > 0 ? 1 : 0) }
        let off = rows.reduce(0) { $0 + ($1.offline > 0 ? 1 : 0) }
        let unreachable = rows.reduce(0) { $0 + ($1.leaderUnreachable > 0 ? 1 : 0) }
        var s = countLabel
        if off > 0 { s += " \(off) with offline" }
        if unreachable > 0 { s += " \(unreachable) with unreachable leader" }
        if urp > 0 { s += " \(urp) under-replicated" }
        let stale = rows.reduce(0) { $0 + ($1.messagesStale ? 1 : 0) }
        if stale > 0 { s += " \(stale) stale count\(stale == 1 ? "" : "s")" }
        return s
    }

    static let columns: [ListColumn<TopicSummary>] = [
        ListColumn(TableColumn("", priority: 95, width: 1), order: { severity($0) < severity($1) }) { t, ctx in
            if t.offline > 0 || t.leaderUnreachable > 0 || (t.underMinIsr ?? 0) > 0 { return Mark.error(ctx.glyphs) }
            if t.underReplicated > 0 { return Mark.warn(ctx.glyphs) }
            return Mark.none
        },
        ListColumn(TableColumn("NAME", minWidth: 12, maxWidth: 64, flex: 1, priority: 100), order: { $0.name < $1.name }) { t, _ in
            t.isInternal ? TableCell(t.name, role: .dim) : TableCell(t.name)
        },
        ListColumn(TableColumn("PART", alignment: .right, priority: 90, width: 4),
                   order: { $0.partitions < $1.partitions }) { t, _ in TableCell(String(t.partitions)) },
        ListColumn(TableColumn("RF", alignment: .right, priority: 60, width: 2),
                   order: { $0.replicationFactor < $1.replicationFactor }) { t, _ in
            TableCell(String(t.replicationFactor))
        },
        ListColumn(TableColumn("URP", alignment: .right, priority: 80, width: 3),
                   order: { $0.underReplicated < $1.underReplicated }) { t, _ in
            Mark.count(t.underReplicated, role: .statusWarn)
        },
        ListColumn(TableColumn("<MIN", alignment: .right, priority: 70, width: 4),
                   order: { ($0.underMinIsr ?? -1) < ($1.underMinIsr ?? -1) }) { t, ctx in
            if t.detailsPending { return Mark.pending(ctx.glyphs) }
            return t.underMinIsr.map { Mark.count($0, role: .statusError) } ?? TableCell("-", role: .dim)
        },
        ListColumn(TableColumn("OFFL", alignment: .right, priority: 85, width: 4),
                   order: { $0.offline < $1.offline }) { t, _ in Mark.count(t.offline, role: .statusError) },
        ListColumn(TableColumn("MESSAGES", alignment: .right, priority: 50, width: 8),
                   order: { ($0.messages ?? -1) < ($1.messages ?? -1) }) { t, ctx in
            if t.detailsPending { return Mark.pending(ctx.glyphs) }
            guard let m = t.messages else { return TableCell("-", role: .dim) }
            // The last count read, kept because this refresh could not read every partition.
            return t.messagesStale ? TableCell("\(ctx.glyphs.warn)\(Format.compact(m))", role: .statusWarn)
                : TableCell(Format.compact(m))
        },
        ListColumn(TableColumn("SIZE", alignment: .right, priority: 40, width: 9),
                   order: { ($0.sizeBytes ?? -1) < ($1.sizeBytes ?? -1) }) { t, ctx in
            if t.detailsPending { return Mark.pending(ctx.glyphs) }
            return t.sizeBytes.map { TableCell(Format.bytes($0)) } ?? TableCell("-", role: .dim)
        },
    ]

    /// Offline and under-min-ISR first, then under-replicated, when sorted by health.
    static func severity(_ t: TopicSummary) -> Int {
        if t.offline > 0 || t.leaderUnreachable > 0 || (t.underMinIsr ?? 0) > 0 { return 0 }
        if t.underReplicated > 0 { return 1 }
        return 2
    }
}
