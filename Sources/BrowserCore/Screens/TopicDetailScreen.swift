import ClusterModel
import TerminalCore

/// One topic: partitions (leader, replicas, ISR, offline replicas, offsets), configs
/// (non-default values marked) and the groups consuming it. Tab switches section.
public typealias TopicDetailScreen = DetailScreen<TopicDetailSpec>

extension DetailScreen where Spec == TopicDetailSpec {
    public init(name: String) { self.init(TopicDetailSpec(name: name)) }
    public var partitions: ListModel<TopicDetailSpec.PartitionRow> { list(0) }
    public var configs: ListModel<ConfigEntry> { list(1) }
    public var groups: ListModel<GroupSummary> { list(2) }
}

public struct TopicDetailSpec: DetailScreenSpec {
    public static let make: ScreenRegistry.Factory = { route in
        if case .topic(let name) = route { return TopicDetailScreen(name: name) }
        return nil
    }

    public let name: String
    /// The ACLs that apply to the topic, loaded beside the detail (AclSection.swift).
    public var appliedAcls = ResourceAcls()
    public var route: Route { .topic(name) }
    public var what: String { "topic \(name)" }
    public var load: Effect { .load(.topic(name)) }
    public var leaveEffects: [Effect] { [.cancel(.topic), .cancel(.acls)] }
    public var actions: [Action] {
        [.topic(.tailThis), .produce(.produceThis)]
            + [TopicAdminAction.editConfigs, .addPartitions, .deleteRecords, .deleteTopic].map(Action.topicAdmin)
    }

    public func value(in result: LoadResult) -> Result<TopicDetail, LoadError>? {
        if case .topic(let n, let r) = result, n == name { return r }
        return nil
    }
    public func warnings(_ d: TopicDetail) -> [SourceError] { d.errors }
    /// The topic was deleted from here: nothing is left to show.
    public mutating func receiveOther(_ result: LoadResult) -> [ScreenOutput] {
        if case .writeFinished(let outcome) = result, outcome.succeeded { return [.close] }
        return []
    }
    public func titleDetail(_ d: TopicDetail) -> String { d.isInternal ? "(internal)" : "" }

    public mutating func perform(_ action: Action, value: TopicDetail?, selection: DetailSelection,
                                 context: ScreenContext) -> [ScreenOutput] {
        switch action {
        case .topic(.tailThis): return [.open(.tail(topic: name))]
        case .produce(.produceThis): return [.open(.produce(topic: name))]
        case .topicAdmin(.editConfigs): return [.open(.editConfigs(.topic(name)))]
        case .topicAdmin(.addPartitions): return [.open(.addPartitions(topic: name))]
        case .topicAdmin(.deleteRecords):
            return [.open(.deleteRecords(topic: name, partition: selection.row(0, as: PartitionRow.self)?.partition))]
        case .topicAdmin(.deleteTopic):
            return [.write(TopicWriteRequests.deleteTopic(name, summary: value.map(TopicWriteRequests.held), context: context))]
        default: return []
        }
    }

    public var sections: [DetailSection<Self>] {
        [
            .table("Partitions", label: { d, _ in "Partitions \(d.partitions.count)" },
                   columns: Self.partitionColumns, emptyMessage: "No partitions",
                   identity: { String($0.partition) }, searchText: { "\($0.partition) \($0.leader) \($0.error ?? "")" },
                   rows: { d, previous in Self.rows(d, minIsr: Self.minIsr(d), previous: previous) }),
            .table("Configs", label: { d, _ in "Configs \(d.configs.value.map { c in "\(c.filter { !$0.isDefault }.count)*/\(c.count)" } ?? "-")" },
                   columns: Self.configColumns, emptyMessage: "No configs",
                   identity: { $0.name }, searchText: { "\($0.name) \($0.value ?? "")" },
                   rows: { d, _ in d.configs.value ?? [] }, message: { d, g in d.configs.note("configs", glyphs: g) }),
            .table("Groups", label: { d, _ in "Groups \(d.consumingGroups.value.map { String($0.count) } ?? "-")" },
                   columns: Self.groupColumns, sort: TableSort(column: Self.groupStatusColumn, direction: .descending),
                   emptyMessage: "No group has committed offsets on this topic", identity: { $0.group },
                   searchText: { "\($0.group) \($0.state) \($0.health?.status?.rawValue ?? "")" },
                   rows: { d, _ in Self.groupRows(d) }, open: { .route(.group($0.group)) },
                   message: { d, g in d.consumingGroups.note("consuming groups", glyphs: g) }),
            aclSection,
        ]
    }

    /// The topic's `min.insync.replicas`, when its configs were read.
    static func minIsr(_ d: TopicDetail) -> Int? {
        d.configs.value?.first { $0.name == "min.insync.replicas" }?.value.flatMap { Int($0) }
    }

