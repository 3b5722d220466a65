import Foundation
import TerminalCore

/// A terminal driven by a script whose steps can wait for the screen: "type j, wait until
/// the screen shows X, press Enter". Used to test the runtime loop without timing races.
/// Touched only by the UI thread while running; read the results after `run` returns.
public final class ScriptedDevice: TerminalDevice {
    public enum Step: Sendable {
        case key(Key)
        /// Waits (returning no key) until the last presented screen contains the text.
        case waitFor(String)
        /// Waits until `condition` is true (checked on the UI thread).
        case waitUntil(@Sendable () -> Bool, String)
        case resize(Size)
        /// Runs an action on the UI thread (open a gate, flip a failure) and goes on.
        case run(@Sendable () -> Void)
        /// Lets time pass (returning no key) for this many seconds.
        case pause(Double)
    }

    public private(set) var size: Size
    public var capabilities: TerminalCapabilities = .full
    public private(set) var steps: [Step]
    public private(set) var presented: [CellBuffer] = []
    /// Wall-clock seconds when each key was handed out and when each screen was presented.
    public private(set) var keyTimes: [(Key, Double)] = []
    public private(set) var presentTimes: [Double] = []
    /// Set when a wait step timed out.
    public private(set) var failure: String?
    private let timeout: Double
    private var waitStarted: Double?

    /// `timeout` only guards against a hang: it decides nothing a test asserts. It is wide because
    /// the whole suite runs in parallel on two cores, where effect tasks can wait tens of seconds
    /// for a thread while peer tests start their brokers.
    public init(size: Size, steps: [Step], timeout: Double = 90) {
        self.size = size
        self.steps = steps
        self.timeout = timeout
    }

    public var lastScreen: String { presented.last?.text() ?? "" }

    public func present(_ buffer: CellBuffer) {
        presented.append(buffer)
        presentTimes.append(Date().timeIntervalSince1970)
    }

    public func readKey(timeoutMilliseconds: Int) -> Key? {
        guard let step = steps.first else {
            // Script done: quit so a test never hangs.
            return .ctrl("c")
        }
        let now = Date().timeIntervalSince1970
        func waiting(_ done: Bool, _ what: String) -> Key? {
            if done {
                steps.removeFirst()
                waitStarted = nil
                return readKey(timeoutMilliseconds: timeoutMilliseconds)
            }
            if waitStarted == nil { waitStarted = now }
            if now - waitStarted! > timeout {
                failure = "timed out waiting for \(what); screen:\n\(lastScreen)"
                steps.removeAll()
                return .ctrl("c")
            }
            if timeoutMilliseconds > 0 { Thread.sleep(forTimeInterval: Double(min(timeoutMilliseconds, 5)) / 1000) }
            return nil
        }
        switch step {
        case .key(let k):
            steps.removeFirst()
            keyTimes.append((k, now))
            return k
        case .resize(let s):
            steps.removeFirst()
            size = s
            return .resize
        case .waitFor(let text):
            return waiting(lastScreen.contains(text), "\"\(text)\"")
        case .waitUntil(let cond, let what):
            return waiting(cond(), what)
        case .run(let action):
            steps.removeFirst()
            action()
            return readKey(timeoutMilliseconds: timeoutMilliseconds)
        case .pause(let seconds):
            if waitStarted == nil { waitStarted = now }
            if now - waitStarted! >= seconds {
                steps.removeFirst()
                waitStarted = nil
                return readKey(timeoutMilliseconds: timeoutMilliseconds)
            }
            if timeoutMilliseconds > 0 { Thread.sleep(forTimeInterval: Double(min(timeoutMilliseconds, 5)) / 1000) }
            return nil
        }
    }

    /// Steps typing each character of `text`.
    public static func typing(_ text: String) -> [Step] { text.map { .key(.character($0)) } }
}
