/// A credential (password, key passphrase), from the config file to the wire. Printing, interpolating or dumping it shows "***";
/// only `reveal()` yields the value, so it cannot leak into logs or error messages by accident.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let value: String

    public init(_ value: String) { self.value = value }

    /// The clear text; call only where the bytes go on the wire or into a crypto routine.
    public func reveal() -> String { value }

    public var isEmpty: Bool { value.isEmpty }
    public var description: String { "***" }
    public var debugDescription: String { "Secret(***)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
