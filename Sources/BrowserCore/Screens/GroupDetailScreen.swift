import ClusterModel
import LagHealth
import TerminalCore

/// One group: the rows of `kafka-consumer-groups.sh --describe` (committed offset, end
/// offset, lag, owner per partition) and its members. Tab switches section.
public typealias GroupDetailScreen = DetailScreen<GroupDetailSpec>

extension DetailScreen where Spec == GroupDetailSpec {
    public init(name: String) { self.init(GroupDetailSpec(name: name)) }
    public var offsets: ListModel<GroupOffsetRow> { list(0) }
    public var members: ListModel<GroupMember> { list(1) }
}

public struct GroupDetailSpec: DetailScreenSpec {
    public static let make: ScreenRegistry.Factory = { route in
        if case .group(let name) = route { return GroupDetailScreen(name: name) }
        return nil
    }

    public let name: String
    /// The ACLs that apply to the group, loaded beside the detail (AclSection.swift).
    public var appliedAcls = ResourceAcls()
    public var route: Route { .group(name) }
    public var what: String { "group \(name)" }
    public var load: Effect { .load(.group(name)) }
    public var leaveEffects: [Effect] { [.cancel(.group), .cancel(.acls)] }

    public func value(in result: LoadResult) -> Result<GroupDetail, LoadError>? {
        if case .group(let n, let r) = result, n == name { return r }
        return nil
    }
    public func warnings(_ d: GroupDetail) -> [SourceError] { d.errors }
    /// Without its committed offsets a group would read as "no committed offsets": the last
    /// rows read stay, marked stale, as after a failed refresh.
    public func missing(_ d: GroupDetail) -> String? { d.offsetsError.map { "committed offsets not read: \($0)" } }

    public var sections: [DetailSection<Self>] {
        [
            .table("Offsets", label: { d, _ in "Offsets \(d.offsetsError == nil ? String(d.offsets.count) : "-")" },
                   columns: Self.offsetColumns, emptyMessage: "The group has no committed offsets",
                   identity: { "\($0.topic)-\($0.partition)" },
                   searchText: { "\($0.topic) \($0.partition) \($0.memberId ?? "") \($0.host ?? "") \($0.clientId ?? "")" },
                   rows: { d, _ in d.offsets }, open: { .route(.topic($0.topic)) },
                   message: { d, g in d.offsetsError.map { ("\(g.error) cannot read committed offsets: \($0)", .statusError) } }),
            .table("Members", label: { d, _ in "Members \(d.members.value.map { String($0.count) } ?? "-")" },
                   columns: Self.memberColumns, sort: TableSort(column: 0), emptyMessage: "No active members",
                   identity: { $0.memberId }, searchText: { "\($0.memberId) \($0.clientId) \($0.host)" },
                   rows: { d, _ in d.members.value ?? [] }, message: { d, g in d.members.note("members", glyphs: g) }),
            aclSection,
        ]
    }

    /// Issue 15: reset (opens the form), delete the selected topic's offsets, delete the group.
    /// All writes: absent in read-only mode.
    public var actions: [Action] { GroupAction.allCases.map(Action.group) }

    public mutating func perform(_ action: Action, value: GroupDetail?, selection: DetailSelection,
                                 context: ScreenContext) -> [ScreenOutput] {
        guard case .group(let a) = action else { return [] }
        switch a {
        case .resetOffsets:
            return [.open(.resetOffsets(group: name))]
        case .deleteOffsets:
            // Only the row in view: with the Members tab shown, the Offsets selection is out of sight.
            guard let d = value, let topic = selection.shownRow(0, as: GroupOffsetRow.self)?.topic else {
                return [.note("Show the Offsets section and select a row: its topic's offsets are deleted", .warn)]
            }
            var committed: [TopicPartition: Int64] = [:]
            for r in d.offsets where r.topic == topic { if let c = r.committed { committed[TopicPartition(r.topic, r.partition)] = c } }
            var request = GroupWriteRequests.deleteOffsets(group: name, topic: topic, committed: committed, context: context)
            request.poll = load
            return [.write(request)]
        case .deleteGroup:
            var request = GroupWriteRequests.deleteGroup(name, context: context)
            if let d = value, let why = OffsetResetPlanner.deleteBlockedReason(group: name, state: d.state, members: d.members.value?.count) {
                request.check = .unavailable(why)
            }
            request.poll = load
            return [.write(request)]
        }
    }

    public func summary(_ d: GroupDetail, data: Loadable<GroupDetail>, context: ScreenContext) -> SummaryLine {
        let g = context.glyphs
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
        if let t = d.lagSeconds {
            let unread = GroupOffsetRow.timeLagsUnread(d.offsets)
            if d.lagSecondsPartial {
                line.add("time-lag", Format.timeLag(t, partial: true)
                         + " (at least: \(unread) partition\(unread == 1 ? "" : "s") unread)", role: .statusWarn)
            } else {
                line.add("time-lag", Format.timeLag(t))
            }
        }
        let spark = Format.sparkline(context.lagHistory.samples(name), width: 16, glyphs: g)
        if !spark.isEmpty { line.add("", spark, role: .sparkline) }
        return line
    }

    static let trendWidth = 12

    static func partitionTrendCell(_ lags: [Int64], width: Int, glyphs: Glyphs) -> TableCell {
        if lags.isEmpty { return TableCell("", role: .dim) }
        let line = Format.sparkline(lags, width: width, glyphs: glyphs)
        if lags.count >= 3, lags[lags.count - 1] > lags[lags.count - 2], lags[lags.count - 2] > lags[lags.count - 3] {
            return TableCell(line + " " + String(glyphs.warn), role: .statusWarn)
        }
        return TableCell(line, role: .sparkline)
    }

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
        ListColumn(TableColumn("TIME-LAG", alignment: .right, priority: 64, width: 8),
                   order: { ($0.lagSeconds ?? -1) < ($1.lagSeconds ?? -1) }) { r, _ in
            r.lagSeconds.map { TableCell(Format.timeLag($0)) } ?? TableCell("-", role: .dim)
        },
        ListColumn(TableColumn("RATE", alignment: .right, priority: 57, width: 8),
                   order: { ($0.health?.consumeRate ?? -1) < ($1.health?.consumeRate ?? -1) }) { r, _ in
            r.health?.consumeRate.map { TableCell(Format.rate($0)) } ?? TableCell("-", role: .dim)
        },
        ListColumn(TableColumn("PROD-RATE", alignment: .right, priority: 56, width: 9),
                   order: { ($0.health?.produceRate ?? -1) < ($1.health?.produceRate ?? -1) }) { r, _ in
            r.health?.produceRate.map { TableCell(Format.rate($0)) } ?? TableCell("-", role: .dim)
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
        // This partition's lag at every sample of the session; growing over the last two: warn.
        ListColumn(TableColumn("TREND", priority: 59, width: trendWidth + 2)) { r, ctx in
            partitionTrendCell(r.lagHistory, width: trendWidth, glyphs: ctx.glyphs)
        },
        ListColumn(TableColumn("CONSUMER-ID", minWidth: 8, maxWidth: 48, flex: 1, truncation: .middle, priority: 53),
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
}
