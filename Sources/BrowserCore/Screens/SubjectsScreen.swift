import ClusterModel
import TerminalCore

/// `:schemas`: every Schema Registry subject with its latest version, schema id, type and
/// compatibility (the subject's own level, else the global one, marked so). A subject whose
/// latest version could not be read keeps its row, marked, with the reason in the header.
public typealias SubjectsScreen = ListScreen<SubjectsSpec>

public struct SubjectsSpec: ListScreenSpec {
    public static let make: ScreenRegistry.Factory = { $0 == .subjects ? SubjectsScreen(SubjectsSpec()) : nil }

    public let route: Route = .subjects
    public let what = "Schema Registry subjects"
    public var emptyMessage: String { "No subjects registered" }
    public var columns: [ListColumn<SubjectSummary>] { Self.columns }
    public func identity(_ s: SubjectSummary) -> String { s.name }
    public func searchText(_ s: SubjectSummary) -> String { "\(s.name) \(s.type ?? "") \(s.compatibility ?? "")" }
    public func loads(context: ScreenContext) -> [Effect] { [.load(.subjects)] }
    public var leaveEffects: [Effect] { [.cancel(.subjects)] }
    public func value(in result: LoadResult) -> Result<Partial<[SubjectSummary]>, LoadError>? {
        if case .subjects(let r) = result { return r }
        return nil
    }
    public func warnings(_ p: Partial<[SubjectSummary]>) -> [SourceError] { p.errors }
    public func rows(_ p: Partial<[SubjectSummary]>, at time: Double) -> [SubjectSummary] { p.value }
    public func open(_ s: SubjectSummary) -> Route? { .subject(s.name) }

    public func header(_ p: Partial<[SubjectSummary]>, rows: [SubjectSummary], area: Rect, context: ScreenContext) -> [[Span]] {
        guard let e = p.errors.first, area.height >= 6 else { return [] }
        return [[Span(TextLayout.truncate("\(context.glyphs.error) \(e.message)", width: area.width), role: .statusError)]]
    }

    public func titleDetail(_ p: Partial<[SubjectSummary]>, countLabel: String, rows: [SubjectSummary]) -> String {
        let failed = rows.filter { $0.error != nil }.count
        return failed > 0 ? countLabel + " \(failed) unreadable" : countLabel
    }

    static let columns: [ListColumn<SubjectSummary>] = [
        ListColumn(TableColumn("", priority: 95, width: 1), order: { ($0.error != nil ? 1 : 0) < ($1.error != nil ? 1 : 0) }) { s, ctx in
            s.error != nil ? Mark.error(ctx.glyphs) : Mark.none
        },
        ListColumn(TableColumn("SUBJECT", minWidth: 12, maxWidth: 80, flex: 1, priority: 100), order: { $0.name < $1.name }) { s, _ in
            TableCell(s.name)
        },
        ListColumn(TableColumn("LATEST", alignment: .right, priority: 90, width: 6),
                   order: { ($0.latestVersion ?? 0) < ($1.latestVersion ?? 0) }) { s, _ in
            s.latestVersion.map { TableCell("v\($0)") } ?? TableCell("-", role: .dim)
        },
        ListColumn(TableColumn("ID", alignment: .right, priority: 70, width: 6),
                   order: { ($0.schemaID ?? 0) < ($1.schemaID ?? 0) }) { s, _ in
            s.schemaID.map { TableCell(String($0)) } ?? TableCell("-", role: .dim)
        },
        ListColumn(TableColumn("TYPE", priority: 85, width: 8), order: { ($0.type ?? "") < ($1.type ?? "") }) { s, _ in
            s.type.map { TableCell($0) } ?? TableCell(s.error != nil ? "error" : "-", role: s.error != nil ? .statusError : .dim)
        },
        ListColumn(TableColumn("COMPATIBILITY", minWidth: 8, maxWidth: 30, priority: 60),
                   order: { ($0.compatibility ?? "") < ($1.compatibility ?? "") }) { s, _ in
            guard let c = s.compatibility else { return TableCell("?", role: .dim) }
            return s.compatibilityIsGlobal ? TableCell("\(c) (global)", role: .dim) : TableCell(c)
        },
    ]
}

/// One subject's versions (newest first): schema id, type, references. Enter shows the schema.
public typealias SubjectVersionsScreen = ListScreen<SubjectVersionsSpec>

public struct SubjectVersionsSpec: ListScreenSpec {
    public static let make: ScreenRegistry.Factory = { route in
        if case .subject(let name) = route { return SubjectVersionsScreen(SubjectVersionsSpec(subject: name)) }
        return nil
    }

    public let subject: String
    public var route: Route { .subject(subject) }
    public var what: String { "the versions of \(subject)" }
    public var emptyMessage: String { "No versions" }
    public var defaultSort: TableSort? { TableSort(column: 0, direction: .descending) }
    public var columns: [ListColumn<SubjectSchema>] { Self.columns }
    public func identity(_ v: SubjectSchema) -> String { String(v.version) }
    public func searchText(_ v: SubjectSchema) -> String { "v\(v.version) \(v.schemaID) \(v.type) \(v.schema)" }
    public func loads(context: ScreenContext) -> [Effect] { [.load(.subject(subject))] }
    public var leaveEffects: [Effect] { [.cancel(.subject)] }
    public func value(in result: LoadResult) -> Result<SubjectDetail, LoadError>? {
        if case .subject(let name, let r) = result, name == subject { return r }
        return nil
    }
    public func warnings(_ d: SubjectDetail) -> [SourceError] { d.errors }
    public func rows(_ d: SubjectDetail, at time: Double) -> [SubjectSchema] { d.versions }
    public func open(_ v: SubjectSchema) -> Route? { .schema(subject: subject, version: v.version) }

    public func header(_ d: SubjectDetail, rows: [SubjectSchema], area: Rect, context: ScreenContext) -> [[Span]] {
        guard area.height >= 5 else { return [] }
        var line = SummaryLine()
        line.add("versions", String(d.versions.count))
        if let c = d.compatibility { line.add("compatibility", d.compatibilityIsGlobal ? "\(c) (global)" : c) }
        if let latest = d.versions.max(by: { $0.version < $1.version }) { line.add("latest", "v\(latest.version) id \(latest.schemaID) \(latest.type)") }
        var out = [line.spans(width: area.width)]
        if let e = d.errors.first, area.height >= 7 {
            out.append([Span(TextLayout.truncate("\(context.glyphs.error) \(e.source): \(e.message)", width: area.width), role: .statusError)])
        }
        return out
    }

    static let columns: [ListColumn<SubjectSchema>] = [
        ListColumn(TableColumn("VERSION", alignment: .right, priority: 100, width: 7), order: { $0.version < $1.version }) { v, _ in
            TableCell("v\(v.version)")
        },
        ListColumn(TableColumn("ID", alignment: .right, priority: 90, width: 6), order: { $0.schemaID < $1.schemaID }) { v, _ in
            TableCell(String(v.schemaID))
        },
        ListColumn(TableColumn("TYPE", priority: 80, width: 8), order: { $0.type < $1.type }) { v, _ in TableCell(v.type) },
        ListColumn(TableColumn("REFS", alignment: .right, priority: 60, width: 4),
                   order: { $0.references.count < $1.references.count }) { v, _ in
            TableCell(String(v.references.count), role: v.references.isEmpty ? .dim : .normal)
        },
        ListColumn(TableColumn("SCHEMA", minWidth: 10, flex: 1, priority: 50)) { v, _ in
            TableCell(SchemaText.oneLine(v.schema), role: .dim)
        },
    ]
}
