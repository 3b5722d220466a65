import TerminalCore

/// One family of actions as data (k9s' key actions): each case declares its keys, its
/// help line, its hint-bar label and whether it writes. Dispatch switches on the values;
/// key tables, `?` help and the hint bar are derived from these declarations, and
/// read-only mode removes every case whose `isWrite` is true before a key reaches a screen.
public protocol ActionDeclaration: Hashable, Sendable, CaseIterable {
    /// Stable name: scripts and tests press keys by it.
    var name: String { get }
    var keys: [Key] { get }
    /// The line in `?` help.
    var help: String { get }
    /// Short label for the hint bar; nil keeps the action out of it (still in help).
    var hint: String? { get }
    /// Which hint goes first when the bar is too narrow (higher stays longer); nil: a screen's own
    /// actions 70, above open (60), back (50) and refresh (40).
    var hintPriority: Int? { get }
    /// Writes to the cluster or a Connect worker: absent in read-only mode.
    var isWrite: Bool { get }
}

extension ActionDeclaration {
    public var hint: String? { nil }
    public var hintPriority: Int? { nil }
    public var isWrite: Bool { false }
}

/// Any declared action, so screens can list actions of several families.
public enum Action: Hashable, Sendable {
    case navigation(NavigationAction)
    case general(GeneralAction)
    case section(SectionAction)
    case list(ListAction)
    case topic(TopicAction)
    case connector(ConnectorAction)
    case tail(TailAction)
    case record(RecordAction)
    case group(GroupAction)
    case resetForm(ResetFormAction)
    case produce(ProduceAction)
    case composer(ComposerAction)
    case configEdit(ConfigEditAction)
    case topicAdmin(TopicAdminAction)
    case broker(BrokerAction)
    case topicForm(TopicFormAction)

    public var declaration: any ActionDeclaration {
        switch self {
        case .navigation(let a): return a
        case .general(let a): return a
        case .section(let a): return a
        case .list(let a): return a
        case .topic(let a): return a
        case .connector(let a): return a
        case .tail(let a): return a
        case .record(let a): return a
        case .group(let a): return a
        case .resetForm(let a): return a
        case .produce(let a): return a
        case .composer(let a): return a
        case .configEdit(let a): return a
        case .topicAdmin(let a): return a
        case .broker(let a): return a
        case .topicForm(let a): return a
        }
    }

    public var name: String { declaration.name }
    public var keys: [Key] { declaration.keys }
    public var help: String { declaration.help }
    public var hint: String? { declaration.hint }
    public var hintPriority: Int? { declaration.hintPriority }
    public var isWrite: Bool { declaration.isWrite }

    /// Every action of every family (the read-only test walks them all).
    public static var all: [Action] {
        NavigationAction.allCases.map(Action.navigation) + GeneralAction.allCases.map(Action.general)
            + SectionAction.allCases.map(Action.section) + ListAction.allCases.map(Action.list)
            + TopicAction.allCases.map(Action.topic) + ConnectorAction.allCases.map(Action.connector)
            + TailAction.allCases.map(Action.tail) + RecordAction.allCases.map(Action.record)
            + GroupAction.allCases.map(Action.group) + ResetFormAction.allCases.map(Action.resetForm)
            + ProduceAction.allCases.map(Action.produce) + ComposerAction.allCases.map(Action.composer)
            + ConfigEditAction.allCases.map(Action.configEdit) + TopicAdminAction.allCases.map(Action.topicAdmin)
            + BrokerAction.allCases.map(Action.broker)
            + TopicFormAction.allCases.map(Action.topicForm)
    }
}

/// An action with the keys it has on the current screen (a screen's own action shadows a
/// global one's key). Derived, never written by hand.
public struct KeyBinding: Sendable, Hashable {
    public var action: Action
    public var keys: [Key]

    public init(_ action: Action, keys: [Key]? = nil) {
        self.action = action
        self.keys = keys ?? action.keys
    }

    public var name: String { action.name }
    public var description: String { action.help }
    public var hint: String? { action.hint }
    public var isWrite: Bool { action.isWrite }

    /// "j, Down" as shown in help.
    public var keyLabel: String { keys.map(\.displayName).joined(separator: ", ") }
    public func matches(_ key: Key) -> Bool { keys.contains(key) }
}
