import ClusterModel
import TerminalCore
import WriteFlow

/// The one place state changes: applies a message and returns the effects to run, each
/// addressed to the screen instance (or the app) that asked, so its results go back there only.
/// Pure: no I/O, no clocks (time arrives in messages).
public func update(_ state: inout AppState, _ message: Message) -> [Request] {
    var effects = Effects()
    Updater.apply(&state, message, &effects)
    // One job per effect: duplicates run once. When the app and a screen both ask (the header's
    // overview and the Brokers screen), the screen is the addressee; the app's bookkeeping sees
    // every result anyway.
    var seen: [Request] = []
    for r in effects.requests {
        if let i = seen.firstIndex(where: { $0.effect == r.effect }) {
            if case .screen = r.from { seen[i].from = r.from }
        } else {
            seen.append(r)
        }
    }
    return seen
}

/// Effects collected while applying one message, each with who asked.
struct Effects {
    var requests: [Request] = []
    static func += (lhs: inout Effects, rhs: (Requester, [Effect])) {
        lhs.requests += rhs.1.map { Request($0, from: rhs.0) }
    }
    mutating func append(_ effect: Effect, from: Requester) { requests.append(Request(effect, from: from)) }
    func contains(_ effect: Effect) -> Bool { requests.contains { $0.effect == effect } }
}

enum Updater {
    static func apply(_ state: inout AppState, _ message: Message, _ effects: inout Effects) {
        switch message {
        case .start(let now):
            state.now = now
            state.touch()
            refresh(&state, &effects, automatic: false)
        case .tick(let now):
            state.now = max(state.now, now)
            if let n = state.note, state.now >= n.until, !n.heldUntilKey {
                state.note = state.noteAfter.map { Note(text: $0.text, level: $0.level, until: state.now + state.options.noteDuration,
                                                        heldUntilKey: true) }
                state.noteAfter = nil
                state.touch()
            }
            WriteRunner.tick(&state, now: state.now, &effects)
            if let due = state.nextRefreshAt, state.options.refreshInterval > 0, state.now >= due {
                refresh(&state, &effects, automatic: true)
            }
        case .resize(let size):
            state.size = size
            state.touch()
        case .key(let key):
            // One key is a burst of one: the same hold release and key-caused notes.
            apply(&state, .keys([key]), &effects)
        case .keys(let keys):
            state.touch()
            releaseHeldNote(&state)
            state.handlingKey = true
            defer { state.handlingKey = false }
            for (i, key) in keys.enumerated() where !state.isFinished {
                let wasConfirming = state.mode.isConfirm
                handleKey(&state, key, &effects, deferFilter: i + 1 < keys.count)
                // A confirmation opened by this burst has not been drawn yet: the keys after the one
                // that opened it (a paste holding "y") must not answer it. They are dropped.
                if !wasConfirming && state.mode.isConfirm { break }
            }
        case .loaded(let result, let at, let requester):
            state.now = max(state.now, at)
            state.touch()
            receive(&state, result, at: at, for: requester, &effects)
        case .open(let route):
            state.touch()
            push(&state, route, &effects)
        case .command(let line):
            state.touch()
            runCommand(&state, line, &effects)
        case .jumpHost(let link):
            guard state.jumpHostLink != link else { return }
            state.jumpHostLink = link
            state.touch()
        }
    }

    // MARK: Loading

    /// Loads the header and the current screen; automatic refreshes skip what is still
    /// loading so a slow cluster is never cancelled over and over.
    static func refresh(_ state: inout AppState, _ effects: inout Effects, automatic: Bool) {
        if state.options.refreshInterval > 0 {
            state.nextRefreshAt = state.now + state.options.refreshInterval
        }
        if !(automatic && state.overview.isLoading) {
            state.overview.begin()
            effects.append(.load(.overview), from: .app)
        }
        let ctx = state.screenContext
        var screenEffects: [Effect] = []
        if !(automatic && state.current.status.isLoading) {
            screenEffects = state.entries[state.entries.count - 1].screen.load(context: ctx)
            effects += (state.currentRequester, screenEffects)
            if automatic { state.touch() }
        }
        if state.options.sampleLagInBackground, !state.sampling, !screenEffects.contains(.load(.groups)),
           !(automatic && state.current.route == .groups) {
            state.sampling = true
            effects.append(.load(.groups), from: .app)
        }
    }

