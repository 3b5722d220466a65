import ClusterModel
import TerminalCore

/// What the keyboard is talking to.
public enum InputMode: Sendable, Hashable {
    case normal
    /// `:` command line.
    case command(LineEditor, error: String?)
    /// `/` filter; `previous` is restored by Esc.
    case filter(LineEditor, previous: RowFilter?, error: String?)
    /// `?` help, scrolled to `offset`.
    case help(offset: Int)
    /// A write waiting for y/n (the write itself is `AppState.write`).
    case confirm(WriteIntent, DialogState)

    var isConfirm: Bool {
        if case .confirm = self { return true }
        return false
    }
}

/// One screen on the stack and the id its work is addressed to.
public struct StackEntry: Sendable {
    public let id: ScreenID
    public var screen: any Screen
}

/// A transient line in the status bar.
public struct Note: Sendable, Hashable {
    public var text: String
    public var level: NoteLevel
    public var until: Double
    /// A write's result stays past `until` until the next key press: it must not vanish while the
    /// user looks away or a loaded machine draws late.
    public var heldUntilKey = false
}

/// The whole browser state. `update` changes it, `render` draws it; nothing else does.
public struct AppState: Sendable {
    public var options: BrowserOptions
    public var size: Size
    /// Latest time seen in a message.
    public var now: Double
    /// The route stack; never empty, the last is on screen. Each entry has the id its
    /// work is addressed to.
    public internal(set) var entries: [StackEntry]
    /// The screens of the stack, bottom first.
    public var stack: [any Screen] { entries.map(\.screen) }
    /// The last id handed out.
    var lastScreenID = 0
    public var overview = Loadable<ClusterOverview>()
    public var lagHistory: LagHistory
    public var mode: InputMode = .normal
    public var note: Note?
    /// A held note set aside while the answer to the user's own key shows (a command's error typed
    /// while the result arrived under the prompt); it comes back, still held, when that one goes.
    var noteAfter: Note?
    /// True while a key is being handled: the notes it causes are answers the user is waiting for.
    var handlingKey = false
    /// Next auto-refresh; nil before `.start`.
    public var nextRefreshAt: Double?
    /// The write being confirmed, sent or settled (one at a time).
    public internal(set) var write: ActiveWrite?
    /// The background group-list load for lag history is in flight.
    public var sampling = false
    /// The filter prompt's text changed in a key burst but is not applied to the rows yet.
    var filterPending = false
    /// Topic and group names seen, for `:tail`/`:topic`/`:group` completion.
    public var topicNames: [String] = []
    public var groupNames: [String] = []
    /// Worker version per Connect cluster, from the listings and details loaded: what the
    /// connector screens offer (the service checks again when sending).
    public var connectVersions: [String: String] = [:]
    /// Screens recently left, by route, so going back to one paints its old rows at once.
    var recent: [Route: any Screen] = [:]
    var recentOrder: [Route] = []
    /// Exports to files being written, by who asked: their end is told even after that screen left.
    public internal(set) var exports: [Requester: ExportInFlight] = [:]
    /// The SSH jump host's link (nil without a jump host, or before the app says anything).
    public var jumpHostLink: JumpHostLink?
    /// Bumped on every visible change; the runtime redraws only when it moves.
    public private(set) var revision = 0
    /// Set by `:q` / ctrl-c and `:ctx` (the runtime stops after running the effect).
    public var isFinished = false

    public init(options: BrowserOptions, size: Size = Size(width: 80, height: 24), now: Double = 0) {
        self.options = options
        self.size = size
        self.now = now
        self.lagHistory = LagHistory(limit: options.lagHistoryLimit, maxGroups: options.lagHistoryGroups)
        let route = options.initialRoute.opened(readOnly: options.readOnly)
        self.entries = []
        for screen in (route.parent.map { [ScreenRegistry.screen(for: $0)] } ?? []) + [ScreenRegistry.screen(for: route)] {
            push(screen)
        }
    }

