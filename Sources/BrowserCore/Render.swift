import ClusterModel
import TerminalCore

/// Draws the whole screen: header, breadcrumbs with the data status, the current
/// screen in its frame, the hint bar or prompt, and overlays (help, confirm dialog).
/// Pure: the same state and size always give the same cells.
public func render(_ state: AppState, size: Size) -> CellBuffer {
    var buffer = CellBuffer(size: size)
    guard size.width > 0, size.height > 0 else { return buffer }
    if Layout.isTooSmall(size) {
        Chrome.tooSmall(state, size: size, into: &buffer)
        return buffer
    }
    if case .confirm(let intent, let dialog) = state.mode, !ConfirmDialog.isAnswerable(intent, dialog, size: size) {
        // A dialog whose target would be cut off is not drawn: it could not be answered anyway.
        Chrome.tooSmall(state, size: size, into: &buffer)
        return buffer
    }
    let layout = Layout(size: size)
    var ctx = state.screenContext
    ctx.area = layout.body
    let g = state.options.glyphs

    if let h = layout.header { Chrome.header(state, into: &buffer, area: h) }
    if let c = layout.crumbs { Chrome.crumbs(state, into: &buffer, area: c) }

    if case .help(let offset) = state.mode {
        Chrome.help(state, offset: offset, into: &buffer, layout: layout)
    } else {
        if layout.framed {
            var title = state.route.title
            let detail = state.current.titleDetail
            if !detail.isEmpty { title += " " + detail }
            var trailing: [String] = []
            if let f = state.activeFilter { trailing.append("/" + f.text) }
            if state.activeBindings.contains(where: { $0.action == .navigation(.sort) }) { trailing.append("o/O sort") }
            var trail = trailing.joined(separator: "  ")
            if DisplayWidth.of(title) + DisplayWidth.of(trail) + 10 > layout.panel.width { trail = trailing.first ?? "" }
            if DisplayWidth.of(title) + DisplayWidth.of(trail) + 10 > layout.panel.width { trail = "" }
            Frame(title: title, trailing: trail.isEmpty ? nil : trail)
                .render(into: &buffer, area: layout.panel, glyphs: g)
        }
        state.current.render(into: &buffer, area: layout.body, context: ctx)
        if layout.crumbs == nil, !layout.body.isEmpty {
            // No status row at this size: put a failure marker over the body's last line.
            if let (text, role) = Chrome.statusMarker(state.current.status, state: state), role != .dim {
                let y = layout.body.maxY - 1
                buffer.fill(Rect(x: layout.body.x, y: y, width: layout.body.width, height: 1))
                buffer.put(text, x: layout.body.x, y: y, style: Style(role), clip: layout.body)
            }
        }
    }

    if let f = layout.footer { Chrome.footer(state, into: &buffer, area: f) }

    if case .confirm(let intent, let dialog) = state.mode {
        ConfirmDialog.dialog(intent, dialog).render(into: &buffer, area: buffer.bounds, glyphs: g)
    }
    return buffer
}

enum Chrome {
    struct Segment {
        var parts: [(String, Role)]
        /// Higher survives longer when the row is too narrow.
        var priority: Int
        var width: Int { parts.reduce(0) { $0 + DisplayWidth.of($1.0) } }
    }

    /// Instead of a screen too cramped to read (or a confirmation whose target is cut off).
    static func tooSmall(_ state: AppState, size: Size, into buffer: inout CellBuffer) {
        let min = Layout.minimumSize
        var text = Layout.isTooSmall(size)
            ? "Terminal too small (\(size.width)x\(size.height)); needs \(min.width)x\(min.height)."
            : "Terminal too small (\(size.width)x\(size.height)) to show what the confirmation acts on."
        // What matters most comes first: little of it may fit.
        if case .confirm = state.mode { text = "Confirmation waiting: enlarge to answer, Esc cancels. " + text }
        let lines = TextLayout.wrap(text, width: size.width).prefix(size.height)
        let top = (size.height - lines.count) / 2
        let area = Rect(x: 0, y: 0, width: size.width, height: size.height)
        for (i, line) in lines.enumerated() {
            buffer.put(line, x: 0, y: top + i, style: Style(.statusWarn), clip: area)
        }
    }

