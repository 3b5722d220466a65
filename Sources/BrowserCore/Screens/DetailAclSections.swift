import ClusterModel

/// A detail spec with an ACLs section (issue 18): which ACLs apply to it and where it keeps them;
/// the side load, its receipt and the section come with the conformance.
public protocol AclSectionSpec: DetailScreenSpec {
    var aclFilter: AclFilter { get }
    /// "topic orders", in the section's messages.
    var aclSubject: String { get }
    var appliedAcls: ResourceAcls { get set }
}

extension AclSectionSpec {
    public var sideLoads: [Effect] { [ResourceAcls.load(aclFilter)] }
    public mutating func receiveSide(_ result: LoadResult, at time: Double) -> Bool {
        appliedAcls.receive(result, filter: aclFilter)
    }
    var aclSection: DetailSection<Self> { ResourceAcls.section({ $0.appliedAcls }, filter: aclFilter, what: aclSubject) }
}

extension TopicDetailSpec: AclSectionSpec {
    public var aclFilter: AclFilter { .applying(toTopic: name) }
    public var aclSubject: String { "topic \(name)" }
}

extension GroupDetailSpec: AclSectionSpec {
    public var aclFilter: AclFilter { .applying(toGroup: name) }
    public var aclSubject: String { "group \(name)" }
}

extension DetailScreen {
    /// The rows of the ACL section, on screens that have one.
    public var aclRows: ListModel<ApplyingAcl> { list(sectionNames.firstIndex(of: "ACLs") ?? -1) }
}
