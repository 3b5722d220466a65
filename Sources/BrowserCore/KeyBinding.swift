import TerminalCore

/// A key binding as data: the same table drives dispatch, `?` help and the hint bar
/// (k9s style). `name` is stable, so tests and scripts press keys by name.
public struct KeyBinding: Sendable, Hashable {
    public var name: String
    public var keys: [Key]
    public var description: String
    /// Short label for the hint bar; nil keeps the binding out of it (still in help).
    public var hint: String?
    /// Writes to the cluster or a Connect worker (refused in read-only mode).
    public var isWrite: Bool

    public init(_ name: String, keys: [Key], _ description: String, hint: String? = nil, isWrite: Bool = false) {
        self.name = name
        self.keys = keys
        self.description = description
        self.hint = hint
        self.isWrite = isWrite
    }

    /// "j, Down" as shown in help.
    public var keyLabel: String { keys.map(\.displayName).joined(separator: ", ") }
    public func matches(_ key: Key) -> Bool { keys.contains(key) }
}

/// Bindings every screen has. Screens add their own (which win on conflicts).
public enum GlobalBindings {
    public static let navigation: [KeyBinding] = [
        KeyBinding("up", keys: [.up, .character("k")], "Move up"),
        KeyBinding("down", keys: [.down, .character("j")], "Move down"),
        KeyBinding("pageUp", keys: [.pageUp, .ctrl("b")], "Page up"),
        KeyBinding("pageDown", keys: [.pageDown, .ctrl("f")], "Page down"),
        KeyBinding("top", keys: [.character("g"), .home], "Go to the first row"),
        KeyBinding("bottom", keys: [.character("G"), .end], "Go to the last row"),
        KeyBinding("open", keys: [.enter], "Open the selected row", hint: "open"),
        KeyBinding("back", keys: [.escape], "Back (clears an active filter first)", hint: "back"),
        KeyBinding("sort", keys: [.character("o")], "Sort by the next column (arrow in the header)",
                   hint: "sort"),
        KeyBinding("sortReverse", keys: [.character("O")], "Reverse the sort order"),
    ]

    public static let general: [KeyBinding] = [
        KeyBinding("command", keys: [.character(":")], "Command mode (:topics, :groups, :ctx NAME, :q; Tab completes)",
                   hint: "cmd"),
        KeyBinding("filter", keys: [.character("/")], "Filter rows: regex, case-insensitive, a leading ! inverts",
                   hint: "filter"),
        KeyBinding("help", keys: [.character("?")], "Show all keys and commands", hint: "help"),
        KeyBinding("refresh", keys: [.character("r")], "Refresh now (also automatic)", hint: "refresh"),
        KeyBinding("quit", keys: [.ctrl("c")], "Quit"),
    ]

    public static var all: [KeyBinding] { navigation + general }
}
