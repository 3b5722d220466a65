import ClusterModel
import TerminalCore

/// Live tail of one topic: a table of the newest records (time, partition, offset, key,
/// value preview) over a bounded ring buffer, with pause (the view freezes while records
/// keep arriving), follow, the `/` filter on key/value/headers and rates overall and per
/// partition. Enter pushes the record viewer (`TailRecordScreen`) over the selected record of
/// this buffer; the tail keeps running and this list keeps receiving records under it.
/// `m` / `M` cycle how values / keys are decoded. `e` exports the records shown (as filtered) to a
/// JSONL file: the path is asked on a line of this screen, the file is written off the UI thread
/// with a progress line, and the line then names the file and the count.
public struct TailScreen: Screen {
    public static let make: ScreenRegistry.Factory = { route in
        if case .tail(let topic) = route { return TailScreen(topic: topic) }
        return nil
    }

    public let topic: String
    public var route: Route { .tail(topic: topic) }
    /// Records stay in arrival order.
    public var unusedGlobalActions: Set<Action> { [.navigation(.sort), .navigation(.sortReverse)] }

    public private(set) var ring: TailRing?
    /// Sequence numbers of the records that pass the filter (nil: no filter).
    public private(set) var matches: [Int]?
    public private(set) var rowFilter: RowFilter?
    /// How many times a filter was run over the buffer (tests count it instead of timing keys).
    public private(set) var filterPasses = 0
    /// The view is frozen at `viewEnd` (records at or after it are buffered, not shown).
    public private(set) var paused = false
    public private(set) var viewEnd = 0
    /// The cursor sticks to the newest row.
    public private(set) var follow = true
    public private(set) var scroll = ScrollState()
    public private(set) var keyMode: PayloadMode = .auto
    public private(set) var valueMode: PayloadMode = .auto
    public private(set) var rates = TailRates()
    /// Latest notices from the tail (offset reset, partitions added), newest last.
    public private(set) var notices: [String] = []
    public private(set) var caughtUp = false
    public private(set) var received = 0
    public private(set) var receivedBytes = 0
    public private(set) var lastAt: Double?
    /// The tail stopped: with the error, or nil error when it ended normally.
    public private(set) var ended: LoadError??
    public private(set) var endedAt: Double?
    private var starts = 0
    /// A tail stream runs for this screen (started by `load`, stopped by `leave` or its end).
    private var running = false

    /// The export of the records shown to a file: where it stands.
    public enum ExportState: Sendable, Hashable {
        /// Typing the path (Enter writes, Esc cancels).
        case askingPath(LineEditor)
        /// The file exists: y replaces it, n or Esc goes back to the path.
        case askingOverwrite(path: String, LineEditor)
        case writing(path: String, written: Int, total: Int)
        case done(path: String, records: Int, bytes: Int)
        case failed(String)
    }
    public private(set) var export: ExportState?
    /// The records the export writes, taken when `e` was pressed (what the list showed then).
    public private(set) var exportSet: [TailRecord] = []
    /// The list was filtered when `e` was pressed.
    private var exportFiltered = false

    public init(topic: String) {
        self.topic = topic
    }

    // MARK: Keys

    public var actions: [Action] { TailAction.allCases.map(Action.tail) }

    // MARK: Lifecycle

    public mutating func load(context: ScreenContext) -> [Effect] {
        if ring == nil {
            ring = TailRing(capacity: context.options.tailBufferSize, maxBytes: context.options.tailBufferBytes)
        }
        // Auto-refresh and `r` come here too: a running tail is left alone.
        if running { return [] }
        running = true
        // After a failure this is a retry (status shows why); after leaving, say what was missed.
        if starts > 0, ended == nil {
            addNotice("Tail restarted at the end of each partition; records produced meanwhile are not shown")
        }
        starts += 1
        ended = nil
        endedAt = nil
        caughtUp = false
        return [.startTail(TailOptions(topic: topic, start: .end))]
    }

    public mutating func leave() -> [Effect] {
        running = false
        // An export being written goes on (it is not cancelled): the app tells how it ended on
        // whatever screen shows then. This screen, if recalled, is a new requester that would never
        // hear of it, so it forgets it rather than showing "Exporting" for ever.
        if case .writing = export {
            export = nil
            exportSet = []
        }
        return [.stopTail]
    }

    /// The record viewer keeps the tail running: this list goes on receiving records under it.
    public mutating func covered(by route: Route) -> [Effect] {
        if case .record = route { return [] }
        return leave()
    }

