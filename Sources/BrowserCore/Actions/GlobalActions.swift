import TerminalCore

/// Moving through a list, opening, going back, sorting: every list screen has these.
public enum NavigationAction: String, ActionDeclaration {
    case up, down, pageUp, pageDown, top, bottom, open, back, sort, sortReverse

    public var name: String { rawValue }

    public var keys: [Key] {
        switch self {
        case .up: return [.up, .character("k")]
        case .down: return [.down, .character("j")]
        case .pageUp: return [.pageUp, .ctrl("b")]
        case .pageDown: return [.pageDown, .ctrl("f")]
        case .top: return [.character("g"), .home]
        case .bottom: return [.character("G"), .end]
        case .open: return [.enter]
        case .back: return [.escape]
        case .sort: return [.character("o")]
        case .sortReverse: return [.character("O")]
        }
    }

    public var help: String {
        switch self {
        case .up: return "Move up"
        case .down: return "Move down"
        case .pageUp: return "Page up"
        case .pageDown: return "Page down"
        case .top: return "Go to the first row"
        case .bottom: return "Go to the last row"
        case .open: return "Open the selected row"
        case .back: return "Back (clears an active filter first)"
        case .sort: return "Sort by the next column (arrow in the header)"
        case .sortReverse: return "Reverse the sort order"
        }
    }

    public var hint: String? {
        switch self {
        case .open: return "open"
        case .back: return "back"
        case .sort: return "sort"
        default: return nil
        }
    }

    /// The cursor movement, for the moves.
    public var movement: Navigation? {
        switch self {
        case .up: return .up
        case .down: return .down
        case .pageUp: return .pageUp
        case .pageDown: return .pageDown
        case .top: return .top
        case .bottom: return .bottom
        default: return nil
        }
    }
}

/// App-wide actions: command mode, filter, help, refresh, quit.
public enum GeneralAction: String, ActionDeclaration {
    case command, filter, help, refresh, quit

    public var name: String { rawValue }

    public var keys: [Key] {
        switch self {
        case .command: return [.character(":")]
        case .filter: return [.character("/")]
        case .help: return [.character("?")]
        case .refresh: return [.character("r")]
        case .quit: return [.ctrl("c")]
        }
    }

    public var help: String {
        switch self {
        case .command: return "Command mode (:topics, :groups, :ctx NAME, :q; Tab completes)"
        case .filter: return "Filter rows: regex, case-insensitive, a leading ! inverts"
        case .help: return "Show all keys and commands"
        case .refresh: return "Refresh now (also automatic)"
        case .quit: return "Quit"
        }
    }

    public var hint: String? {
        switch self {
        case .command: return "cmd"
        case .filter: return "filter"
        case .help: return "help"
        case .refresh: return "refresh"
        case .quit: return nil
        }
    }
}

/// The global actions every screen starts from, in help order.
public enum GlobalActions {
    public static let navigation: [Action] = NavigationAction.allCases.map(Action.navigation)
    public static let general: [Action] = GeneralAction.allCases.map(Action.general)
    public static var all: [Action] { navigation + general }
}
