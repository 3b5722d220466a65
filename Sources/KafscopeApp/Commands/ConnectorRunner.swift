import ArgumentParser
import ClusterModel
import Foundation
import KafkaConnect
import Logging
import WriteFlow

extension ConnectorCLI {
    static func warn(_ settings: ConnectCLISettings, _ console: any ConnectCLIConsole) {
        for w in settings.warnings { console.err("warning: \(w)") }
    }

    static func makeService(_ settings: ConnectCLISettings, retry: ConnectRetryPolicy) throws -> KafkaConnectService {
        do {
            return try KafkaConnectService(endpoints: try settings.selectedEndpoints(), retry: retry, logger: AppEnvironment.currentLogger(),
                                           socksProxy: settings.socksProxy.map { ($0.host, $0.port) },
                                           proxyFailure: SSHJump.farSideFailure(through: settings.socksProxy))
        }
        catch let e as ConnectConfigError { throw ValidationError(e.message) }
    }

    static func usage(_ error: Error, _ console: any ConnectCLIConsole) -> Int32 {
        let text = (error as? ValidationError)?.message ?? String(describing: error)
        console.err("error: \(text)")
        return 2
    }

    /// `kafscope get connectors`. Exit 0 when at least one cluster answered.
    public static func getConnectors(settings: ConnectCLISettings, console: any ConnectCLIConsole,
                                     retry: ConnectRetryPolicy = ConnectRetryPolicy()) async -> Int32 {
        warn(settings, console)
        let service: KafkaConnectService
        do { service = try makeService(settings, retry: retry) } catch { return usage(error, console) }
        let listing = await service.connectors()
        await service.shutdown()
        if settings.json {
            console.out(ConnectorFormat.connectorsJSON(listing))
            if !listing.errors.isEmpty { console.err(ConnectorFormat.errorsJSON(listing.errors)) }
        } else {
            console.out(ConnectorFormat.connectorsTable(listing))
            for e in listing.errors { console.err("error: \(TextTable.clean(e.source)): \(TextTable.clean(e.message))") }
        }
        let failedClusters = Set(listing.errors.map(\.source)).filter { name in
            !listing.connectors.contains { $0.connect == name } && listing.clusters.first { $0.name == name }?.error != nil
        }
        return failedClusters.count == listing.clusters.count && !listing.clusters.isEmpty ? 1 : 0
    }

    /// Finds which cluster holds `name`: the one selected, or the only cluster that has it.
    static func locate(_ name: String, settings: ConnectCLISettings, service: KafkaConnectService) async throws -> String {
        let candidates = try settings.selectedEndpoints().map(\.name)
        if candidates.count == 1 { return candidates[0] }
        let found = await withTaskGroup(of: (String, Result<Bool, Error>).self) { group in
            for cluster in candidates {
                group.addTask {
                    do {
                        _ = try await service.status(cluster: cluster, name: name)
                        return (cluster, .success(true))
                    } catch let e as ConnectError where e.kind == .connectorNotFound {
                        return (cluster, .success(false))
                    } catch {
                        return (cluster, .failure(error))
                    }
                }
            }
            var out: [(String, Result<Bool, Error>)] = []
            for await r in group { out.append(r) }
            return out
        }
        let hits = candidates.filter { c in found.contains { $0.0 == c && (try? $0.1.get()) == true } }
        if hits.count == 1 { return hits[0] }
        if hits.count > 1 {
            throw ValidationError("connector \(name) exists on Connect clusters \(hits.joined(separator: ", ")); choose one with --connect CLUSTER")
        }
        let failures = found.compactMap { r -> String? in
            if case .failure(let e) = r.1 { return (e as? ConnectError)?.message ?? String(describing: e) }
            return nil
        }
        var message = "connector \(name) not found on Connect cluster(s) \(candidates.joined(separator: ", "))"
        if !failures.isEmpty { message += "; could not ask: " + failures.joined(separator: "; ") }
        throw UserFacingError(message)
    }

    /// `kafscope describe connector NAME`.
    public static func describeConnector(name: String, settings: ConnectCLISettings, console: any ConnectCLIConsole,
                                         retry: ConnectRetryPolicy = ConnectRetryPolicy()) async -> Int32 {
        warn(settings, console)
        let service: KafkaConnectService
        do { service = try makeService(settings, retry: retry) } catch { return usage(error, console) }
        do {
            let cluster = try await locate(name, settings: settings, service: service)
            async let infos = service.clusterInfos()
            let detail = try await service.connector(cluster: cluster, name: name)
            let info = await infos.first { $0.name == cluster }
            let errors = info?.error.map { [SourceError(source: cluster, message: $0)] } ?? []
            console.out(settings.json ? ConnectorFormat.describeJSON(detail, cluster: info, errors: errors)
                                      : ConnectorFormat.describeText(detail, cluster: info))
            await service.shutdown()
            return 0
        } catch let e as ValidationError {
            await service.shutdown()
            return usage(e, console)
        } catch {
            await service.shutdown()
            console.err("error: \((error as? ConnectError)?.message ?? String(describing: error))")
            return 1
        }
    }

