import ArgumentParser
import ClusterModel

/// `kafscope describe broker ID`: the broker (address, rack, controller, leaders) and every config
/// with its value (sensitive ones masked), source, read-only flag and synonyms.
public struct DescribeBrokerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "broker", abstract: "A broker and all its configs: value, source, sensitive (masked), read-only, synonyms.")
    @OptionGroup public var global: GlobalOptions
    @Argument(help: "Broker id.") public var id: Int32
    public init() {}

    public func run() async throws {
        let id = self.id
        try await ClusterRead.run(global) { service, format, console in
            guard let admin = service as? any TopicAdminService else { throw CommandFailure("this cluster service cannot read configs") }
            let overview = try await service.overview()
            guard let broker = overview.brokers.first(where: { $0.id == id }) else {
                throw CommandFailure("broker \(id) is not in the cluster (brokers: \(overview.brokers.map { String($0.id) }.joined(separator: ", ")))")
            }
            var errors: [SourceError] = []
            var configs: [ConfigEntry]?
            do { configs = try await admin.describeConfigs(.broker(id)) } catch {
                errors.append(SourceError(source: "DescribeConfigs", message: TopicWriteCLI.message(error)))
            }
            if let e = broker.error { errors.append(SourceError(source: "broker \(id)", message: e)) }
            DescribeCommand.printObject(format, console, errors: errors,
                                        json: { AdminFormat.brokerJSON(broker, configs: configs, errors: errors) },
                                        text: { AdminFormat.brokerText(broker, configs: configs) })
            if configs == nil { throw ExitCode(1) }
        }
    }
}

/// `kafscope get acls [--topic T] [--group G] [--principal P] [--pattern literal|prefixed|match|any]`.
public struct GetAclsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "acls", abstract: "ACLs (DescribeAcls): principal, host, operation, permission, resource and pattern type.")
    @OptionGroup public var global: GlobalOptions
    @Option(name: .customLong("topic"), help: "ACLs on this topic.") public var topic: String?
    @Option(name: .customLong("group"), help: "ACLs on this consumer group.") public var group: String?
    @Option(name: .customLong("principal"), help: "Only this principal's ACLs, e.g. User:alice.") public var principal: String?
    @Option(name: .customLong("pattern"), help: ArgumentHelp(
        "How --topic/--group names match: match (every ACL that applies: literal, wildcard, prefixes; the default), "
            + "literal, prefixed, any.", valueName: "TYPE"))
    public var pattern: String?
    public init() {}

    public func validate() throws { _ = try filter() }

    func filter() throws -> AclFilter {
        if topic != nil && group != nil { throw ValidationError("give --topic or --group, not both") }
        var f = AclFilter(principal: principal)
        if let pattern {
            guard let p = AclFilter.Pattern(rawValue: pattern.lowercased()) else {
                throw ValidationError("--pattern must be literal, prefixed, match or any")
            }
            f.pattern = p
        }
        if let topic {
            f.resourceType = AclNames.topic
            f.resourceName = topic
            if pattern == nil { f.pattern = .match }
        } else if let group {
            f.resourceType = AclNames.group
            f.resourceName = group
            if pattern == nil { f.pattern = .match }
        } else if f.pattern == .match {
            throw ValidationError("--pattern match needs --topic or --group")
        }
        return f
    }

    public func run() async throws {
        let filter = try self.filter()
        try await ClusterRead.run(global) { service, format, console in
            guard let admin = service as? any TopicAdminService else { throw CommandFailure("this cluster service cannot read ACLs") }
            let acls: [AclBinding]
            do { acls = try await admin.describeAcls(filter) } catch { throw CommandFailure(TopicWriteCLI.message(error)) }
            ClusterRead.printList(format, console, errors: [], json: { AdminFormat.aclsJSON(acls) }, table: { AdminFormat.aclsTable(acls) })
        }
    }
}

