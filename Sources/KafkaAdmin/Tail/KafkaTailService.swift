import ClusterModel
import KafkaClient
import KafkaProtocol
import KafkaRecords
import Logging

/// Live tail of one topic over the Kafka protocol: ListOffsets for the start position, then one
/// long-polling Fetch loop per partition leader on that broker's fetch connection.
/// Follows leader changes and added partitions, resets after OFFSET_OUT_OF_RANGE with a notice.
public final class KafkaTailService: TailService, Sendable {
    public let client: KafkaClient
    public let settings: TailSettings
    let admin: KafkaAdminService
    let logger: Logger
    let backoffClock: any TailBackoffClock

    public init(client: KafkaClient, settings: TailSettings = TailSettings(), logger: Logger? = nil,
                backoffClock: any TailBackoffClock = SystemTailBackoffClock()) {
        self.client = client
        self.settings = settings
        self.admin = KafkaAdminService(client: client)
        self.logger = logger ?? client.logger
        self.backoffClock = backoffClock
    }

    public func tail(_ options: TailOptions) -> AsyncThrowingStream<TailEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream<TailEvent, Error>.makeStream(
            bufferingPolicy: .bufferingOldest(max(1, settings.bufferedEvents)))
        let run = TailRun(service: self, options: options, continuation: continuation,
                          state: TailState(retry: settings.retry), backoffClock: backoffClock)
        let task = Task {
            do {
                try await run.run()
                continuation.finish()
            } catch is CancellationError {
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
            await run.closeSessions()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
