import ClusterModel
import TerminalCore

/// The one place state changes: applies a message and returns the effects to run.
/// Pure: no I/O, no clocks (time arrives in messages).
public func update(_ state: inout AppState, _ message: Message) -> [Effect] {
    var effects: [Effect] = []
    Updater.apply(&state, message, &effects)
    // One job per request: duplicates (e.g. overview for header and screen) run once.
    var seen: [Effect] = []
    for e in effects where !seen.contains(e) { seen.append(e) }
    return seen
}

enum Updater {
    static func apply(_ state: inout AppState, _ message: Message, _ effects: inout [Effect]) {
        switch message {
        case .start(let now):
            state.now = now
            state.touch()
            refresh(&state, &effects, automatic: false)
        case .tick(let now):
            state.now = max(state.now, now)
            if let n = state.note, state.now >= n.until {
                state.note = nil
                state.touch()
            }
            if let due = state.nextRefreshAt, state.options.refreshInterval > 0, state.now >= due {
                refresh(&state, &effects, automatic: true)
            }
        case .resize(let size):
            state.size = size
            state.touch()
        case .key(let key):
            state.touch()
            handleKey(&state, key, &effects)
        case .keys(let keys):
            state.touch()
            for (i, key) in keys.enumerated() where !state.isFinished {
                handleKey(&state, key, &effects, deferFilter: i + 1 < keys.count)
            }
        case .loaded(let result, let at):
            state.now = max(state.now, at)
            state.touch()
            receive(&state, result, at: at, &effects)
        case .open(let route):
            state.touch()
            push(&state, route, &effects)
        case .command(let line):
            state.touch()
            runCommand(&state, line, &effects)
        }
    }

    // MARK: Loading

    /// Loads the header and the current screen; automatic refreshes skip what is still
    /// loading so a slow cluster is never cancelled over and over.
    static func refresh(_ state: inout AppState, _ effects: inout [Effect], automatic: Bool) {
        if state.options.refreshInterval > 0 {
            state.nextRefreshAt = state.now + state.options.refreshInterval
        }
        if !(automatic && state.overview.isLoading) {
            state.overview.begin()
            effects.append(.load(.overview))
        }
        let ctx = state.screenContext
        var screenEffects: [Effect] = []
        if !(automatic && state.current.status.isLoading) {
            screenEffects = state.stack[state.stack.count - 1].load(context: ctx)
            effects += screenEffects
            if automatic { state.touch() }
        }
        if state.options.sampleLagInBackground, !state.sampling, !screenEffects.contains(.load(.groups)),
           !(automatic && state.current.route == .groups) {
            state.sampling = true
            effects.append(.load(.groups))
        }
    }

    static func loadCurrent(_ state: inout AppState, _ effects: inout [Effect]) {
        let ctx = state.screenContext
        effects += state.stack[state.stack.count - 1].load(context: ctx)
    }

    /// Effects for leaving a screen; keeps the app's own flags in step with cancels.
    static func leave(_ state: inout AppState, _ screen: any Screen, _ effects: inout [Effect]) {
        let leaving = screen.leaveEffects()
        for e in leaving {
            if case .cancel(.groups) = e { state.sampling = false }
            if case .cancel(.overview) = e { state.overview.isLoading = false }
        }
        effects += leaving
    }

    // MARK: Navigation

    static func push(_ state: inout AppState, _ route: Route, _ effects: inout [Effect]) {
        if route == state.route { return }
        leave(&state, state.current, &effects)
        state.stack.append(state.recalled(route) ?? ScreenRegistry.screen(for: route))
        loadCurrent(&state, &effects)
    }

    static func pop(_ state: inout AppState, _ effects: inout [Effect]) {
        guard state.stack.count > 1 else {
            note(&state, "Top of \(state.route.crumb): use : to switch views, :q to quit", .info)
            return
        }
        let left = state.stack.removeLast()
        leave(&state, left, &effects)
        state.remember(left)
        loadCurrent(&state, &effects)
    }

    /// Command-mode jumps start a new stack (k9s style), with the list under a detail.
    static func go(_ state: inout AppState, _ route: Route, _ effects: inout [Effect]) {
        if state.stack.count == 1 && state.route == route {
            refresh(&state, &effects, automatic: false)
            return
        }
        for s in state.stack.reversed() {
            leave(&state, s, &effects)
            state.remember(s)
        }
        var stack: [any Screen] = []
        if let p = route.parent { stack.append(state.recalled(p) ?? ScreenRegistry.screen(for: p)) }
        stack.append(state.recalled(route) ?? ScreenRegistry.screen(for: route))
        state.stack = stack
        loadCurrent(&state, &effects)
    }

