/// A key press as the UI sees it, independent of curses key codes.
public enum Key: Hashable, Sendable {
    /// A printable character (including space and shifted letters: `G` is `.character("G")`).
    case character(Character)
    /// Control plus a letter, lower-cased: Ctrl-R is `.ctrl("r")`, Ctrl-C is `.ctrl("c")`.
    case ctrl(Character)
    /// Alt (Meta) plus a character; terminals send it as ESC followed by the character.
    case alt(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, backspace, delete, insert
    case tab, backTab
    /// F1 is `.function(1)`.
    case function(Int)
    /// The terminal changed size; re-read `TerminalDevice.size`.
    case resize

    /// The name shown in help and hint bars: "r", "G", "Space", "ctrl-r", "alt-x",
    /// "Up", "PgDn", "Enter", "Esc", "F1". ASCII only so it renders in any locale.
    public var displayName: String {
        switch self {
        case .character(let c):
            if c == " " { return "Space" }
            return String(c)
        case .ctrl(let c): return "ctrl-\(c)"
        case .alt(let c): return c == " " ? "alt-Space" : "alt-\(c)"
        case .up: return "Up"
        case .down: return "Down"
        case .left: return "Left"
        case .right: return "Right"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .backspace: return "Bksp"
        case .delete: return "Del"
        case .insert: return "Ins"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .function(let n): return "F\(n)"
        case .resize: return "Resize"
        }
    }

    /// Parses a display name back into a key (case-sensitive for single characters,
    /// case-insensitive for named keys), so key tables can be written as data.
    public init?(displayName name: String) {
        if name.count == 1, let c = name.first { self = .character(c); return }
        let lower = name.lowercased()
        if lower.hasPrefix("ctrl-"), name.count == 6, let c = lower.last { self = .ctrl(c); return }
        if lower.hasPrefix("alt-"), name.count == 5, let c = name.last { self = .alt(c); return }
        switch lower {
        case "space": self = .character(" ")
        case "alt-space": self = .alt(" ")
        case "up": self = .up
        case "down": self = .down
        case "left": self = .left
        case "right": self = .right
        case "pgup", "pageup": self = .pageUp
        case "pgdn", "pagedown": self = .pageDown
        case "home": self = .home
        case "end": self = .end
        case "enter", "return": self = .enter
        case "esc", "escape": self = .escape
        case "bksp", "backspace": self = .backspace
        case "del", "delete": self = .delete
        case "ins", "insert": self = .insert
        case "tab": self = .tab
        case "shift-tab", "backtab": self = .backTab
        case "resize": self = .resize
        default:
            if lower.hasPrefix("f"), let n = Int(lower.dropFirst()), (1...63).contains(n) {
                self = .function(n)
                return
            }
            return nil
        }
    }
}

extension Key: CustomStringConvertible {
    public var description: String { displayName }
}
