import ClusterModel
import TerminalCore
import WriteFlow

/// The offset-reset form of one consumer group (issue 15): specification, value and scope as
/// `kafka-consumer-groups.sh --reset-offsets` takes them, and a preview table (current, new, lag
/// before and after, clamping notes) read again whenever the inputs change. Enter applies the
/// previewed plan through the one write flow (confirmation naming the group, audit line); the
/// table then shows the committed offsets and lag read back from the group.
public struct OffsetResetFormScreen: Screen {
    public static let make: ScreenRegistry.Factory = { route in
        if case .resetOffsets(let group) = route { return OffsetResetFormScreen(group: group) }
        return nil
    }

    /// The specifications in the order the spec field cycles through them.
    public enum SpecKind: String, CaseIterable, Sendable {
        case earliest = "to-earliest", latest = "to-latest", offset = "to-offset", datetime = "to-datetime"
        case duration = "by-duration", shift = "shift-by", current = "to-current"

        var takesValue: Bool { ![.earliest, .latest, .current].contains(self) }

        /// What the value field expects.
        var example: String {
            switch self {
            case .offset: return "an offset, e.g. 1200"
            case .datetime: return "ISO 8601 with a zone, e.g. 2026-12-06T14:00:00Z"
            case .duration: return "back from now, e.g. PT30M or P1DT2H"
            case .shift: return "N, e.g. -10 or 25"
            case .earliest, .latest, .current: return "not used"
            }
        }
    }

    public enum Field: Int, CaseIterable, Sendable { case spec, value, scope }

    /// One row of the table: the plan, or after applying, the offsets read back.
    public struct Row: Sendable, Hashable {
        public var topic: String
        public var partition: Int32
        public var current: Int64?
        public var new: Int64?
        public var lagBefore: Int64?
        public var lagAfter: Int64?
        public var note: String?
    }

    public let group: String
    public var route: Route { .resetOffsets(group: group) }
    public private(set) var specKind: SpecKind = .earliest
    public private(set) var focus: Field = .spec
    public private(set) var value = LineEditor()
    public private(set) var scopeText = LineEditor()
    /// Why the inputs cannot be planned (bad number, date without zone, bad partition list).
    public private(set) var inputError: String?
    /// The inputs of the latest plan asked for; answers for older inputs are dropped.
    public private(set) var requested: OffsetResetRequestKey?
    public private(set) var plan = Loadable<OffsetResetPlan>()
    /// Set after a write was sent: the table shows what the group reads now.
    public private(set) var applied: WriteOutcome?
    public private(set) var readBackAt: Double?
    public private(set) var rows: ListModel<Row>

    public init(group: String) {
        self.group = group
        rows = ListModel(columns: Self.columns, sort: TableSort(column: 0),
                         identity: { "\($0.topic)-\($0.partition)" }, searchText: { "\($0.topic) \($0.partition)" })
        rows.emptyMessage = "No partition in scope"
    }

    public var actions: [Action] { ResetFormAction.allCases.map(Action.resetForm) }
    public var unusedGlobalActions: Set<Action> { [.navigation(.open), .general(.filter)] }

    static let columns: [ListColumn<Row>] = [
        ListColumn(TableColumn("TOPIC", minWidth: 8, flex: 1, priority: 100),
                   order: { ($0.topic, $0.partition) < ($1.topic, $1.partition) }) { r, _ in TableCell(r.topic) },
        ListColumn(TableColumn("PARTITION", alignment: .right, priority: 99, width: 9)) { r, _ in TableCell(String(r.partition)) },
        ListColumn(TableColumn("CURRENT", alignment: .right, priority: 90, width: 10)) { r, _ in
            r.current.map { TableCell(String($0)) } ?? TableCell("-", role: .dim)
        },
        ListColumn(TableColumn("NEW", alignment: .right, priority: 95, width: 10)) { r, _ in
            guard let n = r.new else { return TableCell("-", role: .dim) }
            return TableCell(String(n), role: r.new == r.current ? .normal : .statusInfo)
        },
        ListColumn(TableColumn("LAG-BEFORE", alignment: .right, priority: 70, width: 10)) { r, _ in
            r.lagBefore.map { TableCell(String($0)) } ?? TableCell("-", role: .dim)
        },
        ListColumn(TableColumn("LAG-AFTER", alignment: .right, priority: 80, width: 9)) { r, _ in
            r.lagAfter.map { TableCell(String($0)) } ?? TableCell("-", role: .dim)
        },
        ListColumn(TableColumn("NOTE", minWidth: 6, flex: 2, priority: 60)) { r, _ in
            TableCell(r.note ?? "", role: r.note == nil ? .dim : .statusWarn)
        },
    ]

    // MARK: Inputs

