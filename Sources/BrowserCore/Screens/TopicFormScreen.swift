import ClusterModel
import TerminalCore
import WriteFlow

/// The small forms of topic writes (issue 18): create a topic (from Topics), add partitions and delete
/// records (from the topic detail). Enter first asks the broker with validateOnly where Kafka has that
/// mode (CreateTopics, CreatePartitions) and shows its verdict, or its error code and message; Enter
/// again, with the same inputs, applies through the one write flow (confirmation naming cluster and
/// topic, one audit line). DeleteRecords has no validate-only mode: its plan is checked against the
/// offsets read and the topic's name is typed to confirm. Never in read-only mode.
public struct TopicFormScreen: Screen {
    public static let make: ScreenRegistry.Factory = { route in
        switch route {
        case .createTopic: return TopicFormScreen(kind: .create)
        case .addPartitions(let topic): return TopicFormScreen(kind: .addPartitions(topic))
        case .deleteRecords(let topic, let partition): return TopicFormScreen(kind: .deleteRecords(topic, partition: partition))
        default: return nil
        }
    }

    public enum Kind: Sendable, Hashable {
        case create
        case addPartitions(String)
        case deleteRecords(String, partition: Int32?)

        var topic: String? {
            switch self {
            case .create: return nil
            case .addPartitions(let t), .deleteRecords(let t, _): return t
            }
        }
    }

    /// One text field: its label and what it expects.
    public struct Field: Sendable, Hashable {
        public var label: String
        public var example: String
        public var editor = LineEditor()
    }

    public let kind: Kind
    public private(set) var fields: [Field]
    public private(set) var focus = 0
    /// The topic as read (partition count and offsets), for the forms on an existing topic.
    public private(set) var detail = Loadable<TopicDetail>()
    /// The broker's validateOnly answer, and the step it answers (older answers are dropped).
    public private(set) var verdict = Loadable<ResourceOutcome>()
    public private(set) var verdictFor: TopicAdminStep?
    /// How the last write ended.
    public private(set) var applied: WriteOutcome?

    public init(kind: Kind) {
        self.kind = kind
        switch kind {
        case .create:
            fields = [Field(label: "Name              ", example: "letters, digits, '.', '_' and '-'"),
                      Field(label: "Partitions        ", example: "empty: the broker's default"),
                      Field(label: "Replication factor", example: "empty: the broker's default"),
                      Field(label: "Configs           ", example: "KEY=VALUE, comma separated, e.g. cleanup.policy=compact")]
        case .addPartitions:
            fields = [Field(label: "Total partitions", example: "the new total (partitions are only added)")]
        case .deleteRecords(_, let partition):
            fields = [Field(label: "Partitions  ", example: "e.g. 0 or 0,2; empty: all partitions",
                            editor: LineEditor(text: partition.map(String.init) ?? "")),
                      Field(label: "Before offset", example: "records before this offset go; empty: all (up to the end)")]
        }
    }

    public var route: Route {
        switch kind {
        case .create: return .createTopic
        case .addPartitions(let t): return .addPartitions(topic: t)
        case .deleteRecords(let t, let p): return .deleteRecords(topic: t, partition: p)
        }
    }

    public var actions: [Action] { TopicFormAction.allCases.map(Action.topicForm) }
    public var unusedGlobalActions: Set<Action> {
        [.navigation(.open), .general(.filter), .navigation(.sort), .navigation(.sortReverse)]
    }

    func text(_ i: Int) -> String { fields[i].editor.text.trimmingCharacters(in: " ") }

    // MARK: Inputs

