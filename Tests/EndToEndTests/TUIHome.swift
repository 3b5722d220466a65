import Foundation

/// A throwaway HOME for one real-binary TUI test: its config.toml, and the environment kafscope runs
/// in (a UTF-8 xterm, config and state kept inside the home).
struct TUIHome {
    let home: URL
    let config: URL

    init(_ label: String, config text: String) throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("kafscope-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        config = home.appendingPathComponent("config.toml")
        try text.write(to: config, atomically: true, encoding: .utf8)
    }

    /// A config with one context named `mock` on `bootstrap`.
    init(_ label: String, mockBootstrap bootstrap: String) throws {
        try self.init(label, config: "[contexts.mock]\nbootstrap = [\"\(bootstrap)\"]\n")
    }

    /// A config with one context named `fake` on the kafka-python fake broker's comma-separated
    /// `bootstrap`, refreshed every 2 s (so writes show in the lists without a key press).
    init(_ label: String, fakeBootstrap bootstrap: String) throws {
        let brokers = bootstrap.split(separator: ",").map { "\"\($0)\"" }.joined(separator: ", ")
        try self.init(label, config: "[contexts.fake]\nbootstrap = [\(brokers)]\nrefresh_seconds = 2\n")
    }

    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        ["TERM": "xterm-256color", "LANG": "C.UTF-8", "HOME": home.path, "XDG_CONFIG_HOME": home.path,
         "XDG_STATE_HOME": home.path].merging(extra) { $1 }
    }

    func remove() { try? FileManager.default.removeItem(at: home) }
}
