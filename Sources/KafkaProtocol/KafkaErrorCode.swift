/// A Kafka protocol error code with its name, retriability and a short explanation.
/// The table covers every code Kafka defines up to 133; anything else maps to "UNKNOWN_CODE_n".
public struct KafkaErrorCode: Sendable, Hashable, CustomStringConvertible {
    public let code: Int16
    /// Kafka's name for the error, e.g. "NOT_LEADER_OR_FOLLOWER".
    public let name: String
    /// Whether Kafka's clients treat it as transient (worth retrying, usually after a metadata refresh).
    public let isRetriable: Bool
    /// One sentence saying what happened.
    public let explanation: String

    public init(code: Int16, name: String, isRetriable: Bool, explanation: String) {
        self.code = code
        self.name = name
        self.isRetriable = isRetriable
        self.explanation = explanation
    }

    public var isError: Bool { code != 0 }

    /// "NAME (code): explanation".
    public var description: String { "\(name) (\(code)): \(explanation)" }

    public static let none = KafkaErrorCode(code: 0, name: "NONE", isRetriable: false, explanation: "No error.")

    /// The entry for `code`; codes missing from the table get a clear placeholder entry.
    public static func lookup(_ code: Int16) -> KafkaErrorCode {
        let index = Int(code) + 1
        if index >= 0 && index < table.count { return table[index] }
        return KafkaErrorCode(code: code, name: "UNKNOWN_CODE_\(code)", isRetriable: false,
                              explanation: "Error code \(code) is not known to this build of kafscope.")
    }

    /// Every known code from -1 upward, indexed by code + 1.
    public static let all: [KafkaErrorCode] = table

