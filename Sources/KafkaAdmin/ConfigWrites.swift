import ClusterModel
import KafkaClient
import KafkaProtocol

/// Configs of one resource with synonyms (DescribeConfigs v1+), and incremental changes
/// (IncrementalAlterConfigs only: a whole-set AlterConfigs would race with other writers and
/// drop keys set meanwhile). A broker's own configs go to that broker; the rest to any.
extension KafkaAdminService {
    static func broker(of resource: ConfigResource) -> Int32? {
        if case .broker(let id) = resource { return id }
        return nil
    }

    public func describeConfigs(_ resource: ConfigResource) async throws -> [ConfigEntry] {
        var req = DescribeConfigsRequest()
        var r = DescribeConfigsRequest.DescribeConfigsResource()
        r.resourceType = resource.kafkaType
        r.resourceName = resource.kafkaName
        r.configurationKeys = nil
        req.resources = [r]
        req.includeSynonyms = true
        let request = req
        return try await client.withConnection(to: Self.broker(of: resource)) { conn in
            guard let v = conn.negotiatedVersion(DescribeConfigsRequest.self) else {
                throw KafkaClientError.unsupported(conn.endpoint, api: "DescribeConfigs")
            }
            let resp = try await conn.send(request, version: v)
            guard let result = resp.results.first else { throw UserFacingError("\(resource): missing from the DescribeConfigs response") }
            if let refusal = Self.refusal(result.errorCode, result.errorMessage) {
                throw UserFacingError("cannot read the configs of \(resource): \(refusal)")
            }
            return result.configs.map { Self.configEntry($0, version: v) }.sorted { $0.name < $1.name }
        }
    }

    public func alterConfigs(_ resource: ConfigResource, changes: [ConfigChange], validateOnly: Bool) async throws -> ResourceOutcome {
        var req = IncrementalAlterConfigsRequest()
        req.validateOnly = validateOnly
        var r = IncrementalAlterConfigsRequest.AlterConfigsResource()
        r.resourceType = resource.kafkaType
        r.resourceName = resource.kafkaName
        r.configs = changes.map { change in
            var c = IncrementalAlterConfigsRequest.AlterableConfig()
            c.name = change.key
            switch change {
            case .set(_, let value):
                c.configOperation = 0
                c.value = value
            case .delete:
                c.configOperation = 1
                c.value = nil
            }
            return c
        }
        req.resources = [r]
        let request = req
        let conn: BrokerConnection
        if let id = Self.broker(of: resource) { conn = try await client.connection(for: id) } else { conn = try await client.anyConnection() }
        guard let v = conn.negotiatedVersion(IncrementalAlterConfigsRequest.self) else {
            throw KafkaClientError.unsupported(conn.endpoint, api: "IncrementalAlterConfigs (Kafka 2.3+; kafscope never falls back to AlterConfigs)")
        }
        let resp = try await conn.send(request, version: v)
        guard let result = resp.responses.first else {
            return ResourceOutcome(name: resource.targetName, refusal: Self.missing("IncrementalAlterConfigs"))
        }
        return ResourceOutcome(name: resource.targetName, refusal: Self.refusal(result.errorCode, result.errorMessage))
    }
}
