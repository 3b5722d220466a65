@testable import BrowserCore
import ClusterModel
import KafkaTestSupport
import TerminalCore
import Testing

/// Issue 11 item 1 for detail screens: each is a `DetailScreenSpec` on the one `DetailScreen`.
/// These check what the specs declare (their sections, drawn as tabs and bodies) and the generic
/// plumbing every spec gets (stale rows, per-section filter, text sections, Enter into a section).
@Suite struct DetailScreenTests {
    /// Each detail route, its sections in Tab order, and a column header or text each section draws.
    static let specs: [(Route, [String], [String])] = [
        (.topic("orders"), ["Partitions", "Configs", "Groups", "ACLs"], ["LEADER", "VALUE", "GROUP", "APPLIES AS"]),
        (.group("orders-processor"), ["Offsets", "Members", "ACLs"], ["CURRENT-OFFSET", "MEMBER-ID", "APPLIES AS"]),
        (.broker(1), ["Configs", "Synonyms"], ["SOURCE", "Enter on a config"]),
        (.connector(cluster: "QA", name: "payments-source"), ["Tasks", "Config", "Trace"],
         ["WORKER", "KEY", "ConnectException"]),
    ]

    /// Made to fail once by declaring Topic detail's sections as Partitions/Groups/Configs (the tab
    /// row and the bodies then disagreed with this table).
    @Test func eachSpecDrawsItsSectionsInTabOrder() async throws {
        for (route, names, marks) in Self.specs {
            var h = await Harness.at(route, size: Size(width: 140, height: 30))
            let screen = try #require(h.state.current as? any DetailScreenNames, "\(route) is a DetailScreen")
            #expect(screen.sectionNames == names, "\(route)")
            let tabs = h.text().split(separator: "\n").first { line in names.allSatisfy { line.contains($0) } }
            #expect(tabs != nil, "\(route): no tab row naming \(names) in\n\(h.text())")
            for (i, mark) in marks.enumerated() {
                #expect((h.state.current as? any DetailScreenNames)?.activeSection == i, "\(route)")
                #expect(h.text().contains(mark), "\(route) section \(names[i]): no \(mark) in\n\(h.text())")
                h.press("nextSection")
            }
            #expect((h.state.current as? any DetailScreenNames)?.activeSection == 0, "\(route): Tab wraps around")
        }
    }

    /// Read-only mode removes the writes on every section of every detail screen (not just the first).
    /// Made to fail once by exempting `ConnectorDetailScreen` from the read-only filter in
    /// `activeBindings`: p/u/s/ctrl-r/R/F/t were then offered on each of its sections.
    @Test func readOnlyOffersNoWriteInAnySection() async {
        var writable = 0
        for (route, names, _) in Self.specs {
            let rw = await Harness.at(route, size: Size(width: 160, height: 50), options: ActionTests.options(readOnly: false))
            writable += ActionTests.offeredWrites(rw).count
            var h = await Harness.at(route, size: Size(width: 160, height: 50), options: ActionTests.options(readOnly: true))
            for name in names {
                #expect(ActionTests.offeredWrites(h).isEmpty, "\(route) \(name): \(ActionTests.offeredWrites(h))")
                h.press("nextSection")
            }
        }
        #expect(writable > 0, "the connector detail offers writes when not read-only")
    }

    // MARK: The generic plumbing, on a spec made for the test (its value is a TopicDetail read as
    // items = partitions, notes = configs, text = topic id, missing = the first error)

    struct Item: Sendable, Hashable { var name: String; var size: Int }

    struct ProbeSpec: DetailScreenSpec {
        var opened: String?
        var route: Route { .topic("probe") }
        var what: String { "probe" }
        var load: Effect { .load(.topic("probe")) }
        func value(in result: LoadResult) -> Result<TopicDetail, LoadError>? {
            if case .topic("probe", let r) = result { return r }
            return nil
        }
        func missing(_ d: TopicDetail) -> String? { d.errors.first?.message }
        func summary(_ d: TopicDetail, data: Loadable<TopicDetail>, context: ScreenContext) -> SummaryLine {
            var line = SummaryLine()
            line.add("items", String(d.partitions.count))
            return line
        }
        static let columns: [ListColumn<Item>] = [
            ListColumn(TableColumn("NAME", minWidth: 6, flex: 1, priority: 100), order: { $0.name < $1.name }) { r, _ in TableCell(r.name) },
            ListColumn(TableColumn("SIZE", alignment: .right, priority: 90, width: 6), order: { $0.size < $1.size }) { r, _ in TableCell(String(r.size)) },
        ]
        static func items(_ d: TopicDetail) -> [Item] {
            d.partitions.map { Item(name: String(format: "item-%02d", Int($0.partition)), size: Int($0.leader)) }
        }
        var sections: [DetailSection<Self>] {
            [
                .table("Items", label: { d, _ in "Items \(d.partitions.count)" }, columns: Self.columns, sort: TableSort(column: 0),
                       emptyMessage: "No items", identity: { $0.name }, searchText: { $0.name }, rows: { d, _ in Self.items(d) },
                       open: { r in .section(2, note: { $0.opened = r.name }) }),
                .table("Notes", label: { _, _ in "Notes" }, columns: Self.columns, sort: TableSort(column: 0),
                       emptyMessage: "No notes", identity: { $0.name }, searchText: { $0.name },
                       rows: { d, _ in (d.configs.value ?? []).map { Item(name: $0.name, size: 0) } },
                       message: { d, g in d.configs.note("notes", glyphs: g) }),
                .text("Text", label: { _, _ in "Text" }, heading: { spec, _ in "Opened: \(spec.opened ?? "-")" },
                      view: { _, d in TextView(text: d.topicId ?? "") }, filterRefusal: "no rows here"),
            ]
        }
    }

