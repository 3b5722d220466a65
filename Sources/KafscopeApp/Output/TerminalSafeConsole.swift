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
