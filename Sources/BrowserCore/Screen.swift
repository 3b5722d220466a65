import ClusterModel
import TerminalCore
import WriteFlow

/// One screen: its key table, how it loads, how it reacts, how it draws. Each screen is
/// a self-contained value type registered in `ScreenRegistry.factories`; new screens
/// (connectors, tail) are new files plus one line there.
public protocol Screen: Sendable {
    var route: Route { get }
    /// Actions specific to this screen. Their keys win over global ones and they appear
    /// first in help and the hint bar. Write actions are dropped in read-only mode.
    var actions: [Action] { get }
    /// Marks data as loading (keeping old rows) and returns the effects that load it.
    /// Called on open, on `r`, on return from a child screen and on auto-refresh.
    mutating func load(context: ScreenContext) -> [Effect]
    /// Effects that stop this screen's work when it is left (popped or covered); the screen
    /// may note that its work stopped (it is loaded again when it comes back on top).
    mutating func leave() -> [Effect]
    /// A navigation or screen-specific action.
    mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput]
    /// A result of work this screen instance asked for (results are addressed: no other
    /// screen's results arrive here, and none after the screen left the stack).
    mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput]
    /// Applies the `/` filter to the main list. Returns an error message (invalid regex)
    /// and then keeps the previous filter.
    mutating func setFilter(_ filter: RowFilter?, context: ScreenContext) -> String?
    var filter: RowFilter? { get }
    /// Loading / stale / error state of the data on screen.
    var status: ViewStatus { get }
    /// After the title in the frame, e.g. "[12/340]".
    var titleDetail: String { get }
    /// Draws the body (inside the frame). Pure; nothing random or clock-based.
    func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext)
    /// Global actions that mean nothing here, e.g. open where rows have no detail: left
    /// out of dispatch, the hint bar and help, so no key is offered that does nothing.
    var unusedGlobalActions: Set<Action> { get }
    /// A key for a text field the screen has focused (a form), offered before the key table:
    /// nil leaves the key to the bindings. Lets a form take ':' or '/' as text.
    mutating func input(_ key: Key, context: ScreenContext) -> [ScreenOutput]?

    /// A child screen this screen makes from its own data for `route` (the tail's record viewer
    /// over the tail's buffer); nil: the registry makes it.
    func child(for route: Route) -> (any Screen)?
    /// Effects when `route` is pushed over this screen: `leave()` unless its work must go on
    /// under that child (the live tail keeps receiving records under its record viewer).
    mutating func covered(by route: Route) -> [Effect]
    /// The `/` filter of this screen is the one of the screen below (a child showing part of it).
    var filtersParent: Bool { get }
}

extension Screen {
    public var actions: [Action] { [] }
    public var unusedGlobalActions: Set<Action> { [] }
    public mutating func input(_ key: Key, context: ScreenContext) -> [ScreenOutput]? { nil }
    public var titleDetail: String { "" }
    public var filter: RowFilter? { nil }
    public mutating func setFilter(_ filter: RowFilter?, context: ScreenContext) -> String? {
        filter == nil ? nil : "this view has no list to filter"
    }
    public func child(for route: Route) -> (any Screen)? { nil }
    public mutating func covered(by route: Route) -> [Effect] { leave() }
    public var filtersParent: Bool { false }
}

/// What a screen is asked to do.
public enum ScreenAction: Hashable, Sendable {
    case navigate(Navigation)
    case open
    case sortNext
    case sortReverse
    /// One of the screen's own actions (never a write in read-only mode).
    case perform(Action)
}

public enum Navigation: Hashable, Sendable {
    case up, down, pageUp, pageDown, top, bottom
}

/// What a screen asks of the app.
public enum ScreenOutput: Sendable, Hashable {
    case effect(Effect)
    /// Push a route (Enter on a row).
    case open(Route)
    /// A write: refused in read-only mode, else confirmed in a dialog naming the target.
    case write(WriteRequest)
    case note(String, NoteLevel)
    /// Closes this screen (a child view whose own key closes it).
    case close
    /// An action for the screen below, which this one shows a part of (pause the live tail from
    /// its record viewer).
    case toParent(ScreenAction)
}

