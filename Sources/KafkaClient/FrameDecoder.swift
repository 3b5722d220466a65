import NIOCore

/// Why a response frame was refused before decoding.
public enum FrameError: Error, Sendable, Hashable, CustomStringConvertible {
    case tooLarge(size: Int64, limit: Int)
    case negativeSize(Int32)
    /// The size prefix looks like a TLS record: we spoke plaintext to a TLS listener.
    case looksLikeTLS
    /// The first bytes are another protocol's greeting or answer (SSH banner, HTTP, ...).
    case notKafka(ForeignProtocol)

    public var description: String {
        switch self {
        case .tooLarge(let size, let limit):
            return "response frame of \(size) bytes exceeds the \(limit)-byte limit"
        case .negativeSize(let s):
            return "negative response frame size \(s)"
        case .looksLikeTLS:
            return "the broker answered with TLS: this listener needs SSL (security.protocol=SSL or SASL_SSL)"
        case .notKafka(let p):
            return p.notKafka
        }
    }
}

/// Splits the byte stream into Kafka frames (INT32 size + body) and caps the size a broker
/// can make us buffer. Emits the body without its size prefix, copied out of the receive buffer:
/// a slice would share the buffer's storage, so every later read into it would copy it whole.
public struct KafkaFrameDecoder: ByteToMessageDecoder, NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = [UInt8]

    /// Up to this much is reserved as soon as a frame's size is known, so a large response is not
    /// regrown (and copied) chunk after chunk; beyond it the buffer grows as data arrives.
    static let reserveLimit = 64 << 20

    public let maxFrameBytes: Int

    public init(maxFrameBytes: Int) {
        self.maxFrameBytes = maxFrameBytes
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> [UInt8]? {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return nil }
        if size < 0 { throw FrameError.negativeSize(size) }
        if Int(size) > maxFrameBytes {
            // A TLS alert/handshake record starts 0x15/0x16 0x03 0x0X; other services greet in text.
            let top = UInt32(bitPattern: size)
            if (top >> 24 == 0x15 || top >> 24 == 0x16) && (top >> 16) & 0xFF == 0x03 { throw FrameError.looksLikeTLS }
            let prefix = buffer.getBytes(at: buffer.readerIndex, length: min(16, buffer.readableBytes)) ?? []
            if let foreign = ForeignProtocol.identify(prefix) { throw FrameError.notKafka(foreign) }
            throw FrameError.tooLarge(size: Int64(size), limit: maxFrameBytes)
        }
        guard buffer.readableBytes >= 4 + Int(size) else {
            let missing = 4 + Int(size) - buffer.readableBytes
            if buffer.writableBytes < missing && Int(size) <= Self.reserveLimit {
                buffer.reserveCapacity(minimumWritableBytes: missing)
            }
            return nil
        }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readBytes(length: Int(size))
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try decode(buffer: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> [UInt8]? {
        try decode(buffer: &buffer)
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer,
                                    seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}
