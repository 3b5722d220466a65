/// `:` commands as data: names, short aliases, argument and description feed parsing,
/// completion and help alike.
public struct CommandSpec: Sendable, Hashable {
    public enum Argument: Sendable, Hashable {
        case none
        /// Optional topic/group name: with it the command opens that item.
        case optionalTopic, optionalGroup, optionalSubject
        /// Optional broker id: with it the command opens that broker.
        case optionalBroker
        case topic, context
    }

    public var name: String
    public var aliases: [String]
    public var argument: Argument
    public var description: String

    public init(_ name: String, aliases: [String] = [], argument: Argument = .none, _ description: String) {
        self.name = name
        self.aliases = aliases
        self.argument = argument
        self.description = description
    }

    public var usage: String {
        let names = ([name] + aliases).joined(separator: "|")
        switch argument {
        case .none: return names
        case .optionalTopic: return names + " [TOPIC]"
        case .optionalGroup: return names + " [GROUP]"
        case .optionalSubject: return names + " [SUBJECT]"
        case .optionalBroker: return names + " [ID]"
        case .topic: return names + " TOPIC"
        case .context: return names + " NAME"
        }
    }
}

/// What a command line asks for.
public enum ParsedCommand: Sendable, Hashable {
    case go(Route)
    case help
    case quit
    case switchContext(String)
}

public enum Commands {
    public static let all: [CommandSpec] = [
        CommandSpec("topics", aliases: ["tp", "topic"], argument: .optionalTopic, "Topics (with a name: that topic)"),
        CommandSpec("groups", aliases: ["gr", "cg", "group"], argument: .optionalGroup,
                    "Consumer groups (with a name: that group)"),
        CommandSpec("brokers", aliases: ["br", "broker"], argument: .optionalBroker,
                    "Brokers, leaders and partitions (with an id: that broker's configs)"),
        CommandSpec("acls", aliases: ["acl"], "ACLs: principal, host, operation, permission, resource, pattern"),
        CommandSpec("quorum", aliases: ["qr", "kraft"], "KRaft quorum: voters, observers, lag"),
        CommandSpec("connectors", aliases: ["cn", "conn", "connect"], "Kafka Connect connectors"),
        CommandSpec("tail", aliases: ["tl"], argument: .topic, "Tail a topic"),
        CommandSpec("schemas", aliases: ["sr", "subjects"], argument: .optionalSubject,
                    "Schema Registry subjects (with a name: that subject's versions)"),
        CommandSpec("ctx", aliases: ["context"], argument: .context, "Switch to another context"),
        CommandSpec("help", aliases: ["h"], "Show keys and commands"),
        CommandSpec("quit", aliases: ["q", "q!", "exit"], "Quit"),
    ]

    static func spec(_ word: String) -> CommandSpec? {
        let w = word.lowercased()
        return all.first { $0.name == w || $0.aliases.contains(w) }
    }

    /// Parses a command line (without the colon).
    public static func parse(_ line: String) -> Result<ParsedCommand, LoadError> {
        let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard let first = parts.first else { return .failure(LoadError("empty command")) }
        let arg = parts.count > 1 ? parts[1].trimmingSpaces : ""
        guard let spec = spec(String(first)) else {
            return .failure(LoadError("unknown command '\(first)' (try :help)"))
        }
        switch spec.name {
        case "topics": return .success(.go(arg.isEmpty ? .topics : .topic(arg)))
        case "groups": return .success(.go(arg.isEmpty ? .groups : .group(arg)))
        case "brokers":
            if arg.isEmpty { return .success(.go(.brokers)) }
            guard let id = Int32(arg), id >= 0 else { return .failure(LoadError(":brokers takes a broker id (a number), not '\(arg)'")) }
            return .success(.go(.broker(id)))
        case "acls": return .success(.go(.acls))
        case "quorum": return .success(.go(.quorum))
        case "connectors": return .success(.go(.connectors))
        case "schemas": return .success(.go(arg.isEmpty ? .subjects : .subject(arg)))
        case "tail":
            return arg.isEmpty ? .failure(LoadError(":tail needs a topic name")) : .success(.go(.tail(topic: arg)))
        case "ctx":
            return arg.isEmpty ? .failure(LoadError(":ctx needs a context name")) : .success(.switchContext(arg))
        case "help": return .success(.help)
        default: return .success(.quit)
        }
    }

    /// The full line Tab would produce, or nil when nothing matches.
    public static func suggestion(for line: String, topics: [String], groups: [String], contexts: [String]) -> String? {
        guard !line.isEmpty else { return nil }
        if let space = line.firstIndex(of: " ") {
            let word = String(line[..<space])
            let partial = String(line[line.index(after: space)...])
            guard let spec = spec(word) else { return nil }
            let pool: [String]
            switch spec.argument {
            case .none: return nil
            case .topic, .optionalTopic: pool = topics
            case .optionalGroup: pool = groups
            case .optionalSubject, .optionalBroker: return nil
            case .context: pool = contexts
            }
            guard !partial.isEmpty else { return pool.first.map { word + " " + $0 } }
            if let hit = pool.first(where: { $0.hasPrefix(partial) }) { return word + " " + hit }
            let lower = partial.lowercased()
            return pool.first(where: { $0.lowercased().hasPrefix(lower) }).map { word + " " + $0 }
        }
        let w = line.lowercased()
        if let s = all.first(where: { $0.name.hasPrefix(w) }) { return s.name }
        if let s = all.first(where: { $0.aliases.contains { $0.hasPrefix(w) } }) {
            return s.aliases.first { $0.hasPrefix(w) }
        }
        return nil
    }
}

extension Substring {
    var trimmingSpaces: String {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