/// Tables and JSON of the admin reads.
public enum AdminFormat {
    static func configJSON(_ c: ConfigEntry) -> JSONValue {
        let secret = ConfigDiff.isSensitive(c.name, entry: c)
        return .object([
            ("name", .string(c.name)), ("value", .optional(ConfigDiff.display(c))), ("source", .string(c.source.rawValue)),
            ("sensitive", .bool(secret)), ("read_only", .bool(c.readOnly)),
            ("synonyms", .array(c.synonyms.map { s in
                .object([("name", .string(s.name)), ("value", .optional(secret ? ConfigDiff.masked : s.value)), ("source", .string(s.source.rawValue))])
            })),
        ])
    }

    public static func configsJSON(_ configs: [ConfigEntry]) -> JSONValue { .array(configs.map(configJSON)) }

    /// NAME VALUE SOURCE SENSITIVE READ-ONLY SYNONYMS, one line per config.
    public static func configsTable(_ configs: [ConfigEntry]) -> String {
        TextTable(["NAME", "VALUE", "SOURCE", "SENSITIVE", "READ-ONLY", "SYNONYMS"], rows: configs.map { c in
            let secret = ConfigDiff.isSensitive(c.name, entry: c)
            return [c.name, ConfigDiff.display(c) ?? "-", c.source.rawValue, secret ? "yes" : "no", c.readOnly ? "yes" : "no",
                    synonymsText(c)]
        }).render()
    }

    /// Where else a config is defined, below the value in effect (Kafka lists that one first):
    /// "static_broker:log.retention.ms=604800000, default:log.retention.hours=168"; masked when sensitive.
    static func synonymsText(_ c: ConfigEntry) -> String {
        let secret = ConfigDiff.isSensitive(c.name, entry: c)
        return c.synonyms.dropFirst().map { "\($0.source.rawValue):\($0.name)=\(secret ? ConfigDiff.masked : ($0.value ?? "-"))" }
            .joined(separator: ", ")
    }

    public static func brokerJSON(_ b: BrokerInfo, configs: [ConfigEntry]?, errors: [SourceError]) -> JSONValue {
        .object([
            ("id", .int(b.id)), ("host", .string(b.host)), ("port", .int(b.port)), ("rack", .optional(b.rack)),
            ("is_controller", .bool(b.isController)), ("leader_count", .int(b.leaderCount)), ("partition_count", .int(b.partitionCount)),
            ("configs", configs.map(configsJSON) ?? .null), ("errors", ClusterFormat.errorsJSON(errors)),
        ])
    }

    public static func brokerText(_ b: BrokerInfo, configs: [ConfigEntry]?) -> String {
        var out = "Broker \(b.id) at \(b.host):\(b.port)" + (b.rack.map { ", rack \($0)" } ?? "") + (b.isController ? ", controller" : "")
            + "; leads \(b.leaderCount) of \(b.partitionCount) partition replicas\n"
        if let configs { out += "\n" + configsTable(configs) }
        return TextTable.cleanLines(out)
    }

    public static func aclsJSON(_ acls: [AclBinding]) -> JSONValue {
        .array(acls.map { a in
            .object([("principal", .string(a.principal)), ("host", .string(a.host)), ("operation", .string(a.operationName)),
                     ("permission", .string(a.permissionName)), ("resource_type", .string(a.resourceTypeName)),
                     ("resource_name", .string(a.resourceName)), ("pattern_type", .string(a.patternTypeName))])
        })
    }

    public static func aclsTable(_ acls: [AclBinding]) -> String {
        TextTable(["PRINCIPAL", "HOST", "OPERATION", "PERMISSION", "RESOURCE-TYPE", "RESOURCE-NAME", "PATTERN-TYPE"], rows: acls.map { a in
            [a.principal, a.host, a.operationName, a.permissionName, a.resourceTypeName, a.resourceName, a.patternTypeName]
        }).render()
    }
}
