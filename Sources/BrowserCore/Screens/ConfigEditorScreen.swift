import ClusterModel
import TerminalCore
import WriteFlow

/// The config editor of one config resource (issue 18): a topic, one broker, or the cluster-wide
/// broker default; nothing in it knows which. Every config with its value (sensitive ones masked),
/// source and read-only flag; changes are staged (set or delete a key), shown as a diff old -> new,
/// checked by the broker with validateOnly as soon as they change, and applied on ctrl-s through the
/// one write flow: IncrementalAlterConfigs only, a confirmation naming cluster and resource, one audit
/// line. The configs are then read again. Opened with `E` from the topic detail (and from the broker
/// detail); neither key nor screen exists in read-only mode.
public struct ConfigEditorScreen: Screen {
    public static let make: ScreenRegistry.Factory = { route in
        if case .editConfigs(let resource) = route { return ConfigEditorScreen(resource: resource) }
        return nil
    }

    /// One config as listed: what the resource has now and the change staged for it, if any.
    public struct Row: Sendable, Hashable {
        public var name: String
        /// nil: a key set from here that the resource does not list yet.
        public var entry: ConfigEntry?
        public var change: ConfigChange?
        public var isSensitive: Bool { ConfigDiff.isSensitive(name, entry: entry) }
    }

    public let resource: ConfigResource
    public var route: Route { .editConfigs(resource) }
    public private(set) var configs = Loadable<[ConfigEntry]>()
    /// Staged changes in the order they were made, one per key.
    public private(set) var staged: [ConfigChange] = []
    /// The broker's validateOnly answer, and the changes it answers (older answers are dropped).
    public private(set) var verdict = Loadable<ResourceOutcome>()
    public private(set) var verdictFor: [ConfigChange]?
    /// How the last apply ended (cleared by the next staged change).
    public private(set) var applied: WriteOutcome?
    /// The value being typed, and the key it is for (nil: a new key typed as KEY=VALUE).
    public private(set) var editor: LineEditor?
    public private(set) var editingKey: String?
    public private(set) var rows: ListModel<Row>

    public init(resource: ConfigResource) {
        self.resource = resource
        rows = ListModel(columns: Self.columns, sort: TableSort(column: 1), identity: { $0.name },
                         searchText: { r in "\(r.name) \(r.isSensitive ? "" : r.entry?.value ?? "")" })
        rows.emptyMessage = "No configs"
    }

    public var actions: [Action] { ConfigEditAction.allCases.map(Action.configEdit) }
    public var unusedGlobalActions: Set<Action> { [.navigation(.open)] }

    /// The diff of the staged changes against the configs as read (sensitive values masked).
    public var diff: [ConfigDiffLine] {
        ConfigDiff.lines(current: configs.value ?? [], changes: staged, resource: resource)
    }

    static let columns: [ListColumn<Row>] = [
        ListColumn(TableColumn("", priority: 95, width: 1), order: { ($0.change == nil) && ($1.change != nil) }) { r, _ in
            switch r.change {
            case .set?: return TableCell("~", role: .statusWarn)
            case .delete?: return TableCell("-", role: .statusError)
            // Set dynamically (on this resource or a broker level above it), not a default.
            case nil: return r.entry?.isDefault == false ? TableCell("*", role: .statusInfo) : TableCell("")
            }
        },
        ListColumn(TableColumn("NAME", minWidth: 12, maxWidth: 44, flex: 1, priority: 100), order: { $0.name < $1.name }) { r, _ in
            TableCell(r.name, role: r.change == nil ? .normal : .statusWarn)
        },
        ListColumn(TableColumn("VALUE", minWidth: 8, flex: 1, priority: 90)) { r, _ in
            guard let e = r.entry else { return TableCell("(not set)", role: .dim) }
            guard let v = ConfigDiff.display(e) else { return TableCell("-", role: .dim) }
            return TableCell(v, role: r.isSensitive ? .dim : .normal)
        },
        ListColumn(TableColumn("NEW", minWidth: 6, flex: 1, priority: 85, hiddenWhenEmpty: true)) { r, _ in
            switch r.change {
            case .set(_, let v)?: return TableCell(r.isSensitive ? ConfigDiff.masked : v, role: .statusWarn)
            case .delete?: return TableCell("(delete)", role: .statusError)
            case nil: return TableCell("")
            }
        },
        ListColumn(TableColumn("SOURCE", priority: 60, width: 22), order: { ($0.entry?.source.rawValue ?? "") < ($1.entry?.source.rawValue ?? "") }) { r, _ in
            TableCell(r.entry?.source.rawValue ?? "-", role: .dim)
        },
        ListColumn(TableColumn("RO", priority: 50, width: 2)) { r, _ in
            r.entry?.readOnly == true ? TableCell("ro", role: .dim) : TableCell("")
        },
    ]

