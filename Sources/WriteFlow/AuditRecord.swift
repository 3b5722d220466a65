import ClusterModel

/// One audit line: who (the OS user), what, on which target, with what result. Built by the
/// flow, so every write logs exactly one, worded the same way.
public struct AuditRecord: Sendable, Hashable {
    public var user: String
    public var kind: WriteKind
    public var action: String
    public var target: WriteTarget
    public var result: String
    /// Whether anything may have reached the cluster.
    public var sent: Bool
    /// The outcome's text (the error, the transition, the partial failures).
    public var detail: String?
    public var fields: [AuditField]

    public init(user: String, kind: WriteKind, action: String, target: WriteTarget, result: String, sent: Bool,
                detail: String?, fields: [AuditField]) {
        self.user = user
        self.kind = kind
        self.action = action
        self.target = target
        self.result = result
        self.sent = sent
        self.detail = detail
        self.fields = fields
    }

    /// `audit user=ops kind=connector-action write="pause connector" target=orders-sink
    /// location="Connect cluster QA" result=ok sent=true detail="..." key=value...`: one line
    /// whatever the names contain (control characters escaped), secrets masked.
    public var line: String {
        var pairs: [(String, String)] = [
            ("user", user), ("kind", kind.rawValue), ("write", action), ("target", target.name),
        ]
        if let q = target.qualifier, !q.isEmpty { pairs.append(("qualifier", q)) }
        if let l = target.location, !l.isEmpty { pairs.append(("location", l)) }
        pairs.append(("result", result))
        pairs.append(("sent", sent ? "true" : "false"))
        for f in fields { pairs.append((f.key, ConnectConfigMasking.display(key: f.key, value: f.value))) }
        if let detail, !detail.isEmpty { pairs.append(("detail", detail)) }
        return "audit " + pairs.map { "\(Self.key($0.0))=\(Self.quoted(ConnectConfigMasking.maskURLPassword($0.1)))" }
            .joined(separator: " ")
    }

    static func key(_ k: String) -> String {
        let cleaned = k.map { ch -> Character in
            ch.isLetter || ch.isNumber || ch == "_" || ch == "-" || ch == "." ? ch : "_"
        }
        return cleaned.isEmpty ? "_" : String(cleaned)
    }

    /// Bare when it is a plain word, else in double quotes with `"`, `\` and control characters escaped.
    static func quoted(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { s in
            s.value > 0x20 && s.value != 0x7f && s != "\"" && s != "\\" && s != "=" && !(0x80...0x9f).contains(s.value)
        }
        if plain { return value }
        var out = "\""
        for s in value.unicodeScalars {
            switch s {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if s.value < 0x20 || s.value == 0x7f || (0x80...0x9f).contains(s.value) {
                    out += "\\u{" + String(s.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(s)
                }
            }
        }
        return out + "\""
    }
}
