import ClusterModel
import LagHealth
import TerminalCore

/// One group: the rows of `kafka-consumer-groups.sh --describe` (committed offset, end
/// offset, lag, owner per partition) and its members. Tab switches section.
public struct GroupDetailScreen: Screen {
    public static let make: ScreenRegistry.Factory = { route in
        if case .group(let name) = route { return GroupDetailScreen(name: name) }
        return nil
    }

    public let name: String
    public var route: Route { .group(name) }
    public private(set) var data = Loadable<GroupDetail>()
    public private(set) var offsets: ListModel<GroupOffsetRow>
    public private(set) var members: ListModel<GroupMember>
    var sections = Sections(names: ["Offsets", "Members"])

    public init(name: String) {
        self.name = name
        offsets = ListModel(columns: Self.offsetColumns, sort: TableSort(column: 1),
                            identity: { "\($0.topic)-\($0.partition)" },
                            searchText: { "\($0.topic) \($0.partition) \($0.memberId ?? "") \($0.host ?? "") \($0.clientId ?? "")" })
        offsets.emptyMessage = "The group has no committed offsets"
        members = ListModel(columns: Self.memberColumns, sort: TableSort(column: 0), identity: { $0.memberId },
                            searchText: { "\($0.memberId) \($0.clientId) \($0.host)" })
        members.emptyMessage = "No active members"
    }

    public var activeSection: Int { sections.active }
    public var actions: [Action] { Sections.actions }

    static func unowned(_ r: GroupOffsetRow) -> Bool { (r.lag ?? 0) > 0 && r.memberId == nil }

    static let offsetColumns: [ListColumn<GroupOffsetRow>] = [
        ListColumn(TableColumn("", priority: 95, width: 1)) { r, ctx in unowned(r) ? Mark.warn(ctx.glyphs) : Mark.none },
        ListColumn(TableColumn("TOPIC", minWidth: 10, flex: 1, priority: 100),
                   order: { ($0.topic, $0.partition) < ($1.topic, $1.partition) }) { r, _ in TableCell(r.topic) },
        ListColumn(TableColumn("PARTITION", alignment: .right, priority: 99, width: 9),
                   order: { $0.partition < $1.partition }) { r, _ in TableCell(String(r.partition)) },
        ListColumn(TableColumn("CURRENT-OFFSET", alignment: .right, priority: 80, width: 14),
                   order: { ($0.committed ?? -1) < ($1.committed ?? -1) }) { r, _ in
            r.committed.map { TableCell(String($0)) } ?? TableCell("-", role: .dim)
        },
        ListColumn(TableColumn("LOG-END-OFFSET", alignment: .right, priority: 70, width: 14),
                   order: { ($0.end ?? -1) < ($1.end ?? -1) }) { r, _ in
            guard let end = r.end else { return TableCell("-", role: .dim) }
            // An end offset remembered from an earlier refresh (leader unreadable now).
            return r.endAge == nil ? TableCell(String(end)) : TableCell("~" + String(end), role: .statusWarn)
        },
        ListColumn(TableColumn("LAG", alignment: .right, priority: 90, width: 8),
                   order: { ($0.lag ?? -1) < ($1.lag ?? -1) }) { r, _ in
            guard let lag = r.lag else { return TableCell("-", role: .dim) }
            return unowned(r) ? TableCell(String(lag), role: .statusWarn) : TableCell(String(lag))
        },
        ListColumn(TableColumn("TIME-LAG", alignment: .right, priority: 56, width: 8),
                   order: { ($0.lagSeconds ?? -1) < ($1.lagSeconds ?? -1) }) { r, _ in
            r.lagSeconds.map { TableCell(Format.timeLag($0)) } ?? TableCell("-", role: .dim)
        },
        ListColumn(TableColumn("RATE", alignment: .right, priority: 54, width: 8),
                   order: { ($0.health?.consumeRate ?? -1) < ($1.health?.consumeRate ?? -1) }) { r, _ in
            r.health?.consumeRate.map { TableCell(Format.rate($0)) } ?? TableCell("-", role: .dim)
        },
        ListColumn(TableColumn("ETA", alignment: .right, priority: 62, width: 7)) { r, _ in
            guard let h = r.health else { return TableCell("-", role: .dim) }
            if h.fallingBehind { return TableCell("behind", role: .statusWarn) }
            let text = Format.eta(h.etaSeconds)
            return TableCell(text, role: text == "-" ? .dim : .normal)
        },
        ListColumn(TableColumn("STATUS", priority: 85, width: 8),
                   order: { ($0.health?.status.map { LagStatus.allCases.firstIndex(of: $0)! } ?? -1)
                       < ($1.health?.status.map { LagStatus.allCases.firstIndex(of: $0)! } ?? -1) }) { r, _ in
            guard let s = r.health?.status else { return TableCell("-", role: .dim) }
            return TableCell(s.rawValue, role: GroupsSpec.statusRole(s))
        },
        ListColumn(TableColumn("CONSUMER-ID", minWidth: 8, maxWidth: 48, flex: 1, truncation: .middle, priority: 60),
                   order: { ($0.memberId ?? "") < ($1.memberId ?? "") }) { r, _ in
            TableCell(r.memberId ?? "-", role: r.memberId == nil ? .dim : .normal)
        },
        ListColumn(TableColumn("HOST", minWidth: 6, maxWidth: 24, priority: 40)) { r, _ in
            TableCell(r.host ?? "-", role: r.host == nil ? .dim : .normal)
        },
        ListColumn(TableColumn("CLIENT-ID", minWidth: 6, maxWidth: 32, priority: 50)) { r, _ in
            TableCell(r.clientId ?? "-", role: r.clientId == nil ? .dim : .normal)
        },
    ]

