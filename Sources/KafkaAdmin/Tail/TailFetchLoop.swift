import ClusterModel
import KafkaClient
import KafkaProtocol
import KafkaRecords
import Logging

extension TailRun {
    func fetchLoop(leader: Int32, partitions: [Int32], meta: ClusterMetadata, generation: Int) async {
        var session = await state.with({ $0.session(leader) })
        await fetchLoop(leader: leader, partitions: partitions, meta: meta, generation: generation, session: &session)
        await state.with({ $0.setSession(leader, session) })
    }

    /// Long-polls `leader` for `partitions` until the generation ends; `session` is that broker's KIP-227 session.
    func fetchLoop(leader: Int32, partitions: [Int32], meta: ClusterMetadata, generation: Int, session: inout FetchSession) async {
        let settings = service.settings
        let topicMeta = meta.topics[topic]
        let topicId = topicMeta?.topicId
        let epochs = Dictionary((topicMeta?.partitions ?? []).map { ($0.partition, $0.leaderEpoch) }, uniquingKeysWith: { a, _ in a })
        let maxWaitMs = Int32(settings.maxWait.components.seconds * 1000
                              + settings.maxWait.components.attoseconds / 1_000_000_000_000_000)
        var connection: ObjectIdentifier?
        while !Task.isCancelled, await state.with({ $0.isCurrent(generation) }) {
            let conn: BrokerConnection
            var version: Int16
            do {
                conn = try await client.connection(for: leader, purpose: .fetch)
                guard let v = conn.negotiatedVersion(FetchRequest.self), v >= 4 else {
                    // Retrying cannot help: the broker is too old.
                    continuation.finish(throwing: UserFacingError("broker \(leader) does not support Fetch v4+ (Kafka 0.11 or newer is needed)"))
                    return
                }
                version = v
            } catch {
                session.restart()
                if await brokerUnreachable(leader, error, generation: generation) { continue }
                return
            }
            // A new connection (the broker may have restarted): start a new session.
            if let c = connection, c != ObjectIdentifier(conn) { session.restart() }
            connection = ObjectIdentifier(conn)
            // v13+ identifies topics by id only; without an id from Metadata stay at v12.
            let hasId = topicId.map { $0 != .zero } ?? false
            if version >= 13 && !hasId { version = 12 }

            let wanted = await state.with({ $0.fetchStates(partitions, epochs: epochs, defaultMaxBytes: settings.partitionMaxBytes) })
            let plan = session.nextRequest(wanted, version: version, topicId: hasId ? topicId! : .zero)
            // The broker's view after this request: offsets the response's partitions refer to.
            let view = session.partitions

            var req = FetchRequest()
            req.replicaId = -1
            req.maxWaitMs = maxWaitMs
            req.minBytes = 1
            req.maxBytes = settings.maxBytes
            req.isolationLevel = options.readCommitted ? 1 : 0
            req.sessionId = plan.sessionId
            req.sessionEpoch = plan.epoch
            if !plan.send.isEmpty {
                var ft = FetchRequest.FetchTopic()
                ft.topic = topic
                if let topicId { ft.topicId = topicId }
                ft.partitions = plan.send.map { p in
                    var fp = FetchRequest.FetchPartition()
                    fp.partition = p.partition
                    fp.currentLeaderEpoch = p.state.leaderEpoch
                    fp.fetchOffset = p.state.offset
                    fp.logStartOffset = -1
                    fp.partitionMaxBytes = p.state.maxBytes
                    return fp
                }
                req.topics = [ft]
            }
            if !plan.forget.isEmpty {
                req.forgottenTopicsData = [FetchRequest.ForgottenTopic(topic: topic, topicId: topicId ?? .zero, partitions: plan.forget)]
            }

            let resp: FetchResponse
            do {
                resp = try await conn.send(req, version: version, timeout: settings.maxWait + client.config.requestTimeout)
            } catch is CancellationError {
                session.restart()
                return
            } catch {
                session.restart()
                if Task.isCancelled { return }
                if await brokerUnreachable(leader, error, generation: generation) { continue }
                return
            }
            let failedBefore = await state.with({ $0.brokerOK(leader) })
            if failedBefore > 0 {
                await emit(.notice("broker \(leader) is reachable again; resuming \(topic) partitions \(partitions.map(String.init).joined(separator: ", "))"))
            }
            let answered = resp.responses.reduce(0) { $0 + $1.partitions.count }
            switch session.handleResponse(errorCode: resp.errorCode, sessionId: resp.sessionId, partitionCount: answered,
                                          throttleMs: resp.throttleTimeMs) {
            case .ok:
                if case .create = plan.mode {
                    if case .incremental(let id, _) = session.mode {
                        service.logger.debug("broker \(leader): fetch session \(id) created")
                    } else if session.mode == .sessionless {
                        service.logger.debug("broker \(leader) answered session id 0: it keeps no fetch sessions; using full fetches")
                    }
                }
            case .retry:
                service.logger.debug("broker \(leader): fetch session error \(resp.errorCode); starting a new session")
                continue
            case .gaveUp:
                await emit(.notice("broker \(leader) keeps refusing fetch sessions (\(describeKafkaError(resp.errorCode))); using full fetches"))
                continue
            }
            if KafkaErrorCode.offsetOutOfRange.matches(resp.errorCode) {
                // OFFSET_OUT_OF_RANGE for the whole response (librdkafka's mock answers so): reset each partition.
                session.restart()
                for (p, st) in view.sorted(by: { $0.key < $1.key }) {
                    await resetOutOfRange(p, from: st.offset, generation: generation)
                }
                continue
            }
            if resp.errorCode != 0 {
                // The whole response failed (librdkafka's mock injects errors so, e.g. REQUEST_TIMED_OUT).
                session.restart()
                let action = await state.with({ $0.fetchFailed(broker: leader, error: .lookup(resp.errorCode), what: "broker \(leader) refused the fetch") })
                if await carryOut(action, generation: generation) { continue }
                return
            }
            var failure: TailCoordinator.FetchErrorAction?
            // Partitions an incremental response leaves out had nothing new: not an error.
            for t in resp.responses where t.topic == topic || (hasId && t.topicId == topicId) {
                for pd in t.partitions {
                    let p = pd.partitionIndex
                    guard let pos = view[p]?.offset else { continue }
                    let error = KafkaErrorCode.lookup(pd.errorCode)
                    switch error {
                    case .none:
                        if !(await handleRecords(pd, partition: p, position: pos, generation: generation)) { return }
                    case .offsetOutOfRange:
                        await resetOutOfRange(p, from: pos, generation: generation)
                    default:
                        if pd.currentLeader.leaderId >= 0 && pd.currentLeader.leaderId != leader {
                            await emit(.notice("leader of \(topic) partition \(p) moved from broker \(leader) to \(pd.currentLeader.leaderId)"))
                        }
                        // One decision per response: its first failed partition names the streak.
                        if failure == nil {
                            failure = await state.with({ $0.fetchFailed(broker: leader, error: error, what: "\(topic) partition \(p) on broker \(leader)") })
                        }
                    }
                }
            }
            if let failure {
                // A partition error leaves the session valid: the next generation forgets or re-adds the partition.
                if await carryOut(failure, generation: generation) { continue }
                return
            }
            if let text = await state.with({ $0.fetchSucceeded(broker: leader, topic: topic) }) {
                await emit(.recovered(text))
            }
        }
    }

