import TerminalCore

/// The console every command gets (KafscopeMain installs it): what commands print for a person
/// has its control characters escaped (TerminalControls) whatever console sits underneath, so a
/// new command cannot forget it. `outRaw` alone passes bytes unchanged.
public struct TerminalSafeConsole: CommandConsole {
    public let inner: any CommandConsole

    public init(_ inner: any CommandConsole) {
        self.inner = (inner as? TerminalSafeConsole)?.inner ?? inner
    }

    public func out(_ text: String) { inner.out(TerminalControls.escaped(text, keepingLines: true)) }
    public func err(_ text: String) { inner.err(TerminalControls.escaped(text, keepingLines: true)) }
    public func outRaw(_ bytes: [UInt8]) { inner.outRaw(bytes) }
}

extension CommandConsole {
    /// The console underneath the control-character filter: what a command asks when it needs to know
    /// whether it writes to the real stdout (e.g. to watch for a reader that left).
    public var unfiltered: any CommandConsole { (self as? TerminalSafeConsole)?.inner ?? self }
}