    static let memberColumns: [ListColumn<GroupMember>] = [
        ListColumn(TableColumn("MEMBER-ID", minWidth: 10, maxWidth: 48, flex: 1, truncation: .middle, priority: 100),
                   order: { $0.memberId < $1.memberId }) { m, _ in TableCell(m.memberId) },
        ListColumn(TableColumn("INSTANCE", minWidth: 4, maxWidth: 20, priority: 30)) { m, _ in
            TableCell(m.instanceId ?? "-", role: m.instanceId == nil ? .dim : .normal)
        },
        ListColumn(TableColumn("CLIENT-ID", minWidth: 6, maxWidth: 32, priority: 70),
                   order: { $0.clientId < $1.clientId }) { m, _ in TableCell(m.clientId) },
        ListColumn(TableColumn("HOST", minWidth: 6, maxWidth: 24, priority: 60), order: { $0.host < $1.host }) { m, _ in
            TableCell(m.host)
        },
        ListColumn(TableColumn("ASSIGNMENT", minWidth: 8, flex: 2, priority: 90)) { m, _ in
            let text = m.assignments.map { "\($0.topic):\($0.partitions.map(String.init).joined(separator: ","))" }
                .joined(separator: " ")
            return TableCell(text.isEmpty ? "-" : text, role: text.isEmpty ? .dim : .normal)
        },
    ]

    public mutating func load(context: ScreenContext) -> [Effect] {
        data.begin()
        return [.load(.group(name))]
    }

    public mutating func leave() -> [Effect] { [.cancel(.group)] }

