import KafkaWire

/// The classic consumer protocol's opaque blobs (JoinGroup member metadata = subscription,
/// SyncGroup / DescribeGroups member assignment): an INT16 version, then the generated message
/// at that version. A version newer than this build knows is read at the newest one it knows and
/// the rest ignored, as Kafka's consumers do: the schema only ever appends fields.
public protocol ConsumerProtocolBlob: KafkaMessage {}

extension ConsumerProtocolAssignment: ConsumerProtocolBlob {}
extension ConsumerProtocolSubscription: ConsumerProtocolBlob {}

extension ConsumerProtocolBlob {
    /// Decodes a versioned blob; trailing bytes (fields of a newer version) are ignored.
    public init(versionedBytes bytes: [UInt8]) throws {
        var r = WireReader(bytes)
        let version = try r.readInt16()
        guard version >= 0 else {
            throw KafkaCodecError.unsupportedVersion(message: String(describing: Self.self), version: version)
        }
        try self.init(from: &r, version: min(version, Self.validVersions.upperBound))
    }

    /// The blob at `version`: INT16 version, then the message.
    public func versionedBytes(version: Int16) throws -> [UInt8] {
        var w = WireWriter()
        w.writeInt16(version)
        try encode(into: &w, version: version)
        return w.bytes
    }
}