    // MARK: Screen

    public mutating func load(context: ScreenContext) -> [Effect] {
        configs.begin()
        return [.load(.configs(resource))]
    }

    public mutating func leave() -> [Effect] { [.cancel(.configs), .cancel(.adminVerdict)] }

    public var status: ViewStatus { configs.status }

    public var titleDetail: String {
        if editor != nil { return "[editing]" }
        return staged.isEmpty ? "" : "[\(staged.count) staged]"
    }

    public mutating func input(_ key: Key, context: ScreenContext) -> [ScreenOutput]? {
        guard var e = editor else { return nil }
        if key == .ctrl("c") { return nil }
        switch key {
        case .enter:
            return commitEdit(e.text)
        case .escape:
            editor = nil
            editingKey = nil
            return []
        default:
            _ = e.handle(key)
            editor = e
            // Keys that are not editing keys do nothing while a value is typed (no navigation under it).
            return []
        }
    }

    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        let visible = tableRows(tableArea(context.area, context.glyphs))
        if rows.apply(action, visibleRows: visible) { return [] }
        guard case .perform(.configEdit(let a)) = action else { return [] }
        switch a {
        case .setConfig:
            guard let r = rows.selected else { return [.note("No config selected: a adds one as KEY=VALUE", .warn)] }
            if r.entry?.readOnly == true { return [.note("\(r.name) is read-only: the broker cannot change it dynamically", .warn)] }
            editingKey = r.name
            // Start from the staged value, else the current one (never a sensitive value: it is not known).
            var start = ""
            if case .set(_, let v)? = r.change { start = v } else if !r.isSensitive { start = r.entry?.value ?? "" }
            editor = LineEditor(text: start)
        case .addConfig:
            editingKey = nil
            editor = LineEditor()
        case .deleteConfig:
            guard let r = rows.selected else { return [] }
            guard let e = r.entry, ConfigDiff.isOwnLevel(e.source, of: resource) else {
                return [.note("\(r.name) is not set on \(resource) (\(r.entry?.source.rawValue ?? "not listed")): nothing to delete", .warn)]
            }
            if e.readOnly { return [.note("\(r.name) is read-only: the broker cannot change it dynamically", .warn)] }
            return stage(.delete(r.name))
        case .undoConfigChange:
            guard let r = rows.selected, r.change != nil else { return [.note("The selected config has no staged change", .info)] }
            staged.removeAll { $0.key == r.name }
            return stagedChanged()
        case .applyConfigChanges:
            return apply(context: context)
        }
        return []
    }

    /// Enter in the editor: the value (or KEY=VALUE) becomes a staged change.
    mutating func commitEdit(_ text: String) -> [ScreenOutput] {
        let change: ConfigChange
        if let key = editingKey {
            change = .set(key, text)
        } else {
            do {
                let s = try ConfigSetting.parse(text)
                if let e = configs.value?.first(where: { $0.name == s.key }), e.readOnly {
                    return [.note("\(s.key) is read-only: the broker cannot change it dynamically", .warn)]
                }
                change = .set(s.key, s.value)
            } catch {
                return [.note(LoadError(error).message, .error)]
            }
        }
        editor = nil
        editingKey = nil
        return stage(change)
    }

    mutating func stage(_ change: ConfigChange) -> [ScreenOutput] {
        if let i = staged.firstIndex(where: { $0.key == change.key }) { staged[i] = change } else { staged.append(change) }
        return stagedChanged()
    }

    /// After the staged set changed: new rows, and the broker's verdict on the new set (validateOnly).
    mutating func stagedChanged() -> [ScreenOutput] {
        applied = nil
        refreshRows()
        verdict = Loadable()
        verdictFor = nil
        if staged.isEmpty || diff.allSatisfy({ $0.kind == .unchanged }) { return [.effect(.cancel(.adminVerdict))] }
        verdictFor = staged
        verdict.begin()
        return [.effect(.load(.adminVerdict(.alterConfigs(resource, staged))))]
    }

    mutating func refreshRows(visible: Int = 20) {
        let byKey = Dictionary(staged.map { ($0.key, $0) }, uniquingKeysWith: { _, b in b })
        var out = (configs.value ?? []).map { Row(name: $0.name, entry: $0, change: byKey[$0.name]) }
        let listed = Set(out.map(\.name))
        for c in staged where !listed.contains(c.key) { out.append(Row(name: c.key, entry: nil, change: c)) }
        rows.setRows(out, visibleRows: visible)
    }

    /// The staged changes, once the broker accepted exactly these, become the write.
    mutating func apply(context: ScreenContext) -> [ScreenOutput] {
        if staged.isEmpty { return [.note("Nothing staged: e sets the selected config, a adds one, d deletes one", .info)] }
        let lines = diff
        if lines.allSatisfy({ $0.kind == .unchanged }) {
            return [.note("Nothing to change: " + lines.map(\.text).joined(separator: "; "), .info)]
        }
        guard verdictFor == staged, let v = verdict.value, !verdict.isLoading else {
            if let e = verdict.error, verdictFor == staged { return [.note("The broker could not check these changes: \(e.message)", .error)] }
            return [.note("Wait for the broker's verdict on these changes (validate-only)", .warn)]
        }
        if let refusal = v.refusal { return [.note("The broker refuses these changes: \(refusal)", .error)] }
        let description = AdminWriteWording.configChangeReady(
            AdminWriteWording.configChange(resource, location: "cluster \(context.options.contextName)"), lines: lines)
        return [.write(WriteRequest(description: description, steps: [.topicAdmin(.alterConfigs(resource, staged))],
                                    poll: .load(.configs(resource))))]
    }

    public mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] {
        let visible = tableRows(tableArea(context.area, context.glyphs))
        switch result {
        case .configs(let r, let answer) where r == resource:
            configs.apply(answer, at: time)
            refreshRows(visible: visible)
        case .adminVerdict(.alterConfigs(let r, let changes), let answer) where r == resource && changes == verdictFor:
            verdict.apply(answer, at: time)
        case .writeFinished(let outcome):
            applied = outcome
            // Applied: the staged changes are now the configs (read again by the write's poll).
            if outcome.succeeded {
                staged = []
                verdict = Loadable()
                verdictFor = nil
                refreshRows(visible: visible)
            }
        default:
            break
        }
        return []
    }

    // MARK: Drawing

    /// The rows above the table: the diff (at most a third of the body, none on a tiny terminal, where
    /// the list comes first), the verdict, and the edit line (the legend only where there is room).
    func layout(_ area: Rect, _ g: Glyphs) -> (diffRows: Int, verdictRows: Int, infoLine: Bool) {
        let diffRows = staged.isEmpty || area.height < 10 ? 0 : 1 + min(staged.count, max(1, area.height / 3))
        var verdictRows = 1
        if area.height >= 12, let (text, _) = verdictLine(g) {
            verdictRows = min(3, max(1, TextLayout.wrap(text, width: max(1, area.width - 1)).count))
        }
        return (diffRows, verdictRows, editor != nil || area.height >= 12)
    }

    func headerLines(_ area: Rect, _ g: Glyphs) -> Int {
        let l = layout(area, g)
        return min(area.height, l.diffRows + l.verdictRows + (l.infoLine ? 1 : 0))
    }

    func tableArea(_ area: Rect, _ g: Glyphs) -> Rect {
        area.splitTop(headerLines(area, g)).1
    }

    /// The broker's answer to the staged changes, what applying did, or what to do; nil: a blank row.
    func verdictLine(_ g: Glyphs) -> (String, Style)? {
        if let outcome = applied {
            switch outcome {
            case .done(let t): return (" \(g.ok) \(t); the configs below are read back", Style(.statusOk))
            case .failed(let t), .partial(let t), .unsettled(let t): return (" \(g.error) not applied: \(t)", Style(.statusError))
            case .refused(let r): return (" \(g.warn) not applied: \(r.reason)", Style(.statusWarn))
            case .abandoned: return (" \(g.warn) result unknown", Style(.statusWarn))
            }
        }
        if staged.isEmpty { return (" Nothing staged. e/Enter sets the selected config, a adds one (KEY=VALUE), d deletes one", Style(.dim)) }
        if diff.allSatisfy({ $0.kind == .unchanged }) { return (" \(g.warn) nothing would change", Style(.statusWarn)) }
        if verdict.isLoading { return (" Asking the broker (validate-only)\(g.ellipsis)", Style(.dim)) }
        if let e = verdict.error { return (" \(g.error) the broker could not check it: \(e.message)", Style(.statusError)) }
        guard let v = verdict.value else { return nil }
        if let refusal = v.refusal { return (" \(g.error) the broker refuses: \(refusal)", Style(.statusError)) }
        return (" \(g.ok) the broker would accept this (validate-only). ctrl-s applies it (asks to confirm)", Style(.statusOk))
    }

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        let g = context.glyphs
        var pen = LinePen(area, bottom: area.y + headerLines(area, g))
        func line(_ parts: [(String, Style)]) { pen.line(parts, into: &buffer) }
        let shape = layout(area, g)
        if shape.diffRows > 0 {
            let lines = diff
            let room = shape.diffRows - 1
            line([(" Changes to \(resource) (old -> new):", Style(.headerLabel))])
            for (i, l) in lines.enumerated() where i < room {
                if i == room - 1 && lines.count > room {
                    line([("   \(g.ellipsis) and \(lines.count - i) more", Style(.dim))])
                    break
                }
                let (mark, role): (String, Role) = {
                    switch l.kind {
                    case .added: return ("+", .statusOk)
                    case .changed: return ("~", .statusWarn)
                    case .removed: return ("-", .statusError)
                    case .unchanged: return ("=", .dim)
                    }
                }()
                line([("  \(mark) ", Style(role, .bold)), (l.text, Style(role))])
            }
        }
        // The verdict (the broker's own message may be long: wrapped over the rows the layout gave it).
        if let (text, style) = verdictLine(g) {
            for part in TextLayout.wrap(text, width: max(1, area.width - 1)).prefix(shape.verdictRows) {
                line([((part.hasPrefix(" ") ? "" : " ") + part, style)])
            }
        } else {
            pen.skip()
        }
        if let e = editor {
            let secret = ConfigDiff.isSensitive(editingKey ?? String(e.text.prefix { $0 != "=" }), entry: nil)
                || (editingKey.flatMap { k in rows.rows.first { $0.name == k } }?.isSensitive ?? false)
            let shown = secret ? Self.masked(e.text, keepKey: editingKey == nil) : e.text
            let label = editingKey.map { " Set \($0) = " } ?? " Add KEY=VALUE: "
            line([(label, Style(.tableSelected, .bold)), (shown + "_", Style(.tableSelected)),
                  ("  Enter stages it, Esc cancels", Style(.dim))])
        } else if shape.infoLine {
            line([(" \(resource) on cluster \(context.options.contextName)", Style(.headerValue)),
                  ("  * set dynamically  ~ change staged  - delete staged", Style(.dim))])
        }
        rows.render(into: &buffer, area: tableArea(area, g), context: context)
    }

    /// A sensitive value as typed: one `*` per character (after `KEY=` when the key is typed too).
    static func masked(_ text: String, keepKey: Bool) -> String {
        guard keepKey, let eq = text.firstIndex(of: "=") else { return String(repeating: "*", count: text.count) }
        return String(text[...eq]) + String(repeating: "*", count: text[text.index(after: eq)...].count)
    }
}
