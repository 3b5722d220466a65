import ClusterModel
import TerminalCore

/// The ACLs that apply to the one topic or group a detail screen shows (literal, prefixed and
/// wildcard patterns matching its name), loaded beside the detail so that the rest of it never
/// waits on DescribeAcls. A detail spec holds one (with the filter of its resource, e.g.
/// `AclFilter.applying(toTopic:)`), lists `load` in its side loads, hands results to `receive`, and
/// adds `section` to its sections.
public struct ResourceAcls: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        case loading
        case listing(AclListing)
        case failed(String)
    }

    public private(set) var state: State = .loading

    public init() {}

    public static func load(_ filter: AclFilter) -> Effect { .load(.acls(filter)) }

    /// Keeps a result of this resource's ACL read; false for any other result.
    public mutating func receive(_ result: LoadResult, filter: AclFilter) -> Bool {
        guard case .acls(let f, let r) = result, f == filter else { return false }
        switch r {
        case .success(let listing): state = .listing(listing)
        // A failed refresh keeps the ACLs read before rather than blanking the section.
        case .failure(let e):
            if case .listing(.acls) = state { return true }
            state = .failed(e.message)
        }
        return true
    }

    /// Each ACL that applies, with how (the broker's MATCH answer, checked again here).
    public func rows(_ filter: AclFilter) -> [ApplyingAcl] {
        guard case .listing(.acls(let acls)) = state else { return [] }
        return filter.applying(acls) ?? []
    }

    func label(_ filter: AclFilter) -> String {
        switch state {
        case .listing(.acls): return "ACLs \(rows(filter).count)"
        case .loading: return "ACLs \u{2026}"
        case .listing(.refused), .failed: return "ACLs -"
        }
    }

    func message(what: String, glyphs: Glyphs) -> (String, Role)? {
        switch state {
        case .loading: return ("Loading the ACLs that apply to \(what)\(glyphs.ellipsis)", .dim)
        case .listing(.refused(let r)): return (r.explanation, .statusWarn)
        case .failed(let why): return ("\(glyphs.error) cannot list the ACLs of \(what): \(why)", .statusError)
        case .listing(.acls): return nil
        }
    }

    /// The section: `acls` reads the spec's `ResourceAcls`, `what` names the resource ("topic orders").
    static func section<Spec: DetailScreenSpec>(_ acls: @escaping @Sendable (Spec) -> ResourceAcls, filter: AclFilter,
                                                what: String) -> DetailSection<Spec> {
        let label: @Sendable (Spec, Spec.Value, Glyphs) -> String = { spec, _, _ in acls(spec).label(filter) }
        let rows: @Sendable (Spec, Spec.Value, [ApplyingAcl]) -> [ApplyingAcl] = { spec, _, _ in acls(spec).rows(filter) }
        let message: @Sendable (Spec, Spec.Value, Glyphs) -> (String, Role)? = { spec, _, g in
            acls(spec).message(what: what, glyphs: g)
        }
        return DetailSection<Spec>.sideTable(
            "ACLs", label: label, columns: columns, sort: TableSort(column: 1),
            emptyMessage: "No ACL applies to \(what) (literal, prefixed or the * wildcard)",
            identity: { (r: ApplyingAcl) in AclColumns.identity(r.binding) },
            searchText: { (r: ApplyingAcl) in "\(AclColumns.searchText(r.binding)) \(r.match.rawValue)" },
            rows: rows, message: message)
    }

    static func lifted(_ c: ListColumn<AclBinding>) -> ListColumn<ApplyingAcl> {
        let cell = c.cell
        var order: (@Sendable (ApplyingAcl, ApplyingAcl) -> Bool)?
        if let o = c.order { order = { a, b in o(a.binding, b.binding) } }
        return ListColumn<ApplyingAcl>(c.column, order: order) { (r: ApplyingAcl, ctx: ScreenContext) -> TableCell in cell(r.binding, ctx) }
    }

    /// `:acls`' mark, principal, host, operation and permission, then how the ACL applies.
    static let columns: [ListColumn<ApplyingAcl>] = AclColumns.all.prefix(5).map(lifted) + [
        ListColumn(TableColumn("APPLIES AS", minWidth: 8, maxWidth: 40, flex: 1, priority: 85),
                   order: { ($0.match.rawValue, $0.binding.resourceName) < ($1.match.rawValue, $1.binding.resourceName) }) { r, _ in
            switch r.match {
            case .literal: return TableCell("literal")
            case .prefixed: return TableCell("prefix \(r.binding.resourceName)", role: .statusInfo)
            case .wildcard: return TableCell("wildcard *", role: .statusInfo)
            }
        },
    ]
}
