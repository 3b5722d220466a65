import ArgumentParser
import ClusterModel
import Foundation
import KafkaConnect

extension ConnectorCLI {
    static func warn(_ settings: ConnectCLISettings, _ console: any ConnectCLIConsole) {
        for w in settings.warnings { console.err("warning: \(w)") }
    }

    static func makeService(_ endpoints: [ConnectEndpoint], retry: ConnectRetryPolicy) throws -> KafkaConnectService {
        do { return try KafkaConnectService(endpoints: endpoints, retry: retry, logger: AppEnvironment.currentLogger()) }
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
        do { service = try makeService(try settings.selectedEndpoints(), retry: retry) } catch { return usage(error, console) }
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
        do { service = try makeService(try settings.selectedEndpoints(), retry: retry) } catch { return usage(error, console) }
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

    /// `kafscope connector pause|resume|stop|restart NAME`: read-only check, version check,
    /// confirmation (or --yes), the request (409s retried), then polling until the state settles.
    public static func act(_ action: ConnectAction, name: String, settings: ConnectCLISettings, yes: Bool,
                           console: any ConnectCLIConsole, settleTimeout: Duration = .seconds(30),
                           pollInterval: Duration = .milliseconds(250),
                           retry: ConnectRetryPolicy = ConnectRetryPolicy()) async -> Int32 {
        if settings.readOnly {
            console.err("error: refusing to \(action.verb) connector \(name): kafscope is in read-only mode")
            return 1
        }
        warn(settings, console)
        let service: KafkaConnectService
        do { service = try makeService(try settings.selectedEndpoints(), retry: retry) } catch { return usage(error, console) }
        do {
            let code = try await actInner(action, name: name, settings: settings, yes: yes, console: console,
                                          service: service, settleTimeout: settleTimeout, pollInterval: pollInterval)
            await service.shutdown()
            return code
        } catch let e as ValidationError {
            await service.shutdown()
            return usage(e, console)
        } catch {
            await service.shutdown()
            console.err("error: \((error as? ConnectError)?.message ?? String(describing: error))")
            return 1
        }
    }

    static func actInner(_ action: ConnectAction, name: String, settings: ConnectCLISettings, yes: Bool,
                         console: any ConnectCLIConsole, service: KafkaConnectService,
                         settleTimeout: Duration, pollInterval: Duration) async throws -> Int32 {
        let cluster = try await locate(name, settings: settings, service: service)
        if let reason = await service.unsupportedReason(action, cluster: cluster) {
            console.err("error: cannot \(action.verb) \(name) on Connect cluster \(cluster): \(reason)")
            return 1
        }
        let before = try await service.status(cluster: cluster, name: name)
        let question = action.confirmationQuestion(cluster: cluster, connector: name)
        if !yes {
            guard console.canPrompt else {
                console.err("error: refusing to \(action.verb) connector \(name) on Connect cluster \(cluster) without confirmation: "
                    + "no terminal to ask on; pass --yes to confirm")
                return 1
            }
            let answer = console.ask("\(question) (now \(ConnectTransition.summary(before))) [y/N] ")?
                .trimmingCharacters(in: .whitespaces).lowercased()
            guard answer == "y" || answer == "yes" else {
                console.err("cancelled: nothing was sent")
                return 1
            }
        }
        let result = try await service.performDetailed(action, cluster: cluster, connector: name)
        let retried = result.attempts > 1 ? " after \(result.attempts - 1) retr\(result.attempts == 2 ? "y" : "ies") on 409 (rebalance)" : ""
        if !settings.json {
            console.out("\(cluster)/\(name): \(action.verb) accepted (HTTP \(result.httpStatus))\(retried); waiting for the state to settle...")
        }
        var settlement: KafkaConnectService.Settlement?
        if settleTimeout > .zero {
            settlement = try await service.awaitSettled(action, cluster: cluster, connector: name, before: before,
                                                       timeout: settleTimeout, interval: pollInterval)
        }
        if settings.json {
            console.out(ConnectorFormat.actionJSON(cluster: cluster, connector: name, action: action, result: result, settlement: settlement))
        } else if let s = settlement {
            let secs = ConnectClusterClient.seconds(s.elapsed)
            if s.settled {
                console.out("\(cluster)/\(name): \(s.transition) (\(secs)); now \(ConnectTransition.summary(s.after))")
            } else {
                console.out("\(cluster)/\(name): \(s.transition)")
            }
        }
        if let s = settlement, !s.settled {
            console.err("error: \(cluster)/\(name) did not settle within \(ConnectClusterClient.seconds(settleTimeout)) after \(action.verb): "
                + "now \(ConnectTransition.summary(s.after))")
            return 1
        }
        return 0
    }
}
