import ClusterModel
import TerminalCore

/// One broker (Enter on Brokers, `:brokers ID`): its address, rack and controller/quorum role
/// from the cluster overview, and every config (DescribeConfigs with synonyms) with its value,
/// source, whether it is sensitive (masked, never shown) and read-only, and its synonyms: the
/// other levels that define it, most specific first (Enter on a config shows them).
public typealias BrokerDetailScreen = DetailScreen<BrokerDetailSpec>

extension DetailScreen where Spec == BrokerDetailSpec {
    public init(id: Int32) { self.init(BrokerDetailSpec(id: id)) }
    public var configs: ListModel<ConfigEntry> { list(0) }
    public var synonyms: ListModel<ConfigSynonym> { list(1) }
}

public struct BrokerDetailSpec: DetailScreenSpec {
    public static let make: ScreenRegistry.Factory = { route in
        if case .broker(let id) = route { return BrokerDetailScreen(id: id) }
        return nil
    }

    public let id: Int32
    /// The config whose synonyms the Synonyms section lists (Enter on a config).
    public internal(set) var selectedConfig: String?

    public init(id: Int32) { self.id = id }

    public var route: Route { .broker(id) }
    public var what: String { "the configs of broker \(id)" }
    public var load: Effect { .load(.configs(.broker(id))) }
    public var leaveEffects: [Effect] { [.cancel(.configs)] }

    public func value(in result: LoadResult) -> Result<[ConfigEntry], LoadError>? {
        if case .configs(.broker(let i), let r) = result, i == id { return r }
        return nil
    }

    /// Editing goes through the config editor (ConfigEditorScreen), as for topics.
    public var actions: [Action] { BrokerAction.allCases.map(Action.broker) }

    public mutating func perform(_ action: Action, value: [ConfigEntry]?, selection: DetailSelection,
                                 context: ScreenContext) -> [ScreenOutput] {
        switch action {
        case .broker(.editBrokerConfigs): return [.open(.editConfigs(.broker(id)))]
        case .broker(.editClusterDefault): return [.open(.editConfigs(.brokerDefault))]
        default: return []
        }
    }

    public func titleDetail(_ configs: [ConfigEntry]) -> String {
        "[\(configs.filter { !$0.isDefault }.count) dynamic of \(configs.count)]"
    }

    public var sections: [DetailSection<Self>] {
        [
            .table("Configs", label: { c, _ in "Configs \(c.filter { !$0.isDefault }.count)*/\(c.count)" },
                   columns: Self.configColumns, emptyMessage: "The broker returned no configs",
                   identity: { $0.name }, searchText: { "\($0.name) \(ConfigDiff.display($0) ?? "") \(BrokerConfigText.source($0.source))" },
                   rows: { c, _ in c }, open: { c in .section(1, note: { $0.selectedConfig = c.name }) }),
            .sideTable("Synonyms", label: { spec, c, _ in
                           spec.selectedConfig.map { "Synonyms of \($0)" } ?? "Synonyms"
                       },
                       columns: Self.synonymColumns, sort: nil,
                       emptyMessage: "No synonyms: the value is defined at this one level",
                       identity: { "\($0.source.rawValue)|\($0.name)" }, searchText: { "\($0.name) \(BrokerConfigText.source($0.source))" },
                       rows: { spec, c, _ in spec.entry(in: c).map(BrokerConfigText.maskedSynonyms) ?? [] },
                       message: { spec, c, _ in
                           guard let name = spec.selectedConfig else {
                               return ("Enter on a config (in Configs) lists where else it is defined, most specific first", .dim)
                           }
                           return spec.entry(in: c) == nil ? ("\(name) is no longer among the broker's configs", .dim) : nil
                       }),
        ]
    }

    func entry(in configs: [ConfigEntry]) -> ConfigEntry? {
        selectedConfig.flatMap { name in configs.first { $0.name == name } }
    }

    public func summary(_ configs: [ConfigEntry], data: Loadable<[ConfigEntry]>, context: ScreenContext) -> SummaryLine {
        var line = SummaryLine()
        line.add("id", String(id))
        let overview = context.overview.value
        guard let b = overview?.brokers.first(where: { $0.id == id }) else {
            line.add("", overview == nil ? "address not read yet" : "\(context.glyphs.warn) not in the cluster metadata",
                     role: overview == nil ? .dim : .statusWarn)
            return line
        }
        line.add("address", "\(b.host):\(b.port)")
        line.add("rack", b.rack ?? "-", role: b.rack == nil ? .dim : .headerValue)
        let roles = Self.roles(id, overview: overview!)
        line.add("role", roles.isEmpty ? "broker" : roles.joined(separator: ", "))
        if let e = b.error { line.add("", "\(context.glyphs.error) \(e)", role: .statusError) }
        line.add("leaders", "\(b.leaderCount)/\(b.partitionCount)")
        return line
    }

