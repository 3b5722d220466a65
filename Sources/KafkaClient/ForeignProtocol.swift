/// What answered when the first bytes from a "broker" cannot be a Kafka frame: a service on the
/// wrong port usually announces itself in its first bytes (an SSH banner, an HTTP status line, a
/// mail or FTP greeting), and naming it tells the user which address is wrong.
public enum ForeignProtocol: String, Sendable, Hashable, CaseIterable {
    case ssh = "SSH"
    case http = "HTTP"
    case ftpOrSMTP = "FTP or SMTP (a \"220\" greeting)"
    case pop3 = "POP3"
    case imap = "IMAP"
    case redis = "Redis"
    case amqp = "AMQP"
    case vnc = "VNC"
    case mysql = "MySQL"
    /// Printable text that matches none of the above.
    case text = "a text protocol"

    /// Recognises the start of a stream. A Kafka response starts with its INT32 size, so four
    /// printable bytes would announce a frame of over 500 MB: never a Kafka answer to our requests.
    public static func identify(_ prefix: [UInt8]) -> ForeignProtocol? {
        guard prefix.count >= 4 else { return nil }
        func starts(_ s: String) -> Bool { prefix.starts(with: Array(s.utf8)) }
        if starts("SSH-") { return .ssh }
        if starts("HTTP/") || starts("HTTP") { return .http }
        if starts("220 ") || starts("220-") { return .ftpOrSMTP }
        if starts("+OK") { return .pop3 }
        if starts("* OK") || starts("* PREAUTH") { return .imap }
        if starts("-ERR") || starts("-NOAUTH") || starts("-DENIED") { return .redis }
        if starts("AMQP") { return .amqp }
        if starts("RFB ") { return .vnc }
        // MySQL's greeting: 3-byte little-endian length, sequence 0, protocol version 10.
        if prefix.count >= 5, prefix[3] == 0, prefix[4] == 10, prefix[2] == 0, prefix[0] != 0 || prefix[1] != 0 { return .mysql }
        if prefix.prefix(4).allSatisfy({ (0x20...0x7E).contains($0) || $0 == 0x0D || $0 == 0x0A }) { return .text }
        return nil
    }

    /// "this is not a Kafka broker (looks like SSH)".
    public var notKafka: String { "this is not a Kafka broker (looks like \(rawValue))" }
}