    private static let table: [KafkaErrorCode] = {
        let rows: [(Int16, String, Bool, String)] = [
            (-1, "UNKNOWN_SERVER_ERROR", false, "The broker hit an unexpected error while handling the request."),
            (0, "NONE", false, "No error."),
            (1, "OFFSET_OUT_OF_RANGE", false, "The requested offset is outside the range of offsets the broker holds for this partition."),
            (2, "CORRUPT_MESSAGE", true, "A message failed its CRC check, is too large, has a null key on a compacted topic, or is otherwise corrupt."),
            (3, "UNKNOWN_TOPIC_OR_PARTITION", true, "This broker does not host the topic-partition."),
            (4, "INVALID_FETCH_SIZE", false, "The requested fetch size is not valid."),
            (5, "LEADER_NOT_AVAILABLE", true, "The partition has no leader right now, usually because a leader election is in progress."),
            (6, "NOT_LEADER_OR_FOLLOWER", true, "This broker is not the leader (or not a replica) for the partition; refresh metadata and retry."),
            (7, "REQUEST_TIMED_OUT", true, "The request timed out on the broker."),
            (8, "BROKER_NOT_AVAILABLE", false, "The broker is not available."),
            (9, "REPLICA_NOT_AVAILABLE", true, "The replica for the partition is not available on this broker."),
            (10, "MESSAGE_TOO_LARGE", false, "A message is larger than the broker accepts."),
            (11, "STALE_CONTROLLER_EPOCH", false, "The controller has moved to another broker."),
            (12, "OFFSET_METADATA_TOO_LARGE", false, "The metadata attached to the committed offset is too large."),
            (13, "NETWORK_EXCEPTION", true, "The broker disconnected before a response arrived."),
            (14, "COORDINATOR_LOAD_IN_PROGRESS", true, "The coordinator is still loading its state and cannot answer yet."),
            (15, "COORDINATOR_NOT_AVAILABLE", true, "The coordinator is not available."),
            (16, "NOT_COORDINATOR", true, "This broker is not the coordinator for the group or transaction."),
            (17, "INVALID_TOPIC_EXCEPTION", false, "The topic name is invalid or the operation is not allowed on this topic."),
            (18, "RECORD_LIST_TOO_LARGE", false, "A record batch is larger than the broker's segment size."),
            (19, "NOT_ENOUGH_REPLICAS", true, "Rejected because fewer in-sync replicas exist than min.insync.replicas requires."),
            (20, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", true, "Written, but to fewer in-sync replicas than required."),
            (21, "INVALID_REQUIRED_ACKS", false, "The produce request used an invalid acks value."),
            (22, "ILLEGAL_GENERATION", false, "The group generation id is not current."),
            (23, "INCONSISTENT_GROUP_PROTOCOL", false, "The member's protocols do not match the other group members', or none were given."),
            (24, "INVALID_GROUP_ID", false, "The group id is invalid."),
            (25, "UNKNOWN_MEMBER_ID", false, "The coordinator does not know this member."),
            (26, "INVALID_SESSION_TIMEOUT", false, "The session timeout is outside the broker's allowed range."),
            (27, "REBALANCE_IN_PROGRESS", false, "The group is rebalancing; members must rejoin."),
            (28, "INVALID_COMMIT_OFFSET_SIZE", false, "The size of the offset commit data is invalid."),
            (29, "TOPIC_AUTHORIZATION_FAILED", false, "Not authorized to access the topic."),
            (30, "GROUP_AUTHORIZATION_FAILED", false, "Not authorized to access the group."),
            (31, "CLUSTER_AUTHORIZATION_FAILED", false, "Not authorized for this cluster operation."),
            (32, "INVALID_TIMESTAMP", false, "A message timestamp is outside the accepted range."),
            (33, "UNSUPPORTED_SASL_MECHANISM", false, "The broker does not enable the requested SASL mechanism."),
            (34, "ILLEGAL_SASL_STATE", false, "The request is not valid in the current SASL exchange state."),
            (35, "UNSUPPORTED_VERSION", false, "The broker does not support this API version."),
            (36, "TOPIC_ALREADY_EXISTS", false, "A topic with this name already exists."),
            (37, "INVALID_PARTITIONS", false, "The partition count is invalid."),
            (38, "INVALID_REPLICATION_FACTOR", false, "The replication factor is below 1 or above the number of available brokers."),
            (39, "INVALID_REPLICA_ASSIGNMENT", false, "The replica assignment is invalid."),
            (40, "INVALID_CONFIG", false, "The configuration is invalid."),
            (41, "NOT_CONTROLLER", true, "This broker is not the active controller."),
            (42, "INVALID_REQUEST", false, "The broker rejected the request as malformed or incompatible; its log has details."),
            (43, "UNSUPPORTED_FOR_MESSAGE_FORMAT", false, "The broker's message format version does not support this request."),
            (44, "POLICY_VIOLATION", false, "The request violates a policy configured on the broker."),
            (45, "OUT_OF_ORDER_SEQUENCE_NUMBER", false, "The broker received a producer sequence number out of order."),
            (46, "DUPLICATE_SEQUENCE_NUMBER", false, "The broker received a duplicate producer sequence number."),
            (47, "INVALID_PRODUCER_EPOCH", false, "The producer used an outdated epoch."),
            (48, "INVALID_TXN_STATE", false, "The transactional operation is not valid in the transaction's current state."),
            (49, "INVALID_PRODUCER_ID_MAPPING", false, "The producer id is not the one assigned to this transactional id."),
            (50, "INVALID_TRANSACTION_TIMEOUT", false, "The transaction timeout exceeds the broker's transaction.max.timeout.ms."),
            (51, "CONCURRENT_TRANSACTIONS", true, "Another operation on the same transaction is still in progress."),
            (52, "TRANSACTION_COORDINATOR_FENCED", false, "The transaction coordinator that sent the marker is no longer current."),
            (53, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", false, "Not authorized for this transactional id."),
            (54, "SECURITY_DISABLED", false, "Security features are disabled on the broker."),
            (55, "OPERATION_NOT_ATTEMPTED", false, "The broker skipped this operation because others in the same batch failed."),
            (56, "KAFKA_STORAGE_ERROR", true, "The broker hit a disk error accessing the log."),
            (57, "LOG_DIR_NOT_FOUND", false, "The log directory is not in the broker's configuration."),
            (58, "SASL_AUTHENTICATION_FAILED", false, "SASL authentication failed."),
            (59, "UNKNOWN_PRODUCER_ID", false, "The broker has no state for this producer id (for example after retention removed its records)."),
            (60, "REASSIGNMENT_IN_PROGRESS", false, "A partition reassignment is in progress."),
            (61, "DELEGATION_TOKEN_AUTH_DISABLED", false, "Delegation tokens are not enabled."),
            (62, "DELEGATION_TOKEN_NOT_FOUND", false, "The delegation token does not exist on the broker."),
            (63, "DELEGATION_TOKEN_OWNER_MISMATCH", false, "The principal is not the token's owner or renewer."),
            (64, "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", false, "Delegation token requests are not allowed on this kind of channel."),
            (65, "DELEGATION_TOKEN_AUTHORIZATION_FAILED", false, "Not authorized for the delegation token operation."),
            (66, "DELEGATION_TOKEN_EXPIRED", false, "The delegation token has expired."),
            (67, "INVALID_PRINCIPAL_TYPE", false, "The principal type is not supported."),
            (68, "NON_EMPTY_GROUP", false, "The group still has members."),
            (69, "GROUP_ID_NOT_FOUND", false, "The group does not exist."),
            (70, "FETCH_SESSION_ID_NOT_FOUND", true, "The fetch session id is unknown to the broker."),
            (71, "INVALID_FETCH_SESSION_EPOCH", true, "The fetch session epoch is not valid."),
            (72, "LISTENER_NOT_FOUND", true, "The partition leader has no listener matching the one this request used."),
            (73, "TOPIC_DELETION_DISABLED", false, "Topic deletion is disabled on the cluster."),
            (74, "FENCED_LEADER_EPOCH", true, "The request's leader epoch is older than the broker's."),
            (75, "UNKNOWN_LEADER_EPOCH", true, "The request's leader epoch is newer than the broker's."),
            (76, "UNSUPPORTED_COMPRESSION_TYPE", false, "The client does not support the partition's compression type."),
            (77, "STALE_BROKER_EPOCH", false, "The broker epoch has changed."),
            (78, "OFFSET_NOT_AVAILABLE", true, "The new leader's high watermark has not caught up yet, so offsets are not reliable."),
            (79, "MEMBER_ID_REQUIRED", false, "The member must obtain a member id before joining the group."),
            (80, "PREFERRED_LEADER_NOT_AVAILABLE", true, "The preferred leader is not available."),
            (81, "GROUP_MAX_SIZE_REACHED", false, "The group is at its maximum size."),
            (82, "FENCED_INSTANCE_ID", false, "Another member with the same group.instance.id has taken over."),
            (83, "ELIGIBLE_LEADERS_NOT_AVAILABLE", true, "No eligible leader is available for the partition."),
            (84, "ELECTION_NOT_NEEDED", true, "The partition already has the leader the election would pick."),
            (85, "NO_REASSIGNMENT_IN_PROGRESS", false, "No partition reassignment is in progress."),
            (86, "GROUP_SUBSCRIBED_TO_TOPIC", false, "The group is subscribed to the topic, so its offsets cannot be deleted."),
            (87, "INVALID_RECORD", false, "The broker's validation rejected a record."),
            (88, "UNSTABLE_OFFSET_COMMIT", true, "Pending transactional offsets must be resolved first."),
            (89, "THROTTLING_QUOTA_EXCEEDED", true, "The throttling quota was exceeded."),
            (90, "PRODUCER_FENCED", false, "A newer producer with the same transactional id has fenced this one."),
            (91, "RESOURCE_NOT_FOUND", false, "The request refers to a resource that does not exist."),
            (92, "DUPLICATE_RESOURCE", false, "The request names the same resource twice."),
            (93, "UNACCEPTABLE_CREDENTIAL", false, "The credential does not meet the acceptance criteria."),
            (94, "INCONSISTENT_VOTER_SET", false, "The sender or receiver of a voter request is not an expected voter."),
            (95, "INVALID_UPDATE_VERSION", false, "The update version is invalid."),
            (96, "FEATURE_UPDATE_FAILED", false, "Finalized features could not be updated because of a server error."),
            (97, "PRINCIPAL_DESERIALIZATION_FAILURE", false, "A forwarded request's principal could not be deserialized (a broker security setup problem)."),
            (98, "SNAPSHOT_NOT_FOUND", false, "The requested snapshot does not exist."),
            (99, "POSITION_OUT_OF_RANGE", false, "The requested position is outside the snapshot."),
            (100, "UNKNOWN_TOPIC_ID", true, "This broker does not host a topic with this id."),
            (101, "DUPLICATE_BROKER_REGISTRATION", false, "The broker id is already registered."),
            (102, "BROKER_ID_NOT_REGISTERED", false, "The broker id is not registered."),
            (103, "INCONSISTENT_TOPIC_ID", false, "The log's topic id differs from the one in the request."),
            (104, "INCONSISTENT_CLUSTER_ID", false, "The request's cluster id differs from the server's."),
            (105, "TRANSACTIONAL_ID_NOT_FOUND", false, "The transactional id does not exist."),
            (106, "FETCH_SESSION_TOPIC_ID_ERROR", true, "The fetch session mixed topic ids inconsistently."),
            (107, "INELIGIBLE_REPLICA", false, "The new ISR contains a replica that is not eligible."),
            (108, "NEW_LEADER_ELECTED", false, "The partition state was updated, but the leader changed."),
            (109, "OFFSET_MOVED_TO_TIERED_STORAGE", false, "The requested offset is only in tiered storage."),
            (110, "FENCED_MEMBER_EPOCH", false, "The group coordinator fenced the member epoch; the member must rejoin."),
            (111, "UNRELEASED_INSTANCE_ID", false, "The instance id is still held by another member of the group."),
            (112, "UNSUPPORTED_ASSIGNOR", false, "The group does not support the assignor or its version."),
            (113, "STALE_MEMBER_EPOCH", false, "The member epoch is stale; retry after the next heartbeat."),
            (114, "MISMATCHED_ENDPOINT_TYPE", false, "The request reached an endpoint of the wrong type."),
            (115, "UNSUPPORTED_ENDPOINT_TYPE", false, "This endpoint type is not supported yet."),
            (116, "UNKNOWN_CONTROLLER_ID", false, "The controller id is unknown."),
            (117, "UNKNOWN_SUBSCRIPTION_ID", false, "The telemetry subscription id is unknown or outdated."),
            (118, "TELEMETRY_TOO_LARGE", false, "The telemetry push is larger than the broker accepts."),
            (119, "INVALID_REGISTRATION", false, "The controller considers the broker registration invalid."),
            (120, "TRANSACTION_ABORTABLE", false, "The transaction failed on the server; aborting it lets the transactional id continue."),
            (121, "INVALID_RECORD_STATE", false, "The record's state does not allow this acknowledgement."),
            (122, "SHARE_SESSION_NOT_FOUND", true, "The share session does not exist."),
            (123, "INVALID_SHARE_SESSION_EPOCH", true, "The share session epoch is invalid."),
            (124, "FENCED_STATE_EPOCH", false, "The share-group state epoch does not match."),
            (125, "INVALID_VOTER_KEY", false, "The voter key does not match the receiving replica."),
            (126, "DUPLICATE_VOTER", false, "The voter is already in the voter set."),
            (127, "VOTER_NOT_FOUND", false, "The voter is not in the voter set."),
            (128, "INVALID_REGULAR_EXPRESSION", false, "The regular expression is invalid."),
            (129, "REBOOTSTRAP_REQUIRED", false, "Client metadata is stale; the client should bootstrap again."),
            (130, "STREAMS_INVALID_TOPOLOGY", false, "The streams topology is invalid."),
            (131, "STREAMS_INVALID_TOPOLOGY_EPOCH", false, "The streams topology epoch is invalid."),
            (132, "STREAMS_TOPOLOGY_FENCED", false, "The streams topology epoch is outdated."),
            (133, "SHARE_SESSION_LIMIT_REACHED", true, "The broker's limit of share sessions has been reached."),
        ]
        var out: [KafkaErrorCode] = []
        out.reserveCapacity(rows.count)
        for (i, r) in rows.enumerated() {
            precondition(Int(r.0) == i - 1, "error table must be dense from -1")
            out.append(KafkaErrorCode(code: r.0, name: r.1, isRetriable: r.2, explanation: r.3))
        }
        return out
    }()
}

/// A non-zero error code returned by a broker, optionally with its error message.
public struct KafkaProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    public let error: KafkaErrorCode
    /// The broker's ErrorMessage field, when the response has one.
    public let message: String?
    /// What was being done, e.g. "Metadata for topic orders".
    public let context: String?

    public init(_ error: KafkaErrorCode, message: String? = nil, context: String? = nil) {
        self.error = error
        self.message = message
        self.context = context
    }

    public init(code: Int16, message: String? = nil, context: String? = nil) {
        self.init(KafkaErrorCode.lookup(code), message: message, context: context)
    }

    public var code: Int16 { error.code }
    public var isRetriable: Bool { error.isRetriable }

    public var description: String {
        var s = error.description
        if let message, !message.isEmpty { s += " Broker says: \(message)" }
        if let context, !context.isEmpty { s = "\(context): \(s)" }
        return s
    }

    /// Throws when `code` is non-zero.
    public static func check(_ code: Int16, message: String? = nil, context: String? = nil) throws {
        if code != 0 { throw KafkaProtocolError(code: code, message: message, context: context) }
    }
}
