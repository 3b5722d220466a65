// Connect rules shared by the CLI and the screens (added by the "connect" helper):
// secret masking of connector configs, when an action has settled, and how a
// state transition is worded. Pure functions, no I/O.

/// Decides which connector config values are secrets. The rule works on key tokens
/// (split on `.`, `_`, `-` and camelCase), so `key.converter` stays visible while
/// `connection.password`, `aws.secret.access.key` and `ssl.keystore.key` are hidden.
public enum ConnectConfigMasking {
    public static let mask = "********"

    /// Tokens that make any key secret wherever they appear.
    static let secretTokens: Set<String> = [
        "password", "passwd", "pwd", "secret", "secrets", "token", "tokens", "credential", "credentials",
        "passphrase", "apikey", "privatekey", "secretkey", "accesskey", "jaas",
    ]
    /// `X.key` is secret when X names a key holder (`private.key`, `api.key`, `ssl.keystore.key`);
    /// a bare `key` (`key.converter`, `key.ignore`, `message.key.columns`) is not.
    static let keyOwners: Set<String> = [
        "private", "api", "access", "secret", "signing", "encryption", "master", "client", "keystore",
        "ssl", "service", "account", "shared", "subscription", "auth", "hmac",
    ]

    public static func tokens(of key: String) -> [String] {
        var out: [String] = []
        var current = ""
        var previousLower = false
        for ch in key {
            if ch == "." || ch == "_" || ch == "-" || ch == " " {
                if !current.isEmpty { out.append(current.lowercased()) }
                current = ""
                previousLower = false
                continue
            }
            if ch.isUppercase && previousLower {
                out.append(current.lowercased())
                current = ""
            }
            current.append(ch)
            previousLower = ch.isLowercase || ch.isNumber
        }
        if !current.isEmpty { out.append(current.lowercased()) }
        return out
    }

    /// True when the key names a secret.
    public static func isSecret(key: String) -> Bool {
        let t = tokens(of: key)
        if t.contains(where: { secretTokens.contains($0) }) { return true }
        for (i, token) in t.enumerated() {
            // `basic.auth.user.info` holds USER:PASSWORD for schema registries.
            if token == "user", i + 1 < t.count, t[i + 1] == "info" { return true }
            if token == "key", i > 0, i == t.count - 1, keyOwners.contains(t[i - 1]) { return true }
            if token == "keystore" || token == "truststore", i + 1 < t.count, t[i + 1] == "certificates" || t[i + 1] == "key" {
                return true
            }
        }
        return false
    }

    /// The value to show: secrets masked (config-provider references like `${file:/x:pw}` kept,
    /// they name where the secret lives, not the secret), and `user:pass@` inside URLs hidden.
    public static func display(key: String, value: String) -> String {
        if isProviderReference(value) { return value }
        if isSecret(key: key) { return mask }
        return maskURLPassword(value)
    }

    public static func isProviderReference(_ value: String) -> Bool {
        value.hasPrefix("${") && value.hasSuffix("}") && value.contains(":")
    }

    /// `scheme://user:pass@host` -> `scheme://user:********@host`.
    public static func maskURLPassword(_ value: String) -> String {
        let chars = Array(value)
        var schemeEnd: Int?
        if chars.count >= 3 {
            for i in 0...(chars.count - 3) where chars[i] == ":" && chars[i + 1] == "/" && chars[i + 2] == "/" {
                schemeEnd = i + 3
                break
            }
        }
        guard let start = schemeEnd else { return value }
        var end = start
        while end < chars.count, chars[end] != "/", chars[end] != "?", chars[end] != "#" { end += 1 }
        guard let at = chars[start..<end].lastIndex(of: "@"),
              let colon = chars[start..<at].firstIndex(of: ":") else { return value }
        return String(chars[..<(colon + 1)]) + mask + String(chars[at...])
    }
}

extension ConnectAction {
    /// The question asked before sending the action, naming cluster and connector.
    public func confirmationQuestion(cluster: String, connector: String) -> String {
        switch self {
        case .pause: return "Pause connector \(connector) on Connect cluster \(cluster)?"
        case .resume: return "Resume connector \(connector) on Connect cluster \(cluster)?"
        case .stop: return "Stop connector \(connector) on Connect cluster \(cluster)? Its tasks will be shut down."
        case .restart(false, false): return "Restart connector \(connector) on Connect cluster \(cluster)?"
        case .restart(true, false): return "Restart connector \(connector) and all its tasks on Connect cluster \(cluster)?"
        case .restart(false, true): return "Restart connector \(connector) on Connect cluster \(cluster) if it has failed?"
        case .restart(true, true): return "Restart the failed instances of connector \(connector) on Connect cluster \(cluster)?"
        case .restartTask(let id): return "Restart task \(id) of connector \(connector) on Connect cluster \(cluster)?"
        }
    }

    static let transient: Set<String> = ["RESTARTING", "UNASSIGNED"]

    /// Whether `status` shows the action's end state. Restarted instances are settled once they
    /// are neither RESTARTING/UNASSIGNED nor FAILED; callers stop polling at a deadline anyway.
    public func isSettled(_ status: ConnectorStatus) -> Bool {
        let tasks = status.tasks
        switch self {
        case .pause:
            return status.state == "PAUSED" && tasks.allSatisfy { $0.state == "PAUSED" || $0.state == "FAILED" }
        case .resume:
            return status.state == "RUNNING"
                && tasks.allSatisfy { $0.state == "RUNNING" || $0.state == "FAILED" }
        case .stop:
            return status.state == "STOPPED"
        case .restart(let includeTasks, _):
            if Self.transient.contains(status.state) || status.state == "FAILED" { return false }
            if includeTasks {
                return tasks.allSatisfy { !Self.transient.contains($0.state) && $0.state != "FAILED" }
            }
            return true
        case .restartTask(let id):
            guard let task = tasks.first(where: { $0.id == id }) else { return false }
            return !Self.transient.contains(task.state) && task.state != "FAILED"
        }
    }
}

/// Words for what changed between two statuses of one connector.
public enum ConnectTransition {
    /// e.g. "connector RUNNING → PAUSED; task 0 RUNNING → PAUSED; task 1 FAILED → RUNNING",
    /// or "no change (RUNNING)" when nothing moved.
    public static func describe(before: ConnectorStatus?, after: ConnectorStatus) -> String {
        var parts: [String] = []
        if let before {
            if before.state != after.state { parts.append("connector \(before.state) → \(after.state)") }
            let old = Dictionary(before.tasks.map { ($0.id, $0.state) }, uniquingKeysWith: { a, _ in a })
            let new = Dictionary(after.tasks.map { ($0.id, $0.state) }, uniquingKeysWith: { a, _ in a })
            for id in Set(old.keys).union(new.keys).sorted() {
                switch (old[id], new[id]) {
                case let (o?, n?) where o != n: parts.append("task \(id) \(o) → \(n)")
                case let (o?, nil): parts.append("task \(id) \(o) → removed")
                case let (nil, n?): parts.append("task \(id) new \(n)")
                default: break
                }
            }
        }
        if parts.isEmpty { return "no change (\(after.state))" }
        return parts.joined(separator: "; ")
    }

    /// One-line summary of a status: "RUNNING, tasks 2/3 running, 1 failed".
    public static func summary(_ s: ConnectorStatus) -> String {
        var text = "\(s.state), tasks \(s.runningTasks)/\(s.tasks.count) running"
        if s.failedTasks > 0 { text += ", \(s.failedTasks) failed" }
        return text
    }
}
