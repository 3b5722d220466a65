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
    case pauseView, follow, valueMode, keyMode, export

    public var name: String { rawValue }

    public var keys: [Key] {
        switch self {
        case .pauseView: return [.character(" ")]
        case .follow: return [.character("f")]
        case .valueMode: return [.character("m")]
        case .keyMode: return [.character("M")]
        case .export: return [.character("e")]
        }
    }

    public var help: String {
        switch self {
        case .pauseView: return "Pause / resume the view (records keep being buffered while paused)"
        case .follow: return "Follow: keep the cursor on the newest record"
        case .valueMode: return "Value decoding: auto (text if UTF-8, JSON pretty-printed, else hex) / text / json / hex / base64"
        case .keyMode: return "Key decoding: auto / text / json / hex / base64"
        case .export: return "Export the records shown (as filtered) to a JSONL file, as tail -o json writes them"
        }
    }

    public var hint: String? {
        switch self {
        case .pauseView: return "pause"
        case .follow: return "follow"
        case .valueMode: return "mode"
        // In help only: at 80 columns the hint would push Enter (open) off the bar.
        case .export, .keyMode: return nil
        }
    }
}

/// The record viewer opened from the tail: closing it, and re-sending its record (a write: the
/// produce composer prefilled with the record; absent in read-only mode).
public enum RecordAction: String, ActionDeclaration {
    case closeRecord, resend

    public var name: String { rawValue }
    public var keys: [Key] { self == .closeRecord ? [.escape, .character("q")] : [.character("P")] }
    public var help: String {
        self == .closeRecord ? "Close the record view"
            : "Re-send this record: the produce composer with its key, value, headers and partition (any topic)"
    }
    public var hint: String? { self == .closeRecord ? "close" : "re-send" }
    public var isWrite: Bool { self == .resend }
}

/// Consumer-group writes on the group detail (issue 15).
public enum GroupAction: String, ActionDeclaration {
    case resetOffsets, deleteOffsets, deleteGroup

    public var name: String { rawValue }

    public var keys: [Key] {
        switch self {
        case .resetOffsets: return [.character("R")]
        case .deleteOffsets: return [.character("D")]
        case .deleteGroup: return [.ctrl("d")]
        }
    }

    public var help: String {
        switch self {
        case .resetOffsets: return "Reset the group's offsets: a form with a live preview, then a confirmation"
        case .deleteOffsets: return "Delete the group's committed offsets for the selected row's topic"
        case .deleteGroup: return "Delete the consumer group (type its name to confirm)"
        }
    }

    public var hint: String? {
        switch self {
        case .resetOffsets: return "reset offsets"
        // In help only: the hint bar keeps open/back at 80 columns.
        case .deleteOffsets, .deleteGroup: return nil
        }
    }

    public var isWrite: Bool { true }
}

/// The offset-reset form: moving between its fields, choosing the specification, applying.
public enum ResetFormAction: String, ActionDeclaration {
    case nextField, previousField, nextSpec, previousSpec, apply

    public var name: String { rawValue }

    public var keys: [Key] {
        switch self {
        case .nextField: return [.tab, .down]
        case .previousField: return [.backTab, .up]
        case .nextSpec: return [.right, .character(" ")]
        case .previousSpec: return [.left]
        case .apply: return [.enter]
        }
    }

    public var help: String {
        switch self {
        case .nextField: return "Next field (spec, value, scope)"
        case .previousField: return "Previous field"
        case .nextSpec: return "Next reset specification (on the spec field)"
        case .previousSpec: return "Previous reset specification"
        case .apply: return "Apply the previewed reset (asks to confirm)"
        }
    }

    public var hint: String? {
        switch self {
        case .nextField: return "field"
        case .nextSpec: return "spec"
        case .apply: return "apply"
        case .previousField, .previousSpec: return nil
        }
    }

    public var isWrite: Bool { self == .apply }
}

/// Opening the produce composer: the topics list (`produceSelected`) and the topic detail (`produceThis`).
/// A write: absent in read-only mode.
public enum ProduceAction: String, ActionDeclaration {
    case produceSelected, produceThis

    public var name: String { "produce" }
    public var keys: [Key] { [.character("P")] }
    public var help: String { self == .produceSelected ? "Produce a record to the selected topic (composer)" : "Produce a record to this topic (composer)" }
    public var hint: String? { "produce" }
    public var isWrite: Bool { true }
}

/// The produce composer: moving between fields and sending (typing goes to the focused field).
public enum ComposerAction: String, ActionDeclaration {
    case nextField, previousField, editValue, send, tombstone

    public var name: String { rawValue }

    public var keys: [Key] {
        switch self {
        case .nextField: return [.tab, .down]
        case .previousField: return [.backTab, .up]
        case .editValue: return [.ctrl("o"), .function(4)]
        case .send: return [.ctrl("s"), .enter]
        case .tombstone: return [.ctrl("t")]
        }
    }