    /// `kafscope connector pause|resume|stop|restart NAME` through the write flow: read-only refusal
    /// before any request; the check (which cluster has it, does its version support the action,
    /// its current status); confirmation on the terminal (or --yes); the request (409s retried);
    /// polling until the state settles (`settleTimeout`, the flow's one default); one audit line.
    public static func act(_ action: ConnectAction, name: String, settings: ConnectCLISettings, yes: Bool,
                           console: any CLIConsole, settleTimeout: Duration = .seconds(WriteFlow.defaultSettleTimeout),
                           pollInterval: Duration = .milliseconds(Int64(WriteFlow.defaultPollInterval * 1000)),
                           retry: ConnectRetryPolicy = ConnectRetryPolicy(),
                           logger: Logger? = nil) async -> Int32 {
        let selected = try? settings.selectedEndpoints()
        let initial = ConnectWrite.description(action, connector: name, cluster: selected?.count == 1 ? selected?[0].name : nil)
        let driver = WriteDriver(console: console, logger: logger ?? AppEnvironment.currentLogger(), settleTimeout: secondsValue(settleTimeout),
                                 pollInterval: secondsValue(pollInterval), printSuccess: !settings.json)
        if !settings.readOnly { warn(settings, console) }
        var opened: KafkaConnectService?
        let run = ConnectWriteRun()
        do {
            let report = try await driver.run(initial, readOnly: settings.readOnly, yes: yes, check: {
                let service = try makeService(settings, retry: retry)
                opened = service
                return try await check(action, name: name, settings: settings, service: service, run: run)
            }, send: { _ in
                guard let service = opened, let cluster = run.cluster else { return .failed("no Connect cluster chosen") }
                do {
                    let result = try await service.performDetailed(action, cluster: cluster, connector: name)
                    run.result = result
                    run.sentAt = ContinuousClock.now
                    let retried = result.attempts > 1
                        ? " after \(result.attempts - 1) retr\(result.attempts == 2 ? "y" : "ies") on 409 (rebalance)" : ""
                    let accepted = "\(action.verb) accepted (HTTP \(result.httpStatus))\(retried)"
                    if !settings.json, settleTimeout > .zero {
                        console.out("\(cluster)/\(name): \(accepted); waiting for the state to settle...")
                    }
                    return .accepted("\(cluster)/\(name): \(accepted)")
                } catch {
                    return .failed((error as? ConnectError)?.message ?? String(describing: error))
                }
            }, observe: {
                guard let service = opened, let cluster = run.cluster else { return .unreadable("no Connect cluster chosen") }
                do {
                    let now = try await service.status(cluster: cluster, name: name)
                    run.after = now
                    let elapsed = run.sentAt.map { ConnectClusterClient.seconds(ContinuousClock.now - $0) }
                    return ConnectWrite.observation(action, cluster: cluster, connector: name, before: run.before, after: now,
                                                    elapsed: elapsed)
                } catch {
                    return .unreadable((error as? ConnectError)?.message ?? String(describing: error))
                }
            })
            if settings.json, let cluster = run.cluster, let result = run.result {
                console.out(ConnectorFormat.actionJSON(cluster: cluster, connector: name, action: action, result: result,
                                                       before: run.before, after: run.after, settled: run.after.map { _ in report.outcome.succeeded }))
            }
            await opened?.shutdown()
            return report.outcome.succeeded ? 0 : 1
        } catch {
            await opened?.shutdown()
            return usage(error, console)
        }
    }

    /// The flow's check step for a Connect action: locate the connector, ask the worker's version,
    /// read the status the confirmation shows. Usage errors (ambiguous name) are thrown.
    static func check(_ action: ConnectAction, name: String, settings: ConnectCLISettings, service: KafkaConnectService,
                      run: ConnectWriteRun) async throws -> WriteCheck {
        do {
            let cluster = try await locate(name, settings: settings, service: service)
            run.cluster = cluster
            if let reason = await service.unsupportedReason(action, cluster: cluster) {
                return .unavailable("cannot \(action.verb) \(name) on Connect cluster \(cluster): \(reason)")
            }
            let before = try await service.status(cluster: cluster, name: name)
            run.before = before
            return .ready(ConnectWrite.description(action, connector: name, cluster: cluster, current: before))
        } catch let e as ValidationError {
            throw e
        } catch {
            return .unavailable((error as? ConnectError)?.message ?? String(describing: error))
        }
    }
}

func secondsValue(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// What the Connect steps learn along one write (for the JSON output and the transition).
final class ConnectWriteRun: @unchecked Sendable {
    var cluster: String?
    var before: ConnectorStatus?
    var after: ConnectorStatus?
    var result: ConnectClusterClient.ActionResult?
    var sentAt: ContinuousClock.Instant?
}