    /// The step the fields describe (with the offsets planned for a record deletion), or why not.
    public func step() -> Result<TopicAdminStep, UserFacingError> {
        switch kind {
        case .create:
            let name = text(0)
            if let problem = TopicNameRules.problem(name) { return .failure(UserFacingError(problem)) }
            var partitions: Int32?
            if !text(1).isEmpty {
                guard let n = Int32(text(1)), n > 0 else { return .failure(UserFacingError("partitions: '\(text(1))' is not a positive number")) }
                partitions = n
            }
            var rf: Int16?
            if !text(2).isEmpty {
                guard let n = Int16(text(2)), n > 0 else {
                    return .failure(UserFacingError("replication factor: '\(text(2))' is not a positive number"))
                }
                rf = n
            }
            var configs: [ConfigSetting] = []
            for item in text(3).split(separator: ",").map({ String($0).trimmingCharacters(in: " ") }) where !item.isEmpty {
                do {
                    let s = try ConfigSetting.parse(item)
                    if configs.contains(where: { $0.key == s.key }) { return .failure(UserFacingError("config \(s.key) is given twice")) }
                    configs.append(s)
                } catch {
                    return .failure(UserFacingError(LoadError(error).message))
                }
            }
            return .success(.createTopic(NewTopic(name: name, partitions: partitions, replicationFactor: rf, configs: configs)))
        case .addPartitions(let topic):
            guard let total = Int32(text(0)), total > 0 else {
                return .failure(UserFacingError(text(0).isEmpty ? "type the new total" : "'\(text(0))' is not a number of partitions"))
            }
            if let count = detail.value?.partitions.count, total <= count {
                return .failure(UserFacingError("topic \(topic) already has \(count) partition\(count == 1 ? "" : "s"): "
                    + "partitions can only be added (more than \(count))"))
            }
            return .success(.addPartitions(topic: topic, total: total))
        case .deleteRecords(let topic, _):
            return recordPlan(topic: topic, location: "").map { .deleteRecords(topic: topic, before: $0.1) }
        }
    }

    /// The record deletion the fields describe, checked against the offsets read.
    func recordPlan(topic: String, location: String) -> Result<(WriteDescription, [Int32: Int64]), UserFacingError> {
        var partitions: [Int32] = []
        for item in text(0).split(separator: ",").map({ String($0).trimmingCharacters(in: " ") }) where !item.isEmpty {
            guard let p = Int32(item) else { return .failure(UserFacingError("partitions: '\(item)' is not a partition number")) }
            partitions.append(p)
        }
        var before: Int64 = -1
        if !text(1).isEmpty {
            guard let o = Int64(text(1)), o >= 0 else { return .failure(UserFacingError("'\(text(1))' is not an offset")) }
            before = o
        }
        guard let d = detail.value else { return .failure(UserFacingError("reading topic \(topic)\u{2026}")) }
        var earliest: [Int32: Int64] = [:], latest: [Int32: Int64] = [:]
        for p in d.partitions {
            earliest[p.partition] = p.earliest
            latest[p.partition] = p.latest
        }
        let shape = TopicShape(name: topic, partitionCount: Int32(d.partitions.count),
                               replicationFactor: d.partitions.map(\.replicas.count).max() ?? 0, earliest: earliest, latest: latest)
        return AdminWriteWording.recordDeletion(topic, partitions: Array(Set(partitions)).sorted(), before: before, shape: shape,
                                                location: location)
    }

    /// Whether the form's step has a validate-only verdict to wait for.
    var validates: Bool { if case .deleteRecords = kind { return false }; return true }

    mutating func inputsChanged() {
        applied = nil
        verdict = Loadable()
        verdictFor = nil
    }

    // MARK: Screen

    public mutating func load(context: ScreenContext) -> [Effect] {
        guard let topic = kind.topic else { return [] }
        detail.begin()
        return [.load(.topic(topic))]
    }

    public mutating func leave() -> [Effect] { [.cancel(.topic), .cancel(.adminVerdict)] }

    public var status: ViewStatus { kind.topic == nil ? ViewStatus() : detail.status }

    public var titleDetail: String { verdict.isLoading ? "[validating]" : "" }

    public mutating func input(_ key: Key, context: ScreenContext) -> [ScreenOutput]? {
        switch key {
        case .character, .backspace, .delete, .left, .right, .home, .end, .ctrl("a"), .ctrl("e"), .ctrl("u"), .ctrl("w"), .ctrl("k"):
            var editor = fields[focus].editor
            if editor.handle(key) == .edited {
                fields[focus].editor = editor
                inputsChanged()
            } else {
                fields[focus].editor = editor
            }
            return []
        default:
            return nil
        }
    }

    public mutating func handle(_ action: ScreenAction, context: ScreenContext) -> [ScreenOutput] {
        guard case .perform(.topicForm(let a)) = action else { return [] }
        switch a {
        case .nextTopicField: focus = (focus + 1) % fields.count
        case .previousTopicField: focus = (focus + fields.count - 1) % fields.count
        case .submitTopicForm: return submit(context: context)
        }
        return []
    }

