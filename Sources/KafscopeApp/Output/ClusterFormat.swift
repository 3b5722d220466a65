import BrowserCore
import ClusterModel
import LagHealth

/// `-o table|json` renderings of cluster, broker, topic and group values. Pure: values in, text out.
public enum ClusterFormat {
    static let missing = "-"

    static func num<I: BinaryInteger>(_ v: I?) -> String { v.map { String($0) } ?? missing }

    /// 1536 -> "1.5 KiB"; tables only, JSON keeps bytes.
    public static func bytes(_ v: Int64?) -> String {
        guard let v else { return missing }
        if v < 1024 { return "\(v) B" }
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var x = Double(v) / 1024
        var i = 0
        while x >= 1024, i < units.count - 1 { x /= 1024; i += 1 }
        let text = x >= 100 ? String(Int(x.rounded())) : String(format1(x))
        return "\(text) \(units[i])"
    }

    static func format1(_ x: Double) -> String {
        let r = (x * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    static func ids(_ a: [Int32]) -> String { a.isEmpty ? missing : a.map(String.init).joined(separator: ",") }

    public static func errorsJSON(_ errors: [SourceError]) -> JSONValue {
        .array(errors.map { .object([("source", .string($0.source)), ("message", .string($0.message))]) })
    }

    /// The line `get` commands print on stderr in JSON mode when the read was partial.
    public static func errorsLine(_ errors: [SourceError]) -> String {
        JSONValue.object([("errors", errorsJSON(errors))]).serialized() + "\n"
    }

    /// Table-mode stderr lines for partial reads.
    public static func errorsText(_ errors: [SourceError]) -> String {
        // Sources and messages carry broker-supplied names: escape control characters as tables do.
        // A message that already names its source ("broker 3 is not in ...") is not prefixed again.
        errors.map { e in
            let text = e.message.hasPrefix(e.source + " ") ? e.message : "\(e.source): \(e.message)"
            return "error: \(TextTable.clean(text))\n"
        }.joined()
    }

    // MARK: Brokers

    public static func brokerJSON(_ b: BrokerInfo) -> JSONValue {
        .object([
            ("id", .int(b.id)), ("host", .string(b.host)), ("port", .int(b.port)), ("rack", .optional(b.rack)),
            ("is_controller", .bool(b.isController)), ("leader_count", .int(b.leaderCount)),
            ("partition_count", .int(b.partitionCount)), ("dialed", .optional(b.dialed)), ("error", .optional(b.error)),
        ])
    }

    public static func brokersJSON(_ brokers: [BrokerInfo]) -> JSONValue { .array(brokers.map(brokerJSON)) }

    static func advertised(_ b: BrokerInfo) -> String {
        b.host.contains(":") ? "[\(b.host)]:\(b.port)" : "\(b.host):\(b.port)"
    }

    public static func brokersTable(_ brokers: [BrokerInfo]) -> String {
        // DIALED only when an alias changed some address: otherwise it repeats HOST:PORT.
        let showDialed = brokers.contains { $0.dialed != nil && $0.dialed != advertised($0) }
        var header = ["ID", "HOST", "PORT", "RACK", "CONTROLLER", "LEADERS", "PARTITIONS"]
        var align: [TextTable.Align] = [.right, .left, .right, .left, .left, .right, .right]
        if showDialed { header.append("DIALED"); align.append(.left) }
        header.append("STATUS")
        var t = TextTable(header, align: align)
        for b in brokers {
            var row = [String(b.id), b.host, String(b.port), b.rack ?? missing, b.isController ? "yes" : "",
                       String(b.leaderCount), String(b.partitionCount)]
            if showDialed { row.append(b.dialed ?? advertised(b)) }
            row.append(b.error.map { "error: \($0)" } ?? "ok")
            t.add(row)
        }
        return t.render()
    }

    // MARK: Cluster

    static func replicaJSON(_ r: QuorumReplica) -> JSONValue {
        .object([("replica_id", .int(r.replicaId)), ("log_end_offset", .int(r.logEndOffset)), ("lag", .int(r.lag)),
                 ("last_fetch_timestamp", .optional(r.lastFetchTimestamp)),
                 ("last_caught_up_timestamp", .optional(r.lastCaughtUpTimestamp))])
    }

    public static func clusterJSON(_ o: ClusterOverview) -> JSONValue {
        var errors = o.errors
        let quorum: JSONValue
        switch o.quorum {
        case .value(let q):
            quorum = .object([("leader_id", .int(q.leaderId)), ("leader_epoch", .int(q.leaderEpoch)),
                              ("high_watermark", .int(q.highWatermark)), ("voters", .array(q.voters.map(replicaJSON))),
                              ("observers", .array(q.observers.map(replicaJSON)))])
        case .unsupported:
            quorum = .null
        case .failed(let why):
            quorum = .null
            errors.append(SourceError(source: "quorum", message: why))
        }
        return .object([
            ("cluster_id", .optional(o.clusterId)), ("controller_id", .optional(o.controllerId)),
            ("brokers", brokersJSON(o.brokers)), ("topic_count", .int(o.topicCount)),
            ("partition_count", .int(o.partitionCount)),
            ("under_replicated_partitions", .int(o.underReplicatedPartitions)),
            ("offline_partitions", .int(o.offlinePartitions)), ("leader_imbalance", .double(o.leaderImbalance)),
            ("quorum", quorum), ("errors", errorsJSON(errors)),
        ])
    }

    public static func clusterText(_ o: ClusterOverview) -> String {
        let reachable = o.brokers.filter { $0.error == nil }.count
        var kv = TextTable(["", ""])
        kv.add(["Cluster ID:", o.clusterId ?? missing])
        // An id no broker has (-1 while an election runs; 0 from some mock brokers) is said as such.
        let controller = num(o.controllerId)
            + (o.controllerId.map { id in o.brokers.contains { $0.id == id } ? "" : " (not a known broker)" } ?? "")
        kv.add(["Controller:", controller])
        kv.add(["Brokers:", "\(o.brokers.count) (\(reachable) reachable)"])
        kv.add(["Topics:", String(o.topicCount)])
        kv.add(["Partitions:", String(o.partitionCount)])
        kv.add(["Under-replicated:", String(o.underReplicatedPartitions)])
        kv.add(["Offline:", String(o.offlinePartitions)])
        kv.add(["Leader imbalance:", format1(o.leaderImbalance * 100) + "%"])
        switch o.quorum {
        case .value(let q): kv.add(["KRaft quorum:", "leader \(q.leaderId), epoch \(q.leaderEpoch), high watermark \(q.highWatermark)"])
        case .unsupported(let why): kv.add(["KRaft quorum:", "n/a (\(why))"])
        case .failed(let why): kv.add(["KRaft quorum:", "error: \(why)"])
        }
        // The key/value block has no header line.
        var out = kv.render().split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n")
        out += "\n" + brokersTable(o.brokers)
        if case .value(let q) = o.quorum, !(q.voters.isEmpty && q.observers.isEmpty) {
            var t = TextTable(["REPLICA", "ROLE", "LOG-END-OFFSET", "LAG", "LAST-FETCH", "LAST-CAUGHT-UP"],
                              align: [.right, .left, .right, .right, .right, .right])
            for (role, list) in [("voter", q.voters), ("observer", q.observers)] {
                for r in list {
                    let name = r.replicaId == q.leaderId ? "leader" : role
                    t.add([String(r.replicaId), name, String(r.logEndOffset), String(r.lag),
                           num(r.lastFetchTimestamp), num(r.lastCaughtUpTimestamp)])
                }
            }
            out += "\n" + t.render()
        }
        return out
    }

    // MARK: Topics

    public static func topicJSON(_ t: TopicSummary) -> JSONValue {
        .object([
            ("name", .string(t.name)), ("internal", .bool(t.isInternal)), ("partitions", .int(t.partitions)),
            ("replication_factor", .int(t.replicationFactor)), ("under_replicated", .int(t.underReplicated)),
            ("offline", .int(t.offline)), ("messages", .optional(t.messages)),
            // true: `messages` is the last count read; this read could not reach every partition.
            ("messages_stale", .bool(t.messagesStale)),
            ("leader_unreachable", .int(t.leaderUnreachable)),
            ("under_min_isr", .optional(t.underMinIsr)), ("size_bytes", .optional(t.sizeBytes)),
        ])
    }

    public static func topicsJSON(_ topics: [TopicSummary]) -> JSONValue { .array(topics.map(topicJSON)) }

    public static func topicsTable(_ topics: [TopicSummary]) -> String {
        // LEADER-UNREACHABLE only when some leader cannot be reached: otherwise it is a column of zeros.
        let showUnreachable = topics.contains { $0.leaderUnreachable > 0 }
        var header = ["NAME", "PARTITIONS", "RF", "UNDER-REPLICATED", "UNDER-MIN-ISR", "OFFLINE"]
        var align: [TextTable.Align] = [.left, .right, .right, .right, .right, .right]
        if showUnreachable { header.append("LEADER-UNREACHABLE"); align.append(.right) }
        header += ["MESSAGES", "SIZE", "INTERNAL"]
        align += [.right, .right, .left]
        var t = TextTable(header, align: align)
        for x in topics {
            var row = [x.name, String(x.partitions), String(x.replicationFactor), String(x.underReplicated),
                       num(x.underMinIsr), String(x.offline)]
            if showUnreachable { row.append(String(x.leaderUnreachable)) }
            row += [num(x.messages) + (x.messagesStale && x.messages != nil ? " (stale)" : ""), bytes(x.sizeBytes), x.isInternal ? "yes" : ""]
            t.add(row)
        }
        return t.render()
    }

    public static func partitionJSON(_ p: PartitionInfo, status: PartitionStatus) -> JSONValue {
        .object([
            ("partition", .int(p.partition)), ("leader", .int(p.leader)), ("replicas", .array(p.replicas.map { .int($0) })),
            ("isr", .array(p.isr.map { .int($0) })), ("offline_replicas", .array(p.offlineReplicas.map { .int($0) })),
            ("earliest", .optional(p.earliest)), ("latest", .optional(p.latest)),
            ("leader_epoch", .optional(p.leaderEpoch)), ("error", .optional(p.error)),
            // The STATUS label ("ok", "leader 2 unreachable", ...), the same the table shows.
            ("status", .string(status.label)),
        ])
    }

    public static func topicDetailJSON(_ d: TopicDetail) -> JSONValue {
        var errors = d.errors
        let configs: JSONValue
        // Every config with source, sensitive, read-only and synonyms, as `describe broker` prints them.
        let details: JSONValue
        switch d.configs {
        case .value(let entries):
            configs = .object(entries.sorted { $0.name < $1.name }.map { ($0.name, .optional($0.value)) })
            details = AdminFormat.configsJSON(entries.sorted { $0.name < $1.name })
        case .unsupported(let why), .failed(let why):
            configs = .null
            details = .null
            errors.append(SourceError(source: "configs", message: why))
        }
        let groups: JSONValue
        switch d.consumingGroups {
        case .value(let g): groups = .array(g.map { .string($0) })
        case .unsupported: groups = .null
        case .failed(let why):
            groups = .null
            errors.append(SourceError(source: "consuming groups", message: why))
        }
        return .object([
            ("name", .string(d.name)), ("internal", .bool(d.isInternal)), ("topic_id", .optional(d.topicId)),
            ("configs", configs), ("config_details", details), ("partitions", .array(d.partitions.map { partitionJSON($0, status: d.status(of: $0)) })),
            ("size_bytes", .optional(d.sizeBytes)), ("consuming_groups", groups), ("errors", errorsJSON(errors)),
        ])
    }

    public static func topicDetailText(_ d: TopicDetail) -> String {
        let rf = d.partitions.map(\.replicas.count).max() ?? 0
        let messages = d.partitions.reduce(Int64?(0)) { acc, p in
            guard let acc, let e = p.earliest, let l = p.latest else { return nil }
            return acc + max(0, l - e)
        }
        var out = "Topic: \(d.name)   TopicId: \(d.topicId ?? missing)   Partitions: \(d.partitions.count)   "
        out += "ReplicationFactor: \(rf)   Internal: \(d.isInternal ? "yes" : "no")   Messages: \(num(messages))   "
        out += "Size: \(bytes(d.sizeBytes))\n"
        if case .value(let groups) = d.consumingGroups {
            out += "Consumer groups: \(groups.isEmpty ? "none" : groups.joined(separator: ", "))\n"
        }
        out += "\n"
        var t = TextTable(["PARTITION", "LEADER", "REPLICAS", "ISR", "OFFLINE", "EARLIEST", "LATEST", "MESSAGES", "STATUS"],
                          align: [.right, .right, .left, .left, .left, .right, .right, .right, .left])
        for p in d.partitions {
            let status = d.status(of: p).label
            let count: Int64? = (p.earliest != nil && p.latest != nil) ? max(0, p.latest! - p.earliest!) : nil
            t.add([String(p.partition), p.leader < 0 ? "none" : String(p.leader), ids(p.replicas), ids(p.isr),
                   ids(p.offlineReplicas), num(p.earliest), num(p.latest), num(count), status])
        }
        out += t.render()
        switch d.configs {
        case .value(let entries):
            let shown = entries.filter { !$0.isDefault }.sorted { $0.name < $1.name }
            out += "\n"
            if shown.isEmpty {
                out += "Configs: all defaults\n"
            } else {
                // SYNONYMS only when the broker sent any (DescribeConfigs v1+).
                let synonyms = shown.map(AdminFormat.synonymsText)
                let withSynonyms = synonyms.contains { !$0.isEmpty }
                var c = TextTable(["CONFIG", "VALUE", "SOURCE"] + (withSynonyms ? ["SYNONYMS"] : []))
                for (e, s) in zip(shown, synonyms) {
                    c.add([e.name, e.isSensitive ? "(sensitive)" : (e.value ?? "null"), e.source.rawValue] + (withSynonyms ? [s] : []))
                }
                out += c.render()
            }
        case .unsupported(let why): out += "\nConfigs: n/a (\(why))\n"
        case .failed(let why): out += "\nConfigs: error: \(why)\n"
        }
        return out
    }

    // MARK: Groups

    public static func groupJSON(_ g: GroupSummary) -> JSONValue {
        .object([
            ("group", .string(g.group)), ("type", .string(g.type)), ("state", .string(g.state)),
            ("protocol", .optional(g.protocolName)), ("members", .optional(g.members)), ("lag", .optional(g.lag)),
            ("lag_partial", .bool(g.lagPartial)), ("coordinator", .optional(g.coordinator)),
            ("stale", .bool(g.staleReason != nil)), ("stale_reason", .optional(g.staleReason)),
        ] + healthFields(g.health, lagSeconds: g.lagSeconds) + [
            // lag_seconds leaves out a lagging partition whose time lag was not read: a lower bound.
            ("lag_seconds_partial", .bool(g.lagSecondsPartial)),
            ("errors", errorsJSON(g.lagErrors)),
        ])
    }

    public static func groupsJSON(_ groups: [GroupSummary]) -> JSONValue { .array(groups.map(groupJSON)) }

    public static func groupsTable(_ groups: [GroupSummary]) -> String {
        var t = TextTable(["GROUP", "TYPE", "STATE", "PROTOCOL", "MEMBERS", "LAG", "TIME-LAG", "RATE", "ETA", "STATUS",
                           "COORDINATOR"],
                          align: [.left, .left, .left, .left, .right, .right, .right, .right, .right, .left, .right])
        for g in groups {
            t.add([g.group, g.type, g.state, g.protocolName ?? missing, num(g.members), lagText(g.lag, g.lagCompleteness),
                   Format.timeLag(g.lagSeconds) + (g.lagSecondsPartial && g.lagSeconds != nil ? "+" : ""),
                   Format.rate(g.health?.consumeRate), Format.eta(g.health),
                   g.health?.status?.rawValue ?? missing, num(g.coordinator)])
        }
        return t.render()
    }

    /// `lag_seconds, consume_rate, produce_rate, eta_seconds, falling_behind, status, status_reason`:
    /// rates and status need two samples (`--sample`), else they are null.
    static func healthFields(_ h: GroupHealth?, lagSeconds: Double?) -> [(String, JSONValue)] {
        [("lag_seconds", number(lagSeconds)), ("consume_rate", number(h?.consumeRate)),
         ("produce_rate", number(h?.produceRate)), ("eta_seconds", number(h?.etaSeconds)),
         ("falling_behind", .bool(h?.fallingBehind ?? false)), ("status", .optional(h?.status?.rawValue)),
         ("status_reason", .optional(h?.status == nil ? nil : h?.reason))]
    }

    static func partitionHealthFields(_ p: PartitionHealth?, lagSeconds: Double?) -> [(String, JSONValue)] {
        [("lag_seconds", number(lagSeconds)), ("consume_rate", number(p?.consumeRate)),
         ("produce_rate", number(p?.produceRate)), ("eta_seconds", number(p?.etaSeconds)),
         ("status", .optional(p?.status?.rawValue)), ("status_reason", .optional(p?.status == nil ? nil : p?.reason))]
    }

    /// Rates and durations to three decimals (sample arithmetic has no more precision than that).
    static func number(_ v: Double?) -> JSONValue {
        guard let v, v.isFinite else { return .null }
        return .double((v * 1000).rounded() / 1000)
    }

    /// "211", "~211" (estimated from remembered end offsets) or "112+" (a lower bound).
    static func lagText(_ lag: Int64?, _ completeness: LagCompleteness) -> String {
        guard let lag else { return missing }
        switch completeness {
        case .complete: return String(lag)
        case .estimated: return "~\(lag)"
        case .partial: return "\(lag)+"
        }
    }

    public static func groupDetailJSON(_ d: GroupDetail) -> JSONValue {
        var errors = d.errors
        let members: JSONValue
        switch d.members {
        case .value(let list):
            members = .array(list.map { m in
                .object([
                    ("member_id", .string(m.memberId)), ("instance_id", .optional(m.instanceId)),
                    ("client_id", .string(m.clientId)), ("host", .string(m.host)),
                    ("assignments", .array(m.assignments.map { a in
                        .object([("topic", .string(a.topic)), ("partitions", .array(a.partitions.map { .int($0) }))])
                    })),
                ])
            })
        case .unsupported(let why), .failed(let why):
            members = .null
            errors.append(SourceError(source: "members", message: why))
        }
        return .object([
            ("group", .string(d.group)), ("type", .string(d.type)), ("state", .string(d.state)),
            ("protocol", .optional(d.protocolName)), ("coordinator", .optional(d.coordinator)), ("members", members),
            ("offsets", .array(d.offsets.map { r in
                .object([("topic", .string(r.topic)), ("partition", .int(r.partition)), ("committed", .optional(r.committed)),
                         ("end", .optional(r.end)), ("lag", .optional(r.lag)), ("member_id", .optional(r.memberId)),
                         ("client_id", .optional(r.clientId)), ("host", .optional(r.host)),
                         ("end_age_seconds", r.endAge.map { .int(Int($0.rounded())) } ?? .null)]
                         + partitionHealthFields(r.health, lagSeconds: r.lagSeconds))
            })),
            ("lag", .optional(d.lag)), ("lag_partial", .bool(d.lagPartial)),
        ] + healthFields(d.health, lagSeconds: d.lagSeconds) + [
            ("lag_seconds_partial", .bool(d.lagSecondsPartial)),
            // Set when the committed offsets could not be read: `offsets` is then unknown, not empty.
            ("offsets_error", .optional(d.offsetsError)),
            ("errors", errorsJSON(errors)),
        ])
    }
}
