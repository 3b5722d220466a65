import ClusterModel
import TerminalCore

/// `:acls`: every ACL of the cluster (DescribeAcls, any resource, any pattern), one row per
/// principal/host/operation/permission on a resource pattern. When the broker refuses to list
/// them (no authorizer, no permission) the screen says what that means instead of an empty list.
public typealias AclsScreen = ListScreen<AclsSpec>

public struct AclsSpec: ListScreenSpec {
    public static let make: ScreenRegistry.Factory = { $0 == .acls ? AclsScreen(AclsSpec()) : nil }

    public let route: Route = .acls
    public let what = "ACLs"
    public let emptyMessage = "No ACLs: the authorizer allows only what its defaults allow (e.g. super users)"
    public var columns: [ListColumn<AclBinding>] { AclColumns.all }
    public var defaultSort: TableSort? { TableSort(column: AclColumns.resourceNameColumn) }
    public func identity(_ a: AclBinding) -> String { AclColumns.identity(a) }
    public func searchText(_ a: AclBinding) -> String { AclColumns.searchText(a) }

    public func loads(context: ScreenContext) -> [Effect] { [.load(.acls(.all))] }
    public var leaveEffects: [Effect] { [.cancel(.acls)] }

    public func value(in result: LoadResult) -> Result<AclListing, LoadError>? {
        if case .acls(let f, let r) = result, f == .all { return r }
        return nil
    }

    public func rows(_ listing: AclListing, at time: Double) -> [AclBinding] { listing.acls ?? [] }

    public func bodyMessage(_ listing: AclListing, glyphs: Glyphs) -> (String, Role)? {
        if case .refused(let r) = listing { return (r.explanation, .statusWarn) }
        return nil
    }

    public func titleDetail(_ listing: AclListing, countLabel: String, rows: [AclBinding]) -> String {
        guard listing.acls != nil else { return "" }
        let deny = rows.filter { $0.permission == AclNames.deny }.count
        return deny > 0 ? "\(countLabel) \(deny) deny" : countLabel
    }

    /// A literal ACL on one topic or group opens it; patterns, wildcards and other resources have
    /// no single screen.
    public func open(_ a: AclBinding) -> Route? {
        guard a.patternType == AclNames.literal, a.resourceName != AclBinding.wildcardName else { return nil }
        switch a.resourceType {
        case AclNames.topic: return .topic(a.resourceName)
        case AclNames.group: return .group(a.resourceName)
        default: return nil
        }
    }
}

/// The ACL columns `:acls` and the ACL sections of the topic and group detail share.
enum AclColumns {
    static let resourceNameColumn = 6

    static func identity(_ a: AclBinding) -> String {
        "\(a.resourceType)|\(a.patternType)|\(a.resourceName)|\(a.principal)|\(a.host)|\(a.operation)|\(a.permission)"
    }

    static func searchText(_ a: AclBinding) -> String {
        "\(a.principal) \(a.host) \(a.operationName) \(a.permissionName) \(a.resourceTypeName) \(a.resourceName) \(a.patternTypeName)"
    }

    static func permissionCell(_ a: AclBinding) -> TableCell {
        a.permission == AclNames.deny ? TableCell(a.permissionName, role: .statusError) : TableCell(a.permissionName, role: .statusOk)
    }

    /// PRINCIPAL HOST OPERATION PERMISSION RESOURCE NAME PATTERN, after a mark column (DENY).
    static let all: [ListColumn<AclBinding>] = [
        ListColumn(TableColumn("", priority: 95, width: 1)) { a, ctx in
            a.permission == AclNames.deny ? Mark.error(ctx.glyphs) : Mark.none
        },
        ListColumn(TableColumn("PRINCIPAL", minWidth: 10, maxWidth: 40, flex: 1, priority: 100),
                   order: { ($0.principal, $0.resourceName) < ($1.principal, $1.resourceName) }) { a, _ in TableCell(a.principal) },
        ListColumn(TableColumn("HOST", minWidth: 4, maxWidth: 18, priority: 55), order: { $0.host < $1.host }) { a, _ in
            TableCell(a.host, role: a.host == "*" ? .dim : .normal)
        },
        ListColumn(TableColumn("OPERATION", priority: 90, width: 16), order: { $0.operationName < $1.operationName }) { a, _ in
            TableCell(a.operationName)
        },
        ListColumn(TableColumn("PERMISSION", priority: 92, width: 10), order: { $0.permission < $1.permission }) { a, _ in
            permissionCell(a)
        },
        ListColumn(TableColumn("RESOURCE", priority: 91, width: 16),
                   order: { ($0.resourceTypeName, $0.resourceName) < ($1.resourceTypeName, $1.resourceName) }) { a, _ in
            TableCell(a.resourceTypeName)
        },
        ListColumn(TableColumn("NAME", minWidth: 8, maxWidth: 48, flex: 1, priority: 98),
                   order: { ($0.resourceName, $0.principal, $0.operation) < ($1.resourceName, $1.principal, $1.operation) }) { a, _ in
            a.resourceName == AclBinding.wildcardName && a.patternType == AclNames.literal
                ? TableCell("* (all)", role: .statusInfo) : TableCell(a.resourceName)
        },
        ListColumn(TableColumn("PATTERN", priority: 70, width: 8), order: { $0.patternType < $1.patternType }) { a, _ in
            TableCell(a.patternTypeName, role: a.patternType == AclNames.prefixed ? .statusInfo : .normal)
        },
    ]
}
