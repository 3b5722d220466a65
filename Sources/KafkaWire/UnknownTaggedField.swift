/// A tagged field this build does not know, kept so that re-encoding preserves it.
public struct UnknownTaggedField: Hashable, Sendable {
    public var tag: UInt32
    public var data: [UInt8]

    public init(tag: UInt32, data: [UInt8]) {
        self.tag = tag
        self.data = data
    }
}
