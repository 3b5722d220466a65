import ClusterModel
import KafkaClient
import KafkaProtocol

extension KafkaAdminService {
    static let resourceTypeTopic: Int8 = 2

    /// DescribeConfigs for many topics in one request per 500 topics (any broker); `keys` nil = all.
    /// `synonyms`: also where else each config is defined (a topic detail wants them; a list does not).
    public func topicConfigs(_ topics: [String], keys: [String]?, synonyms: Bool = false) async -> FieldState<[String: [ConfigEntry]]> {
        guard !topics.isEmpty else { return .value([:]) }
        do {
            return try await client.withConnection(to: nil) { conn in
                try await Self.describeTopicConfigs(conn: conn, topics: topics, keys: keys, synonyms: synonyms)
            }
        } catch let e as KafkaClientError where e.isUnsupported {
            return .unsupported(unsupportedMessage("DescribeConfigs"))
        } catch {
            return .failed(sourceError(error, source: "DescribeConfigs").message)
        }
    }

    static func describeTopicConfigs(conn: BrokerConnection, topics: [String],
                                     keys: [String]?, synonyms: Bool = false) async throws -> FieldState<[String: [ConfigEntry]]> {
            guard let v = conn.negotiatedVersion(DescribeConfigsRequest.self) else {
                return .unsupported(unsupportedMessage("DescribeConfigs"))
            }
            var out: [String: [ConfigEntry]] = [:]
            var failures: [String] = []
            let sorted = topics.sorted()
            for start in stride(from: 0, to: sorted.count, by: 500) {
                var req = DescribeConfigsRequest()
                req.includeSynonyms = synonyms
                req.resources = sorted[start..<min(start + 500, sorted.count)].map { t in
                    var r = DescribeConfigsRequest.DescribeConfigsResource()
                    r.resourceType = Self.resourceTypeTopic
                    r.resourceName = t
                    r.configurationKeys = keys
                    return r
                }
                let resp = try await conn.send(req, version: v)
                for r in resp.results {
                    if r.errorCode != 0 {
                        failures.append("\(r.resourceName): \(describeKafkaError(r.errorCode, message: r.errorMessage))")
                        continue
                    }
                    out[r.resourceName] = r.configs.map { Self.configEntry($0, version: v) }
                }
            }
            if out.isEmpty && !failures.isEmpty { return .failed(failures.joined(separator: "; ")) }
            return .value(out)
    }

    /// One config as the model holds it; a sensitive value (and its synonyms' values) never kept.
    static func configEntry(_ c: DescribeConfigsResponse.DescribeConfigsResourceResult,
                            version v: Int16) -> ConfigEntry {
        ConfigEntry(name: c.name, value: c.isSensitive ? nil : c.value,
                    source: v >= 1 ? configSource(c.configSource) : (c.isDefault ? .defaultConfig : .topic),
                    isSensitive: c.isSensitive, readOnly: c.readOnly,
                    synonyms: c.synonyms.map { s in
                        ConfigSynonym(name: s.name, value: c.isSensitive ? nil : s.value, source: configSource(s.source))
                    })
    }

    static func configSource(_ s: Int8) -> ConfigSource {
        switch s {
        case 1: return .topic
        case 2: return .dynamicBroker
        case 3: return .dynamicDefaultBroker
        case 4: return .staticBroker
        case 5: return .defaultConfig
        default: return .unknown
        }
    }

    /// Bytes on disk per topic over all replicas: DescribeLogDirs (all topics) to every broker,
    /// summing PartitionSize of non-future replicas. Unreachable brokers are listed as errors, and a
    /// topic with a replica on a broker (or log dir) that did not answer is in `unknown`: a partial
    /// sum must not pass for the total.
    public func logDirSizes() async -> FieldState<([String: Int64], unknown: Set<String>, [SourceError])> {
        let meta: ClusterMetadata
        do { meta = try await client.metadata() } catch {
            return .failed(sourceError(error, source: "metadata").message)
        }
        let client = self.client
        let brokers = meta.sortedBrokers
        let results = await concurrentMap(brokers) { b -> Result<([String: Int64], complete: Bool), any Error> in
            do {
              return try await client.withConnection(to: b.nodeId) { conn -> Result<([String: Int64], complete: Bool), any Error> in
                guard let v = conn.negotiatedVersion(DescribeLogDirsRequest.self) else {
                    throw KafkaClientError.unsupported(conn.endpoint, api: "DescribeLogDirs")
                }
                var req = DescribeLogDirsRequest()
                req.topics = nil
                let resp = try await conn.send(req, version: v)
                if resp.errorCode != 0 {
                    throw KafkaClientError.kafka(conn.endpoint, api: "DescribeLogDirs", code: resp.errorCode,
                                                 name: errorName(resp.errorCode), message: nil)
                }
                var sizes: [String: Int64] = [:]
                for dir in resp.results where dir.errorCode == 0 {
                    for t in dir.topics {
                        for p in t.partitions where !p.isFutureKey { sizes[t.name, default: 0] += p.partitionSize }
                    }
                }
                return .success((sizes, complete: resp.results.allSatisfy { $0.errorCode == 0 }))
              }
            } catch {
                return .failure(error)
            }
        }
        var total: [String: Int64] = [:]
        var errors: [SourceError] = []
        var missing: Set<Int32> = []
        var answered = 0, unsupported = 0
        for (b, r) in zip(brokers, results) {
            switch r {
            case .success(let (s, complete)):
                answered += 1
                total.merge(s, uniquingKeysWith: +)
                if !complete {
                    missing.insert(b.nodeId)
                    errors.append(SourceError(source: "DescribeLogDirs", message: "broker \(b.nodeId): a log dir did not answer"))
                }
            case .failure(let e):
                missing.insert(b.nodeId)
                if let ce = e as? KafkaClientError, ce.isUnsupported { unsupported += 1 } else {
                    errors.append(sourceError(e, source: "DescribeLogDirs"))
                }
            }
        }
        if answered == 0 && unsupported > 0 { return .unsupported(unsupportedMessage("DescribeLogDirs")) }
        if answered == 0 { return .failed(errors.first?.message ?? "no broker answered DescribeLogDirs") }
        let unknown = Set(meta.topics.values.filter { t in
            t.partitions.contains { p in p.replicas.contains { missing.contains($0) } }
        }.map(\.name))
        for name in unknown { total[name] = nil }
        return .value((total, unknown: unknown, errors))
    }
}