    /// The spec and scope the fields say, or why not.
    public func parsedInputs() -> Result<OffsetResetRequestKey, OffsetResetInputError> {
        let text = value.text.trimmingCharacters(in: " ")
        let spec: OffsetResetSpec
        do {
            switch specKind {
            case .earliest: spec = .toEarliest
            case .latest: spec = .toLatest
            case .current: spec = .toCurrent
            case .offset:
                guard let n = Int64(text) else { throw OffsetResetInputError(text.isEmpty ? "type an offset" : "'\(text)' is not an offset") }
                spec = .toOffset(n)
            case .shift:
                guard let n = Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text) else {
                    throw OffsetResetInputError(text.isEmpty ? "type how far to shift, e.g. -10" : "'\(text)' is not a whole number")
                }
                spec = .shiftBy(n)
            case .datetime:
                if text.isEmpty { throw OffsetResetInputError("type a date-time, e.g. 2026-12-06T14:00:00Z") }
                spec = .toDatetime(epochMs: try OffsetResetParsing.datetime(text), text: text)
            case .duration:
                if text.isEmpty { throw OffsetResetInputError("type a duration, e.g. PT30M") }
                spec = .byDuration(ms: try OffsetResetParsing.duration(text), text: text)
            }
            let words = scopeText.text.split(separator: " ").map(String.init)
            let scope: OffsetResetScope = words.isEmpty ? .allTopics
                : .topics(try words.map(OffsetResetScope.TopicSelection.parse))
            return .success(OffsetResetRequestKey(spec: spec, scope: scope))
        } catch let e as OffsetResetInputError {
            return .failure(e)
        } catch {
            return .failure(OffsetResetInputError(String(describing: error)))
        }
    }

    /// After any edit: plan the new inputs (the runtime replaces a plan still in flight).
    mutating func inputsChanged() -> [ScreenOutput] {
        applied = nil
        readBackAt = nil
        switch parsedInputs() {
        case .failure(let e):
            inputError = e.message
            requested = nil
            return []
        case .success(let key):
            inputError = nil
            if key == requested && !plan.isLoading && plan.value != nil && plan.error == nil { return [] }
            requested = key
            plan.begin()
            return [.effect(.load(.resetPlan(group: group, spec: key.spec, scope: key.scope)))]
        }
    }

    // MARK: Screen

    public mutating func load(context: ScreenContext) -> [Effect] {
        // Once applied, the table is what the group reads back: a refresh reads it back again. Planning
        // again would put the next reset's plan under the "as read back" line (a shift shifted twice).
        if let applied, applied.wasSent { return [.load(.group(group))] }
        guard case .success(let key) = parsedInputs() else { return [] }
        requested = key
        plan.begin()
        return [.load(.resetPlan(group: group, spec: key.spec, scope: key.scope))]
    }

    public mutating func leave() -> [Effect] { [.cancel(.resetPlan)] }

    public mutating func input(_ key: Key, context: ScreenContext) -> [ScreenOutput]? {
        guard focus != .spec else { return nil }
        switch key {
        case .character, .backspace, .delete, .left, .right, .home, .end, .ctrl("a"), .ctrl("e"), .ctrl("u"), .ctrl("w"), .ctrl("k"):
            break
        default:
            return nil
        }
        if focus == .value && !specKind.takesValue {
            return [.note("\(specKind.rawValue) takes no value: Tab to the scope, Up to the spec", .info)]
        }
        var editor = focus == .value ? value : scopeText
        let outcome = editor.handle(key)
        if focus == .value { value = editor } else { scopeText = editor }
        return outcome == .edited ? inputsChanged() : []
    }

    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        let visible = tableRows(tableArea(context.area))
        if rows.apply(action, visibleRows: visible) { return [] }
        guard case .perform(.resetForm(let a)) = action else { return [] }
        switch a {
        case .nextField: focus = Field(rawValue: (focus.rawValue + 1) % Field.allCases.count)!
        case .previousField: focus = Field(rawValue: (focus.rawValue + Field.allCases.count - 1) % Field.allCases.count)!
        case .nextSpec, .previousSpec:
            guard focus == .spec else { return [] }
            let all = SpecKind.allCases
            let i = all.firstIndex(of: specKind)!
            specKind = all[(i + (a == .nextSpec ? 1 : all.count - 1)) % all.count]
            return inputsChanged()
        case .apply:
            return apply(context: context)
        }
        return []
    }

    /// The previewed plan, if it is the plan of the inputs on screen, becomes the write. A refresh of
    /// the same inputs in flight (the auto-refresh reads the plan again) does not hold it back: what is
    /// applied is what the user sees and confirms.
    mutating func apply(context: ScreenContext) -> [ScreenOutput] {
        if let inputError { return [.note("Cannot reset: \(inputError)", .error)] }
        guard let p = plan.value, plan.error == nil,
              OffsetResetRequestKey(spec: p.spec, scope: p.scope) == requested else {
            return [.note("Wait for the preview of these inputs before applying", .warn)]
        }
        return [.write(GroupWriteRequests.reset(p, context: context))]
    }

    public mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] {
        let visible = tableRows(tableArea(context.area))
        switch result {
        case .resetPlan(let g, let spec, let scope, let r):
            guard g == group, OffsetResetRequestKey(spec: spec, scope: scope) == requested else { return [] }
            // A plan read before the write ended must not replace what was read back after it.
            if readBackAt != nil { return [] }
            plan.apply(r, at: time)
            if case .success(let p) = r {
                rows.setRows(p.rows.map { Row(topic: $0.topic, partition: $0.partition, current: $0.current, new: $0.new,
                                              lagBefore: $0.lagBefore, lagAfter: $0.lagAfter, note: $0.note) },
                             visibleRows: visible)
            }
        case .group(let g, .success(let d)) where g == group:
            // Read back after the write: CURRENT stays what it was, NEW and LAG-AFTER are what the group says now.
            guard let p = plan.value else { return [] }
            var now: [TopicPartition: GroupOffsetRow] = [:]
            for o in d.offsets { now[TopicPartition(o.topic, o.partition)] = o }
            rows.setRows(p.rows.map { r in
                let o = now[r.key]
                return Row(topic: r.topic, partition: r.partition, current: r.current, new: o?.committed,
                           lagBefore: r.lagBefore, lagAfter: o?.lag,
                           note: o?.committed == r.new ? nil : "reads \(o?.committed.map(String.init) ?? "none"), planned \(r.new)")
            }, visibleRows: visible)
            readBackAt = time
        case .group(let g, .failure(let e)) where g == group:
            return [.note("Could not read the group back: \(e.message)", .warn)]
        case .writeFinished(let outcome):
            applied = outcome
            // What took (all, some or none) is read back from the group.
            if outcome.wasSent { return [.effect(.load(.group(group)))] }
        default:
            break
        }
        return []
    }

    public var status: ViewStatus { plan.status }

    public var titleDetail: String {
        if readBackAt != nil { return "[applied]" }
        return plan.isLoading ? "[planning]" : ""
    }

    // MARK: Drawing

    /// Field rows, the verdict line, the summary line, then the table.
    static let headerHeight = 5

    func tableArea(_ area: Rect) -> Rect {
        area.splitTop(min(area.height, Self.headerHeight)).1
    }

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        let g = context.glyphs
        var pen = LinePen(area)
        func line(_ parts: [(String, Style)]) { pen.line(parts, into: &buffer) }
        let label = { (f: Field, text: String) -> (String, Style) in
            (text, focus == f ? Style(.tableSelected, .bold) : Style(.headerLabel))
        }
        line([label(.spec, " Spec  "), (" < \(specKind.rawValue) > ", Style(focus == .spec ? .tableSelected : .headerValue)),
              ("  Left/Right or Space change it", Style(.dim))])
        let valueText = specKind.takesValue ? value.text : "-"
        line([label(.value, " Value "), (" " + valueText + (focus == .value && specKind.takesValue ? "_" : "") + " ", Style(focus == .value ? .tableSelected : .headerValue)),
              ("  " + specKind.example, Style(.dim))])
        line([label(.scope, " Scope "), (" " + scopeText.text + (focus == .scope ? "_" : "") + " ", Style(focus == .scope ? .tableSelected : .headerValue)),
              (scopeText.text.isEmpty ? "  all topics the group has offsets for (or: orders  orders:0,2)" : "  topics, or topic:partitions",
               Style(.dim))])
        // The verdict: what stops the reset, or what applying did.
        if let inputError {
            line([(" \(g.error) \(inputError)", Style(.statusError))])
        } else if let e = plan.error {
            line([(" \(g.error) cannot plan: \(e.message)", Style(.statusError))])
        } else if let outcome = applied {
            switch outcome {
            case .done: line([(" \(g.ok) applied; NEW and LAG-AFTER as read back from the group", Style(.statusOk))])
            case .partial(let t): line([(" \(g.warn) partly applied: \(t)", Style(.statusWarn))])
            case .failed(let t), .unsettled(let t): line([(" \(g.error) \(t)", Style(.statusError))])
            case .refused(let r): line([(" \(g.warn) not applied: \(r.reason)", Style(.statusWarn))])
            case .abandoned: line([(" \(g.warn) result unknown", Style(.statusWarn))])
            }
        } else if let p = plan.value, let blocked = p.blockedReason {
            line([(" \(g.warn) group has active members: Kafka will refuse. \(blocked)", Style(.statusWarn))])
        } else if plan.value != nil {
            line([(" Enter applies this plan (asks to confirm)", Style(.dim))])
        } else {
            pen.skip()
        }
        if let p = plan.value {
            var parts: [(String, Style)] = [(" " + p.summary, Style(.headerValue))]
            if !p.skipped.isEmpty {
                parts.append(("  \(g.warn) left unchanged: " + p.skipped.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
                    .joined(separator: ", "), Style(.statusWarn)))
            }
            for n in p.notes { parts.append(("  " + n, Style(.dim))) }
            line(parts)
        } else if plan.isLoading {
            line([(" Planning\(g.ellipsis)", Style(.dim))])
        }
        let table = tableArea(area)
        if plan.value == nil {
            return
        }
        rows.render(into: &buffer, area: table, context: context)
    }
}

/// The inputs a plan was made for.
public struct OffsetResetRequestKey: Sendable, Hashable {
    public var spec: OffsetResetSpec
    public var scope: OffsetResetScope
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
