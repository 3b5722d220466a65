import ClusterModel
import TerminalCore

/// One topic: partitions (leader, replicas, ISR, offline replicas, offsets), configs
/// (non-default values marked) and the groups consuming it. Tab switches section.
public struct TopicDetailScreen: Screen {
    public static let make: ScreenRegistry.Factory = { route in
        if case .topic(let name) = route { return TopicDetailScreen(name: name) }
        return nil
    }

    public let name: String
    public var route: Route { .topic(name) }
    public private(set) var data = Loadable<TopicDetail>()
    /// The topic's `min.insync.replicas`, when its configs were read.
    public private(set) var minIsr: Int?
    public private(set) var partitions: ListModel<PartitionRow>
    public private(set) var configs: ListModel<ConfigEntry>
    public private(set) var groups: ListModel<String>
    var sections = Sections(names: ["Partitions", "Configs", "Groups"])

    public init(name: String) {
        self.name = name
        partitions = ListModel(columns: Self.partitionColumns, sort: TableSort(column: 1),
                               identity: { String($0.partition) },
                               searchText: { "\($0.partition) \($0.leader) \($0.error ?? "")" })
        partitions.emptyMessage = "No partitions"
        configs = ListModel(columns: Self.configColumns, sort: TableSort(column: 1), identity: { $0.name },
                            searchText: { "\($0.name) \($0.value ?? "")" })
        configs.emptyMessage = "No configs"
        groups = ListModel(columns: Self.groupColumns, sort: TableSort(column: 0), identity: { $0 }, searchText: { $0 })
        groups.emptyMessage = "No group has committed offsets on this topic"
    }

    public var activeSection: Int { sections.active }

    public var actions: [Action] { Sections.actions + [.topic(.tailThis)] }

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

    static let groupColumns: [ListColumn<String>] = [
        ListColumn(TableColumn("GROUP", minWidth: 10, flex: 1, priority: 100), order: { $0 < $1 }) { g, _ in TableCell(g) },
        ListColumn(TableColumn("TREND", priority: 50, width: 14)) { g, ctx in
            trendCell(ctx.lagHistory, group: g, width: 12, glyphs: ctx.glyphs)
        },
    ]

    public mutating func load(context: ScreenContext) -> [Effect] {
        data.begin()
        return [.load(.topic(name))]
    }

    public mutating func leave() -> [Effect] { [.cancel(.topic)] }

    /// Rows: summary line, section tabs, then the table.
    func tableArea(_ area: Rect) -> Rect {
        let top = area.height >= 6 ? 2 : (area.height >= 3 ? 1 : 0)
        return area.splitTop(top).1
    }

    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        let rows = tableRows(tableArea(context.area))
        let moved: Bool
        switch sections.active {
        case 0: moved = partitions.apply(action, visibleRows: rows)
        case 1: moved = configs.apply(action, visibleRows: rows)
        default: moved = groups.apply(action, visibleRows: rows)
        }
        if moved { return [] }
        switch action {
        case .open:
            if sections.active == 2, let g = groups.selected { return [.open(.group(g))] }
        case .perform(.section(let a)): sections.apply(a)
        case .perform(.topic(.tailThis)): return [.open(.tail(topic: name))]
        default: break
        }
        return []
    }

    public mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] {
        guard case .topic(let n, let r) = result, n == name else { return [] }
        let rows = tableRows(tableArea(context.area))
        switch r {
        case .success(let d):
            data.succeed(d, at: time, warnings: d.errors)
            let minIsr = d.configs.value?.first { $0.name == "min.insync.replicas" }?.value.flatMap { Int($0) }
            self.minIsr = minIsr
            partitions.setRows(Self.rows(d, minIsr: minIsr, previous: partitions.rows), visibleRows: rows)
            configs.setRows(d.configs.value ?? [], visibleRows: rows)
            groups.setRows(d.consumingGroups.value ?? [], visibleRows: rows)
        case .failure(let e):
            data.fail(e, at: time)
        }
        return []
    }

    public var filter: RowFilter? {
        switch sections.active {
        case 0: return partitions.filter
        case 1: return configs.filter
        default: return groups.filter
        }
    }

    public mutating func setFilter(_ filter: RowFilter?, context: ScreenContext) -> String? {
        let rows = tableRows(tableArea(context.area))
        switch sections.active {
        case 0: return partitions.setFilter(filter, visibleRows: rows)
        case 1: return configs.setFilter(filter, visibleRows: rows)
        default: return groups.setFilter(filter, visibleRows: rows)
        }
    }

    public var status: ViewStatus { data.status }

    public var titleDetail: String {
        guard let d = data.value else { return "" }
        return d.isInternal ? "(internal)" : ""
    }

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        if let (text, role) = placeholder(status, what: "topic \(name)", glyphs: context.glyphs) {
            renderMessage(text, role: role, into: &buffer, area: area)
            return
        }
        guard let d = data.value else { return }
        let g = context.glyphs
        var y = area.y
        if area.height >= 3 {
            var line = SummaryLine()
            let rf = d.partitions.map(\.replicas.count).max() ?? 0
            line.add("partitions", String(d.partitions.count))
            line.add("RF", String(rf))
            let off = d.partitions.filter(\.isOffline).count
            let urp = d.partitions.filter(\.isUnderReplicated).count
            let leaderless = partitions.rows.filter { if case .leaderUnreachable = $0.status { return true } else { return false } }.count
            let followerless = partitions.rows.filter { if case .replicasUnreachable = $0.status { return true } else { return false } }.count
            if off > 0 { line.add("", "\(g.error) \(off) offline", role: .statusError) }
            if leaderless > 0 { line.add("", "\(g.error) \(leaderless) leader unreachable", role: .statusError) }
            let belowMin = partitions.rows.filter(Self.belowMinIsr).count
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
            line.render(into: &buffer, x: area.x, y: y, width: area.width)
            y += 1
        }
        if area.height >= 6 {
            let cfgCount = d.configs.value.map { c in "\(c.filter { !$0.isDefault }.count)*/\(c.count)" } ?? "-"
            let grpCount = d.consumingGroups.value.map { String($0.count) } ?? "-"
            sections.render(into: &buffer, x: area.x, y: y, width: area.width,
                            labels: ["Partitions \(d.partitions.count)", "Configs \(cfgCount)", "Groups \(grpCount)"],
                            glyphs: g)
        }
        let table = tableArea(area)
        switch sections.active {
        case 0:
            partitions.render(into: &buffer, area: table, context: context)
        case 1:
            if case .value = d.configs {
                configs.render(into: &buffer, area: table, context: context)
            } else {
                renderMessage(fieldNote(d.configs, what: "configs", glyphs: g), role: .dim, into: &buffer, area: table)
            }
        default:
            if case .value = d.consumingGroups {
                groups.render(into: &buffer, area: table, context: context)
            } else {
                renderMessage(fieldNote(d.consumingGroups, what: "consuming groups", glyphs: g), role: .dim,
                              into: &buffer, area: table)
            }
        }
    }
}

/// Why a field is missing, for sections that could not be read.
func fieldNote<V>(_ f: FieldState<V>, what: String, glyphs: Glyphs) -> String {
    switch f {
    case .value: return ""
    case .unsupported(let why): return "\(what.prefix(1).uppercased() + what.dropFirst()) not available: \(why)"
    case .failed(let why): return "\(glyphs.error) cannot read \(what): \(why)"
    }
}
