import ClusterModel
import Foundation

/// A tail whose events the test pushes while it runs (records produced after the screen
/// opened, notices), and which records how it was started and stopped.
public final class PushTailService: TailService, @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private var continuations: [Int: AsyncThrowingStream<TailEvent, Error>.Continuation] = [:]
    private var nextId = 0
    private var _started: [TailOptions] = []
    private var _stopped = 0

    public init() {}

    /// Options of every tail started, in order.
    public var started: [TailOptions] { lock.withLock { _started } }
    /// Tails ended by their consumer (cancelled).
    public var stopped: Int { lock.withLock { _stopped } }
    public var running: Int { lock.withLock { continuations.count } }

    public func tail(_ options: TailOptions) -> AsyncThrowingStream<TailEvent, Error> {
        AsyncThrowingStream { cont in
            let id = lock.withLock { () -> Int in
                nextId += 1
                _started.append(options)
                continuations[nextId] = cont
                return nextId
            }
            cont.onTermination = { [weak self] _ in
                guard let self else { return }
                self.lock.withLock {
                    if self.continuations.removeValue(forKey: id) != nil { self._stopped += 1 }
                }
            }
        }
    }

    /// Sends an event to every running tail.
    public func emit(_ event: TailEvent) {
        let conts = lock.withLock { Array(continuations.values) }
        for c in conts { c.yield(event) }
    }

    /// Ends every running tail with `error` (nil: normally).
    public func finish(throwing error: (any Error)? = nil) {
        let conts = lock.withLock { () -> [AsyncThrowingStream<TailEvent, Error>.Continuation] in
            let c = Array(continuations.values)
            continuations.removeAll()
            return c
        }
        for c in conts { if let error { c.finish(throwing: error) } else { c.finish() } }
    }
}
