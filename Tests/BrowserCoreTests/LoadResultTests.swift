@testable import BrowserCore
import ClusterModel
import Testing

/// A read's kind is declared once, on `LoadRequest`; a result names the read it answers
/// (`LoadResult.answers`) and takes its kind from there (issue 11: the two mappings were twins).
@Suite struct LoadResultTests {
    static let failed = LoadError("x")

    /// One result per read. Made to fail once by answering `.topic(name)` results with
    /// `.topic("orders")` whatever their name.
    static let reads: [(LoadRequest, LoadResult)] = [
        (.overview, .overview(.failure(failed))),
        (.topics, .topics(.failure(failed))),
        (.topic("payments"), .topic(name: "payments", .failure(failed))),
        (.groups, .groups(.failure(failed))),
        (.group("billing"), .group(name: "billing", .failure(failed))),
        (.connectors, .connectors(.failure(failed))),
        (.connector(cluster: "QA", name: "sink"), .connector(cluster: "QA", name: "sink", .failure(failed))),
        (.subjects, .subjects(.failure(failed))),
        (.subject("orders-value"), .subject(name: "orders-value", .failure(failed))),
        (.schema(subject: "orders-value", version: 3), .schema(subject: "orders-value", version: 3, .failure(failed))),
        (.resetPlan(group: "billing", spec: .toEarliest, scope: .allTopics),
         .resetPlan(group: "billing", spec: .toEarliest, scope: .allTopics, .failure(failed))),
    ]

    @Test func everyReadResultAnswersItsRequestAndSharesItsKind() {
        for (request, result) in Self.reads {
            #expect(result.answers == request, "\(request)")
            #expect(result.kind == request.kind, "\(request)")
        }
        // Every read kind is covered above.
        let readKinds = Set(Self.reads.map(\.0.kind))
        #expect(readKinds.count == Self.reads.count)
    }

    @Test func writesAndTheTailAnswerNoRead() {
        let others: [(LoadResult, EffectKind)] = [
            (.connectAction(.pause, cluster: "QA", connector: "sink", error: nil), .connectAction),
            (.tail(.caughtUp), .tail),
            (.tailEnded(nil), .tail),
        ]
        for (result, kind) in others {
            #expect(result.answers == nil)
            #expect(result.kind == kind)
        }
    }
}
