/// A password or key passphrase read from config. Printing, interpolating or dumping it shows
/// "***"; only `reveal()` yields the text, so it cannot leak into logs or messages by accident.
public struct SecretText: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let value: String

    public init(_ value: String) { self.value = value }

    /// The clear text; call only where it is handed to the client that sends it.
    public func reveal() -> String { value }

    public var isEmpty: Bool { value.isEmpty }
    public var description: String { "***" }
    public var debugDescription: String { "SecretText(***)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
