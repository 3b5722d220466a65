import Foundation
import TOMLKit

/// How one role looks: colours and attributes, plus the attributes to use when the
/// terminal shows no colour (nil: the attributes, with reverse standing in for a
/// background colour).
public struct RoleAppearance: Sendable, Hashable {
    public var foreground: ThemeColor?
    public var background: ThemeColor?
    public var attributes: Attributes
    public var monoAttributes: Attributes?

    public init(foreground: ThemeColor? = nil, background: ThemeColor? = nil, attributes: Attributes = [], monoAttributes: Attributes? = nil) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
        self.monoAttributes = monoAttributes
    }
}

/// A style ready for the terminal: palette indices (-1 = terminal default) valid for
/// the colour mode it was resolved for.
public struct ResolvedStyle: Sendable, Hashable {
    public var foreground: Int
    public var background: Int
    public var attributes: Attributes
    public init(foreground: Int = -1, background: Int = -1, attributes: Attributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }
}

public struct ThemeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The theme file (or name) at fault.
    public var file: String
    /// The TOML key at fault ("roles.table.header.fg"), when one is.
    public var key: String?
    public var message: String

    public init(file: String, key: String? = nil, message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String {
        if let k = key { return "theme \(file): \(k): \(message)" }
        return "theme \(file): \(message)"
    }
}

/// A palette plus semantic roles (k9s skins). Loaded from themes/NAME.toml:
///
///     name = "default"
///     [palette]
///     fg = "#d0d0d0"
///     [roles]
///     "table.header" = { fg = "accent", bold = true }
///
/// Colours: a palette name, one of the 16 ANSI names, "#rrggbb", 0-255 or "default".
public struct Theme: Sendable, Hashable {
    public var name: String
    public var palette: [String: ThemeColor]
    public var roles: [Role: RoleAppearance]

    public init(name: String, palette: [String: ThemeColor] = [:], roles: [Role: RoleAppearance]) {
        self.name = name
        self.palette = palette
        self.roles = roles
    }

    /// The look of `role`; roles the theme does not map look like `normal`.
    public func appearance(for role: Role) -> RoleAppearance {
        roles[role] ?? roles[.normal] ?? RoleAppearance()
    }

    /// Known roles (`Role.allKnown`) this theme leaves unmapped.
    public var missingRoles: [Role] { Role.allKnown.filter { roles[$0] == nil } }

    /// Colours and attributes for `style` on a terminal in `mode`. A role without its own
    /// foreground/background takes `normal`'s; the style's attributes are added.
    public func resolve(_ style: Style, mode: ColorMode) -> ResolvedStyle {
        let a = appearance(for: style.role)
        let base = roles[.normal] ?? RoleAppearance()
        if mode == .none {
            var attrs = a.monoAttributes ?? a.attributes
            if a.monoAttributes == nil, let bg = a.background, bg != .terminalDefault, style.role != .normal {
                attrs.insert(.reverse)
            }
            return ResolvedStyle(attributes: attrs.union(style.attributes))
        }
        let fg = (a.foreground ?? base.foreground ?? .terminalDefault).index(for: mode)
        let bg = (a.background ?? base.background ?? .terminalDefault).index(for: mode, background: true)
        var attrs = a.attributes.union(style.attributes).union(fg.extra)
        // A background that the downgrade merged into the foreground or into the normal
        // background no longer marks anything: use reverse video, as without colour.
        if mode < .xterm256, let own = a.background, own != .terminalDefault, style.role != .normal {
            let normalBG = (base.background ?? .terminalDefault).index(for: mode, background: true).index
            if bg.index == fg.index || bg.index == normalBG {
                attrs = (a.monoAttributes ?? a.attributes.union(.reverse)).union(style.attributes)
                return ResolvedStyle(attributes: attrs)
            }
        }
        return ResolvedStyle(foreground: fg.index, background: bg.index, attributes: attrs)
    }

    // MARK: Loading

    static let attributeKeys: [(String, Attributes)] = [
        ("bold", .bold), ("dim", .dim), ("reverse", .reverse), ("underline", .underline), ("italic", .italic),
    ]

