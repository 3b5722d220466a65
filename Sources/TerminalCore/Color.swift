/// A colour as a theme writes it.
public enum ThemeColor: Sendable, Hashable {
    /// The terminal's own foreground or background ("default").
    case terminalDefault
    /// An xterm palette index: 0-15 the ANSI colours, 16-231 the 6x6x6 cube, 232-255 greys.
    case indexed(Int)
    case rgb(UInt8, UInt8, UInt8)

    /// The 16 ANSI names, index order. "gray"/"grey" and "bright-black" are index 8.
    public static let ansiNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
                                   "bright-black", "bright-red", "bright-green", "bright-yellow",
                                   "bright-blue", "bright-magenta", "bright-cyan", "bright-white"]

    /// Parses "default", an ANSI name, "#rrggbb" or "0".."255"; nil otherwise.
    public init?(literal s: String) {
        let l = String(s.lowercased().map { $0 == "_" ? "-" : $0 })
        if l == "default" || l == "none" { self = .terminalDefault; return }
        if let i = ThemeColor.ansiNames.firstIndex(of: l) { self = .indexed(i); return }
        if l == "gray" || l == "grey" { self = .indexed(8); return }
        if l.hasPrefix("#"), l.count == 7, let v = UInt32(l.dropFirst(), radix: 16) {
            self = .rgb(UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
            return
        }
        if let n = Int(l), (0...255).contains(n) { self = .indexed(n); return }
        return nil
    }

    /// The colour for a terminal in `mode`: -1 for the terminal default, else a palette
    /// index valid for the mode (0-255, 0-15, 0-7), plus attributes that stand in for
    /// what the mode lacks (8 colours: bold for bright foregrounds, dim for grey).
    public func index(for mode: ColorMode, background: Bool = false) -> (index: Int, extra: Attributes) {
        let rgb: (Int, Int, Int)
        switch self {
        case .terminalDefault: return (-1, [])
        case .indexed(let n):
            let n = min(max(0, n), 255)
            switch mode {
            case .none: return (-1, [])
            case .xterm256: return (n, [])
            case .ansi16: return (n < 16 ? n : ColorMath.nearestANSI(ColorMath.rgb(ofIndex: n)), [])
            case .ansi8:
                if background { return (n < 8 ? n : ColorMath.nearestANSI(ColorMath.rgb(ofIndex: n), count: 8), []) }
                return ColorMath.downgradeTo8(n < 16 ? n : ColorMath.nearestANSI(ColorMath.rgb(ofIndex: n)))
            }
        case .rgb(let r, let g, let b):
            rgb = (Int(r), Int(g), Int(b))
        }
        switch mode {
        case .none: return (-1, [])
        case .xterm256: return (ColorMath.nearestXterm256(rgb), [])
        case .ansi16: return (ColorMath.nearestANSI(rgb), [])
        case .ansi8:
            if background { return (ColorMath.nearestANSI(rgb, count: 8), []) }
            return ColorMath.downgradeTo8(ColorMath.nearestANSI(rgb))
        }
    }
}

/// Palette arithmetic for colour downgrades.
public enum ColorMath {
    /// xterm's default values for the 16 ANSI colours.
    public static let ansiRGB: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]
    static let cubeLevels = [0, 95, 135, 175, 215, 255]

    /// The RGB value xterm shows for palette index `n`.
    public static func rgb(ofIndex n: Int) -> (Int, Int, Int) {
        if n < 16 { return ansiRGB[max(0, n)] }
        if n < 232 {
            let v = n - 16
            return (cubeLevels[v / 36], cubeLevels[(v / 6) % 6], cubeLevels[v % 6])
        }
        let g = 8 + 10 * (min(n, 255) - 232)
        return (g, g, g)
    }

    /// Perceptual-ish distance ("redmean"), good enough to pick palette entries.
    public static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let rm = (a.0 + b.0) / 2
        let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
        // Parenthesised: in Swift `>>` binds tighter than `*`.
        return (((512 + rm) * dr * dr) >> 8) + 4 * dg * dg + (((767 - rm) * db * db) >> 8)
    }

    /// An ANSI foreground on an 8-colour terminal: bright colours become their base
    /// colour drawn bold; bright black (grey) becomes dim white, since black on the usual
    /// black background would vanish.
    public static func downgradeTo8(_ a: Int) -> (index: Int, extra: Attributes) {
        if a < 8 { return (a, []) }
        if a == 8 { return (7, .dim) }
        return (a - 8, .bold)
    }

    /// The ANSI colour (of the first `count`, 16 or 8) that keeps a colour's meaning:
    /// greys by lightness, other colours by hue (so a pastel green stays green instead
    /// of becoming the grey that is nearest in RGB), bright when light or saturated at
    /// full intensity.
    public static func nearestANSI(_ c: (Int, Int, Int), count: Int = 16) -> Int {
        let (r, g, b) = c
        let hi = max(r, g, b), lo = min(r, g, b)
        let chroma = hi - lo
        let lightness = (hi + lo) / 2
        var index: Int
        if chroma < 48 {
            index = lightness < 60 ? 0 : lightness < 170 ? 8 : lightness < 240 ? 7 : 15
        } else {
            var hue: Double
            let d = Double(chroma)
            if hi == r { hue = 60 * (Double(g - b) / d) } else if hi == g { hue = 60 * (Double(b - r) / d + 2) } else { hue = 60 * (Double(r - g) / d + 4) }
            if hue < 0 { hue += 360 }
            // Sectors centred on red 0, yellow 60, green 120, cyan 180, blue 240, magenta 300;
            // a tie goes to the later sector (210 is blue, 30 yellow).
            let sector = Int((hue + 30).truncatingRemainder(dividingBy: 360) / 60)
            let base = [1, 3, 2, 6, 4, 5][min(5, max(0, sector))]
            index = lightness >= 140 || hi >= 240 ? base + 8 : base
        }
        if count <= 8 && index >= 8 { index = index == 15 ? 7 : index == 8 ? 0 : index - 8 }
        return index
    }

    /// Nearest of the cube (16-231) and grey ramp (232-255); the first 16 are skipped
    /// because terminals redefine them.
    public static func nearestXterm256(_ c: (Int, Int, Int)) -> Int {
        func level(_ v: Int) -> Int {
            var best = 0
            for i in cubeLevels.indices where abs(cubeLevels[i] - v) < abs(cubeLevels[best] - v) { best = i }
            return best
        }
        let (ri, gi, bi) = (level(c.0), level(c.1), level(c.2))
        let cube = 16 + 36 * ri + 6 * gi + bi
        let avg = (c.0 + c.1 + c.2) / 3
        let gi2 = min(23, max(0, (avg - 8 + 5) / 10))
        let grey = 232 + gi2
        return distance(c, rgb(ofIndex: grey)) < distance(c, rgb(ofIndex: cube)) ? grey : cube
    }
}
