import ClusterModel

/// The ACL section of the topic and group detail (issue 18): its side load and rows.
extension TopicDetailSpec {
    var aclFilter: AclFilter { .applying(toTopic: name) }
    public var sideLoads: [Effect] { [ResourceAcls.load(aclFilter)] }
    public mutating func receiveSide(_ result: LoadResult, at time: Double) -> Bool {
        appliedAcls.receive(result, filter: aclFilter)
    }
    var aclSection: DetailSection<Self> { ResourceAcls.section({ $0.appliedAcls }, filter: aclFilter, what: "topic \(name)") }
}

extension GroupDetailSpec {
    var aclFilter: AclFilter { .applying(toGroup: name) }
    public var sideLoads: [Effect] { [ResourceAcls.load(aclFilter)] }
    public mutating func receiveSide(_ result: LoadResult, at time: Double) -> Bool {
        appliedAcls.receive(result, filter: aclFilter)
    }
    var aclSection: DetailSection<Self> { ResourceAcls.section({ $0.appliedAcls }, filter: aclFilter, what: "group \(name)") }
}

extension DetailScreen {
    /// The rows of the ACL section, on screens that have one.
    public var aclRows: ListModel<ApplyingAcl> { list(sectionNames.firstIndex(of: "ACLs") ?? -1) }
}