    public func summary(_ d: TopicDetail, data: Loadable<TopicDetail>, context: ScreenContext) -> SummaryLine {
        let g = context.glyphs
        let rows = Self.rows(d, minIsr: Self.minIsr(d), previous: [])
        var line = SummaryLine()
        let rf = d.partitions.map(\.replicas.count).max() ?? 0
        line.add("partitions", String(d.partitions.count))
        line.add("RF", String(rf))
        let off = d.partitions.filter(\.isOffline).count
        let urp = d.partitions.filter(\.isUnderReplicated).count
        let leaderless = rows.filter { if case .leaderUnreachable = $0.status { return true } else { return false } }.count
        let followerless = rows.filter { if case .replicasUnreachable = $0.status { return true } else { return false } }.count
        if off > 0 { line.add("", "\(g.error) \(off) offline", role: .statusError) }
        if leaderless > 0 { line.add("", "\(g.error) \(leaderless) leader unreachable", role: .statusError) }
        let belowMin = rows.filter(Self.belowMinIsr).count
        if belowMin > 0 { line.add("", "\(g.error) \(belowMin) under min ISR", role: .statusError) }
        if urp > 0 { line.add("", "\(g.warn) \(urp) under-replicated", role: .statusWarn) }
        if followerless > 0 { line.add("", "\(g.warn) \(followerless) with replicas unreachable", role: .statusWarn) }
        if off == 0 && urp == 0 && belowMin == 0 && leaderless == 0 && followerless == 0 {
            // A value kept after a failed refresh says nothing about now: no green claim.
            if data.error != nil {
                let since = data.loadedAt.map { Format.clock($0, utcOffset: context.options.utcOffsetSeconds) } ?? "?"
                line.add("", "\(g.warn) health unknown (in sync at \(since))", role: .statusWarn)
            } else {
                line.add("", "\(g.ok) all in sync", role: .statusOk)
            }
        }
        if let s = d.sizeBytes { line.add("size", Format.bytes(s)) }
        if let id = d.topicId { line.add("id", id) }
        return line
    }

    /// A partition with the topic's `min.insync.replicas` and its health label, so cells stay
    /// functions of the row.
    @dynamicMemberLookup
    public struct PartitionRow: Sendable, Hashable {
        public var info: PartitionInfo
        public var minIsr: Int?
        public var status: PartitionStatus = .ok
        /// `earliest`/`latest` are the last ones read: this refresh could not read them.
        public var offsetsStale = false
        public subscript<T>(dynamicMember path: KeyPath<PartitionInfo, T>) -> T { info[keyPath: path] }
    }

    /// The rows of a fresh value; offsets that could not be read this time keep their last value,
    /// marked stale, rather than turning into "-".
    static func rows(_ d: TopicDetail, minIsr: Int?, previous: [PartitionRow]) -> [PartitionRow] {
        let old = Dictionary(previous.map { ($0.partition, $0) }, uniquingKeysWith: { a, _ in a })
        return d.partitions.map { p in
            var row = PartitionRow(info: p, minIsr: minIsr, status: d.status(of: p))
            if let o = old[p.partition], p.earliest == nil || p.latest == nil, o.earliest != nil || o.latest != nil {
                row.info.earliest = p.earliest ?? o.earliest
                row.info.latest = p.latest ?? o.latest
                row.offsetsStale = true
            }
            return row
        }
    }

    static func offsetCell(_ v: Int64?, stale: Bool, glyphs: Glyphs, format: (Int64) -> String = { String($0) }) -> TableCell {
        guard let v else { return TableCell("-", role: .dim) }
        return stale ? TableCell("\(glyphs.warn)\(format(v))", role: .statusWarn) : TableCell(format(v))
    }

