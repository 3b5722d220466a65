/// A centred confirmation box that names what it acts on:
///   ┌ Restart connector ─────┐
///   │ Restart all tasks of   │
///   │ orders-sink            │  (target, bold)
///   │   [ Yes ]   [ No ]     │
public struct Dialog: Sendable, Hashable {
    public var title: String
    public var message: String
    public var target: String
    public var buttons: [String]
    public var selected: Int
    /// Lines under the target (a plan's summary, what cannot be undone).
    public var details: [String]
    /// A typed-answer line ("Type orders to confirm: ord"), drawn above the buttons.
    public var input: String?

    public init(title: String, message: String, target: String, buttons: [String] = ["Yes", "No"], selected: Int = 1,
                details: [String] = [], input: String? = nil) {
        self.title = title
        self.message = message
        self.target = target
        self.buttons = buttons
        self.selected = selected
        self.details = details
        self.input = input
    }

    /// Everything above the buttons, in order, with its style.
    private func lines(width: Int) -> [(String, Style)] {
        var out: [(String, Style)] = []
        for l in TextLayout.wrap(message, width: width) { out.append((l, Style(.dialog))) }
        for l in TextLayout.wrap(target, width: width) { out.append((l, Style(.dialog, .bold))) }
        for d in details { for l in TextLayout.wrap(d, width: width) { out.append((l, Style(.dialog))) } }
        if let input { for l in TextLayout.wrap(input + "_", width: width) { out.append((l, Style(.dialog, .bold))) } }
        return out
    }

    /// The box's rectangle inside `area`.
    public func frame(in area: Rect) -> Rect {
        let inner = min(max(area.width - 4, 1), 60)
        let msgW = DisplayWidth.of(message), tgtW = DisplayWidth.of(target)
        let btnW = buttons.reduce(0) { $0 + DisplayWidth.of($1) + 4 } + 2 * max(0, buttons.count - 1)
        let extraW = (details + [input.map { $0 + "_" } ?? ""]).map(DisplayWidth.of).max() ?? 0
        let contentW = min(inner, max(24, msgW, tgtW, btnW, extraW, DisplayWidth.of(title) + 2))
        let lines = lines(width: contentW).count
        let w = min(area.width, contentW + 4)
        let h = min(area.height, lines + 4)
        return Rect(x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h)
    }

    /// Where the text goes inside the box (the last content row holds the buttons), and how many of
    /// `lines` fit above it. One computation for drawing and for `showsTargetInFull`.
    private func placement(in area: Rect) -> (box: Rect, content: Rect, lines: [(String, Style)], drawn: Int)? {
        guard !area.isEmpty else { return nil }
        let box = frame(in: area)
        let inner = Frame.inner(box)
        // Too small for a frame: still say what is asked.
        let content = inner.isEmpty ? box : Rect(x: inner.x + 1, y: inner.y, width: inner.width - 2, height: inner.height)
        guard !content.isEmpty else { return (box, content, [], 0) }
        let lines = lines(width: content.width)
        return (box, content, lines, min(lines.count, max(0, content.height - 1)))
    }

    /// True when the message and every line of the target are drawn in `area` (details and the
    /// typed line may be cut): what a confirmation must show before a yes can count.
    public func showsTargetInFull(in area: Rect) -> Bool {
        guard let p = placement(in: area), !p.content.isEmpty else { return false }
        let asked = TextLayout.wrap(message, width: p.content.width).count + TextLayout.wrap(target, width: p.content.width).count
        return p.drawn >= asked
    }

    public func render(into buffer: inout CellBuffer, area: Rect, glyphs: Glyphs = .unicode) {
        guard let p = placement(in: area.intersection(buffer.bounds)) else { return }
        let box = p.box, content = p.content
        buffer.fill(box, with: Cell(" ", style: Style(.dialog)))
        Frame(title: title, role: .dialog, titleRole: .dialogTitle).render(into: &buffer, area: box, glyphs: glyphs)
        guard !content.isEmpty else { return }
        for (i, (line, style)) in p.lines.prefix(p.drawn).enumerated() {
            buffer.put(line, x: content.x, y: content.y + i, style: style, clip: content)
        }
        let last = content.maxY - 1
        // Buttons on the last content row, centred.
        let labels = buttons.map { "[ " + $0 + " ]" }
        let total = labels.reduce(0) { $0 + DisplayWidth.of($1) } + 2 * max(0, labels.count - 1)
        var x = content.x + max(0, (content.width - total) / 2)
        for (i, l) in labels.enumerated() {
            let st = i == selected ? Style(.dialogButtonSelected) : Style(.dialogButton)
            x += buffer.put(l, x: x, y: last, style: st, clip: content) + 2
        }
    }
}

public enum DialogOutcome: Sendable, Hashable {
    case chosen(Int)
    case cancelled
}

/// Key handling for a yes/no dialog: `y` picks the first button, `n` and Esc cancel,
/// Left/Right/Tab/h/l move, Enter picks the selected one.
public struct DialogState: Sendable, Hashable {
    public var selected: Int
    /// What was typed, for a dialog that asks for a name (`handleTyped`).
    public var text: String = ""
    public init(selected: Int = 1) { self.selected = selected }

    /// Key handling for a dialog that asks the person to type a name: printable keys edit the
    /// text, Enter answers with it (`.chosen(0)`), Esc / Ctrl-C cancel. No single key confirms.
    public mutating func handleTyped(_ key: Key) -> DialogOutcome? {
        switch key {
        case .character(let c) where !c.isNewline: text.append(c)
        case .backspace: if !text.isEmpty { text.removeLast() }
        case .enter: return .chosen(0)
        case .escape, .ctrl("c"): return .cancelled
        default: break
        }
        return nil
    }

    public mutating func handle(_ key: Key, buttonCount: Int) -> DialogOutcome? {
        let n = max(1, buttonCount)
        switch key {
        case .character("y"), .character("Y"): return .chosen(0)
        case .character("n"), .character("N"), .escape, .ctrl("c"), .character("q"): return .cancelled
        case .left, .character("h"), .backTab: selected = (selected - 1 + n) % n
        case .right, .character("l"), .tab: selected = (selected + 1) % n
        case .enter: return .chosen(min(max(0, selected), n - 1))
        default: break
        }
        return nil
    }
}
