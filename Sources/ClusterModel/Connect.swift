/// A Kafka Connect cluster as configured (`--connect NAME=URL`) and what `GET /` said.
public struct ConnectClusterInfo: Sendable, Hashable {
    public var name: String
    public var url: String
    public var version: String?
    public var commit: String?
    public var kafkaClusterId: String?
    public var error: String?

    public init(name: String, url: String, version: String? = nil, commit: String? = nil,
                kafkaClusterId: String? = nil, error: String? = nil) {
        self.name = name
        self.url = url
        self.version = version
        self.commit = commit
        self.kafkaClusterId = kafkaClusterId
        self.error = error
    }
}

public struct ConnectTaskStatus: Sendable, Hashable {
    public var id: Int
    /// UNASSIGNED, RUNNING, PAUSED, FAILED, RESTARTING.
    public var state: String
    public var workerId: String
    /// Java stack trace of a FAILED task; Connect omits it when empty.
    public var trace: String?

    public init(id: Int, state: String, workerId: String, trace: String? = nil) {
        self.id = id
        self.state = state
        self.workerId = workerId
        self.trace = trace
    }
}

public struct ConnectorStatus: Sendable, Hashable {
    /// The Connect cluster's configured name (QA, DEV ...).
    public var connect: String
    public var name: String
    /// source, sink or unknown.
    public var type: String
    /// UNASSIGNED, RUNNING, PAUSED, FAILED, RESTARTING, STOPPED.
    public var state: String
    public var workerId: String
    public var trace: String?
    public var tasks: [ConnectTaskStatus]

    public init(connect: String, name: String, type: String, state: String, workerId: String, trace: String? = nil,
                tasks: [ConnectTaskStatus] = []) {
        self.connect = connect
        self.name = name
        self.type = type
        self.state = state
        self.workerId = workerId
        self.trace = trace
        self.tasks = tasks
    }

    public var failedTasks: Int { tasks.filter { $0.state == "FAILED" }.count }
    public var runningTasks: Int { tasks.filter { $0.state == "RUNNING" }.count }
}

public struct ConnectorDetail: Sendable, Hashable {
    public var status: ConnectorStatus
    /// Config as returned by the worker; masking of secrets is the view's job.
    public var config: [String: String]
    public var topics: [String]?
    /// The worker version of the connector's Connect cluster (`GET /`), nil when it could not be
    /// read: the detail screen offers only the actions that version supports.
    public var workerVersion: String?

    public init(status: ConnectorStatus, config: [String: String], topics: [String]? = nil, workerVersion: String? = nil) {
        self.status = status
        self.config = config
        self.topics = topics
        self.workerVersion = workerVersion
    }
}

public struct ConnectorListing: Sendable, Hashable {
    public var clusters: [ConnectClusterInfo]
    public var connectors: [ConnectorStatus]
    public var errors: [SourceError]

    public init(clusters: [ConnectClusterInfo], connectors: [ConnectorStatus], errors: [SourceError] = []) {
        self.clusters = clusters
        self.connectors = connectors
        self.errors = errors
    }
}

public enum ConnectAction: Sendable, Hashable {
    case pause
    case resume
    case stop
    case restart(includeTasks: Bool, onlyFailed: Bool)
    case restartTask(Int)

    /// Words for confirmations and notes, e.g. "restart connector and tasks".
    public var verb: String {
        switch self {
        case .pause: return "pause"
        case .resume: return "resume"
        case .stop: return "stop"
        case .restart(false, false): return "restart connector"
        case .restart(true, false): return "restart connector and tasks"
        case .restart(_, true): return "restart failed tasks"
        case .restartTask(let id): return "restart task \(id)"
        }
    }
}