    /// The record viewer over the selected record of this buffer.
    public func child(for route: Route) -> (any Screen)? {
        guard case .record(let t, let p, let o) = route, t == topic, let s = seq(atRow: scroll.cursor),
              let r = ring?.record(s), r.partition == p, r.offset == o else { return nil }
        return TailRecordScreen(seq: s, record: r, keyMode: keyMode, valueMode: valueMode)
    }

    private mutating func addNotice(_ text: String) {
        notices.append(text.sanitizedForTerminal)
        if notices.count > 5 { notices.removeFirst(notices.count - 5) }
    }

    // MARK: View rows

    /// Rows in the view (filtered, and frozen when paused).
    public var rowCount: Int {
        guard let ring else { return 0 }
        let end = paused ? viewEnd : ring.endSeq
        if let m = matches { return Self.countBelow(m, end) }
        return max(0, end - ring.startSeq)
    }

    /// Records buffered after the frozen view (paused), that pass the filter.
    public var pendingCount: Int {
        guard paused, let ring else { return 0 }
        if let m = matches { return m.count - Self.countBelow(m, viewEnd) }
        return max(0, ring.endSeq - viewEnd)
    }

    func seq(atRow i: Int) -> Int? {
        guard let ring, i >= 0, i < rowCount else { return nil }
        if let m = matches { return m[i] }
        return ring.startSeq + i
    }

    func recordAt(row i: Int) -> TailRecord? { seq(atRow: i).flatMap { ring?.record($0) } }

    /// Elements of sorted `a` below `limit`.
    static func countBelow(_ a: [Int], _ limit: Int) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < limit { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Where the table goes: below the summary, rates and notice lines when there is room.
    func layout(_ area: Rect) -> (summary: Int?, partitions: Int?, notice: Int?, export: Int?, table: Rect) {
        var rest = area
        var summary: Int?, partitions: Int?, notice: Int?, export: Int?
        if rest.height >= 3 { summary = rest.y; rest = rest.splitTop(1).1 }
        // The export's prompt or progress comes before anything optional: it is what the user is doing.
        if self.export != nil && rest.height >= 2 { export = rest.y; rest = rest.splitTop(1).1 }
        if rest.height >= 8 { partitions = rest.y; rest = rest.splitTop(1).1 }
        if !notices.isEmpty && rest.height >= 6 { notice = rest.y; rest = rest.splitTop(1).1 }
        return (summary, partitions, notice, export, rest)
    }

    func visibleRows(_ context: ScreenContext) -> Int { tableRows(layout(context.area).table) }

    // MARK: Actions

    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        let visible = visibleRows(context)
        switch action {
        case .navigate(let n):
            let count = rowCount
            scroll.apply(n, count: count, visible: visible)
            // Moving off the newest row stops following; G / End resumes it.
            follow = n == .bottom || (follow && scroll.cursor >= count - 1)
        case .open:
            guard let s = seq(atRow: scroll.cursor), let rec = ring?.record(s) else {
                return [.note("No record selected", .info)]
            }
            return [.open(.record(topic: topic, partition: rec.partition, offset: rec.offset))]
        case .sortNext, .sortReverse:
            return [.note("The tail is in arrival order", .info)]
        case .perform(.tail(.pauseView)):
            paused.toggle()
            if paused {
                viewEnd = ring?.endSeq ?? 0
                return [.note("Paused: new records are buffered, not shown (space resumes)", .info)]
            }
            if follow { scroll.toBottom(count: rowCount, visible: visible) }
            scroll.clamp(count: rowCount, visible: visible)
            return [.note("Resumed", .info)]
        case .perform(.tail(.follow)):
            follow.toggle()
            if follow { scroll.toBottom(count: rowCount, visible: visible) }
            return [.note(follow ? "Following the newest record" : "Follow off", .info)]
        case .perform(.tail(.valueMode)), .perform(.tail(.keyMode)):
            cycleMode(action == .perform(.tail(.valueMode)))
            return [.note("Key: \(keyMode.rawValue), value: \(valueMode.rawValue)", .info)]
        case .perform(.tail(.export)):
            return beginExport(context: context)
        case .perform:
            break
        }
        return []
    }

    private mutating func cycleMode(_ value: Bool) {
        if value { valueMode = valueMode.next } else { keyMode = keyMode.next }
    }

    // MARK: Export

