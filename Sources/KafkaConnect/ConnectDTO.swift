import ClusterModel

// Wire shapes of the Connect REST API (ConnectorsResource / RootResource entities).

struct RootInfoDTO: Decodable {
    var version: String?
    var commit: String?
    var kafka_cluster_id: String?
}

struct StateDTO: Decodable {
    var state: String
    var worker_id: String?
    var trace: String?
}

struct TaskStateDTO: Decodable {
    var id: Int
    var state: String
    var worker_id: String?
    var trace: String?
}

struct StatusDTO: Decodable {
    var name: String
    var connector: StateDTO
    var tasks: [TaskStateDTO]?
    var type: String?

    func model(connect: String, fallbackType: String? = nil) -> ConnectorStatus {
        ConnectorStatus(
            connect: connect, name: name, type: type ?? fallbackType ?? "unknown", state: connector.state,
            workerId: connector.worker_id ?? "", trace: connector.trace.flatMap { $0.isEmpty ? nil : $0 },
            tasks: (tasks ?? []).sorted { $0.id < $1.id }.map {
                ConnectTaskStatus(id: $0.id, state: $0.state, workerId: $0.worker_id ?? "",
                                  trace: $0.trace.flatMap { $0.isEmpty ? nil : $0 })
            })
    }
}

struct TaskIdDTO: Decodable {
    var connector: String
    var task: Int
}

/// Config values are strings on the wire; numbers, booleans and nulls are tolerated.
struct LenientString: Decodable {
    var value: String?
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { value = nil }
        else if let s = try? c.decode(String.self) { value = s }
        else if let b = try? c.decode(Bool.self) { value = b ? "true" : "false" }
        else if let i = try? c.decode(Int64.self) { value = String(i) }
        else if let d = try? c.decode(Double.self) { value = String(d) }
        else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "config value is not a scalar") }
    }
}

struct InfoDTO: Decodable {
    var name: String
    var config: [String: LenientString]
    var tasks: [TaskIdDTO]?
    var type: String?

    var configStrings: [String: String] { config.compactMapValues { $0.value } }
}

struct ExpandedDTO: Decodable {
    var status: StatusDTO?
    var info: InfoDTO?
}

struct ErrorDTO: Decodable {
    var error_code: Int?
    var message: String?
}

struct TopicsDTO: Decodable {
    var topics: [String]
}

/// `GET /connectors` is a names array, or a map when the worker understood `expand`.
enum ConnectorListDTO: Decodable {
    case names([String])
    case expanded([String: ExpandedDTO])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let names = try? c.decode([String].self) {
            self = .names(names)
        } else {
            self = .expanded(try c.decode([String: ExpandedDTO].self))
        }
    }
}
