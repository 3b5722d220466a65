/// Exponential reconnect backoff with jitter: 100 ms, 200 ms, ... capped.
struct Backoff: Sendable, Hashable {
    var base: Duration = .milliseconds(100)
    var cap: Duration

    func delay(afterFailures n: Int, jitter: Double = Double.random(in: 0.8...1.2)) -> Duration {
        guard n > 0 else { return .zero }
        let exp = min(n - 1, 20)
        let raw = base * (1 << exp)
        let capped = raw > cap ? cap : raw
        return capped * jitter
    }
}
