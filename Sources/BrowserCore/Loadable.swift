import ClusterModel

/// Data that is (re)loaded in the background. The old value stays while a refresh
/// runs and when one fails, so the screen never goes blank.
public struct Loadable<Value: Sendable>: Sendable {
    public var value: Value?
    public var isLoading: Bool
    /// When the current value arrived.
    public var loadedAt: Double?
    /// The last refresh's failure; cleared by the next success.
    public var error: LoadError?
    public var failedAt: Double?
    /// Per-source errors that came with the last value (partial results).
    public var warnings: [SourceError]
    /// The value lacks its essential part (e.g. a group whose committed offsets could not be read).
    public private(set) var isIncomplete = false

    public init(value: Value? = nil) {
        self.value = value
        self.isLoading = false
        self.loadedAt = nil
        self.error = nil
        self.failedAt = nil
        self.warnings = []
    }

    public mutating func begin() { isLoading = true }

    public mutating func succeed(_ v: Value, at time: Double, warnings: [SourceError] = []) {
        value = v
        isLoading = false
        loadedAt = time
        error = nil
        failedAt = nil
        self.warnings = warnings
        isIncomplete = false
    }

    /// Like `succeed` for a value whose essential part could not be read (`missing` says why): it
    /// never replaces a complete value, which stays shown and is marked stale since it arrived, the
    /// same as after a failed refresh; without one it is shown (and says what is missing).
    public mutating func succeed(_ v: Value, at time: Double, warnings: [SourceError] = [], missing: String?) {
        if let missing, value != nil, !isIncomplete {
            fail(LoadError(missing), at: time)
            return
        }
        succeed(v, at: time, warnings: warnings)
        isIncomplete = missing != nil
    }

    public mutating func fail(_ e: LoadError, at time: Double) {
        isLoading = false
        error = e
        failedAt = time
    }

    public mutating func apply(_ result: Result<Value, LoadError>, at time: Double, warnings: [SourceError] = []) {
        switch result {
        case .success(let v): succeed(v, at: time, warnings: warnings)
        case .failure(let e): fail(e, at: time)
        }
    }

    public var status: ViewStatus {
        ViewStatus(isLoading: isLoading, hasData: value != nil, loadedAt: loadedAt, error: error?.message,
                   failedAt: failedAt, warnings: warnings)
    }
}

/// What the status line says about a screen's data.
public struct ViewStatus: Sendable, Hashable {
    public var isLoading: Bool
    public var hasData: Bool
    public var loadedAt: Double?
    public var error: String?
    public var failedAt: Double?
    public var warnings: [SourceError]

    public init(isLoading: Bool = false, hasData: Bool = true, loadedAt: Double? = nil, error: String? = nil,
                failedAt: Double? = nil, warnings: [SourceError] = []) {
        self.isLoading = isLoading
        self.hasData = hasData
        self.loadedAt = loadedAt
        self.error = error
        self.failedAt = failedAt
        self.warnings = warnings
    }

    /// Data is shown but the last refresh failed.
    public var isStale: Bool { error != nil && hasData }
}
