import ClusterModel
import TerminalCore

/// Detail screens' sub-lists (Partitions / Configs / Groups), switched with Tab.
public enum SectionAction: String, ActionDeclaration {
    case nextSection, previousSection

    public var name: String { rawValue }
    public var keys: [Key] {
        self == .nextSection ? [.tab, .right, .character("l")] : [.backTab, .left, .character("h")]
    }
    public var help: String { self == .nextSection ? "Next section" : "Previous section" }
    public var hint: String? { self == .nextSection ? "section" : nil }
}

/// Marking rows for a bulk action.
public enum ListAction: String, ActionDeclaration {
    case mark

    public var name: String { rawValue }
    public var keys: [Key] { [.character(" ")] }
    public var help: String { "Mark/unmark for a bulk action" }
    public var hint: String? { "mark" }
}

/// Topics (`tailSelected`) and Topic detail (`tailThis`).
public enum TopicAction: String, ActionDeclaration {
    case tailSelected, tailThis

    public var name: String { "tail" }
    public var keys: [Key] { [.character("t")] }
    public var help: String { self == .tailSelected ? "Tail the selected topic" : "Tail this topic" }
    public var hint: String? { "tail" }
}

/// Connect writes, on the connector list (marked rows or the selected one) and detail.
public enum ConnectorAction: String, ActionDeclaration {
    case pause, resume, stop, restart, restartAll, restartFailed, restartTask

    public var name: String { rawValue }

    public var keys: [Key] {
        switch self {
        case .pause: return [.character("p")]
        case .resume: return [.character("u")]
        case .stop: return [.character("s")]
        case .restart: return [.ctrl("r")]
        case .restartAll: return [.character("R")]
        case .restartFailed: return [.character("F")]
        case .restartTask: return [.character("t")]
        }
    }

    public var help: String {
        switch self {
        case .pause: return "Pause the connector (or the marked ones)"
        case .resume: return "Resume (unpause; also starts a stopped connector)"
        case .stop: return "Stop the connector: shut its tasks down (Kafka 3.5+)"
        case .restart: return "Restart the connector instance"
        case .restartAll: return "Restart the connector and all its tasks (3.0+)"
        case .restartFailed: return "Restart only the failed connector/tasks (3.0+)"
        case .restartTask: return "Restart the selected task"
        }
    }

    public var hint: String? {
        switch self {
        case .pause: return "pause"
        case .resume: return "resume"
        case .stop: return "stop"
        case .restart: return "restart"
        case .restartAll: return nil
        case .restartFailed: return "restart failed"
        case .restartTask: return "restart task"
        }
    }

    public var isWrite: Bool { true }

    /// The Connect request, for the connector-wide actions (the task restart needs a task id).
    public var connectAction: ConnectAction? {
        switch self {
        case .pause: return .pause
        case .resume: return .resume
        case .stop: return .stop
        case .restart: return .restart(includeTasks: false, onlyFailed: false)
        case .restartAll: return .restart(includeTasks: true, onlyFailed: false)
        case .restartFailed: return .restart(includeTasks: true, onlyFailed: true)
        case .restartTask: return nil
        }
    }

    /// The ones that act on whole connectors (list and detail).
    public static let connectorWide: [ConnectorAction] = [.pause, .resume, .stop, .restart, .restartAll, .restartFailed]
}

/// The live tail list. Pausing the view is `pauseView`: its binding was named "pause", the
/// name of the Connect write too, so one name meant two things.
public enum TailAction: String, ActionDeclaration {
    case pauseView, follow, valueMode, keyMode

    public var name: String { rawValue }

    public var keys: [Key] {
        switch self {
        case .pauseView: return [.character(" ")]
        case .follow: return [.character("f")]
        case .valueMode: return [.character("m")]
        case .keyMode: return [.character("M")]
        }
    }

    public var help: String {
        switch self {
        case .pauseView: return "Pause / resume the view (records keep being buffered while paused)"
        case .follow: return "Follow: keep the cursor on the newest record"
        case .valueMode: return "Value decoding: auto (text if UTF-8, JSON pretty-printed, else hex) / text / json / hex / base64"
        case .keyMode: return "Key decoding: auto / text / json / hex / base64"
        }
    }

    public var hint: String? {
        switch self {
        case .pauseView: return "pause"
        case .follow: return "follow"
        case .valueMode: return "mode"
        case .keyMode: return nil
        }
    }
}

/// The record viewer opened from the tail.
public enum RecordAction: String, ActionDeclaration {
    case closeRecord

    public var name: String { rawValue }
    public var keys: [Key] { [.escape, .character("q")] }
    public var help: String { "Close the record view" }
    public var hint: String? { "close" }
}