    /// `e`: the records shown now (filtered, frozen when paused) are the ones written.
    mutating func beginExport(context: ScreenContext) -> [ScreenOutput] {
        if case .writing = export { return [.note("An export is being written; wait for it to finish", .info)] }
        let rows = rowCount
        guard rows > 0 else { return [.note("No records to export", .info)] }
        exportSet = (0..<rows).compactMap { recordAt(row: $0) }
        exportFiltered = matches != nil
        export = .askingPath(LineEditor(text: Self.defaultExportPath(topic: topic, now: context.now,
                                                                   utcOffset: context.options.utcOffsetSeconds)))
        return []
    }

    /// `orders-20251121-130000.jsonl` (local time), in the directory kafscope was started in.
    static func defaultExportPath(topic: String, now: Double, utcOffset: Int) -> String {
        let stamp = PayloadFormat.timestamp(Int64(now * 1000), utcOffset: utcOffset).prefix(19)
            .replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
            .replacingOccurrences(of: " ", with: "-")
        return "\(topic)-\(stamp).jsonl"
    }

    /// While the export asks for a path or an overwrite, keys go to it (ctrl-c still quits).
    public mutating func input(_ key: Key, context: ScreenContext) -> [ScreenOutput]? {
        guard key != .ctrl("c") else { return nil }
        switch export {
        case .askingPath(var editor):
            switch editor.handle(key) {
            case .submit:
                let path = ProduceComposerScreen.trim(editor.text)
                guard !path.isEmpty else { return [.note("Type the file to write", .error)] }
                // An earlier export (from a tail since left) still writes it: replacing it now would
                // interleave two exports in one file.
                if context.exportsWriting.contains(path) {
                    export = .askingPath(editor)
                    return [.note("\(path.sanitizedForTerminal) is still being written by an earlier export; choose another file", .error)]
                }
                return startExport(path, overwrite: false)
            case .cancel:
                export = nil
                exportSet = []
                return [.note("Export cancelled", .info)]
            default:
                export = .askingPath(editor)
                return []
            }
        case .askingOverwrite(let path, let editor):
            switch key {
            case .character("y"), .character("Y"):
                return startExport(path, overwrite: true)
            case .character("n"), .character("N"), .escape:
                export = .askingPath(editor)
                return []
            default:
                return []
            }
        default:
            return nil
        }
    }

    private mutating func startExport(_ path: String, overwrite: Bool) -> [ScreenOutput] {
        export = .writing(path: path, written: 0, total: exportSet.count)
        return [.effect(.exportRecords(RecordExport(path: path, records: exportSet, overwrite: overwrite)))]
    }

    private mutating func exported(_ result: Result<RecordExportEvent, LoadError>) -> [ScreenOutput] {
        switch result {
        case .success(.progress(let written, let total)):
            if case .writing(let path, _, _) = export { export = .writing(path: path, written: written, total: total) }
        case .success(.exists(let path)):
            let typed: String
            if case .writing(let p, _, _) = export { typed = p } else { typed = path }
            export = .askingOverwrite(path: typed, LineEditor(text: typed))
        case .success(.finished(let path, let records, let bytes)):
            export = .done(path: path, records: records, bytes: bytes)
            exportSet = []
            return ExportReport.final(result).map { [.note($0.text, $0.level)] } ?? []
        case .failure(let e):
            export = .failed(e.message)
            exportSet = []
            return ExportReport.final(result).map { [.note($0.text, $0.level)] } ?? []
        }
        return []
    }

    /// The export's line: the prompt, the progress, or how the last export ended.
    func exportLine(_ g: Glyphs) -> (String, Role)? {
        let what = "\(Format.count(exportSet.count)) record\(exportSet.count == 1 ? "" : "s")\(exportFiltered ? " (filtered)" : "")"
        switch export {
        case nil: return nil
        case .askingPath(let e):
            return ("Export \(what) to: \(e.text.sanitizedForTerminal)_   Enter writes, Esc cancels", .statusInfo)
        case .askingOverwrite(let path, _):
            return ("\(g.warn) Export: \(path.sanitizedForTerminal) exists: overwrite it? y/n", .statusWarn)
        case .writing(let path, let written, let total):
            return ("Exporting \(Format.count(written))/\(Format.count(total)) records to \(path.sanitizedForTerminal)\(g.ellipsis)",
                    .statusInfo)
        case .done(let path, let records, let bytes):
            return ("\(g.ok) Exported \(Format.count(records)) records (\(Format.bytes(Int64(bytes)))) to \(path.sanitizedForTerminal)",
                    .statusOk)
        case .failed(let message):
            return ("\(g.error) Export failed: \(message.sanitizedForTerminal)", .statusError)
        }
    }