    static func header(_ state: AppState, into buffer: inout CellBuffer, area: Rect) {
        let g = state.options.glyphs
        buffer.fill(area, with: Cell(" ", style: Style(.headerLabel)))
        var ident: [Segment] = []
        ident.append(Segment(parts: [("ctx ", .headerLabel), (state.options.contextName, .headerValue)], priority: 100))
        if state.options.readOnly { ident.append(Segment(parts: [("[read-only]", .statusWarn)], priority: 95)) }
        if let jump = state.options.jumpHost {
            ident.append(jumpHostSegment(jump, state.jumpHostLink, used: ident, width: area.width, glyphs: g))
        }
        var health: [(String, Role)] = []
        let ov = state.overview
        if let o = ov.value {
            ident.append(Segment(parts: [("cluster ", .headerLabel), (o.clusterId ?? "?", .headerValue)], priority: 10))
            let ctrl: String
            if let q = o.quorum.value { ctrl = String(q.leaderId) } else { ctrl = o.controllerId.map(String.init) ?? "none" }
            ident.append(Segment(parts: [("controller ", .headerLabel),
                                         (ctrl, o.controllerId == nil && o.quorum.value == nil ? .statusError : .headerValue)],
                                 priority: 20))
            ident.append(Segment(parts: [("brokers ", .headerLabel), (String(o.brokers.count), .headerValue)], priority: 60))
            func add(_ text: String, _ role: Role) {
                if !health.isEmpty { health.append(("  ", .headerLabel)) }
                health.append((text, role))
            }
            let down = o.brokers.filter { $0.error != nil }.count
            if down > 0 { add("\(g.error) \(down) broker\(down == 1 ? "" : "s") unreachable", .statusError) }
            if o.offlinePartitions > 0 { add("\(g.error) \(o.offlinePartitions) offline", .statusError) }
            if o.underReplicatedPartitions > 0 { add("\(g.warn) \(o.underReplicatedPartitions) URP", .statusWarn) }
            let imb = Int((o.leaderImbalance * 100).rounded())
            if imb >= 10 { add("\(g.warn) \(imb)% leader imbalance", .statusWarn) }
            // A kept overview says nothing about now: no green claim while the refresh fails.
            if health.isEmpty {
                if ov.error != nil { add("\(g.warn) health unknown", .statusWarn) } else { add("\(g.ok) healthy", .statusOk) }
            }
            if ov.error != nil {
                let since = ov.loadedAt.map { Format.clock($0, utcOffset: state.options.utcOffsetSeconds) } ?? "?"
                add("\(g.warn) stale since \(since)", .statusWarn)
            }
            if !o.errors.isEmpty { add("\(g.warn) \(o.errors.count) source error\(o.errors.count == 1 ? "" : "s")", .statusWarn) }
        } else if let e = ov.error {
            health.append(("\(g.error) cluster: \(e)", .statusError))
        } else {
            health.append(("cluster loading\(g.ellipsis)", .dim))
        }
        if area.height >= 2 {
            draw(ident, into: &buffer, row: Rect(x: area.x, y: area.y, width: area.width, height: 1), glyphs: g)
            draw([Segment(parts: health, priority: 90)], into: &buffer,
                 row: Rect(x: area.x, y: area.y + 1, width: area.width, height: 1), glyphs: g)
        } else {
            draw(ident + [Segment(parts: health, priority: 90)], into: &buffer, row: area, glyphs: g)
        }
    }