    static let area = Rect(x: 0, y: 0, width: 60, height: 10)
    static let ctx = ScreenContext(options: BrowserOptions(), now: 0, area: area, overview: Loadable(), lagHistory: LagHistory())

    static func probe(items: Int, text: String = "", broken: String? = nil) -> LoadResult {
        let partitions = (0..<items).map { PartitionInfo(partition: Int32($0), leader: Int32($0), replicas: [], isr: []) }
        return .topic(name: "probe", .success(TopicDetail(name: "probe", topicId: text, partitions: partitions,
                                                          configs: .failed("denied"),
                                                          errors: broken.map { [SourceError(source: "probe", message: $0)] } ?? [])))
    }

    func draw(_ s: DetailScreen<ProbeSpec>) -> String {
        var buffer = CellBuffer(size: Size(width: Self.area.width, height: Self.area.height))
        s.render(into: &buffer, area: Self.area, context: Self.ctx)
        return buffer.text()
    }

    /// Made to fail once by storing rows before the `data.error` check in `DetailScreen.receive`
    /// (the kept rows were then replaced by the incomplete value's empty ones).
    @Test func genericPlumbingFromASpec() {
        let text = (0..<40).map { "line \($0)" }.joined(separator: "\n")
        var s = DetailScreen(ProbeSpec())
        #expect(s.load(context: Self.ctx) == [.load(.topic("probe"))])
        #expect(draw(s).contains("Loading probe"))
        _ = s.receive(.topic(name: "other", .success(TopicDetail(name: "other", partitions: []))), at: 1, context: Self.ctx)
        #expect(!s.status.hasData, "another screen's result is not this one's")
        _ = s.receive(Self.probe(items: 20, text: text), at: 1, context: Self.ctx)
        #expect(draw(s).contains("items 20") && draw(s).contains("Items 20") && draw(s).contains("item-00"), "\(draw(s))")

        // The filter is the active section's.
        #expect(s.setFilter(RowFilter("item-1"), context: Self.ctx) == nil)
        #expect(s.list(0, of: Item.self).visible.count == 10)
        _ = s.handle(.perform(.section(.nextSection)), context: Self.ctx)
        #expect(s.filter == nil)
        #expect(draw(s).contains("cannot read notes: denied"), "\(draw(s))")
        _ = s.handle(.perform(.section(.nextSection)), context: Self.ctx)
        #expect(s.setFilter(RowFilter("x"), context: Self.ctx) == "no rows here")
        _ = s.handle(.navigate(.bottom), context: Self.ctx)
        #expect(s.textOffset(2) > 0 && draw(s).contains("line 39"), "\(draw(s))")
        _ = s.handle(.perform(.section(.nextSection)), context: Self.ctx)
        #expect(s.activeSection == 0 && s.filter != nil, "the first section kept its filter")

        // Enter on a row of the first table shows the text section from its top, noted by the spec.
        _ = s.handle(.open, context: Self.ctx)
        #expect(s.activeSection == 2 && s.textOffset(2) == 0 && s.spec.opened == "item-10")
        #expect(draw(s).contains("Opened: item-10"), "\(draw(s))")

        // A value missing its essential part keeps the complete one's rows, marked stale.
        _ = s.receive(Self.probe(items: 0, broken: "items not read"), at: 2, context: Self.ctx)
        #expect(s.status.isStale && s.status.error == "items not read")
        #expect(s.list(0, of: Item.self).rows.count == 20)
        #expect(s.list(0, of: String.self).rows.isEmpty, "a table of other rows reads as empty")
    }
}

/// What the tests read of any detail screen, whatever its spec.
protocol DetailScreenNames {
    var sectionNames: [String] { get }
    var activeSection: Int { get }
}

extension DetailScreen: DetailScreenNames {}
