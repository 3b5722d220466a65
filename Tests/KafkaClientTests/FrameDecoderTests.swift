import NIOCore
import Testing
@testable import KafkaClient

@Suite struct FrameDecoderTests {
    static func frame(_ body: [UInt8]) -> [UInt8] {
        let n = UInt32(body.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + body
    }

    static let bodies: [[UInt8]] = [[0, 0, 0, 7, 1, 2, 3], [0, 0, 0, 8], Array(repeating: 0xAB, count: 300), [0, 0, 0, 9, 0]]

    func decodeAll(_ chunks: [[UInt8]], max: Int = 1 << 20) throws -> [[UInt8]] {
        var d = KafkaFrameDecoder(maxFrameBytes: max)
        var buf = ByteBuffer()
        var out: [[UInt8]] = []
        for c in chunks {
            buf.writeBytes(c)
            while let f = try d.decode(buffer: &buf) { out.append(f) }
        }
        #expect(buf.readableBytes == 0)
        return out
    }

    @Test func allAtOnce() throws {
        let stream = Self.bodies.flatMap(Self.frame)
        #expect(try decodeAll([stream]) == Self.bodies)
    }

    @Test func byteByByte() throws {
        let stream = Self.bodies.flatMap(Self.frame)
        #expect(try decodeAll(stream.map { [$0] }) == Self.bodies)
    }

    @Test func randomChunks() throws {
        let stream = Self.bodies.flatMap(Self.frame)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var chunks: [[UInt8]] = []
            var i = 0
            while i < stream.count {
                let n = Int.random(in: 1...40, using: &rng)
                chunks.append(Array(stream[i..<min(i + n, stream.count)]))
                i += n
            }
            #expect(try decodeAll(chunks) == Self.bodies)
        }
    }

    @Test func partialFrameWaits() throws {
        var d = KafkaFrameDecoder(maxFrameBytes: 100)
        var buf = ByteBuffer(bytes: [0, 0, 0, 10, 1, 2])
        #expect(try d.decode(buffer: &buf) == nil)
        #expect(buf.readableBytes == 6)
    }

    /// A large response is received into one buffer sized for it, not regrown chunk by chunk;
    /// a size beyond the reservation limit is not trusted with an allocation up front.
    @Test func knownFrameSizeIsReservedUpToALimit() throws {
        var d = KafkaFrameDecoder(maxFrameBytes: 200 << 20)
        var buf = ByteBuffer(bytes: [0, 0x10, 0, 0, 1, 2, 3])  // 1 MiB body announced
        #expect(try d.decode(buffer: &buf) == nil)
        #expect(buf.capacity >= 4 + (1 << 20))
        var huge = ByteBuffer(bytes: [0x08, 0, 0, 0, 1])  // 128 MiB announced
        #expect(try d.decode(buffer: &huge) == nil)
        #expect(huge.capacity < KafkaFrameDecoder.reserveLimit)
    }

    @Test func oversizedFrameIsRefused() {
        var d = KafkaFrameDecoder(maxFrameBytes: 1000)
        var buf = ByteBuffer(bytes: [0, 0, 0x10, 0])
        #expect(throws: FrameError.tooLarge(size: 4096, limit: 1000)) { try d.decode(buffer: &buf) }
    }

    @Test func negativeSizeIsRefused() {
        var d = KafkaFrameDecoder(maxFrameBytes: 1000)
        var buf = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFE])
        #expect(throws: FrameError.negativeSize(-2)) { try d.decode(buffer: &buf) }
    }

    @Test func tlsAlertIsRecognised() {
        var d = KafkaFrameDecoder(maxFrameBytes: 100 << 20)
        var buf = ByteBuffer(bytes: [0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x50])
        #expect(throws: FrameError.looksLikeTLS) { try d.decode(buffer: &buf) }
    }

    @Test func httpIsRecognised() {
        var d = KafkaFrameDecoder(maxFrameBytes: 100 << 20)
        var buf = ByteBuffer(bytes: Array("HTTP/1.1 400".utf8))
        #expect(throws: FrameError.notKafka(.http)) { try d.decode(buffer: &buf) }
    }

    @Test(arguments: [
        ("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", ForeignProtocol.ssh),
        ("220 mail.example ESMTP Postfix\r\n", .ftpOrSMTP),
        ("-ERR unknown command\r\n", .redis),
        ("+OK POP3 ready\r\n", .pop3),
        ("AMQP\u{0}\u{0}\u{9}\u{1}", .amqp),
        ("hello there\n", .text),
    ])
    func otherServicesAreNamed(greeting: String, expected: ForeignProtocol) {
        var d = KafkaFrameDecoder(maxFrameBytes: 256 << 20)
        var buf = ByteBuffer(bytes: Array(greeting.utf8))
        #expect(throws: FrameError.notKafka(expected)) { try d.decode(buffer: &buf) }
        #expect(FrameError.notKafka(expected).description == "this is not a Kafka broker (looks like \(expected.rawValue))")
    }

    @Test func aMySQLGreetingIsNamed() {
        var d = KafkaFrameDecoder(maxFrameBytes: 256 << 20)
        var buf = ByteBuffer(bytes: [0x4A, 0, 0, 0, 0x0A] + Array("8.0.36".utf8))
        #expect(throws: FrameError.notKafka(.mysql)) { try d.decode(buffer: &buf) }
    }
}