    /// "via ssh ops@bastion:2222 ✔ connected", or where that does not fit, the link's state first
    /// ("ssh ▲ reconnecting 3 ops@bas…"): on a narrow terminal whether the hop is up matters more
    /// than its name.
    static func jumpHostSegment(_ jump: String, _ link: JumpHostLink?, used: [Segment], width: Int, glyphs g: Glyphs) -> Segment {
        guard let link else { return Segment(parts: [("via ssh ", .headerLabel), (jump, .headerValue)], priority: 94) }
        let state: (String, Role)
        var why = ""
        switch link {
        case .connected: state = ("\(g.ok) connected", .statusOk)
        case .connecting(let n): state = (n > 1 ? "\(g.warn) connecting, attempt \(n)" : "connecting\(g.ellipsis)", n > 1 ? .statusWarn : .dim)
        case .reconnecting(let n): state = ("\(g.warn) reconnecting \(n)", .statusWarn)
        case .lost(let reason):
            state = ("\(g.error) lost", .statusError)
            why = reason
        }
        var wide = Segment(parts: [("via ssh ", .headerLabel), (jump, .headerValue), (" ", .headerLabel), state], priority: 94)
        let sepW = DisplayWidth.of(" \(g.vertical) ")
        let before = used.reduce(0) { $0 + $1.width + sepW } + 1
        guard before + wide.width > width else {
            if !why.isEmpty { wide.parts.append((": \(why)", .statusError)) }
            return wide
        }
        return Segment(parts: [("ssh ", .headerLabel), state, (" ", .headerLabel), (jump, .headerValue)], priority: 94)
    }

    /// Segments separated by bars; low-priority ones go first when the row is too narrow
    /// (those of priority 90 and up stay and are cut at the edge instead).
    static func draw(_ segments: [Segment], into buffer: inout CellBuffer, row: Rect, glyphs g: Glyphs) {
        var segs = segments
        let sep = " \(g.vertical) "
        let sepW = DisplayWidth.of(sep)
        func total(_ s: [Segment]) -> Int { s.reduce(0) { $0 + $1.width } + sepW * max(0, s.count - 1) + 1 }
        while total(segs) > row.width, let drop = segs.indices.filter({ segs[$0].priority < 90 })
            .min(by: { segs[$0].priority < segs[$1].priority }) {
            segs.remove(at: drop)
        }
        var x = row.x + 1
        let clip = Rect(x: row.x, y: row.y, width: max(0, row.width - 1), height: 1)
        for (i, s) in segs.enumerated() {
            if i > 0 { x += buffer.put(sep, x: x, y: row.y, style: Style(.dim), clip: clip) }
            for (text, role) in s.parts { x += buffer.put(text, x: x, y: row.y, style: Style(role), clip: clip) }
        }
        if total(segs) > row.width, row.width >= 2 {
            buffer.put(String(g.ellipsis), x: row.maxX - 1, y: row.y, style: Style(.dim), clip: row)
        }
    }

    /// "▲ stale since 12:01:02: timeout", "✖ error: ...", "loading…" or partial-result warnings.
    static func statusMarker(_ status: ViewStatus, state: AppState) -> (String, Role)? {
        let g = state.options.glyphs
        let offset = state.options.utcOffsetSeconds
        var marker: (String, Role)? = nil
        if let e = status.error {
            if status.hasData {
                let since = status.loadedAt.map { Format.clock($0, utcOffset: offset) } ?? "?"
                marker = ("\(g.warn) stale since \(since): \(e)", .statusWarn)
            } else {
                marker = ("\(g.error) error: \(e)", .statusError)
            }
        } else if let w = status.warnings.first {
            let more = status.warnings.count > 1 ? " (+\(status.warnings.count - 1) more)" : ""
            marker = ("\(g.warn) \(w.source): \(w.message)\(more)", .statusWarn)
        }
        if status.isLoading {
            guard let (text, role) = marker else { return ("loading\(g.ellipsis)", .dim) }
            return ("loading\(g.ellipsis) \(text)", role)
        }
        return marker
    }