    static let partitionColumns: [ListColumn<PartitionRow>] = [
        ListColumn(TableColumn("", priority: 95, width: 1)) { p, ctx in
            if !p.status.isServing || belowMinIsr(p) { return Mark.error(ctx.glyphs) }
            if !p.status.isOK || !p.offlineReplicas.isEmpty { return Mark.warn(ctx.glyphs) }
            return Mark.none
        },
        ListColumn(TableColumn("P", alignment: .right, priority: 100, width: 4),
                   order: { $0.partition < $1.partition }) { p, _ in TableCell(String(p.partition)) },
        ListColumn(TableColumn("LEADER", alignment: .right, priority: 90, width: 6),
                   order: { $0.leader < $1.leader }) { p, _ in
            if p.isOffline { return TableCell("none", role: .statusError) }
            if case .leaderUnreachable = p.status { return TableCell(String(p.leader), role: .statusError) }
            return TableCell(String(p.leader))
        },
        ListColumn(TableColumn("REPLICAS", minWidth: 5, maxWidth: 20, priority: 80)) { p, _ in
            TableCell(Format.ids(p.replicas))
        },
        ListColumn(TableColumn("ISR", minWidth: 3, maxWidth: 20, priority: 85),
                   order: { $0.isr.count < $1.isr.count }) { p, _ in
            if p.isr.isEmpty { return TableCell("none", role: .statusError) }
            if belowMinIsr(p) { return TableCell(Format.ids(p.isr), role: .statusError) }
            return p.isUnderReplicated ? TableCell(Format.ids(p.isr), role: .statusWarn) : TableCell(Format.ids(p.isr))
        },
        ListColumn(TableColumn("OFFLINE", minWidth: 4, maxWidth: 16, priority: 75)) { p, _ in
            p.offlineReplicas.isEmpty ? TableCell("-", role: .dim) : TableCell(Format.ids(p.offlineReplicas), role: .statusError)
        },
        ListColumn(TableColumn("EARLIEST", alignment: .right, priority: 60, width: 11),
                   order: { ($0.earliest ?? -1) < ($1.earliest ?? -1) }) { p, ctx in
            offsetCell(p.earliest, stale: p.offsetsStale, glyphs: ctx.glyphs)
        },
        ListColumn(TableColumn("LATEST", alignment: .right, priority: 65, width: 11),
                   order: { ($0.latest ?? -1) < ($1.latest ?? -1) }) { p, ctx in
            offsetCell(p.latest, stale: p.offsetsStale, glyphs: ctx.glyphs)
        },
        ListColumn(TableColumn("MSGS", alignment: .right, priority: 50, width: 8),
                   order: { messages($0) < messages($1) }) { p, ctx in
            let m = messages(p)
            return offsetCell(m < 0 ? nil : m, stale: p.offsetsStale, glyphs: ctx.glyphs, format: Format.compact)
        },
        // A partition's error outranks its offsets; left out while every partition is healthy.
        ListColumn(TableColumn("ERROR", minWidth: 10, flex: 1, priority: 78, hiddenWhenEmpty: true)) { p, _ in
            switch p.status {
            case .error(let e): return TableCell(e, role: .statusError)
            case .leaderUnreachable: return TableCell(p.status.label, role: .statusError)
            case .replicasUnreachable: return TableCell(p.status.label, role: .statusWarn)
            case .offline, .underReplicated, .ok: return TableCell("")
            }
        },
    ]

    /// Partitions with fewer in-sync replicas than `min.insync.replicas` refuse acks=all writes.
    static func belowMinIsr(_ p: PartitionRow) -> Bool {
        guard let m = p.minIsr else { return false }
        return !p.isOffline && p.isr.count < m
    }

    static func messages(_ p: PartitionRow) -> Int64 {
        guard let e = p.earliest, let l = p.latest else { return -1 }
        return max(0, l - e)
    }

    static let configColumns: [ListColumn<ConfigEntry>] = [
        ListColumn(TableColumn("", priority: 95, width: 1), order: { !$0.isDefault && $1.isDefault }) { c, _ in
            c.isDefault ? TableCell("") : TableCell("*", role: .statusInfo)
        },
        ListColumn(TableColumn("NAME", minWidth: 12, maxWidth: 40, flex: 1, priority: 100),
                   order: { $0.name < $1.name }) { c, _ in
            c.isDefault ? TableCell(c.name) : TableCell(c.name, role: .statusInfo)
        },
        ListColumn(TableColumn("VALUE", minWidth: 8, flex: 2, priority: 90)) { c, _ in
            if c.isSensitive || c.value == nil { return TableCell("(sensitive)", role: .dim) }
            return c.isDefault ? TableCell(c.value!) : TableCell(c.value!, role: .statusInfo)
        },
        ListColumn(TableColumn("SOURCE", priority: 50, width: 22), order: { $0.source.rawValue < $1.source.rawValue }) { c, _ in
            TableCell(c.source.rawValue, role: c.isDefault ? .dim : .normal)
        },
    ]

    /// The consuming groups with their lag, time lag, rates, ETA and status on this topic; a group
    /// that could not be described shows its name with "-" (the section's message says why).
    static func groupRows(_ d: TopicDetail) -> [GroupSummary] {
        (d.consumingGroups.value ?? []).map { d.consumerLag[$0] ?? GroupSummary(group: $0) }
    }

    /// The Groups screen's columns (lag, time lag, rate, ETA, status and trend), here over this
    /// topic's partitions, worst status first.
    /// The name keeps more room than on the Groups screen: it is what the user opens.
    static let groupColumns: [ListColumn<GroupSummary>] = GroupsSpec.columns.compactMap { c in
        switch c.column.title {
        case "TYPE": return nil
        case "GROUP":
            var wide = c
            wide.column.minWidth = 18
            return wide
        default: return c
        }
    }
    static var groupStatusColumn: Int { groupColumns.firstIndex { $0.column.title == "STATUS" }! }
}
