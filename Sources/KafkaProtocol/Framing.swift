import KafkaWire

/// Request/response framing: size prefix, header version rules, correlation ids.
public enum KafkaFraming {
    /// Largest frame we accept or produce (Kafka's socket.request.max.bytes default is 100 MiB).
    public static let maxFrameSize = 256 * 1024 * 1024

    /// Request header v2 for flexible request versions, else v1; ControlledShutdown v0 uses v0.
    public static func requestHeaderVersion(apiKey: ApiKey, apiVersion: Int16, flexible: Bool) -> Int16 {
        if apiKey == .controlledShutdown && apiVersion == 0 { return 0 }
        return flexible ? 2 : 1
    }

    /// Response header v1 for flexible versions, else v0; ApiVersions responses always use v0
    /// so that a client can read them whatever version the broker fell back to.
    public static func responseHeaderVersion(apiKey: ApiKey, flexible: Bool) -> Int16 {
        if apiKey == .apiVersions { return 0 }
        return flexible ? 1 : 0
    }

    /// The whole frame, including the 4-byte size prefix.
    public static func encodeRequest<R: KafkaRequestMessage>(
        _ request: R, version: Int16, correlationId: Int32, clientId: String?
    ) throws -> [UInt8] {
        guard R.validVersions.contains(version) else {
            throw KafkaCodecError.unsupportedVersion(message: String(describing: R.self), version: version)
        }
        var w = WireWriter(capacity: 64)
        w.writeInt32(0)
        let header = RequestHeader(
            requestApiKey: R.apiKey.rawValue, requestApiVersion: version,
            correlationId: correlationId, clientId: clientId)
        let hv = requestHeaderVersion(apiKey: R.apiKey, apiVersion: version, flexible: R.isFlexible(version))
        try header.encode(into: &w, version: hv)
        try request.encode(into: &w, version: version)
        let size = w.count - 4
        guard size <= maxFrameSize else { throw WireError.valueTooLarge(size) }
        w.setInt32(Int32(size), at: 0)
        return w.bytes
    }

    /// Decodes a response body (the frame without its size prefix).
    public static func decodeResponse<R: KafkaRequestMessage>(
        _ type: R.Type, version: Int16, body: [UInt8]
    ) throws -> (correlationId: Int32, response: R.Response) {
        var r = WireReader(body)
        let hv = responseHeaderVersion(apiKey: R.apiKey, flexible: R.isFlexible(version))
        let header = try ResponseHeader(from: &r, version: hv)
        let response = try R.Response(from: &r, version: version)
        return (header.correlationId, response)
    }

    /// Decodes an ApiVersions response body. A broker that lacks `requestedVersion` answers
    /// UNSUPPORTED_VERSION (35) in the v0 layout, listing its own ApiVersions range; that reply is
    /// decoded as v0. Peers that send something else with error 35 (librdkafka's mock cluster)
    /// yield a response holding only the error code, so the caller can retry at v0.
    public static func decodeApiVersionsResponse(
        body: [UInt8], requestedVersion: Int16
    ) throws -> (correlationId: Int32, response: ApiVersionsResponse, decodedVersion: Int16) {
        var peek = WireReader(body)
        let corr = try peek.readInt32()
        let errorCode = try peek.readInt16()
        if KafkaErrorCode.unsupportedVersion.matches(errorCode) && requestedVersion > 0 {
            if let (c, r) = try? decodeResponse(ApiVersionsRequest.self, version: 0, body: body) {
                return (c, r, 0)
            }
            return (corr, ApiVersionsResponse(errorCode: errorCode), 0)
        }
        let (c, r) = try decodeResponse(ApiVersionsRequest.self, version: requestedVersion, body: body)
        return (c, r, requestedVersion)
    }

    /// The correlation id at the start of every response body.
    public static func peekCorrelationId(_ body: [UInt8]) throws -> Int32 {
        var r = WireReader(body)
        return try r.readInt32()
    }

    /// Reads a frame's size prefix, rejecting negative and oversized frames.
    public static func frameSize(prefix: [UInt8]) throws -> Int {
        var r = WireReader(prefix)
        let n = try r.readInt32()
        guard n >= 0 else { throw WireError.negativeLength(Int64(n)) }
        guard Int(n) <= maxFrameSize else { throw WireError.lengthTooLarge(length: Int64(n), available: maxFrameSize) }
        return Int(n)
    }

    // MARK: broker side (fake brokers in tests, golden-byte checks)

    /// A decoded request header and the offset of the request body that follows it.
    public struct RequestFrame: Sendable, Equatable {
        public var apiKey: Int16
        public var apiVersion: Int16
        public var correlationId: Int32
        public var clientId: String?
        public var headerTaggedFields: [UnknownTaggedField]
        /// The request body (after the header).
        public var body: [UInt8]
    }

    /// Splits a request body (frame without size prefix) into header and body; the header
    /// version follows from the API key and version, as a broker does it.
    public static func decodeRequestHeader(_ frame: [UInt8]) throws -> RequestFrame {
        var r = WireReader(frame)
        var peek = r
        let key = try peek.readInt16()
        let version = try peek.readInt16()
        var hv: Int16 = 1
        if let api = ApiKey(rawValue: key) {
            hv = requestHeaderVersion(apiKey: api, apiVersion: version, flexible: api.requestType.isFlexible(version))
        }
        let h = try RequestHeader(from: &r, version: hv)
        return RequestFrame(
            apiKey: h.requestApiKey, apiVersion: h.requestApiVersion, correlationId: h.correlationId,
            clientId: h.clientId, headerTaggedFields: h.unknownTaggedFields, body: r.remainingBytes)
    }

    /// Decodes a full request frame body (without size prefix) of a known type.
    public static func decodeRequest<R: KafkaRequestMessage>(_ type: R.Type, frame: [UInt8]) throws -> (header: RequestFrame, request: R) {
        let h = try decodeRequestHeader(frame)
        guard h.apiKey == R.apiKey.rawValue else {
            throw KafkaCodecError.unsupportedVersion(message: String(describing: R.self), version: h.apiVersion)
        }
        let req = try R(bytes: h.body, version: h.apiVersion)
        return (h, req)
    }

    /// A response frame including the size prefix, as a broker would send it.
    public static func encodeResponse<R: KafkaRequestMessage>(
        _ response: R.Response, for type: R.Type, version: Int16, correlationId: Int32
    ) throws -> [UInt8] {
        var w = WireWriter(capacity: 64)
        w.writeInt32(0)
        let hv = responseHeaderVersion(apiKey: R.apiKey, flexible: R.isFlexible(version))
        try ResponseHeader(correlationId: correlationId).encode(into: &w, version: hv)
        try response.encode(into: &w, version: version)
        let size = w.count - 4
        guard size <= maxFrameSize else { throw WireError.valueTooLarge(size) }
        w.setInt32(Int32(size), at: 0)
        return w.bytes
    }
}