/// A write a screen asks for. The app runs it through the one `WriteFlow` (check -> confirm ->
/// send -> settle -> report), as the CLI does: the confirmation is drawn in the same frame as the
/// key press, from what the screen already loaded (`check`); the steps are sent only after a yes.
public struct WriteRequest: Sendable, Hashable {
    public var description: WriteDescription
    /// What the screen's loaded data says: `.ready(description)`, or `.unavailable(why)` (e.g. the
    /// worker version cannot stop connectors). The service checks again when sending.
    public var check: WriteCheck
    /// Sent one after another after the confirmation; each is answered by a `.connectAction` or
    /// `.groupWrite` result.
    public var steps: [Effect]
    /// Read while the write settles (addressed to the asking screen, which shows the fresh rows).
    public var poll: Effect?
    /// How a read shows that the write took effect.
    public var settle: SettleRule

    public init(description: WriteDescription, check: WriteCheck? = nil, steps: [Effect], poll: Effect? = nil,
                settle: SettleRule = .onAcceptance) {
        self.description = description
        self.check = check ?? .ready(description)
        self.steps = steps
        self.poll = poll
        self.settle = settle
    }
}

/// How a read shows that a write took effect.
public enum SettleRule: Sendable, Hashable {
    /// The write is done when it is accepted.
    case onAcceptance
    /// Every target shows the action's end state (`ConnectAction.isSettled`).
    case connect(ConnectAction, targets: [ConnectTarget], before: [ConnectTarget: ConnectorStatus])
    /// The group's committed offsets read back as `expected` (an offset reset).
    case groupOffsets(group: String, expected: [TopicPartition: Int64])
}

/// The confirmation dialog's content: "Really pause connector? ... orders-sink on Connect cluster QA".
public struct WriteIntent: Sendable, Hashable {
    /// Verb phrase: "pause connector".
    public var action: String
    /// What it acts on: "orders-sink on Connect cluster QA".
    public var target: String
    /// Lines under the target: the plan, what cannot be undone.
    public var details: [String]
    /// The name the person must type to confirm (deletes), nil for a y/n question.
    public var typeName: String?

    public init(action: String, target: String, details: [String] = [], typeName: String? = nil) {
        self.action = action
        self.target = target
        self.details = details
        self.typeName = typeName
    }

    public init(_ description: WriteDescription) {
        self.init(action: description.action, target: description.target.phrase, details: description.details,
                  typeName: description.typeNameToConfirm ? description.target.name : nil)
    }

    /// The flow's wording: "Pause connector orders-sink on Connect cluster QA?".
    public var question: String {
        let a = action.prefix(1).uppercased() + action.dropFirst()
        return "\(a) \(target)?"
    }
}

public enum NoteLevel: Sendable, Hashable {
    case info, warn, error
}

/// What screens may read about the rest of the app.
public struct ScreenContext: Sendable {
    public var options: BrowserOptions
    /// Latest time seen (from ticks and results).
    public var now: Double
    /// Where the screen's body is drawn; update uses it for page sizes.
    public var area: Rect
    public var overview: Loadable<ClusterOverview>
    public var lagHistory: LagHistory
    /// Worker version per Connect cluster, as loaded so far.
    public var connectVersions: [String: String] = [:]
    /// Files exports are still writing (as typed): another export must not replace one half-written.
    public var exportsWriting: Set<String> = []
    public var glyphs: Glyphs { options.glyphs }
    /// The header's overview with the time it arrived, when there is one.
    public var cachedOverview: (ClusterOverview, Double)? {
        guard let o = overview.value, let at = overview.loadedAt else { return nil }
        return (o, at)
    }

    public init(options: BrowserOptions, now: Double, area: Rect, overview: Loadable<ClusterOverview>,
                lagHistory: LagHistory) {
        self.options = options
        self.now = now
        self.area = area
        self.overview = overview
        self.lagHistory = lagHistory
    }
}

/// The one list of screens. A route is served by the first factory that accepts it.
public enum ScreenRegistry {
    public typealias Factory = @Sendable (Route) -> (any Screen)?

    public static let factories: [Factory] = [
        BrokersSpec.make,
        BrokerDetailSpec.make,
        AclsSpec.make,
        QuorumSpec.make,
        TopicsSpec.make,
        TopicDetailSpec.make,
        GroupsSpec.make,
        GroupDetailSpec.make,
        OffsetResetFormScreen.make,
        TailScreen.make,
        ProduceComposerScreen.make,
        ConfigEditorScreen.make,
        TopicFormScreen.make,
        ConnectorsSpec.make,
        ConnectorDetailSpec.make,
        SubjectsSpec.make,
        SubjectVersionsSpec.make,
        SchemaTextScreen.make,
    ]

    public static func screen(for route: Route) -> any Screen {
        for f in factories {
            if let s = f(route) { return s }
        }
        return UnavailableScreen(route: route)
    }
}