    // MARK: Keys

    static func handleKey(_ state: inout AppState, _ key: Key, _ effects: inout [Effect], deferFilter: Bool = false) {
        if key == .resize { return }
        switch state.mode {
        case .confirm(let intent, var dialog):
            guard let outcome = dialog.handle(key, buttonCount: 2) else {
                state.mode = .confirm(intent, dialog)
                return
            }
            // Too small to show the dialog: only a cancel is taken, never a blind yes.
            if Layout.isTooSmall(state.size), outcome == .chosen(0) { return }
            state.mode = .normal
            if outcome == .chosen(0) {
                note(&state, "Sent: \(intent.action) \(intent.target)", .info)
                effects.append(intent.effect)
            } else {
                note(&state, "Cancelled: \(intent.action) \(intent.target)", .info)
            }
        case .help(let offset):
            let body = Layout(size: state.size).body
            let lines = HelpContent.visualLines(for: state, width: body.width).count
            let visible = max(1, body.height)
            let maxOffset = max(0, lines - visible)
            var o = offset
            switch key {
            case .escape, .character("?"), .character("q"), .enter, .ctrl("c"):
                state.mode = .normal
                return
            case .up, .character("k"): o -= 1
            case .down, .character("j"): o += 1
            case .pageUp, .ctrl("b"): o -= max(1, visible - 1)
            case .pageDown, .ctrl("f"): o += max(1, visible - 1)
            case .home, .character("g"): o = 0
            case .end, .character("G"): o = maxOffset
            default: return
            }
            state.mode = .help(offset: min(max(0, o), maxOffset))
        case .command(var editor, _):
            switch key == .ctrl("c") ? .cancel : editor.handle(key) {
            case .submit:
                state.mode = .normal
                runCommand(&state, editor.text, &effects)
            case .cancel:
                state.mode = .normal
            case .complete:
                if let s = commandSuggestion(state, editor.text) { editor.set(s) }
                state.mode = .command(editor, error: nil)
            case .edited, .moved, .ignored:
                state.mode = .command(editor, error: nil)
            }
        case .filter(var editor, let previous, var error):
            let ctx = state.screenContext
            let before = editor.text
            let outcome = key == .ctrl("c") ? .cancel : editor.handle(key)
            if outcome == .edited && deferFilter {
                state.filterPending = true
                state.mode = .filter(editor, previous: previous, error: error)
                return
            }
            if state.filterPending {
                // Catch the rows up with the text as it was before this key.
                state.filterPending = false
                if outcome != .edited {
                    error = state.stack[state.stack.count - 1].setFilter(RowFilter(before), context: ctx)
                }
            }
            switch outcome {
            case .submit:
                state.mode = error == nil ? .normal : .filter(editor, previous: previous, error: error)
            case .cancel:
                _ = state.stack[state.stack.count - 1].setFilter(previous, context: ctx)
                state.mode = .normal
            case .edited:
                let err = state.stack[state.stack.count - 1].setFilter(RowFilter(editor.text), context: ctx)
                state.mode = .filter(editor, previous: previous, error: err)
            case .moved, .complete, .ignored:
                state.mode = .filter(editor, previous: previous, error: error)
            }
        case .normal:
            normalKey(&state, key, &effects)
        }
    }

    static func normalKey(_ state: inout AppState, _ key: Key, _ effects: inout [Effect]) {
        guard let binding = state.activeBindings.first(where: { $0.matches(key) }) else {
            if let w = state.removedWrite(for: key) {
                // Nothing reaches the screen: the action does not exist in read-only mode.
                let what = w.help.prefix(1).lowercased() + w.help.dropFirst()
                note(&state, "Read-only mode: \(key.displayName) would \(what); writes are off", .error)
            }
            return
        }
        switch binding.action {
        case .navigation(let n):
            if let move = n.movement { screenAction(&state, .navigate(move), &effects); return }
            switch n {
            case .open: screenAction(&state, .open, &effects)
            case .sort: screenAction(&state, .sortNext, &effects)
            case .sortReverse: screenAction(&state, .sortReverse, &effects)
            case .back:
                if state.current.filter != nil {
                    _ = state.stack[state.stack.count - 1].setFilter(nil, context: state.screenContext)
                } else {
                    pop(&state, &effects)
                }
            case .up, .down, .pageUp, .pageDown, .top, .bottom: break
            }
        case .general(let g):
            switch g {
            case .command: state.mode = .command(LineEditor(), error: nil)
            case .filter:
                let current = state.current.filter
                state.mode = .filter(LineEditor(text: current?.text ?? ""), previous: current, error: nil)
            case .help: state.mode = .help(offset: 0)
            case .refresh: refresh(&state, &effects, automatic: false)
            case .quit:
                state.isFinished = true
                effects.append(.quit)
            }
        case let own:
            screenAction(&state, .perform(own), &effects)
        }
    }