    /// Enter: ask the broker (validateOnly) first; with its yes for these very inputs, the write.
    mutating func submit(context: ScreenContext) -> [ScreenOutput] {
        let location = "cluster \(context.options.contextName)"
        let s: TopicAdminStep
        switch step() {
        case .failure(let e): return [.note("Cannot \(verb): \(e.message)", .error)]
        case .success(let v): s = v
        }
        if validates {
            if verdictFor != s || verdict.error != nil {
                verdictFor = s
                verdict = Loadable()
                verdict.begin()
                return [.effect(.load(.adminVerdict(s)))]
            }
            guard let v = verdict.value, !verdict.isLoading else { return [.note("Wait for the broker's verdict (validate-only)", .warn)] }
            if let refusal = v.refusal { return [.note("The broker refuses it: \(refusal)", .error)] }
        }
        switch s {
        case .createTopic(let topic):
            var description = AdminWriteWording.topicCreate(topic, location: location)
            description.details = AdminWriteWording.topicCreateDetails(topic, verdict: verdict.value)
            return [.write(WriteRequest(description: description, steps: [.topicAdmin(s)]))]
        case .addPartitions(let topic, let total):
            let description = AdminWriteWording.addPartitions(topic, from: Int32(detail.value?.partitions.count ?? 0), to: total,
                                                              location: location)
            return [.write(WriteRequest(description: description, steps: [.topicAdmin(s)], poll: .load(.topic(topic))))]
        case .deleteRecords(let topic, _):
            switch recordPlan(topic: topic, location: location) {
            case .failure(let e): return [.note("Cannot \(verb): \(e.message)", .error)]
            case .success(let (description, offsets)):
                return [.write(WriteRequest(description: description, steps: [.topicAdmin(.deleteRecords(topic: topic, before: offsets))],
                                            poll: .load(.topic(topic))))]
            }
        case .deleteTopic, .alterConfigs:
            return []
        }
    }

    var verb: String {
        switch kind {
        case .create: return "create the topic"
        case .addPartitions: return "add partitions"
        case .deleteRecords: return "delete records"
        }
    }

    public mutating func receive(_ result: LoadResult, at time: Double, context: ScreenContext) -> [ScreenOutput] {
        switch result {
        case .topic(let name, let r) where name == kind.topic:
            detail.apply(r, at: time)
        case .adminVerdict(let s, let r) where s == verdictFor:
            verdict.apply(r, at: time)
        case .writeFinished(let outcome):
            applied = outcome
            // Created: back to the list, which reads the topics again and shows it.
            if outcome.succeeded, case .create = kind { return [.close] }
        default:
            break
        }
        return []
    }

    // MARK: Drawing

    public func render(into buffer: inout CellBuffer, area: Rect, context: ScreenContext) {
        let g = context.glyphs
        var pen = LinePen(area)
        func line(_ parts: [(String, Style)]) { pen.line(parts, into: &buffer) }
        func wrapped(_ text: String, _ style: Style) {
            for part in TextLayout.wrap(text, width: max(1, area.width - 1)) { line([((part.hasPrefix(" ") ? "" : " ") + part, style)]) }
        }
        for (i, f) in fields.enumerated() {
            let focused = i == focus
            // The create form's configs may carry a secret: masked as typed, as the dialog and audit do.
            let shown = kind == .create && i == 3 ? Self.maskedConfigs(f.editor.text) : f.editor.text
            line([(" \(f.label) ", focused ? Style(.tableSelected, .bold) : Style(.headerLabel)),
                  (" " + shown.sanitizedForTerminal + (focused ? "_" : "") + " ", Style(focused ? .tableSelected : .headerValue)),
                  ("  " + f.example, Style(.dim))])
        }
        // What the topic is now (forms on an existing topic).
        if let d = detail.value {
            switch kind {
            case .addPartitions:
                line([(" Now \(d.partitions.count) partition\(d.partitions.count == 1 ? "" : "s").", Style(.headerValue))])
                wrapped(" \(g.warn) " + AdminWriteWording.keyedRecordsWarning, Style(.statusWarn))
            case .deleteRecords:
                let offsets = d.partitions.sorted { $0.partition < $1.partition }.map { p in
                    "\(p.partition): \(p.earliest.map(String.init) ?? "?")..\(p.latest.map(String.init) ?? "?")"
                }
                line([(" Log start..end per partition: " + offsets.joined(separator: "  "), Style(.headerValue))])
            case .create:
                break
            }
        } else if let e = detail.error {
            line([(" \(g.error) cannot read topic \(kind.topic ?? ""): \(e.message)", Style(.statusError))])
        }
        // The verdict carries the broker's own message: wrapped, never cut.
        for (text, style) in verdictLine(context) { wrapped(redactingSecrets(text), style) }
        if case .deleteRecords(let topic, _) = kind, case .success(let (description, _)) = recordPlan(topic: topic, location: "") {
            for d in description.details { line([("   " + d, Style(.dim))]) }
        }
    }

