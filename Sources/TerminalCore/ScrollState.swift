/// Cursor and first visible row of a scrolling view (Table, List, TextView). Views
/// never hold more than this; the rows themselves stay with the caller, so scrolling
/// over 50,000 rows costs only what is on screen.
public struct ScrollState: Sendable, Hashable {
    /// Selected row, 0..<count (0 when empty).
    public var cursor: Int
    /// First visible row.
    public var offset: Int

    public init(cursor: Int = 0, offset: Int = 0) {
        self.cursor = cursor
        self.offset = offset
    }

    /// Keeps the cursor in 0..<count and the offset such that the cursor is visible
    /// and no space is wasted below the last row.
    public mutating func clamp(count: Int, visible: Int) {
        let vis = max(1, visible)
        if count <= 0 { cursor = 0; offset = 0; return }
        cursor = min(max(0, cursor), count - 1)
        if cursor < offset { offset = cursor }
        if cursor >= offset + vis { offset = cursor - vis + 1 }
        offset = min(max(0, offset), max(0, count - vis))
    }

    /// The state `clamp` would produce, for renderers that must not mutate.
    public func clamped(count: Int, visible: Int) -> ScrollState {
        var s = self
        s.clamp(count: count, visible: visible)
        return s
    }

    public mutating func move(by delta: Int, count: Int, visible: Int) {
        cursor += delta
        clamp(count: count, visible: visible)
    }

    public mutating func pageDown(count: Int, visible: Int) {
        let page = max(1, visible - 1)
        cursor += page
        offset += page
        clamp(count: count, visible: visible)
    }

    public mutating func pageUp(count: Int, visible: Int) {
        let page = max(1, visible - 1)
        cursor -= page
        offset -= page
        clamp(count: count, visible: visible)
    }

    public mutating func toTop(count: Int, visible: Int) {
        cursor = 0
        offset = 0
        clamp(count: count, visible: visible)
    }

    public mutating func toBottom(count: Int, visible: Int) {
        cursor = max(0, count - 1)
        clamp(count: count, visible: visible)
    }

    /// Applies a navigation key: Up/Down, `k`/`j`, PgUp/PgDn, ctrl-b/ctrl-f, Home/End,
    /// `g`/`G`. Returns false (and changes nothing) for any other key.
    @discardableResult
    public mutating func handle(_ key: Key, count: Int, visible: Int) -> Bool {
        switch key {
        case .up, .character("k"): move(by: -1, count: count, visible: visible)
        case .down, .character("j"): move(by: 1, count: count, visible: visible)
        case .pageUp, .ctrl("b"): pageUp(count: count, visible: visible)
        case .pageDown, .ctrl("f"): pageDown(count: count, visible: visible)
        case .home, .character("g"): toTop(count: count, visible: visible)
        case .end, .character("G"): toBottom(count: count, visible: visible)
        default: return false
        }
        return true
    }
}
