import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOSSH

/// What happened during one SSH handshake: filled by the delegates on the event loop, read after.
final class HandshakeRecord: @unchecked Sendable {
    private let lock = NIOLock()
    private var _hostKey: String?
    private var _hostKeyVerdict: String?
    private var _hostKeyError: SSHTunnelError?
    private var _attempts: [String] = []
    private var _offered: String?
    private var _authExhausted = false

    var hostKey: String? { lock.withLock { _hostKey } }
    var hostKeyVerdict: String? { lock.withLock { _hostKeyVerdict } }
    var hostKeyError: SSHTunnelError? { lock.withLock { _hostKeyError } }
    var attempts: [String] { lock.withLock { _attempts } }
    var authExhausted: Bool { lock.withLock { _authExhausted } }
    /// The offer in flight, which succeeded when the handshake completes.
    var lastOffered: String? { lock.withLock { _offered } }

    func hostKeyChecked(_ key: String, verdict: String?, error: SSHTunnelError?) {
        lock.withLock { _hostKey = key; _hostKeyVerdict = verdict; _hostKeyError = error }
    }

    func offering(_ what: String) {
        lock.withLock {
            if let prev = _offered { _attempts.append("\(prev): refused by the server") }
            _offered = what
        }
    }

    func exhausted(notes: [String], serverMethods: String) {
        lock.withLock {
            if let prev = _offered { _attempts.append("\(prev): refused by the server") }
            _offered = nil
            _attempts += notes
            _attempts.append("the server accepts: \(serverMethods)")
            _authExhausted = true
        }
    }
}

/// Offers each loaded key in turn; when none is left, fails with the list of what was tried.
final class KeyOfferingDelegate: NIOSSHClientUserAuthenticationDelegate {
    private let user: String
    private var remaining: [SSHIdentities.Key]
    private let notes: [String]
    private let record: HandshakeRecord
    /// swift-nio-ssh keeps the connection open after a nil offer (the server waits for another
    /// try): without this the failure would only surface at the handshake timeout, 15 s later.
    private let onExhausted: () -> Void

    init(user: String, identities: SSHIdentities, record: HandshakeRecord, onExhausted: @escaping () -> Void) {
        self.user = user
        self.remaining = identities.keys
        self.notes = identities.notes
        self.record = record
        self.onExhausted = onExhausted
    }

    func nextAuthenticationType(availableMethods: NIOSSHAvailableUserAuthenticationMethods,
                                nextChallengePromise: EventLoopPromise<NIOSSHUserAuthenticationOffer?>) {
        if availableMethods.contains(.publicKey), !remaining.isEmpty {
            let key = remaining.removeFirst()
            record.offering("key \(key.file) (\(key.keyType) \(KnownHosts.fingerprint(key: key.publicKeyText)))")
            nextChallengePromise.succeed(NIOSSHUserAuthenticationOffer(
                username: user, serviceName: "", offer: .privateKey(.init(privateKey: key.privateKey))))
            return
        }
        var methods: [String] = []
        if availableMethods.contains(.publicKey) { methods.append("publickey") }
        if availableMethods.contains(.password) { methods.append("password (not offered: kafscope logs in with keys only)") }
        if availableMethods.contains(.hostBased) { methods.append("hostbased") }
        var notes = self.notes
        if remaining.isEmpty && notes.isEmpty && record.attempts.isEmpty && record.lastOffered == nil {
            notes.append("no usable key: set identity_file in [contexts.NAME.ssh] or create ~/.ssh/id_ed25519")
        }
        record.exhausted(notes: notes, serverMethods: methods.isEmpty ? "nothing kafscope knows" : methods.joined(separator: ", "))
        nextChallengePromise.succeed(nil)
        onExhausted()
    }
}

/// Checks the server's host key against known_hosts; records an unknown one with
/// `--ssh-accept-new`, refuses a changed or revoked one always.
final class KnownHostsDelegate: NIOSSHClientServerAuthenticationDelegate {
    private let config: SSHTunnelConfig
    private let record: HandshakeRecord

    init(config: SSHTunnelConfig, record: HandshakeRecord) {
        self.config = config
        self.record = record
    }

    func validateHostKey(hostKey: NIOSSHPublicKey, validationCompletePromise: EventLoopPromise<Void>) {
        let key = String(openSSHPublicKey: hostKey)
        let type = String(key.split(separator: " ").first ?? "")
        let fp = KnownHosts.fingerprint(key: key)
        let name = KnownHosts.hostName(config.host, port: config.port)
        switch KnownHosts.check(host: config.host, port: config.port, key: key, files: config.knownHostsFiles) {
        case .trusted(let e):
            record.hostKeyChecked(key, verdict: "matches \(e.file) line \(e.line)", error: nil)
            validationCompletePromise.succeed(())
        case .changed(let e):
            let err = SSHTunnelError.hostKeyChanged(host: name, keyType: type, fingerprint: fp, file: e.file, line: e.line)
            record.hostKeyChecked(key, verdict: nil, error: err)
            validationCompletePromise.fail(err)
        case .revoked(let e):
            let err = SSHTunnelError.hostKeyRevoked(host: name, fingerprint: fp, file: e.file, line: e.line)
            record.hostKeyChecked(key, verdict: nil, error: err)
            validationCompletePromise.fail(err)
        case .unknown(let known):
            if config.acceptNewHostKey {
                do {
                    try KnownHosts.append(host: config.host, port: config.port, key: key, to: config.knownHostsWriteFile)
                    record.hostKeyChecked(key, verdict: "new; added to \(config.knownHostsWriteFile) (--ssh-accept-new)", error: nil)
                    validationCompletePromise.succeed(())
                } catch {
                    let err = SSHTunnelError.handshake(destination: config.destination,
                                                       detail: "cannot record the host key in \(config.knownHostsWriteFile): \(error)")
                    record.hostKeyChecked(key, verdict: nil, error: err)
                    validationCompletePromise.fail(err)
                }
                return
            }
            let err = SSHTunnelError.hostKeyUnknown(host: name, keyType: type, fingerprint: fp,
                                                    line: KnownHosts.line(host: config.host, port: config.port, key: key),
                                                    file: config.knownHostsWriteFile, knownTypes: known)
            record.hostKeyChecked(key, verdict: nil, error: err)
            validationCompletePromise.fail(err)
        }
    }
}