    static func loadCurrent(_ state: inout AppState, _ effects: inout Effects) {
        let ctx = state.screenContext
        effects += (state.currentRequester, state.entries[state.entries.count - 1].screen.load(context: ctx))
    }

    /// Effects for leaving the screen at `index`; keeps the app's own flags in step with cancels.
    static func leave(_ state: inout AppState, at index: Int, _ effects: inout Effects) {
        let leaving = state.entries[index].screen.leave()
        for e in leaving {
            if case .cancel(.groups) = e { state.sampling = false }
            if case .cancel(.overview) = e { state.overview.isLoading = false }
        }
        effects += (.screen(state.entries[index].id), leaving)
    }

    // MARK: Navigation

    static func push(_ state: inout AppState, _ route: Route, _ effects: inout Effects) {
        if route == state.route { return }
        let top = state.entries.count - 1
        if let child = state.current.child(for: route) {
            // A child over the screen's own data: the screen below may keep working under it.
            effects += (.screen(state.entries[top].id), state.entries[top].screen.covered(by: route))
            state.push(child)
        } else {
            leave(&state, at: top, &effects)
            state.push(state.recalled(route) ?? ScreenRegistry.screen(for: route))
        }
        loadCurrent(&state, &effects)
    }

    static func pop(_ state: inout AppState, _ effects: inout Effects) {
        guard state.entries.count > 1 else {
            note(&state, "Top of \(state.route.crumb): use : to switch views, :q to quit", .info)
            return
        }
        leave(&state, at: state.entries.count - 1, &effects)
        state.remember(state.entries.removeLast().screen)
        loadCurrent(&state, &effects)
    }

    /// Command-mode jumps start a new stack (k9s style), with the list under a detail.
    static func go(_ state: inout AppState, _ route: Route, _ effects: inout Effects) {
        if state.entries.count == 1 && state.route == route {
            refresh(&state, &effects, automatic: false)
            return
        }
        for i in state.entries.indices.reversed() {
            leave(&state, at: i, &effects)
            state.remember(state.entries[i].screen)
        }
        var screens: [any Screen] = []
        if let p = route.parent { screens.append(state.recalled(p) ?? ScreenRegistry.screen(for: p)) }
        screens.append(state.recalled(route) ?? ScreenRegistry.screen(for: route))
        state.entries.removeAll()
        for s in screens { state.push(s) }
        loadCurrent(&state, &effects)
    }

    // MARK: Keys