    static func screenAction(_ state: inout AppState, _ action: ScreenAction, _ effects: inout [Effect]) {
        let ctx = state.screenContext
        let outputs = state.stack[state.stack.count - 1].handle(action, context: ctx)
        process(&state, outputs, &effects)
    }

    static func process(_ state: inout AppState, _ outputs: [ScreenOutput], _ effects: inout [Effect]) {
        for o in outputs {
            switch o {
            case .effect(let e): effects.append(e)
            case .open(let r): push(&state, r, &effects)
            case .note(let t, let level): note(&state, t, level)
            case .write(let intent):
                if state.options.readOnly {
                    note(&state, "Read-only mode: refused to \(intent.action) \(intent.target)", .error)
                } else {
                    state.mode = .confirm(intent, DialogState(selected: 1))
                }
            }
        }
    }

    static func note(_ state: inout AppState, _ text: String, _ level: NoteLevel) {
        state.note = Note(text: text, level: level, until: state.now + state.options.noteDuration)
    }

    // MARK: Commands

    static func commandSuggestion(_ state: AppState, _ line: String) -> String? {
        Commands.suggestion(for: line, topics: state.topicNames, groups: state.groupNames,
                            contexts: state.options.contexts)
    }

    static func runCommand(_ state: inout AppState, _ line: String, _ effects: inout [Effect]) {
        let trimmed = Substring(line).trimmingSpaces
        if trimmed.isEmpty { return }
        switch Commands.parse(trimmed) {
        case .failure(let e):
            note(&state, e.message, .error)
        case .success(.go(let route)):
            go(&state, route, &effects)
        case .success(.help):
            state.mode = .help(offset: 0)
        case .success(.quit):
            state.isFinished = true
            effects.append(.quit)
        case .success(.switchContext(let name)):
            if name == state.options.contextName {
                note(&state, "Already on context \(name)", .info)
            } else if !state.options.contexts.isEmpty && !state.options.contexts.contains(name) {
                note(&state, "Unknown context '\(name)'; known: \(state.options.contexts.joined(separator: ", "))", .error)
            } else {
                for s in state.stack.reversed() { leave(&state, s, &effects) }
                state.isFinished = true
                effects.append(.switchContext(name))
            }
        }
    }

    // MARK: Results

    static func receive(_ state: inout AppState, _ result: LoadResult, at: Double, _ effects: inout [Effect]) {
        switch result {
        case .overview(let r):
            state.overview.apply(r, at: at, warnings: (try? r.get())?.errors ?? [])
        case .topics(.success(let p)):
            state.topicNames = p.value.map(\.name).sorted()
        case .groups(let r):
            state.sampling = false
            if case .success(let p) = r {
                for g in p.value { if let lag = g.lag { state.lagHistory.record(group: g.group, lag: lag, at: at) } }
                state.groupNames = p.value.map(\.group).sorted()
            }
        case .group(let name, .success(let d)):
            if let lag = d.lag { state.lagHistory.record(group: name, lag: lag, at: at) }
        case .connectAction(let action, let cluster, let connector, let error):
            if let error {
                note(&state, "\(action.verb) \(connector) on \(cluster) failed: \(error.message)", .error)
            } else {
                note(&state, "Done: \(action.verb) \(connector) on \(cluster)", .info)
            }
            loadCurrent(&state, &effects)
        case .tailEnded(let error?):
            note(&state, "Tail stopped: \(error.message)", .error)
        default:
            break
        }
        let ctx = state.screenContext
        for i in state.stack.indices {
            let outputs = state.stack[i].receive(result, at: at, context: ctx)
            // Only the screen on top may open routes or ask for writes.
            if i == state.stack.count - 1 {
                process(&state, outputs, &effects)
            } else {
                for case .note(let t, let level) in outputs { note(&state, t, level) }
            }
        }
    }
}
