import Dispatch
import Foundation

/// Ctrl-C while `produce` reads its input: the first one stops the reading (what was read is still
/// sent, reported and audited, and the run exits 130); a second one quits at once. Installed only
/// while records are being sent: before that (the confirmation), Ctrl-C ends the run as usual.
final class ProduceInterrupt: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    private let source: DispatchSourceSignal
    /// Readable once Ctrl-C was pressed: a read waiting for piped input polls it too, so the wait ends.
    let wakeFd: Int32
    private let wakeWriteFd: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 { fds = [-1, -1] }
        wakeFd = fds[0]
        wakeWriteFd = fds[1]
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in self?.pressed() }
        source.resume()
    }

    var isSet: Bool { lock.withLock { fired } }

    private func pressed() {
        let again = lock.withLock { () -> Bool in
            defer { fired = true }
            return fired
        }
        if again { _exit(130) }
        let note = Array("\nproduce: interrupted, sending what was read (Ctrl-C again to quit now)\n".utf8)
        _ = note.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        var byte: UInt8 = 1
        _ = write(wakeWriteFd, &byte, 1)
    }

    /// Ctrl-C ends the process again (the summary is about to be printed).
    func stop() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
        if wakeFd >= 0 { close(wakeFd) }
        if wakeWriteFd >= 0 { close(wakeWriteFd) }
    }
}
