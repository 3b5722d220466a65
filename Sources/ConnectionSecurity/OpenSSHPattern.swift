/// OpenSSH pattern lists, as in ssh_config `Host` lines and known_hosts host fields: comma-separated
/// globs (`*` any run, `?` any one character); `!pattern` excludes. A name matches when a positive
/// pattern matches and no negated one does. Patterns are compared lowercased; the caller decides
/// whether the name is.
public enum OpenSSHPattern {
    public static func matches(_ name: String, patternLists: [String]) -> Bool {
        var matched = false
        for list in patternLists {
            for pattern in list.split(separator: ",") {
                if pattern.hasPrefix("!") {
                    if glob(String(pattern.dropFirst()).lowercased(), name) { return false }
                } else if glob(pattern.lowercased(), name) {
                    matched = true
                }
            }
        }
        return matched
    }

    public static func glob(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) { pi += 1; ti += 1 }
            else if pi < p.count && p[pi] == "*" { star = pi; mark = ti; pi += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; ti = mark }
            else { return false }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