    // MARK: Results

    public mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] {
        switch result {
        case .tail(.records(let records)):
            // Only this screen's own tail reaches it (results are addressed), so no topic check.
            guard !records.isEmpty else { return [] }
            add(records, at: time, context: context)
        case .tail(.notice(let text)):
            addNotice(text)
            lastAt = time
            return [.note(text.sanitizedForTerminal, .warn)]
        case .tail(.caughtUp):
            caughtUp = true
            lastAt = time
        case .tail(.recovered):
            // Fetching works again: the errors on the status line are over.
            notices.removeAll()
            lastAt = time
        case .tailEnded(let error):
            running = false
            ended = .some(error)
            endedAt = time
        case .exported(let r):
            return exported(r)
        default:
            break
        }
        return []
    }

    mutating func add(_ records: [TailRecord], at time: Double, context: ScreenContext) {
        if ring == nil {
            ring = TailRing(capacity: context.options.tailBufferSize, maxBytes: context.options.tailBufferBytes)
        }
        guard var ring else { return }
        let visible = visibleRows(context)
        let oldStart = ring.startSeq
        let matcher = rowFilter.flatMap { try? $0.compile() }
        for r in records {
            let s = ring.endSeq
            ring.append(r)
            if let matcher, matches != nil {
                let text = PayloadFormat.searchText(r)
                if matcher.matches(lowered: text.lowercased(), original: text) { matches!.append(s) }
            }
            received += 1
            receivedBytes += r.size
        }
        // Rows that fell out of the front shift the cursor with them.
        var shift = 0
        if ring.startSeq > oldStart {
            if var m = matches {
                shift = Self.countBelow(m, ring.startSeq)
                m.removeFirst(shift)
                matches = m
            } else {
                shift = ring.startSeq - oldStart
            }
            if paused && viewEnd < ring.startSeq { viewEnd = ring.startSeq }
        }
        self.ring = ring
        rates.add(records, at: time)
        lastAt = time
        if shift > 0 {
            scroll.cursor -= shift
            scroll.offset -= shift
        }
        let count = rowCount
        if follow && !paused {
            scroll.toBottom(count: count, visible: visible)
        } else {
            scroll.clamp(count: count, visible: visible)
        }
    }

    // MARK: Filter

    public var filter: RowFilter? { rowFilter }

    public mutating func setFilter(_ filter: RowFilter?, context: ScreenContext) -> String? {
        let visible = visibleRows(context)
        let selected = seq(atRow: scroll.cursor)
        guard let f = filter, !f.isEmpty || f.isInverted else {
            rowFilter = nil
            matches = nil
            reposition(selected, visible: visible)
            return nil
        }
        let matcher: RowMatcher
        do { matcher = try f.compile() } catch { return error.message }
        rowFilter = f
        filterPasses += 1
        var m: [Int] = []
        if let ring {
            for s in ring.startSeq..<ring.endSeq {
                guard let r = ring.record(s) else { continue }
                let text = PayloadFormat.searchText(r)
                if matcher.matches(lowered: text.lowercased(), original: text) { m.append(s) }
            }
        }
        matches = m
        reposition(selected, visible: visible)
        return nil
    }

    /// Keeps the cursor on the record it was on (or the next one shown), or at the bottom when following.
    private mutating func reposition(_ selected: Int?, visible: Int) {
        let count = rowCount
        if follow || selected == nil {
            scroll.toBottom(count: count, visible: visible)
            return
        }
        if let m = matches {
            scroll.cursor = min(Self.countBelow(m, selected!), max(0, count - 1))
        } else if let ring {
            scroll.cursor = selected! - ring.startSeq
        }
        scroll.clamp(count: count, visible: visible)
    }

    // MARK: Status

    public var status: ViewStatus {
        let err: String?
        if case .some(.some(let e)) = ended { err = e.message } else { err = nil }
        // A tail that failed before hearing anything (no such topic) has nothing stale to show.
        return ViewStatus(isLoading: false, hasData: lastAt != nil, loadedAt: lastAt, error: err, failedAt: endedAt)
    }

    public var titleDetail: String {
        guard let ring else { return "" }
        if matches != nil { return "[\(Format.count(rowCount))/\(Format.count(ring.count))]" }
        return "[\(Format.count(ring.count))]"
    }

    // MARK: Drawing

    static let columns: [TableColumn] = [
        TableColumn("TIME", priority: 70, width: 12),
        TableColumn("P", alignment: .right, priority: 90, width: 3),
        TableColumn("OFFSET", minWidth: 6, maxWidth: 12, alignment: .right, priority: 80),
        TableColumn("KEY", minWidth: 3, maxWidth: 24, priority: 85),
        TableColumn("VALUE", minWidth: 5, flex: 1, priority: 100),
    ]

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        guard !area.isEmpty else { return }
        let g = context.glyphs
        let l = layout(area)
        if let y = l.summary {
            var line = SummaryLine()
            if case .some(let e) = ended {
                line.add("", e.map { "\(g.error) stopped: \($0.message)" } ?? "stopped (r restarts)",
                         role: e == nil ? .dim : .statusError)
            } else if paused {
                line.add("", "PAUSED", role: .statusWarn)
                line.add("new", Format.count(pendingCount), role: .statusWarn)
            } else {
                line.add("", caughtUp || received > 0 ? "\(g.ok) LIVE" : "starting\(g.ellipsis)",
                         role: caughtUp || received > 0 ? .statusOk : .dim)
            }
            if follow { line.add("", "follow", role: .statusInfo) }
            let rate = rates.rates(at: context.now).total
            line.add("rate", "\(Format.oneDecimal(rate.records))/s \(Format.bytes(Int64(rate.bytes)))/s")
            line.add("recv", Format.count(received))
            if let ring, ring.dropped > 0 {
                line.add("", "\(g.warn) \(Format.count(ring.dropped)) dropped (buffer \(Format.count(ring.capacity)))",
                         role: .statusWarn)
            }
            line.add("key", keyMode.rawValue)
            line.add("value", valueMode.rawValue)
            line.render(into: &buffer, x: area.x, y: y, width: area.width)
        }
        if let y = l.partitions {
            var line = SummaryLine()
            let per = rates.rates(at: context.now).partitions
            if per.isEmpty {
                line.add("", "no records in the last \(Int(TailRates.window))s", role: .dim)
            }
            for (p, r) in per {
                line.add("p\(p)", "\(Format.oneDecimal(r.records))/s \(Format.bytes(Int64(r.bytes)))/s")
            }
            line.render(into: &buffer, x: area.x, y: y, width: area.width)
        }
        if let y = l.export, let (text, role) = exportLine(g) {
            buffer.put(TextLayout.truncate(text, width: area.width, ellipsis: g.ellipsis), x: area.x, y: y,
                       style: Style(role), clip: area)
        }
        if let y = l.notice, let last = notices.last {
            let text = "\(g.warn) \(last)" + (notices.count > 1 ? " (+\(notices.count - 1) earlier)" : "")
            buffer.put(TextLayout.truncate(text, width: area.width, ellipsis: g.ellipsis), x: area.x, y: y,
                       style: Style(.statusWarn), clip: area)
        }
        let count = rowCount
        let utc = context.options.utcOffsetSeconds
        let ring = self.ring
        let matches = self.matches
        let start = ring?.startSeq ?? 0
        let keyMode = self.keyMode, valueMode = self.valueMode
        var table = Table(columns: Self.columns, rowCount: count) { row, col in
            let s = matches.map { $0[row] } ?? start + row
            guard let r = ring?.record(s) else { return TableCell("") }
            switch col {
            case 0: return TableCell(PayloadFormat.time(r.timestamp, utcOffset: utc), role: .dim)
            case 1: return TableCell(String(r.partition))
            case 2: return TableCell(String(r.offset))
            case 3: return DecodedPayloadText.preview(r.key, decoded: r.decodedKey, mode: keyMode)
            default: return DecodedPayloadText.preview(r.value, decoded: r.decodedValue, mode: valueMode)
            }
        }
        table.measureSample = 50
        if rowFilter != nil {
            table.emptyMessage = "No buffered record matches the filter"
        } else if case .some = ended {
            table.emptyMessage = "No records"
        } else {
            table.emptyMessage = caughtUp ? "Waiting for new records on \(topic)\(g.ellipsis)"
                : "Starting the tail of \(topic)\(g.ellipsis)"
        }
        table.render(into: &buffer, area: l.table, state: scroll, glyphs: g)
    }
}
