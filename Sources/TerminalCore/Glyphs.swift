/// The characters widgets draw with, chosen once per terminal: Unicode where the locale
/// is UTF-8, ASCII otherwise. View code asks for `glyphs.ellipsis`, never for "…".
public struct Glyphs: Sendable, Hashable {
    public var horizontal: Character
    public var vertical: Character
    public var topLeft: Character
    public var topRight: Character
    public var bottomLeft: Character
    public var bottomRight: Character
    /// Marks truncated text.
    public var ellipsis: Character
    public var sortAscending: Character
    public var sortDescending: Character
    /// Between breadcrumbs ("cluster › topics").
    public var crumbSeparator: Character
    /// Eight levels, lowest first.
    public var sparkLevels: [Character]
    /// Health symbols shown beside (never instead of) a role, so meaning survives NO_COLOR.
    public var ok: Character
    public var warn: Character
    public var error: Character
    public var info: Character
    /// Prefix for marked rows in lists.
    public var mark: Character
    /// Scroll position thumb and track.
    public var scrollThumb: Character
    public var scrollTrack: Character

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        ellipsis: "…", sortAscending: "↑", sortDescending: "↓", crumbSeparator: "›",
        sparkLevels: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
        ok: "●", warn: "▲", error: "✖", info: "•", mark: "✓", scrollThumb: "█", scrollTrack: "│")

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        ellipsis: "~", sortAscending: "^", sortDescending: "v", crumbSeparator: ">",
        sparkLevels: ["_", ".", ",", "-", "=", "+", "*", "#"],
        ok: "*", warn: "!", error: "x", info: "-", mark: "*", scrollThumb: "#", scrollTrack: "|")
}
