import Foundation

/// The SASL mechanisms kafscope speaks.
public enum SASLMechanism: String, Sendable, Hashable, CaseIterable {
    case plain = "PLAIN"
    case scramSHA256 = "SCRAM-SHA-256"
    case scramSHA512 = "SCRAM-SHA-512"

    /// Accepts the Kafka property spelling in any case.
    public init?(name: String) {
        guard let m = SASLMechanism(rawValue: name.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()) else { return nil }
        self = m
    }
}

/// A SASL login: the mechanism, the user and the password (never printed, see `Secret`).
public struct SASLSettings: Sendable, Hashable {
    public var mechanism: SASLMechanism
    public var username: String
    public var password: Secret

    public init(mechanism: SASLMechanism, username: String, password: Secret) {
        self.mechanism = mechanism
        self.username = username
        self.password = password
    }
}