    /// `KEY=VALUE, ...` as typed, with the value of each sensitive key (a name with password, secret,
    /// token and the like: `ConfigDiff.isSensitive`) as one `*` per character; the rest unchanged.
    static func maskedConfigs(_ text: String) -> String {
        text.split(separator: ",", omittingEmptySubsequences: false).map { item -> String in
            guard let eq = item.firstIndex(of: "=") else { return String(item) }
            let key = String(item[..<eq]).trimmingCharacters(in: " ")
            guard ConfigDiff.isSensitive(key, entry: nil) else { return String(item) }
            return String(item[...eq]) + String(repeating: "*", count: item[item.index(after: eq)...].count)
        }.joined(separator: ",")
    }

    /// A broker's message may quote a value it refused ("Invalid value X for configuration Y"): the
    /// values of sensitive configs typed here never reach the screen that way either.
    func redactingSecrets(_ text: String) -> String {
        guard kind == .create else { return text }
        var out = text
        for item in fields[3].editor.text.split(separator: ",") {
            guard let eq = item.firstIndex(of: "=") else { continue }
            let key = String(item[..<eq]).trimmingCharacters(in: " ")
            let value = String(item[item.index(after: eq)...]).trimmingCharacters(in: " ")
            if !value.isEmpty, ConfigDiff.isSensitive(key, entry: nil) {
                out = out.replacingOccurrences(of: value, with: ConfigDiff.masked)
            }
        }
        return out
    }

    /// The input problem, the broker's verdict, or what applying did.
    func verdictLine(_ context: ScreenContext) -> [(String, Style)] {
        let g = context.glyphs
        if let outcome = applied {
            switch outcome {
            case .done(let t): return [(" \(g.ok) \(t)", Style(.statusOk))]
            case .failed(let t), .partial(let t), .unsettled(let t): return [(" \(g.error) not applied: \(t)", Style(.statusError))]
            case .refused(let r): return [(" \(g.warn) not applied: \(r.reason)", Style(.statusWarn))]
            case .abandoned: return [(" \(g.warn) result unknown", Style(.statusWarn))]
            }
        }
        let current = step()
        if case .failure(let e) = current {
            if kind.topic != nil, detail.value == nil { return [(" Reading the topic\(g.ellipsis)", Style(.dim))] }
            if case .create = kind, text(0).isEmpty { return [(" Type the topic's name; Tab moves between fields", Style(.dim))] }
            return [(" \(g.error) \(e.message)", Style(.statusError))]
        }
        guard validates else { return [(" Enter deletes these records (type the topic's name to confirm)", Style(.dim))] }
        guard case .success(let s) = current, s == verdictFor else {
            return [(" Enter asks the broker whether it would accept this (validate-only)", Style(.dim))]
        }
        if verdict.isLoading { return [(" Asking the broker (validate-only)\(g.ellipsis)", Style(.dim))] }
        if let e = verdict.error { return [(" \(g.error) the broker could not check it: \(e.message)", Style(.statusError))] }
        guard let v = verdict.value else { return [] }
        if let refusal = v.refusal { return [(" \(g.error) the broker refuses: \(refusal)", Style(.statusError))] }
        switch s {
        case .createTopic(let topic):
            return [(" \(g.ok) the broker would create it: " + AdminWriteWording.topicCreateDetails(topic, verdict: v)[0]
                        + " Enter creates it (asks to confirm)", Style(.statusOk))]
        default:
            return [(" \(g.ok) the broker would accept this (validate-only). Enter applies it (asks to confirm)", Style(.statusOk))]
        }
    }
}
