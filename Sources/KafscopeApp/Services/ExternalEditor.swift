import ClusterModel
import Foundation

/// `$VISUAL` or `$EDITOR` (else vi) on a text, for the produce composer's value: the text goes to a
/// private temporary file, the editor runs on the terminal (the UI has handed it over), and what it
/// saved comes back (without the final newline editors add).
enum ExternalEditor {
    static func edit(_ text: String) throws -> String {
        let env = ProcessInfo.processInfo.environment
        let editor = [env["VISUAL"], env["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        let dir = FileManager.default.temporaryDirectory
        let url = dir.appendingPathComponent("kafscope-value-\(getpid())-\(UUID().uuidString).txt")
        // Owner-only: a record value may be confidential.
        guard FileManager.default.createFile(atPath: url.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw UserFacingError("cannot write a temporary file in \(dir.path) for the editor")
        }
        defer { try? FileManager.default.removeItem(at: url) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // Through the shell, so that EDITOR="code -w" or "vim -u NONE" work as they do for git.
        process.arguments = ["-c", "\(editor) \"$1\"", "kafscope-editor", url.path]
        do { try process.run() } catch { throw UserFacingError("cannot start \(editor): \(error)") }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw UserFacingError("\(editor) exited with status \(process.terminationStatus); the value is unchanged")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw UserFacingError("\(editor) left no file behind; the value is unchanged")
        }
        var saved = String(decoding: data, as: UTF8.self)
        if saved.hasSuffix("\n") { saved.removeLast() }
        return saved
    }
}