    public var help: String {
        switch self {
        case .nextField: return "Next field (key, value, headers, partition, compression); Down outside the value"
        case .previousField: return "Previous field"
        case .editValue: return "Edit the value in $EDITOR (or $VISUAL)"
        case .send: return "Send the record (ctrl-s anywhere, Enter outside the value; asks to confirm)"
        case .tombstone: return "Tombstone: send a null value (again: the typed value)"
        }
    }

    public var hint: String? {
        switch self {
        case .nextField: return "field"
        case .editValue: return "$EDITOR"
        case .send: return "send"
        case .previousField, .tombstone: return nil
        }
    }

    public var isWrite: Bool { self == .send }
}

/// The config editor (topic, broker or cluster default): staging changes and applying them. Every
/// one is a write key: read-only mode offers none of them (nor the key that opens the editor).
public enum ConfigEditAction: String, ActionDeclaration {
    case setConfig, addConfig, deleteConfig, undoConfigChange, applyConfigChanges

    public var name: String { rawValue }

    public var keys: [Key] {
        switch self {
        case .setConfig: return [.character("e"), .enter]
        case .addConfig: return [.character("a")]
        case .deleteConfig: return [.character("d")]
        case .undoConfigChange: return [.character("u")]
        case .applyConfigChanges: return [.ctrl("s")]
        }
    }

    public var help: String {
        switch self {
        case .setConfig: return "Set the selected config's value (Enter stages it, Esc cancels)"
        case .addConfig: return "Set a config that is not listed (type KEY=VALUE)"
        case .deleteConfig: return "Delete the selected config's value at this level (back to its default)"
        case .undoConfigChange: return "Unstage the selected config's change"
        case .applyConfigChanges: return "Apply the staged changes (IncrementalAlterConfigs; shows the diff, asks to confirm)"
        }
    }

    public var hint: String? {
        switch self {
        case .setConfig: return "set"
        case .addConfig: return "add"
        case .deleteConfig: return "delete"
        case .undoConfigChange: return nil
        case .applyConfigChanges: return "apply"
        }
    }

    public var isWrite: Bool { true }
}

/// Topic administration keys (issue 18) on the topics list and the topic detail. All writes: read-only
/// mode offers none of them.
public enum TopicAdminAction: String, ActionDeclaration {
    case createTopic, deleteTopic, addPartitions, deleteRecords, editConfigs

    public var name: String { rawValue }

    public var keys: [Key] {
        switch self {
        case .createTopic: return [.character("C")]
        case .deleteTopic: return [.ctrl("d")]
        case .addPartitions: return [.character("A")]
        case .deleteRecords: return [.character("D")]
        case .editConfigs: return [.character("E")]
        }
    }

    public var help: String {
        switch self {
        case .createTopic: return "Create a topic: name, partitions, replication factor, configs; the broker validates first"
        case .deleteTopic: return "Delete the topic (type its name to confirm)"
        case .addPartitions: return "Add partitions to the topic (the broker validates first; keyed records move)"
        case .deleteRecords: return "Delete records before an offset in the selected partition(s) (DeleteRecords)"
        case .editConfigs: return "Edit the topic's configs: set/delete keys, diff, broker's verdict, apply"
        }
    }

    public var hint: String? {
        switch self {
        case .createTopic: return "create"
        case .deleteTopic: return "delete"
        case .addPartitions: return "partitions"
        case .deleteRecords: return "delete records"
        case .editConfigs: return "configs"
        }
    }

    /// Shown when they fit, after open and back (60, 50) and before refresh (40): at 80 columns the
    /// topics list shows create, wider bars configs, then the rest; read-only mode has none of them.
    public var hintPriority: Int? {
        switch self {
        case .createTopic: return 45
        case .editConfigs: return 44
        case .deleteTopic: return 36
        case .addPartitions: return 35
        case .deleteRecords: return 34
        }
    }

    public var isWrite: Bool { true }
}

/// The topic forms (create, add partitions, delete records): moving between fields and submitting
/// (the first Enter asks the broker with validateOnly, the next applies). Typing goes to the field.
public enum TopicFormAction: String, ActionDeclaration {
    case nextTopicField, previousTopicField, submitTopicForm

    public var name: String { rawValue }

    public var keys: [Key] {
        switch self {
        case .nextTopicField: return [.tab, .down]
        case .previousTopicField: return [.backTab, .up]
        case .submitTopicForm: return [.enter]
        }
    }

    public var help: String {
        switch self {
        case .nextTopicField: return "Next field"
        case .previousTopicField: return "Previous field"
        case .submitTopicForm: return "Ask the broker (validate-only), then apply (asks to confirm)"
        }
    }

    public var hint: String? {
        switch self {
        case .nextTopicField: return "field"
        case .submitTopicForm: return "validate/apply"
        case .previousTopicField: return nil
        }
    }

    public var isWrite: Bool { self == .submitTopicForm }
}
