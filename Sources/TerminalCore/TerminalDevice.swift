/// How many colours the terminal can show. `none` keeps attributes (bold, reverse,
/// underline) so emphasis still reads without colour (NO_COLOR, TERM=vt100).
public enum ColorMode: Int, Sendable, Hashable, Comparable, CaseIterable {
    case none = 0
    case ansi8 = 8
    case ansi16 = 16
    case xterm256 = 256

    public static func < (a: ColorMode, b: ColorMode) -> Bool { a.rawValue < b.rawValue }

    /// The mode for a terminal reporting `colors` (curses COLORS), honouring NO_COLOR
    /// (any non-empty value disables colour, per no-color.org).
    public static func detect(colors: Int, hasColors: Bool = true, environment: [String: String]) -> ColorMode {
        if let v = environment["NO_COLOR"], !v.isEmpty { return .none }
        guard hasColors else { return .none }
        if colors >= 256 { return .xterm256 }
        if colors >= 16 { return .ansi16 }
        if colors >= 8 { return .ansi8 }
        return .none
    }
}

public enum LineDrawing: Sendable, Hashable {
    /// Box-drawing and block characters (─│┌┐└┘, ▁…█, "…").
    case unicode
    /// Plain ASCII (+-|, "~"), for C/POSIX locales and terminals without UTF-8.
    case ascii
}

public struct TerminalCapabilities: Sendable, Hashable {
    public var colorMode: ColorMode
    public var lineDrawing: LineDrawing

    public init(colorMode: ColorMode = .xterm256, lineDrawing: LineDrawing = .unicode) {
        self.colorMode = colorMode
        self.lineDrawing = lineDrawing
    }

    public var isUnicode: Bool { lineDrawing == .unicode }
    public var glyphs: Glyphs { lineDrawing == .unicode ? .unicode : .ascii }

    public static let full = TerminalCapabilities()
    public static let plain = TerminalCapabilities(colorMode: .none, lineDrawing: .ascii)
}

/// The screen the UI draws on. Called only from the single UI thread.
public protocol TerminalDevice: AnyObject {
    var size: Size { get }
    var capabilities: TerminalCapabilities { get }
    /// Shows `buffer` (which should have the device's current size; larger buffers are
    /// clipped, smaller ones leave the rest blank).
    func present(_ buffer: CellBuffer)
    /// Waits up to `timeoutMilliseconds` (0: poll, negative: block) for a key.
    func readKey(timeoutMilliseconds: Int) -> Key?
    /// Gives the terminal to `body` (an external editor) and takes it back afterwards, so that the
    /// next `present` draws every cell again.
    func suspended(_ body: () -> Void)
}

extension TerminalDevice {
    /// Devices that are not a real terminal have nothing to hand over.
    public func suspended(_ body: () -> Void) { body() }
}

/// A terminal for tests: keys come from a script, presented buffers are kept.
public final class RecordingDevice: TerminalDevice {
    public private(set) var size: Size
    public var capabilities: TerminalCapabilities
    /// Keys still to be returned by `readKey`, first to last.
    public var pendingKeys: [Key]
    public private(set) var lastBuffer: CellBuffer?
    public private(set) var presentCount = 0
    /// How often `readKey` was called and how often it found no key.
    public private(set) var readCount = 0
    public private(set) var timeoutCount = 0

    public init(size: Size, capabilities: TerminalCapabilities = .full, keys: [Key] = []) {
        self.size = size
        self.capabilities = capabilities
        self.pendingKeys = keys
    }

    public func present(_ buffer: CellBuffer) {
        lastBuffer = buffer
        presentCount += 1
    }

    public func readKey(timeoutMilliseconds: Int) -> Key? {
        readCount += 1
        if pendingKeys.isEmpty { timeoutCount += 1; return nil }
        return pendingKeys.removeFirst()
    }

    public func enqueue(_ keys: Key...) { pendingKeys.append(contentsOf: keys) }
    public func enqueue(_ keys: [Key]) { pendingKeys.append(contentsOf: keys) }

    /// Types each character of `text` as a `.character` key.
    public func type(_ text: String) { pendingKeys.append(contentsOf: text.map { Key.character($0) }) }

    /// Changes the size and queues `.resize`, as a real terminal would.
    public func resize(to newSize: Size) {
        size = newSize
        pendingKeys.append(.resize)
    }

    /// The last presented screen as text ("" before the first present).
    public var screenText: String { lastBuffer?.text() ?? "" }
}
