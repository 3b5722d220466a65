import KafkaClient
import KafkaProtocol
import KafkaRecords

/// One Produce request: encodes the plan's batches, sends them to the leader and reads the answer
/// per partition. Stateless: whatever happens becomes a `PartitionOutcome` for the state machine.
enum ProduceExchange {
    static func perform(_ plan: ProduceRequestPlan, client: KafkaClient,
                        config: ProducerConfig) async -> [TopicPartition: PartitionOutcome] {
        var outcomes: [TopicPartition: PartitionOutcome] = [:]
        let conn: BrokerConnection
        do {
            conn = try await client.connection(for: plan.broker)
        } catch {
            return failAll(plan, error)
        }
        guard let version = conn.negotiatedVersion(ProduceRequest.self) else {
            return failAll(plan, KafkaClientError.unsupported(conn.endpoint, api: "Produce"))
        }
        var byTopic: [String: [ProduceRequest.PartitionProduceData]] = [:]
        var order: [String] = []
        for batch in plan.batches {
            let tp = batch.partition
            do {
                let bytes = try encode(batch, version: version, compression: config.compression)
                if byTopic[tp.topic] == nil { order.append(tp.topic) }
                byTopic[tp.topic, default: []].append(.init(index: tp.partition, records: bytes))
            } catch {
                outcomes[tp] = .transport(ProduceFailure(message: "\(error)"), retriable: false)
            }
        }
        guard !order.isEmpty else { return outcomes }
        var request = ProduceRequest()
        request.acks = config.acks.rawValue
        request.timeoutMs = Int32(clamping: ProducerStateMachine.nanos(config.ackTimeout) / 1_000_000)
        request.topicData = order.map { .init(name: $0, partitionData: byTopic[$0]!) }
        let sent = plan.batches.map(\.partition).filter { outcomes[$0] == nil }
        do {
            if config.acks == .none {
                try await conn.sendWithoutResponse(request, version: version)
                for tp in sent { outcomes[tp] = .written(baseOffset: nil, logAppendTime: nil) }
                return outcomes
            }
            let response = try await conn.send(request, version: version,
                                               timeout: client.config.requestTimeout + config.ackTimeout)
            for topic in response.responses {
                for p in topic.partitionResponses {
                    let tp = TopicPartition(topic: topic.name, partition: p.index)
                    guard sent.contains(tp) else { continue }
                    if p.errorCode == 0 {
                        outcomes[tp] = .written(baseOffset: p.baseOffset >= 0 ? p.baseOffset : nil,
                                                logAppendTime: p.logAppendTimeMs >= 0 ? p.logAppendTimeMs : nil)
                    } else {
                        let code = KafkaErrorCode.lookup(p.errorCode)
                        let detail = [p.errorMessage, p.recordErrors.first?.batchIndexErrorMessage]
                            .compactMap { $0 }.first { !$0.isEmpty } ?? code.explanation
                        outcomes[tp] = .error(code: p.errorCode, name: code.name, isRetriable: code.isRetriable, message: detail)
                    }
                }
            }
        } catch {
            for tp in sent { outcomes[tp] = transportOutcome(error) }
        }
        return outcomes
    }

    /// Record batch v2 for Produce v3+, legacy message sets (no headers) for older brokers.
    static func encode(_ batch: ProducerBatch, version: Int16, compression: RecordCompression) throws -> [UInt8] {
        if version >= 3 {
            if compression == .none, let wire = batch.wire { return wire }
            return try batch.builder.build(compression: compression, producerId: batch.producerId,
                                           producerEpoch: batch.producerEpoch, baseSequence: batch.baseSequence ?? -1)
        }
        if batch.builder.hasHeaders {
            throw RecordEncodeError("this broker accepts Produce v\(version) only, which has no record headers")
        }
        if compression == .zstd { throw RecordEncodeError("this broker accepts Produce v\(version) only, which has no zstd") }
        let magic: Int8 = version >= 2 ? 1 : 0
        let messages = batch.builder.records().enumerated().map { i, r in
            LegacyMessageSetEncoder.Message(offset: Int64(i), timestamp: r.timestamp, key: r.key, value: r.value)
        }
        return try LegacyMessageSetEncoder.encode(magic: magic, messages: messages, compression: compression)
    }

    static func transportOutcome(_ error: any Error) -> PartitionOutcome {
        if let e = error as? KafkaClientError {
            switch e {
            case .connectionClosed, .requestTimeout, .noBrokerAvailable, .unknownBroker:
                return .transport(ProduceFailure(message: e.description), retriable: true)
            case .connect(_, let stage, _):
                return .transport(ProduceFailure(message: e.description), retriable: stage != .sasl && stage != .tls)
            default:
                return .transport(ProduceFailure(message: e.description), retriable: false)
            }
        }
        if error is CancellationError { return .transport(ProduceFailure(message: "cancelled"), retriable: false) }
        return .transport(ProduceFailure(message: "\(error)"), retriable: false)
    }

    static func failAll(_ plan: ProduceRequestPlan, _ error: any Error) -> [TopicPartition: PartitionOutcome] {
        var out: [TopicPartition: PartitionOutcome] = [:]
        for b in plan.batches { out[b.partition] = transportOutcome(error) }
        return out
    }
}