    static func crumbs(_ state: AppState, into buffer: inout CellBuffer, area: Rect) {
        let g = state.options.glyphs
        var crumbArea = area
        if let (text, role) = statusMarker(state.current.status, state: state) {
            let maxW = max(0, area.width - min(area.width / 3, 24))
            let t = TextLayout.truncate(text, width: maxW, ellipsis: g.ellipsis)
            let w = DisplayWidth.of(t)
            buffer.put(t, x: area.maxX - w, y: area.y, style: Style(role), clip: area)
            crumbArea = Rect(x: area.x, y: area.y, width: max(0, area.width - w - 1), height: 1)
        }
        Breadcrumbs(state.routes.map(\.crumb)).render(into: &buffer, area: crumbArea, glyphs: g)
    }

    static func footer(_ state: AppState, into buffer: inout CellBuffer, area: Rect) {
        let g = state.options.glyphs
        switch state.mode {
        case .command(let editor, let error):
            let sugg = Updater.commandSuggestion(state, editor.text)
            Prompt(prefix: ":", editor: editor, suggestion: sugg, error: error).render(into: &buffer, area: area, glyphs: g)
            return
        case .filter(let editor, _, let error):
            Prompt(prefix: "/", editor: editor, suggestion: nil, error: error).render(into: &buffer, area: area, glyphs: g)
            return
        case .help:
            StatusBar(hints: [KeyHint(keyName: "Esc", "close help", priority: 10),
                              KeyHint(keyName: "j/k", "scroll", priority: 5)])
                .render(into: &buffer, area: area, glyphs: g)
            return
        case .confirm(let intent, _):
            StatusBar(hints: intent.typeName == nil
                      ? [KeyHint(keyName: "y", "confirm", priority: 10), KeyHint(keyName: "n", "cancel", priority: 9)]
                      : [KeyHint(keyName: "Enter", "confirm the typed name", priority: 10), KeyHint(keyName: "Esc", "cancel", priority: 9)])
                .render(into: &buffer, area: area, glyphs: g)
            return
        case .normal:
            break
        }
        if let n = state.note {
            let (symbol, role): (Character, Role) = switch n.level {
            case .info: (g.info, .statusInfo)
            case .warn: (g.warn, .statusWarn)
            case .error: (g.error, .statusError)
            }
            // A long note (a refusal naming its target) grows upward over the panel.
            let lines = TextLayout.wrap("\(symbol) \(n.text)", width: area.width)
            let count = min(lines.count, 3, area.y + 1)
            for (i, line) in lines.prefix(count).enumerated() {
                let row = Rect(x: area.x, y: area.y - (count - 1) + i, width: area.width, height: 1)
                buffer.fill(row, with: Cell(" ", style: Style(.hintText)))
                buffer.put(line, x: row.x, y: row.y, style: Style(role), clip: row)
            }
            return
        }
        StatusBar(hints: hints(state)).render(into: &buffer, area: area, glyphs: g)
    }

    static let hintPriority: [String: Int] = [
        "help": 100, "command": 90, "filter": 80, "open": 60, "back": 50, "refresh": 40, "sort": 30,
    ]

    static func hints(_ state: AppState) -> [KeyHint] {
        let own = Set(state.current.actions)
        let canGoBack = state.stack.count > 1 || state.activeFilter != nil
        return state.activeBindings.compactMap { b in
            guard let h = b.hint, let k = b.keys.first else { return nil }
            if b.action == .navigation(.back) && !canGoBack { return nil }
            let p = b.action.hintPriority ?? (own.contains(b.action) ? 70 : (hintPriority[b.name] ?? 20))
            return KeyHint(k, h, priority: p)
        }
    }

