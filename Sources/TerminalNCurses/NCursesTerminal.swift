import CNCursesW
import Foundation
import TerminalCore

#if canImport(Glibc)
import Glibc
#endif

public struct NCursesError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ d: String) { description = d }
}

/// The real terminal, through ncursesw. Every method must be called from the one UI
/// thread (curses is not thread-safe).
public final class NCursesTerminal: TerminalDevice {
    public private(set) var size: Size
    public private(set) var capabilities: TerminalCapabilities
    /// Changing the theme repaints every cell with the new colours on the next present.
    public var theme: Theme {
        didSet { styleCache.removeAll(); lastStyle = nil; previous = nil }
    }
    /// The TERM the screen was opened with (the fallback when TERM was unusable).
    public let terminalName: String
    /// COLORS as curses reports it.
    public let colorCount: Int

    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    private let ttyFD: Int32
    private let ownsFD: Bool
    private let input: UnsafeMutablePointer<FILE>
    private let output: UnsafeMutablePointer<FILE>
    private var written = 0
    private let defaultColors: Bool
    private var previous: CellBuffer?
    private var styleCache: [Style: (attr_t, Int16)] = [:]
    private var pairs: [Int32: Int16] = [:]
    private var currentTimeout = Int.min
    private var closed = false

    /// Opens the terminal on /dev/tty (stdin/stdout when there is none), falling back to
    /// TERM=xterm-256color when TERM is missing or unknown. Throws when there is no
    /// terminal at all. `environment` supplies TERM and NO_COLOR; the locale (UTF-8 or
    /// not) comes from the process environment through setlocale.
    public init(theme: Theme = .builtIn, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.theme = theme
        setlocale(LC_ALL, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        let utf8 = codeset.uppercased() == "UTF-8" || codeset.uppercased() == "UTF8"

        var fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        var owns = true
        if fd < 0 {
            guard isatty(0) != 0, isatty(1) != 0 else {
                throw NCursesError("no terminal: /dev/tty cannot be opened and stdin/stdout are not terminals")
            }
            fd = 1
            owns = false
        }
        let inFD = owns ? fd : 0
        guard let inFile = fdopen(dup(inFD), "r") else {
            if owns { close(fd) }
            throw NCursesError("cannot open the terminal for reading: \(String(cString: strerror(errno)))")
        }
        guard let outFile = fdopen(dup(fd), "w") else {
            fclose(inFile)
            if owns { close(fd) }
            throw NCursesError("cannot open the terminal for writing")
        }
        set_escdelay(25)
        let requested = environment["TERM"].flatMap { $0.isEmpty ? nil : $0 }
        var name = requested ?? "xterm-256color"
        var scr = requested == nil ? nil : newterm(requested, outFile, inFile)
        if scr == nil {
            name = "xterm-256color"
            scr = newterm(name, outFile, inFile)
        }
        guard let s = scr else {
            fclose(outFile)
            fclose(inFile)
            if owns { close(fd) }
            throw NCursesError("curses cannot drive TERM=\(requested ?? "(unset)") nor xterm-256color (install ncurses-term?)")
        }
        set_term(s)
        // A terminal that cannot move the cursor (TERM=dumb, an editor's shell buffer) would
        // get every row piled onto the last line: refuse before drawing anything.
        if !Self.canAddressCursor() {
            endwin()
            delscreen(s)
            fclose(outFile)
            fclose(inFile)
            if owns { close(fd) }
            throw NCursesError("TERM=\(name) cannot position the cursor, which the terminal UI needs; run it in a "
                + "terminal such as xterm, screen or tmux (or set TERM to match yours), or use `kafscope get ...`")
        }
        screen = s
        window = kc_stdscr()
        ttyFD = fd
        ownsFD = owns
        input = inFile
        output = outFile
        terminalName = name

        var colors = 0
        var defaults = false
        if has_colors() {
            start_color()
            defaults = use_default_colors() == OK
            colors = Int(kc_colors())
        }
        colorCount = colors
        defaultColors = defaults
        let mode = ColorMode.detect(colors: colors, hasColors: has_colors(), environment: environment)
        capabilities = TerminalCapabilities(colorMode: mode, lineDrawing: utf8 ? .unicode : .ascii)

        raw()
        noecho()
        nonl()
        intrflush(window, false)
        keypad(window, true)
        meta(window, true)
        curs_set(0)
        leaveok(window, true)
        NCursesTerminal.defineCommonKeys()
        size = Size(width: Int(getmaxx(window)), height: Int(getmaxy(window)))
        CursesGuard.clearOnExit = Self.clearWithoutAlternateScreen()
        CursesGuard.exitFD = fileno(outFile)
        CursesGuard.activate()
    }

    deinit { shutdown() }

    /// True when the current terminal description has cursor addressing ("cup"). tigetstr is
    /// declared in term.h, which the curses module does not import (its macros clash with
    /// Swift names), so it is looked up in the already-linked library.
    static func canAddressCursor() -> Bool {
        typealias TigetStr = @convention(c) (UnsafePointer<CChar>) -> UnsafeMutablePointer<CChar>?
        guard let sym = dlsym(nil, "tigetstr") else { return true }
        let tigetstr = unsafeBitCast(sym, to: TigetStr.self)
        guard let cup = "cup".withCString({ tigetstr($0) }) else { return false }
        // (char *)-1 means "not a string capability": cannot happen for cup; treat as present.
        return Int(bitPattern: cup) != -1 && cup.pointee != 0
    }

    /// TERM=linux or vt100 have no alternate screen (no rmcup): after endwin the last frame would
    /// stay and the shell would print over it. Then the terminal's own clear (home + erase) is
    /// sent on exit. nil when the screen is restored by rmcup.
    static func clearWithoutAlternateScreen() -> [UInt8]? {
        typealias TigetStr = @convention(c) (UnsafePointer<CChar>) -> UnsafeMutablePointer<CChar>?
        guard let sym = dlsym(nil, "tigetstr") else { return nil }
        let tigetstr = unsafeBitCast(sym, to: TigetStr.self)
        func capability(_ name: String) -> [UInt8]? {
            guard let p = name.withCString({ tigetstr($0) }), Int(bitPattern: p) != -1, p.pointee != 0 else { return nil }
            return Array(String(cString: p).utf8)
        }
        if capability("rmcup") != nil { return nil }
        return capability("clear").map(withoutPadding) ?? Array("\u{1B}[H\u{1B}[J".utf8)
    }

    /// terminfo strings carry delays as `$<50>` (vt100's clear): tputs would wait; written raw
    /// they would print. A modern terminal needs no delay, so they are left out.
    static func withoutPadding(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "$"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "<"),
               let close = bytes[(i + 2)...].firstIndex(of: UInt8(ascii: ">")) {
                i = close + 1
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }

    /// Bytes curses sent to the terminal in `present` calls so far. Measured as the
    /// growth of this thread's write count (/proc/thread-self/io "wchar") across
    /// doupdate(): curses 6 writes with write(2) on the terminal's descriptor, which a
    /// wrapped FILE* cannot see, and the UI thread writes nothing else meanwhile.
    public var bytesWritten: Int { written }

    static func threadBytesWritten() -> Int? {
        let fd = open("/proc/thread-self/io", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 512)
        let n = read(fd, &buf, buf.count)
        guard n > 0 else { return nil }
        let text = String(decoding: buf[0..<n], as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("wchar:") {
            return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// Restores the terminal (endwin) and releases it. Safe to call more than once.
    public func shutdown() {
        guard !closed else { return }
        closed = true
        CursesGuard.deactivate()
        curs_set(1)
        endwin()
        fflush(output)
        CursesGuard.clearScreenIfNoAlternate()
        CursesGuard.exitFD = -1
        delscreen(screen)
        fclose(output)
        fclose(input)
        if ownsFD { close(ttyFD) }
    }

    /// Gives the terminal back to the shell and stops the process (ctrl-z arrives as a key
    /// in raw mode); on `fg` the screen is redrawn.
    public func suspend() {
        guard !closed else { return }
        endwin()
        CursesGuard.clearScreenIfNoAlternate()
        kill(getpid(), SIGTSTP)
        // Resumed.
        refresh()
        previous = nil
        clearok(window, true)
        size = Size(width: Int(getmaxx(window)), height: Int(getmaxy(window)))
    }

    // MARK: Output

    /// Leaves curses mode for `body` (an external editor on the same terminal), then returns to it;
    /// the next frame is drawn whole, since the editor left its own screen behind.
    public func suspended(_ body: () -> Void) {
        guard !closed else { return body() }
        def_prog_mode()
        endwin()
        body()
        reset_prog_mode()
        previous = nil
        clearok(window, true)
        refresh()
    }

    public func present(_ buffer: CellBuffer) {
        guard !closed else { return }
        let h = Int(getmaxy(window)), w = Int(getmaxx(window))
        let full: Bool
        if let p = previous, p.size == buffer.size, p.size == Size(width: w, height: h) {
            full = false
        } else {
            full = true
            werase(window)
        }
        let ascii = !capabilities.isUnicode
        let rows = min(h, buffer.height), cols = min(w, buffer.width)
        // Same size as the last frame (else `full`): cells compare index by index.
        let prev: [Cell]? = full ? nil : previous?.cells
        let cells = buffer.cells
        let stride = buffer.width
        for y in 0..<rows {
            let base = y * stride
            for x in 0..<cols {
                let cell = cells[base + x]
                if let p = prev, p[base + x] == cell { continue }
                if cell.isContinuation { continue }
                // A wide character must fit whole; at the right edge it becomes a blank.
                let cw = DisplayWidth.of(cell.text)
                if cw == 2 && x + 1 >= cols {
                    draw(" ", style: cell.style, x: x, y: y)
                    continue
                }
                if ascii && !cell.text.unicodeScalars.allSatisfy({ $0.value < 0x7F }) {
                    // Without UTF-8, curses cannot show it: one "?" per column it covers.
                    draw("?", style: cell.style, x: x, y: y)
                    if cw == 2 { draw("?", style: cell.style, x: x + 1, y: y) }
                    continue
                }
                draw(cell.text, style: cell.style, x: x, y: y)
            }
            // A changed continuation whose owner did not change: redraw the owner.
            if let p = prev {
                for x in 1..<max(1, cols) where cells[base + x].isContinuation && p[base + x] != cells[base + x] && p[base + x - 1] == cells[base + x - 1] {
                    let owner = cells[base + x - 1]
                    if ascii {
                        draw("?", style: owner.style, x: x - 1, y: y)
                        draw("?", style: owner.style, x: x, y: y)
                    } else {
                        draw(owner.text, style: owner.style, x: x - 1, y: y)
                    }
                }
            }
        }
        previous = buffer
        wnoutrefresh(window)
        let before = NCursesTerminal.threadBytesWritten()
        doupdate()
        if let b = before, let a = NCursesTerminal.threadBytesWritten(), a >= b { written += a - b }
    }

    private func draw(_ text: String, style: Style, x: Int, y: Int) {
        let (attrs, pair) = resolved(style)
        var cc = cchar_t()
        let limit = Int(kc_ccharw_max())
        // Stack buffer: this runs for every changed cell.
        withUnsafeTemporaryAllocation(of: wchar_t.self, capacity: limit + 1) { chars in
            var n = 0
            for s in text.unicodeScalars {
                if n == limit { break }
                chars[n] = wchar_t(bitPattern: s.value)
                n += 1
            }
            if n == 0 { chars[0] = 32; n = 1 }
            chars[n] = 0
            if setcchar(&cc, chars.baseAddress, attrs, pair, nil) != OK {
                // Sequences curses will not combine (emoji ZWJ): show the first scalar.
                chars[1] = 0
                setcchar(&cc, chars.baseAddress, attrs, pair, nil)
            }
        }
        mvwadd_wch(window, Int32(y), Int32(x), &cc)
    }

    private var lastStyle: Style?
    private var lastResolved: (attr_t, Int16) = (0, 0)

    private func resolved(_ style: Style) -> (attr_t, Int16) {
        // Neighbouring cells mostly share a style: skip the hash lookup for runs.
        if let l = lastStyle, l == style { return lastResolved }
        let r = resolvedUncached(style)
        lastStyle = style
        lastResolved = r
        return r
    }

    private func resolvedUncached(_ style: Style) -> (attr_t, Int16) {
        if let r = styleCache[style] { return r }
        let rs = theme.resolve(style, mode: capabilities.colorMode)
        var a = kc_a_normal()
        if rs.attributes.contains(.bold) { a |= kc_a_bold() }
        if rs.attributes.contains(.dim) { a |= kc_a_dim() }
        if rs.attributes.contains(.reverse) { a |= kc_a_reverse() }
        if rs.attributes.contains(.underline) { a |= kc_a_underline() }
        if rs.attributes.contains(.italic) { a |= kc_a_italic() }
        let pair = capabilities.colorMode == .none ? 0 : pairNumber(fg: rs.foreground, bg: rs.background)
        styleCache[style] = (a, pair)
        return (a, pair)
    }

    /// Colour pairs are allocated on first use; pair 0 is the terminal's defaults.
    private func pairNumber(fg: Int, bg: Int) -> Int16 {
        var f = fg, b = bg
        if !defaultColors {
            if f < 0 { f = 7 }
            if b < 0 { b = 0 }
        }
        if f >= colorCount { f = colorCount > 0 ? f % colorCount : -1 }
        if b >= colorCount { b = colorCount > 0 ? b % colorCount : -1 }
        if f == -1 && b == -1 { return 0 }
        let key = Int32(f + 1) << 16 | Int32(b + 1)
        if let p = pairs[key] { return p }
        let n = alloc_pair(Int32(f), Int32(b))
        // Out of pairs (or above what attr bits carry): fall back to defaults.
        let p: Int16 = n > 0 && n <= Int32(Int16.max) ? Int16(n) : 0
        pairs[key] = p
        return p
    }

    // MARK: Input

    public func readKey(timeoutMilliseconds: Int) -> Key? {
        guard !closed else { return nil }
        setTimeout(timeoutMilliseconds)
        var ch: wint_t = 0
        let r = wget_wch(window, &ch)
        if r == ERR { return nil }
        if r == KEY_CODE_YES { return keyCode(Int32(ch)) }
        let c = Int(ch)
        if c == 27 {
            // Alt-x arrives as ESC and one key with nothing behind. ESC followed by more (Esc then
            // `:brokers` Enter in one SSH packet) is Esc and then those keys, in order.
            setTimeout(0)
            defer { setTimeout(timeoutMilliseconds) }
            guard let first = pendingInput() else { return .escape }
            let second = pendingInput()
            if second == nil, let alt = NCursesTerminal.altKey(first) { return alt }
            // The pushback queue is last in, first out: the later key goes back first.
            if let second { pushBack(second) }
            pushBack(first)
            return .escape
        }
        return NCursesTerminal.character(c)
    }

    /// One input already waiting (the timeout is 0): a character, or a key code curses decoded.
    private func pendingInput() -> (code: Int, isKey: Bool)? {
        var ch: wint_t = 0
        switch wget_wch(window, &ch) {
        case OK: return (Int(ch), false)
        case KEY_CODE_YES: return (Int(ch), true)
        default: return nil
        }
    }

    private func pushBack(_ input: (code: Int, isKey: Bool)) {
        if input.isKey { ungetch(Int32(input.code)) } else { unget_wch(wchar_t(bitPattern: UInt32(input.code))) }
    }

    /// ESC then `input` with nothing behind it, as Alt: a printable character, or Backspace
    /// (which curses may already have decoded as KEY_BACKSPACE). Nil: ESC then a key of its own.
    static func altKey(_ input: (code: Int, isKey: Bool)) -> Key? {
        if input.isKey { return Int32(input.code) == KEY_BACKSPACE ? .alt("\u{7F}") : nil }
        let n = input.code
        if n == 127 || n == 8 { return .alt("\u{7F}") }
        guard n >= 32, let s = Unicode.Scalar(UInt32(truncatingIfNeeded: n)) else { return nil }
        return .alt(Character(s))
    }

    /// Sequences that terminals send whatever their terminfo entry says (TERM=xterm-256color
    /// inside tmux or screen, PuTTY): taught to curses unless the entry already has them.
    static let commonKeys: [(String, Int32)] = [
        ("\u{1B}[1~", KEY_HOME), ("\u{1B}[7~", KEY_HOME), ("\u{1B}[H", KEY_HOME), ("\u{1B}OH", KEY_HOME),
        ("\u{1B}[4~", KEY_END), ("\u{1B}[8~", KEY_END), ("\u{1B}[F", KEY_END), ("\u{1B}OF", KEY_END),
        ("\u{1B}[2~", KEY_IC), ("\u{1B}[3~", KEY_DC), ("\u{1B}[5~", KEY_PPAGE), ("\u{1B}[6~", KEY_NPAGE),
        ("\u{1B}[Z", KEY_BTAB),
        ("\u{1B}[A", KEY_UP), ("\u{1B}[B", KEY_DOWN), ("\u{1B}[C", KEY_RIGHT), ("\u{1B}[D", KEY_LEFT),
        ("\u{1B}OA", KEY_UP), ("\u{1B}OB", KEY_DOWN), ("\u{1B}OC", KEY_RIGHT), ("\u{1B}OD", KEY_LEFT),
        ("\u{1B}OP", KEY_F0 + 1), ("\u{1B}OQ", KEY_F0 + 2), ("\u{1B}OR", KEY_F0 + 3), ("\u{1B}OS", KEY_F0 + 4),
        ("\u{1B}[11~", KEY_F0 + 1), ("\u{1B}[12~", KEY_F0 + 2), ("\u{1B}[13~", KEY_F0 + 3), ("\u{1B}[14~", KEY_F0 + 4),
        ("\u{1B}[15~", KEY_F0 + 5), ("\u{1B}[17~", KEY_F0 + 6), ("\u{1B}[18~", KEY_F0 + 7), ("\u{1B}[19~", KEY_F0 + 8),
        ("\u{1B}[20~", KEY_F0 + 9), ("\u{1B}[21~", KEY_F0 + 10), ("\u{1B}[23~", KEY_F0 + 11), ("\u{1B}[24~", KEY_F0 + 12),
    ]

    static func defineCommonKeys() {
        for (seq, code) in commonKeys where key_defined(seq) == 0 {
            define_key(seq, code)
        }
    }

    private func setTimeout(_ ms: Int) {
        guard ms != currentTimeout else { return }
        currentTimeout = ms
        wtimeout(window, Int32(clamping: ms < 0 ? -1 : ms))
    }

    /// A character code from curses as a Key (raw mode: control characters included).
    static func character(_ c: Int) -> Key? {
        switch c {
        case 13, 10: return .enter
        case 9: return .tab
        case 27: return .escape
        case 127, 8: return .backspace
        case 0: return .ctrl(" ")
        case 1...26: return .ctrl(Character(Unicode.Scalar(UInt8(c + 96))))
        case 28: return .ctrl("\\")
        case 29: return .ctrl("]")
        case 30: return .ctrl("^")
        case 31: return .ctrl("_")
        default:
            guard c >= 32, let s = Unicode.Scalar(UInt32(truncatingIfNeeded: c)) else { return nil }
            return .character(Character(s))
        }
    }

    private func keyCode(_ k: Int32) -> Key? {
        switch k {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME, KEY_A1: return .home
        case KEY_END, KEY_C1, KEY_LL: return .end
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_IC: return .insert
        case KEY_BTAB: return .backTab
        case KEY_RESIZE:
            size = Size(width: Int(getmaxx(window)), height: Int(getmaxy(window)))
            previous = nil
            return .resize
        case (KEY_F0 + 1)...(KEY_F0 + 63): return .function(Int(k - KEY_F0))
        default:
            // Keys from terminfo's extended capabilities (xterm's kUP5 = ctrl-Up, linux's kcbt2 =
            // ESC [ Z) get codes above KEY_MAX, known only by their capability name.
            guard k > KEY_MAX, let name = keyname(k) else { return nil }
            return NCursesTerminal.extendedKey(named: String(cString: name))
        }
    }

    /// A modified cursor key (kUP3 = alt-Up, kDN5 = ctrl-Down, ...) read as the key itself, which
    /// is better than nothing; the UI binds no modified cursor keys.
    static func extendedKey(named name: String) -> Key? {
        let bases: [(String, Key)] = [
            ("kUP", .up), ("kDN", .down), ("kLFT", .left), ("kRIT", .right), ("kHOM", .home), ("kEND", .end),
            ("kPRV", .pageUp), ("kNXT", .pageDown), ("kDC", .delete), ("kIC", .insert), ("kcbt", .backTab),
        ]
        for (prefix, key) in bases where name.hasPrefix(prefix) {
            if name.dropFirst(prefix.count).allSatisfy(\.isNumber) { return key }
        }
        return nil
    }
}

/// Restores the terminal on every way out: normal exit (atexit), SIGTERM/SIGHUP/SIGINT/
/// SIGQUIT, and crashes (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP: Swift traps).
enum CursesGuard {
    nonisolated(unsafe) static var active: sig_atomic_t = 0
    nonisolated(unsafe) static var installed = false
    /// The handlers we replaced (Swift's crash backtracer among them), by signal number;
    /// allocated once so the handler never allocates.
    nonisolated(unsafe) static let previous: UnsafeMutablePointer<sigaction> = {
        let p = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
        memset(p, 0, 65 * MemoryLayout<sigaction>.stride)
        return p
    }()
    static let signals = [SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

    static func activate() {
        active = 1
        guard !installed else { return }
        installed = true
        atexit { CursesGuard.restore() }
        for sig in signals {
            var sa = sigaction()
            sa.__sigaction_handler.sa_handler = { sig in
                CursesGuard.restore()
                // Termination signals: die of the signal, so the exit status says what
                // happened (curses' own handler would exit(1)). Crashes: hand over to the
                // handler we replaced (Swift's backtracer), now on a restored screen.
                let crash = sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGABRT || sig == SIGTRAP
                if crash && sig > 0 && sig < 65 {
                    sigaction(sig, CursesGuard.previous + Int(sig), nil)
                } else {
                    signal(sig, SIG_DFL)
                }
                raise(sig)
            }
            sigemptyset(&sa.sa_mask)
            sa.sa_flags = 0
            sigaction(sig, &sa, previous + Int(sig))
        }
    }

    static func deactivate() { active = 0 }

    /// Set at open: the clear sequence when the terminal has no alternate screen, and where to send it.
    nonisolated(unsafe) static var clearOnExit: [UInt8]? = nil
    nonisolated(unsafe) static var exitFD: Int32 = -1

    /// write(2) only, so the signal path may call it too.
    static func clearScreenIfNoAlternate() {
        guard let bytes = clearOnExit, exitFD >= 0 else { return }
        bytes.withUnsafeBufferPointer { _ = write(exitFD, $0.baseAddress, $0.count) }
    }

    /// endwin is not async-signal-safe, but leaving the tty raw is worse; curses itself
    /// does the same in its handlers.
    static func restore() {
        guard active != 0 else { return }
        active = 0
        endwin()
        clearScreenIfNoAlternate()
    }
}