    /// Parses a theme document; `source` names it in errors.
    public static func parse(toml: String, source: String) throws(ThemeError) -> Theme {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: toml)
        } catch let e as TOMLParseError {
            throw ThemeError(file: source, message: "not valid TOML: \(e.description) at line \(e.source.begin.line), column \(e.source.begin.column)")
        } catch {
            throw ThemeError(file: source, message: "not valid TOML: \(error)")
        }
        for key in table.keys where !["name", "palette", "roles"].contains(key) {
            throw ThemeError(file: source, key: key, message: "unknown key (expected name, [palette], [roles])")
        }
        guard let name = table["name"]?.string, !name.isEmpty else {
            throw ThemeError(file: source, key: "name", message: "missing or not a string")
        }
        var palette: [String: ThemeColor] = [:]
        if let p = table["palette"] {
            guard let pt = p.table else { throw ThemeError(file: source, key: "palette", message: "must be a table") }
            for key in pt.keys {
                guard let v = pt[key] else { continue }
                palette[key] = try literalColor(v, file: source, key: "palette.\(key)")
            }
        }
        guard let rv = table["roles"] else { throw ThemeError(file: source, key: "roles", message: "missing [roles] table") }
        guard let rt = rv.table else { throw ThemeError(file: source, key: "roles", message: "must be a table") }
        var roles: [Role: RoleAppearance] = [:]
        for key in rt.keys {
            let path = "roles.\(key)"
            guard let entry = rt[key]?.table else {
                throw ThemeError(file: source, key: path, message: "must be a table such as { fg = \"accent\", bold = true }")
            }
            var app = RoleAppearance()
            for field in entry.keys {
                guard let v = entry[field] else { continue }
                let fpath = "\(path).\(field)"
                switch field {
                case "fg": app.foreground = try color(v, palette: palette, file: source, key: fpath)
                case "bg": app.background = try color(v, palette: palette, file: source, key: fpath)
                case "mono":
                    guard let s = v.string else { throw ThemeError(file: source, key: fpath, message: "must be a string of attributes, e.g. \"reverse bold\"") }
                    app.monoAttributes = try attributes(s, file: source, key: fpath)
                default:
                    guard let attr = attributeKeys.first(where: { $0.0 == field })?.1 else {
                        throw ThemeError(file: source, key: fpath, message: "unknown field (expected fg, bg, bold, dim, reverse, underline, italic, mono)")
                    }
                    guard let b = v.bool else { throw ThemeError(file: source, key: fpath, message: "must be true or false") }
                    if b { app.attributes.insert(attr) }
                }
            }
            roles[Role(rawValue: key)] = app
        }
        return Theme(name: name, palette: palette, roles: roles)
    }

    static func attributes(_ s: String, file: String, key: String) throws(ThemeError) -> Attributes {
        var out: Attributes = []
        for word in s.split(whereSeparator: { $0 == " " || $0 == "," }) {
            if word == "none" { continue }
            guard let a = attributeKeys.first(where: { $0.0 == word })?.1 else {
                throw ThemeError(file: file, key: key, message: "unknown attribute \"\(word)\" (expected bold, dim, reverse, underline, italic)")
            }
            out.insert(a)
        }
        return out
    }

    static func literalColor(_ v: TOMLValueConvertible, file: String, key: String) throws(ThemeError) -> ThemeColor {
        if let n = v.int {
            guard (0...255).contains(n) else { throw ThemeError(file: file, key: key, message: "colour index \(n) is outside 0-255") }
            return .indexed(n)
        }
        guard let s = v.string else { throw ThemeError(file: file, key: key, message: "colour must be a string or 0-255") }
        guard let c = ThemeColor(literal: s) else {
            throw ThemeError(file: file, key: key, message: "\"\(s)\" is not a colour (use an ANSI name, \"#rrggbb\", 0-255 or \"default\")")
        }
        return c
    }

    static func color(_ v: TOMLValueConvertible, palette: [String: ThemeColor], file: String, key: String) throws(ThemeError) -> ThemeColor {
        if let s = v.string, let c = palette[s] { return c }
        do {
            return try literalColor(v, file: file, key: key)
        } catch {
            if let s = v.string {
                throw ThemeError(file: file, key: key, message: "\"\(s)\" is neither a palette entry nor a colour")
            }
            throw error
        }
    }

    /// Where themes are looked for, first match wins: $KAFSCOPE_THEMES,
    /// $XDG_CONFIG_HOME/kafscope/themes (or ~/.config/kafscope/themes), themes/ and
    /// ../share/kafscope/themes beside the executable, and ./themes.
    public static func defaultSearchPaths(environment: [String: String], executablePath: String? = Bundle.main.executablePath) -> [String] {
        var paths: [String] = []
        if let t = environment["KAFSCOPE_THEMES"], !t.isEmpty { paths.append(t) }
        if let x = environment["XDG_CONFIG_HOME"], !x.isEmpty {
            paths.append(x + "/kafscope/themes")
        } else if let h = environment["HOME"], !h.isEmpty {
            paths.append(h + "/.config/kafscope/themes")
        }
        if let exe = executablePath {
            let dir = (exe as NSString).deletingLastPathComponent
            paths.append(dir + "/themes")
            paths.append((dir as NSString).deletingLastPathComponent + "/share/kafscope/themes")
        }
        paths.append("themes")
        return paths
    }

    /// Loads `name` (a theme name, or a path to a .toml file) from the first search path
    /// that has it. "default" falls back to the built-in theme when no file exists.
    public static func load(named name: String, searchPaths: [String]) throws(ThemeError) -> Theme {
        if name.contains("/") || name.hasSuffix(".toml") {
            return try loadFile(name)
        }
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ThemeError(file: name, message: "not a theme name (letters, digits, - and _)")
        }
        for dir in searchPaths {
            let path = dir + "/" + name + ".toml"
            if FileManager.default.fileExists(atPath: path) { return try loadFile(path) }
        }
        if name == "default" { return builtIn }
        throw ThemeError(file: name, message: "no \(name).toml in \(searchPaths.joined(separator: ", "))")
    }

    static func loadFile(_ path: String) throws(ThemeError) -> Theme {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ThemeError(file: path, message: "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ThemeError(file: path, message: "is not UTF-8")
        }
        return try parse(toml: text, source: path)
    }

    /// The default theme, compiled in so a missing themes/ directory still works.
    public static let builtIn: Theme = (try? parse(toml: builtInSource, source: "built-in default"))
        ?? Theme(name: "built-in fallback", roles: [.tableSelected: RoleAppearance(attributes: .reverse)])
}