    public var current: any Screen { entries[entries.count - 1].screen }
    /// The status line shows `note` (render draws it only in normal mode, at a usable size).
    var noteIsVisible: Bool { note != nil && mode == .normal && !Layout.isTooSmall(size) }
    /// The stack index of the screen the `/` filter applies to: the current one, or the one below
    /// when the current one shows a part of it (the live tail under its record viewer).
    var filterIndex: Int { current.filtersParent && entries.count > 1 ? entries.count - 2 : entries.count - 1 }
    /// The `/` filter in force on screen.
    public var activeFilter: RowFilter? { entries[filterIndex].screen.filter }
    /// Where the current screen's results are addressed.
    public var currentRequester: Requester { .screen(entries[entries.count - 1].id) }
    public var route: Route { current.route }
    public var routes: [Route] { entries.map(\.screen.route) }

    /// Puts a screen on top of the stack with a new id (effects are not started here).
    public mutating func push(_ screen: any Screen) {
        lastScreenID += 1
        entries.append(StackEntry(id: ScreenID(lastScreenID), screen: screen))
    }

    /// The index of the stack entry with this id, if that screen is still on the stack.
    func index(of id: ScreenID) -> Int? { entries.firstIndex { $0.id == id } }

    mutating func touch() { revision &+= 1 }

    /// The context screens see; `area` is the current screen's body.
    public var screenContext: ScreenContext {
        var c = ScreenContext(options: options, now: now, area: Layout(size: size).body, overview: overview,
                              lagHistory: lagHistory)
        c.connectVersions = connectVersions
        c.exportsWriting = Set(exports.values.map(\.path))
        return c
    }

    /// Every action active now with its keys: the screen's first, then the global ones it
    /// does not shadow. In read-only mode write actions are not here at all, so no key,
    /// help line or hint offers them.
    public var activeBindings: [KeyBinding] {
        let readOnly = options.readOnly
        let own = current.actions.filter { !(readOnly && $0.isWrite) }.map { KeyBinding($0) }
        let taken = Set(own.flatMap(\.keys))
        let unused = current.unusedGlobalActions
        let global = GlobalActions.all.compactMap { a -> KeyBinding? in
            if unused.contains(a) { return nil }
            let keys = a.keys.filter { !taken.contains($0) }
            return keys.isEmpty ? nil : KeyBinding(a, keys: keys)
        }
        return own + global
    }

    /// The write action this key would start were the app not read-only (to say why it
    /// does nothing).
    func removedWrite(for key: Key) -> Action? {
        guard options.readOnly else { return nil }
        return current.actions.first { $0.isWrite && $0.keys.contains(key) }
    }

    /// The first key of a binding, for scripts and tests ("press refresh").
    public func key(forBinding name: String) -> Key? {
        activeBindings.first { $0.name == name }?.keys.first
    }

    mutating func remember(_ screen: any Screen) {
        let r = screen.route
        recent[r] = screen
        recentOrder.removeAll { $0 == r }
        recentOrder.append(r)
        // Detail screens can hold thousands of rows; keep only a few.
        while recentOrder.count > 8 {
            recent[recentOrder.removeFirst()] = nil
        }
    }

    func recalled(_ route: Route) -> (any Screen)? { recent[route] }
}

/// Where things go on screen. Shared by update (page sizes) and render.
public struct Layout: Sendable, Hashable {
    public var header: Rect?
    public var crumbs: Rect?
    /// The framed area (frame included when `framed`).
    public var panel: Rect
    public var framed: Bool
    /// Inside the frame: the screen draws here.
    public var body: Rect
    public var footer: Rect?

    /// Below this the UI shows only a "terminal too small" notice (and refuses to confirm writes).
    public static let minimumSize = Size(width: 20, height: 5)

    public static func isTooSmall(_ size: Size) -> Bool {
        size.width < minimumSize.width || size.height < minimumSize.height
    }

    public init(size: Size) {
        var rest = Rect(x: 0, y: 0, width: size.width, height: size.height)
        if rest.height >= 2 {
            let (top, bottom) = rest.splitBottom(1)
            footer = bottom
            rest = top
        } else {
            footer = nil
        }
        if rest.height >= 4 {
            // Tall terminals get the health summary on a line of its own.
            let (h, r) = rest.splitTop(size.height >= 20 && size.width >= 40 ? 2 : 1)
            header = h
            rest = r
        } else {
            header = nil
        }
        if rest.height >= 6 {
            let (c, r) = rest.splitTop(1)
            crumbs = c
            rest = r
        } else {
            crumbs = nil
        }
        panel = rest
        framed = rest.height >= 5 && rest.width >= 16
        body = framed ? Frame.inner(rest) : rest
    }
}
