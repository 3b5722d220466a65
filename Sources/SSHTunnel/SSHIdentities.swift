import Foundation
import NIOSSH

/// The keys kafscope can log in with, loaded (and decrypted) once before connecting, plus a note
/// for every source that could not be used, for the "what was tried" message.
public struct SSHIdentities: Sendable {
    public struct Key: Sendable {
        public var file: String
        public var keyType: String
        public var privateKey: NIOSSHPrivateKey
        /// "ssh-ed25519 AAAA..." (for the agent cross-check and messages).
        public var publicKeyText: String
    }

    public var keys: [Key] = []
    /// Sources that were skipped, with why (RSA, wrong passphrase, agent keys ...).
    public var notes: [String] = []

    public static func load(_ config: SSHTunnelConfig) -> SSHIdentities {
        var out = SSHIdentities()
        for file in config.identityFiles {
            guard FileManager.default.fileExists(atPath: file) else {
                if config.identityFilesExplicit { out.notes.append("key \(file): no such file") }
                continue
            }
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                out.notes.append("key \(file): cannot read it (\((error as NSError).localizedDescription))")
                continue
            }
            do {
                let (type, encrypted) = try OpenSSHPrivateKey.publicKeyType(pem: text)
                if type == "ssh-rsa" || !(type.hasPrefix("ecdsa-sha2-") || type == "ssh-ed25519") {
                    throw OpenSSHPrivateKey.LoadError.unsupportedKeyType(type)
                }
                let passphrase = encrypted ? config.passphrase(file) : nil
                let key = try OpenSSHPrivateKey.load(pem: text, passphrase: passphrase)
                out.keys.append(Key(file: file, keyType: type, privateKey: key,
                                    publicKeyText: String(openSSHPublicKey: key.publicKey)))
            } catch {
                out.notes.append("key \(file): \(error)")
            }
        }
        if config.useAgent {
            out.notes += agentNotes(config, usable: out.keys)
        }
        return out
    }

    /// swift-nio-ssh 0.15.1 cannot sign with a key it does not hold, so agent keys cannot log in;
    /// say what the agent holds and whether one of its keys is also loaded from a file.
    static func agentNotes(_ config: SSHTunnelConfig, usable: [Key]) -> [String] {
        guard let socket = config.agentSocket, !socket.isEmpty else {
            return ["ssh-agent: SSH_AUTH_SOCK is not set"]
        }
        do {
            let ids = try SSHAgent.listIdentities(socketPath: socket)
            if ids.isEmpty { return ["ssh-agent (\(socket)): holds no keys"] }
            let fromFiles = Set(usable.map { $0.publicKeyText })
            let listed = ids.map { id in
                let also = fromFiles.contains(id.publicKey) ? ", also loaded from its file" : ""
                return "\(id.keyType) \(KnownHosts.fingerprint(key: id.publicKey)) \(id.comment)\(also)"
            }
            return ["ssh-agent (\(socket)): holds \(listed.joined(separator: "; ")); kafscope cannot sign with agent keys "
                + "(swift-nio-ssh 0.15.1 signs only with keys it holds): set identity_file to the key's file"]
        } catch {
            return ["ssh-agent (\(socket)): \(error)"]
        }
    }
}