    static func handleKey(_ state: inout AppState, _ key: Key, _ effects: inout Effects, deferFilter: Bool = false) {
        if key == .resize { return }
        switch state.mode {
        case .confirm(let intent, var dialog):
            // While the dialog is open no key reaches the screen below: each one is an answer or nothing.
            // A delete asks for the target's name: no single key confirms it.
            let answer = intent.typeName == nil ? dialog.handle(key, buttonCount: 2) : dialog.handleTyped(key)
            guard let outcome = answer else {
                state.mode = .confirm(intent, dialog)
                state.touch()
                return
            }
            // Too small to show the dialog and its whole target: only a cancel is taken, never a blind yes.
            if outcome == .chosen(0), !ConfirmDialog.isAnswerable(intent, dialog, size: state.size) { return }
            state.mode = .normal
            WriteRunner.answered(&state, yes: outcome == .chosen(0), typed: dialog.text, &effects)
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
                    error = state.entries[state.filterIndex].screen.setFilter(RowFilter(before), context: ctx)
                }
            }
            switch outcome {
            case .submit:
                state.mode = error == nil ? .normal : .filter(editor, previous: previous, error: error)
            case .cancel:
                _ = state.entries[state.filterIndex].screen.setFilter(previous, context: ctx)
                state.mode = .normal
            case .edited:
                let err = state.entries[state.filterIndex].screen.setFilter(RowFilter(editor.text), context: ctx)
                state.mode = .filter(editor, previous: previous, error: err)
            case .moved, .complete, .ignored:
                state.mode = .filter(editor, previous: previous, error: error)
            }
        case .normal:
            normalKey(&state, key, &effects)
        }
    }

    static func normalKey(_ state: inout AppState, _ key: Key, _ effects: inout Effects) {
        // A form's focused text field takes the key before the key table does.
        let ctx = state.screenContext
        if let outputs = state.entries[state.entries.count - 1].screen.input(key, context: ctx) {
            state.touch()
            process(&state, outputs, from: state.currentRequester, &effects)
            return
        }
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
                if state.activeFilter != nil {
                    _ = state.entries[state.filterIndex].screen.setFilter(nil, context: state.screenContext)
                } else {
                    pop(&state, &effects)
                }
            case .up, .down, .pageUp, .pageDown, .top, .bottom: break
            }
        case .general(let g):
            switch g {
            case .command: state.mode = .command(LineEditor(), error: nil)
            case .filter:
                let current = state.activeFilter
                state.mode = .filter(LineEditor(text: current?.text ?? ""), previous: current, error: nil)
            case .help: state.mode = .help(offset: 0)
            case .refresh: refresh(&state, &effects, automatic: false)
            case .quit:
                quit(&state, &effects)
            }
        case let own:
            screenAction(&state, .perform(own), &effects)
        }
    }

    static func screenAction(_ state: inout AppState, _ action: ScreenAction, _ effects: inout Effects) {
        let ctx = state.screenContext
        let outputs = state.entries[state.entries.count - 1].screen.handle(action, context: ctx)
        process(&state, outputs, from: state.currentRequester, &effects)
    }

    /// Carries out what the screen `requester` asked for.
    static func process(_ state: inout AppState, _ outputs: [ScreenOutput], from requester: Requester,
                        _ effects: inout Effects) {
        for o in outputs {
            switch o {
            case .effect(let e):
                if case .exportRecords(let x) = e {
                    state.exports[requester] = ExportInFlight(path: x.path, topic: x.records.first?.topic ?? "",
                                                              written: 0, total: x.records.count)
                }
                effects.append(e, from: requester)
            case .open(let r): push(&state, r, &effects)
            case .note(let t, let level): note(&state, t, level)
            case .write(let request):
                WriteRunner.begin(&state, request, from: requester, &effects)
            case .close:
                if requester == state.currentRequester { pop(&state, &effects) }
            case .toParent(let action):
                guard case .screen(let id) = requester, let i = state.index(of: id), i > 0 else { break }
                let parent = state.entries[i - 1].id
                let outputs = state.entries[i - 1].screen.handle(action, context: state.screenContext)
                // The parent is covered: it may note and load, not open or write.
                for o in outputs {
                    switch o {
                    case .effect(let e): effects.append(e, from: .screen(parent))
                    case .note(let t, let level): note(&state, t, level)
                    case .open, .write, .close, .toParent: break
                    }
                }
            }
        }
    }

    /// The app's side of an export: progress kept for the quit note; the end told on whatever screen
    /// shows when the tail that asked was left (its own line is gone with it).
    static func exported(_ state: inout AppState, _ r: Result<RecordExportEvent, LoadError>, for requester: Requester) {
        guard let x = state.exports[requester] else { return }
        if case .success(.progress(let written, let total)) = r {
            state.exports[requester]?.written = written
            state.exports[requester]?.total = total
            return
        }
        state.exports[requester] = nil
        if case .screen(let id) = requester, state.index(of: id) != nil { return }
        // Held like a write's result: the user left the tail and may not be looking.
        if let (text, level) = ExportReport.fromLeftTail(x.topic, r) { note(&state, text, level, heldUntilKey: true) }
    }

    /// Quitting with an export being written: the runtime waits for it (a truncated file would be
    /// worse than a short wait); say so meanwhile.
    static func quit(_ state: inout AppState, _ effects: inout Effects) {
        WriteRunner.abandon(&state, &effects)
        if !state.exports.isEmpty {
            note(&state, ExportReport.finishing(state.exports.values.sorted { $0.path < $1.path }, before: "quitting"), .info)
        }
        state.isFinished = true
        effects.append(.quit, from: .app)
    }

    /// A key pressed while a held note is on screen: it has been seen, so from now it goes by itself
    /// after the usual time (counted from this key: its own time ran out long ago). Keys typed in a
    /// prompt, help or a dialog, which cover the status line, leave it held.
    static func releaseHeldNote(_ state: inout AppState) {
        guard state.note?.heldUntilKey == true, state.noteIsVisible else { return }
        state.note?.heldUntilKey = false
        state.note?.until = state.now + state.options.noteDuration
    }

    static func note(_ state: inout AppState, _ text: String, _ level: NoteLevel, heldUntilKey: Bool = false) {
        // A held result stays until it is seen: a note from the background (a covered screen, a late
        // answer, a screen's remark in the same update) would replace it and be gone in seconds. A key
        // press on screen releases the hold first; a key typed where the note does not show (a command
        // answered with an error) shows its answer now and the held result after it.
        if !heldUntilKey, let held = state.note, held.heldUntilKey {
            guard state.handlingKey else { return }
            state.noteAfter = held
        }
        state.note = Note(text: text, level: level, until: state.now + state.options.noteDuration, heldUntilKey: heldUntilKey)
    }

    // MARK: Commands

    static func commandSuggestion(_ state: AppState, _ line: String) -> String? {
        Commands.suggestion(for: line, topics: state.topicNames, groups: state.groupNames,
                            contexts: state.options.contexts)
    }

    static func runCommand(_ state: inout AppState, _ line: String, _ effects: inout Effects) {
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
            quit(&state, &effects)
        case .success(.switchContext(let name)):
            if name == state.options.contextName {
                note(&state, "Already on context \(name)", .info)
            } else if !state.options.contexts.isEmpty && !state.options.contexts.contains(name) {
                note(&state, "Unknown context '\(name)'; known: \(state.options.contexts.joined(separator: ", "))", .error)
            } else if let running = state.write {
                // The new context starts from a blank state: the write's result would be lost (quitting,
                // by contrast, reports it as abandoned on the way out).
                note(&state, "Wait for \(running.flow.description.phrase) to finish before switching context", .warn)
            } else {
                for i in state.entries.indices.reversed() { leave(&state, at: i, &effects) }
                if !state.exports.isEmpty {
                    note(&state, ExportReport.finishing(state.exports.values.sorted { $0.path < $1.path }, before: "switching"),
                         .info)
                }
                state.isFinished = true
                effects.append(.switchContext(name), from: .app)
            }
        }
    }

    // MARK: Results

    /// The app's own bookkeeping sees every result (header, names for completion, lag
    /// history); a screen sees only results addressed to it, and a result for a screen that
    /// left the stack is dropped.
    static func receive(_ state: inout AppState, _ result: LoadResult, at: Double, for requester: Requester,
                        _ effects: inout Effects) {
        WriteRunner.observe(&state, result, at: at, &effects)
        switch result {
        case .overview(let r):
            state.overview.apply(r, at: at, warnings: (try? r.get())?.errors ?? [])
        case .topics(.success(let p)):
            state.topicNames = p.value.map(\.name).sorted()
        case .groups(let r):
            // A preliminary answer (ListGroups only) is not the end of the sample.
            if case .success(let p) = r, p.isPreliminary {
                state.groupNames = p.value.map(\.group).sorted()
                break
            }
            state.sampling = false
            if case .success(let p) = r {
                // A total that leaves out unreadable partitions would draw a false dip: skip it.
                for g in p.value where g.lagCompleteness != .partial && g.staleReason == nil {
                    if let lag = g.lag { state.lagHistory.record(group: g.group, lag: lag, at: at) }
                }
                state.groupNames = p.value.map(\.group).sorted()
            }
        case .group(let name, .success(let d)):
            if let lag = d.lag, d.lagCompleteness != .partial { state.lagHistory.record(group: name, lag: lag, at: at) }
        case .connectors(.success(let listing)):
            for c in listing.clusters { if let v = c.version { state.connectVersions[c.name] = v } }
        case .connector(let cluster, _, .success(let d)):
            if let v = d.workerVersion { state.connectVersions[cluster] = v }
        case .tailEnded(let error?):
            if requester == state.currentRequester { note(&state, "Tail stopped: \(error.message)", .error) }
        case .exported(let r):
            exported(&state, r, for: requester)
        default:
            break
        }
        guard case .screen(let id) = requester, let i = state.index(of: id) else { return }
        let outputs = state.entries[i].screen.receive(result, at: at, context: state.screenContext)
        // Only the screen on top may open routes or ask for writes.
        if i == state.entries.count - 1 {
            process(&state, outputs, from: requester, &effects)
        } else {
            for case .note(let t, let level) in outputs { note(&state, t, level) }
        }
    }
}
