import ClusterModel
import KafkaClient
import KafkaProtocol

/// DescribeAcls (any broker). Pattern filters (MATCH, PREFIXED, ANY) need v1+ (Kafka 2.0).
extension KafkaAdminService {
    public func describeAcls(_ filter: AclFilter) async throws -> [AclBinding] {
        var req = DescribeAclsRequest()
        req.resourceTypeFilter = filter.resourceType
        req.resourceNameFilter = filter.resourceName
        req.patternTypeFilter = filter.pattern.kafkaValue
        req.principalFilter = filter.principal
        req.hostFilter = filter.host
        req.operation = AclNames.anyOperation
        req.permissionType = AclNames.anyPermission
        let request = req
        return try await client.withConnection(to: nil) { conn in
            guard let v = conn.negotiatedVersion(DescribeAclsRequest.self) else {
                throw KafkaClientError.unsupported(conn.endpoint, api: "DescribeAcls")
            }
            if v < 1 && filter.pattern != .literal {
                throw UserFacingError("\(conn.endpoint): this broker (DescribeAcls v0) only matches literal names: use --pattern literal")
            }
            let resp = try await conn.send(request, version: v)
            if let refusal = Self.refusal(resp.errorCode, resp.errorMessage) { throw AclListRefused(refusal) }
            return resp.resources.flatMap { r in
                r.acls.map { a in
                    AclBinding(principal: a.principal, host: a.host, operation: a.operation, permission: a.permissionType,
                               resourceType: r.resourceType, resourceName: r.resourceName, patternType: v >= 1 ? r.patternType : AclNames.literal)
                }
            }.sorted { ($0.resourceType, $0.resourceName, $0.principal, $0.operation) < ($1.resourceType, $1.resourceName, $1.principal, $1.operation) }
        }
    }
}
