/// A one-row chart of the most recent values (rates, lag): ▁▂▃▄▅▆▇█, or ASCII levels.
public struct Sparkline: Sendable, Hashable {
    public var values: [Double]
    public var minimum: Double?
    public var maximum: Double?
    public var role: Role

    public init(_ values: [Double], minimum: Double? = nil, maximum: Double? = nil, role: Role = .sparkline) {
        self.values = values
        self.minimum = minimum
        self.maximum = maximum
        self.role = role
    }

    /// The characters for the last `width` values (right-aligned: newest at the right).
    public func characters(width: Int, glyphs: Glyphs = .unicode) -> [Character] {
        guard width > 0 else { return [] }
        let shown = values.suffix(width).map { $0.isFinite ? $0 : 0 }
        guard !shown.isEmpty else { return [] }
        let lo = minimum ?? min(0, shown.min()!)
        let hi = maximum ?? shown.max()!
        let levels = glyphs.sparkLevels
        return shown.map { v in
            guard hi > lo else { return levels[v > lo ? levels.count - 1 : 0] }
            let f = (min(max(v, lo), hi) - lo) / (hi - lo)
            return levels[min(levels.count - 1, Int((f * Double(levels.count - 1)).rounded()))]
        }
    }

    public func render(into buffer: inout CellBuffer, area: Rect, glyphs: Glyphs = .unicode) {
        let a = area.intersection(buffer.bounds)
        guard !a.isEmpty else { return }
        let chars = characters(width: a.width, glyphs: glyphs)
        let start = a.maxX - chars.count
        for (i, c) in chars.enumerated() {
            buffer.put(String(c), x: start + i, y: a.y, style: Style(role), clip: a)
        }
    }
}