    /// "controller", "quorum leader", "voter", "observer", as Metadata and DescribeQuorum say.
    static func roles(_ id: Int32, overview o: ClusterOverview) -> [String] {
        var out: [String] = []
        if let q = o.quorum.value {
            if q.leaderId == id { out.append("quorum leader") }
            else if q.voters.contains(where: { $0.replicaId == id }) { out.append("quorum voter") }
            else if q.observers.contains(where: { $0.replicaId == id }) { out.append("quorum observer") }
        } else if o.controllerId == id || o.brokers.contains(where: { $0.id == id && $0.isController }) {
            out.append("controller")
        }
        return out
    }

    static let configColumns: [ListColumn<ConfigEntry>] = [
        ListColumn(TableColumn("", priority: 95, width: 1), order: { !$0.isDefault && $1.isDefault }) { c, _ in
            c.isDefault ? TableCell("") : TableCell("*", role: .statusInfo)
        },
        // Long names differ at the end (…ssl.keystore.password, …sasl.jaas.config): cut in the middle.
        ListColumn(TableColumn("NAME", minWidth: 16, maxWidth: 56, flex: 1, truncation: .middle, priority: 100),
                   order: { $0.name < $1.name }) { c, _ in
            c.isDefault ? TableCell(c.name) : TableCell(c.name, role: .statusInfo)
        },
        ListColumn(TableColumn("VALUE", minWidth: 8, maxWidth: 60, flex: 1, priority: 90)) { c, _ in
            BrokerConfigText.valueCell(c)
        },
        ListColumn(TableColumn("SOURCE", priority: 60, width: 23), order: { $0.source.rawValue < $1.source.rawValue }) { c, _ in
            TableCell(BrokerConfigText.source(c.source), role: c.isDefault ? .dim : .normal)
        },
        ListColumn(TableColumn("RO", priority: 50, width: 2), order: { !$0.readOnly && $1.readOnly }) { c, _ in
            c.readOnly ? TableCell("ro", role: .dim) : TableCell("")
        },
        ListColumn(TableColumn("SYNONYMS", minWidth: 10, flex: 1, priority: 30)) { c, _ in
            let below = BrokerConfigText.maskedSynonyms(c).dropFirst()
            guard !below.isEmpty else { return TableCell("-", role: .dim) }
            return TableCell(below.map { "\(BrokerConfigText.source($0.source)): \($0.value ?? "(null)")" }
                .joined(separator: " > "), role: .dim)
        },
    ]

    static let synonymColumns: [ListColumn<ConfigSynonym>] = [
        ListColumn(TableColumn("SOURCE", priority: 90, width: 23)) { s, _ in TableCell(BrokerConfigText.source(s.source)) },
        ListColumn(TableColumn("NAME", minWidth: 12, maxWidth: 48, flex: 1, priority: 100)) { s, _ in TableCell(s.name) },
        ListColumn(TableColumn("VALUE", minWidth: 8, flex: 2, priority: 95)) { s, _ in
            guard let v = s.value else { return TableCell("(null)", role: .dim) }
            return v == ConfigDiff.masked ? TableCell(v, role: .dim) : TableCell(v)
        },
    ]
}

/// How configs read on screen: sources in words, sensitive values masked everywhere.
enum BrokerConfigText {
    static func source(_ s: ConfigSource) -> String {
        switch s {
        case .defaultConfig: return "default"
        case .staticBroker: return "static"
        case .dynamicBroker: return "dynamic broker"
        case .dynamicDefaultBroker: return "dynamic cluster default"
        case .topic: return "dynamic topic"
        case .unknown: return "unknown"
        }
    }

    static func valueCell(_ c: ConfigEntry) -> TableCell {
        if ConfigDiff.isSensitive(c.name, entry: c) { return TableCell(ConfigDiff.masked, role: .dim) }
        guard let v = c.value else { return TableCell("(null)", role: .dim) }
        return c.isDefault ? TableCell(v) : TableCell(v, role: .statusInfo)
    }

    /// The synonyms as they may be shown: a sensitive config's synonyms carry no value.
    static func maskedSynonyms(_ c: ConfigEntry) -> [ConfigSynonym] {
        guard ConfigDiff.isSensitive(c.name, entry: c) else { return c.synonyms }
        return c.synonyms.map { ConfigSynonym(name: $0.name, value: ConfigDiff.masked, source: $0.source) }
    }
}