    func tableArea(_ area: Rect) -> Rect {
        let top = area.height >= 6 ? 2 : (area.height >= 3 ? 1 : 0)
        return area.splitTop(top).1
    }

    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        let rows = tableRows(tableArea(context.area))
        if sections.active == 0 ? offsets.apply(action, visibleRows: rows) : members.apply(action, visibleRows: rows) {
            return []
        }
        switch action {
        case .open:
            if sections.active == 0, let r = offsets.selected { return [.open(.topic(r.topic))] }
        case .perform(.section(let a)): sections.apply(a)
        default: break
        }
        return []
    }

    public mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] {
        guard case .group(let n, let r) = result, n == name else { return [] }
        let rows = tableRows(tableArea(context.area))
        switch r {
        case .success(let d):
            // Without its committed offsets a group would read as "no committed offsets": the last
            // rows read stay, marked stale, as after a failed refresh.
            data.succeed(d, at: time, warnings: d.errors, missing: d.offsetsError.map { "committed offsets not read: \($0)" })
            if data.error != nil { return [] }
            offsets.setRows(d.offsets, visibleRows: rows)
            members.setRows(d.members.value ?? [], visibleRows: rows)
        case .failure(let e):
            data.fail(e, at: time)
        }
        return []
    }

    public var filter: RowFilter? { sections.active == 0 ? offsets.filter : members.filter }

    public mutating func setFilter(_ filter: RowFilter?, context: ScreenContext) -> String? {
        let rows = tableRows(tableArea(context.area))
        return sections.active == 0 ? offsets.setFilter(filter, visibleRows: rows)
            : members.setFilter(filter, visibleRows: rows)
    }

    public var status: ViewStatus { data.status }

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        if let (text, role) = placeholder(status, what: "group \(name)", glyphs: context.glyphs) {
            renderMessage(text, role: role, into: &buffer, area: area)
            return
        }
        guard let d = data.value else { return }
        let g = context.glyphs
        var y = area.y
        if area.height >= 3 {
            var line = SummaryLine()
            line.add("type", d.type)
            line.add("state", d.state, role: GroupsSpec.stateRole(d.state))
            if let p = d.protocolName, !p.isEmpty { line.add("assignor", p) }
            if let c = d.coordinator { line.add("coordinator", String(c)) }
            if let lag = d.lag, d.lagPartial {
                let unread = d.offsets.filter { $0.committed != nil && ($0.end == nil || $0.endAge != nil) }.count
                let how = d.lagCompleteness == .partial ? "partial" : "estimated"
                line.add("lag", "\(Format.lag(lag, d.lagCompleteness)) \(g.warn) \(how): \(unread) partition\(unread == 1 ? "" : "s") unreadable",
                         role: .statusWarn)
            } else if let lag = d.lag {
                let growing = context.lagHistory.trend(name) == .growing
                line.add("lag", Format.count(lag) + (growing ? " \(g.warn) growing" : ""),
                         role: growing ? .statusWarn : .headerValue)
            } else {
                line.add("lag", "-")
            }
            if let h = d.health, let status = h.status {
                line.add("status", status.rawValue, role: GroupsSpec.statusRole(status))
                if let r = h.consumeRate { line.add("rate", Format.rate(r)) }
                line.add("eta", Format.eta(h), role: h.fallingBehind ? .statusWarn : .headerValue)
                if status > .ok { line.add("why", h.reason, role: GroupsSpec.statusRole(status)) }
            } else if d.health != nil {
                line.add("status", "- (needs two samples)", role: .dim)
            }
            if let t = d.lagSeconds { line.add("time-lag", Format.timeLag(t)) }
            let spark = Format.sparkline(context.lagHistory.samples(name), width: 16, glyphs: g)
            if !spark.isEmpty { line.add("", spark, role: .sparkline) }
            line.render(into: &buffer, x: area.x, y: y, width: area.width)
            y += 1
        }
        if area.height >= 6 {
            let memberCount = d.members.value.map { String($0.count) } ?? "-"
            sections.render(into: &buffer, x: area.x, y: y, width: area.width,
                            labels: ["Offsets \(d.offsetsError == nil ? String(d.offsets.count) : "-")", "Members \(memberCount)"],
                            glyphs: g)
        }
        let table = tableArea(area)
        if sections.active == 0, let why = d.offsetsError {
            renderMessage("\(g.error) cannot read committed offsets: \(why)", role: .statusError, into: &buffer, area: table)
        } else if sections.active == 0 {
            offsets.render(into: &buffer, area: table, context: context)
        } else if case .value = d.members {
            members.render(into: &buffer, area: table, context: context)
        } else {
            renderMessage(fieldNote(d.members, what: "members", glyphs: g), role: .dim, into: &buffer, area: table)
        }
    }
}