    static func help(_ state: AppState, offset: Int, into buffer: inout CellBuffer, layout: Layout) {
        let g = state.options.glyphs
        let area: Rect
        if layout.framed {
            area = Frame(title: "Help: \(state.route.title)", trailing: "Esc closes")
                .render(into: &buffer, area: layout.panel, glyphs: g)
        } else {
            area = layout.body
        }
        guard !area.isEmpty else { return }
        let lines = HelpContent.visualLines(for: state, width: area.width)
        for (i, line) in lines.dropFirst(max(0, offset)).prefix(area.height).enumerated() {
            var x = area.x
            for (text, style) in line {
                x += buffer.put(text, x: x, y: area.y + i, style: style, clip: area)
            }
        }
    }
}

/// Help is generated from the key tables and the command table, never written by hand.
enum HelpContent {
    enum Line: Hashable {
        case heading(String)
        case entry(String, String)
        case text(String)
    }

    static func lines(for state: AppState) -> [Line] {
        var out: [Line] = []
        let active = state.activeBindings
        let ownActions = Set(state.current.actions)
        let own = active.filter { ownActions.contains($0.action) }
        if !own.isEmpty {
            out.append(.heading("\(state.route.title) keys"))
            for b in own { out.append(.entry(b.keyLabel, b.description + (b.isWrite ? " (asks to confirm)" : ""))) }
        }
        out.append(.heading("Navigation"))
        for b in active where !ownActions.contains(b.action) && GlobalActions.navigation.contains(b.action) {
            out.append(.entry(b.keyLabel, b.description))
        }
        out.append(.heading("General"))
        for b in active where !ownActions.contains(b.action) && GlobalActions.general.contains(b.action) {
            out.append(.entry(b.keyLabel, b.description))
        }
        out.append(.heading("Commands (after :)"))
        for c in Commands.all { out.append(.entry(":" + c.usage, c.description)) }
        out.append(.heading("Notes"))
        out.append(.text("Filter: / then a regex, case-insensitive; a leading ! keeps non-matching rows."))
        out.append(.text("Sort: o picks the next column (arrow in the table header), O reverses."))
        out.append(.text("Marks: \(state.options.glyphs.error) offline/under-min-ISR/error, \(state.options.glyphs.warn) under-replicated/growing lag/imbalance."))
        if state.options.readOnly { out.append(.text("Read-only mode: every write is refused.")) }
        return out
    }

    /// Help laid out for `width` columns: keys in a column, descriptions wrapped beside them.
    static func visualLines(for state: AppState, width: Int) -> [[(String, Style)]] {
        guard width > 0 else { return [] }
        let lines = lines(for: state)
        // Keys get a column sized for ordinary labels; longer ones (command usages) take
        // their own line with the description below.
        var keyW = 0
        for case .entry(let k, _) in lines where DisplayWidth.of(k) <= 20 { keyW = max(keyW, DisplayWidth.of(k)) }
        keyW = min(keyW + 2, max(4, width / 3))
        let pad = String(repeating: " ", count: keyW)
        var out: [[(String, Style)]] = []
        for line in lines {
            switch line {
            case .heading(let t):
                out.append([(t, Style(.title, .bold))])
            case .entry(let k, let d):
                let wrapped = TextLayout.wrap(d, width: max(1, width - keyW))
                if DisplayWidth.of(k) + 2 > keyW {
                    out.append([(" " + k, Style(.hintKey))])
                    for part in wrapped { out.append([(pad, Style(.hintKey)), (part, Style(.hintText))]) }
                } else {
                    let key = TextLayout.fit(" " + k, width: keyW)
                    for (i, part) in wrapped.enumerated() {
                        out.append([(i == 0 ? key : pad, Style(.hintKey)), (part, Style(.hintText))])
                    }
                }
            case .text(let t):
                for part in TextLayout.wrap(t, width: max(1, width - 1)) { out.append([(" " + part, Style(.dim))]) }
            }
        }
        return out
    }
}