    /// Does what the coordinator decided about a fetch error: true to fetch again from this broker,
    /// false when this loop ends (its generation ends and the run loop re-reads metadata).
    func carryOut(_ action: TailCoordinator.FetchErrorAction, generation: Int) async -> Bool {
        switch action {
        case .retryBroker(let after, let notice):
            if let notice { await emit(.notice(notice)) }
            await backoffClock.backoff(after)
            if Task.isCancelled { return false }
            return await state.with({ $0.isCurrent(generation) })
        case .refreshMetadata(let after, let notice):
            if let notice { await emit(.notice(notice)) }
            await state.with({ $0.endGeneration(generation, refresh: true, backoff: after) })
            return false
        }
    }

    /// A fetch loop lost its broker: one notice per outage, a metadata recheck soon (the leader may have
    /// moved), and backoff; the other brokers' loops go on. True to retry, false when the generation ended.
    func brokerUnreachable(_ leader: Int32, _ error: Error, generation: Int) async -> Bool {
        let n = await state.with({ $0.brokerFailed(leader) })
        if n == 1 {
            await emit(.notice("lost broker \(leader) (\(error)); reconnecting"))
        }
        await state.with({ $0.requestRecheck() })
        // 100 ms doubling to 2 s, cut short when the generation ends.
        let until = ContinuousClock.now + .milliseconds(min(2000, 100 << min(n - 1, 5)))
        while ContinuousClock.now < until {
            if Task.isCancelled { return false }
            if !(await state.with({ $0.isCurrent(generation) })) { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return await state.with({ $0.isCurrent(generation) })
    }

}
