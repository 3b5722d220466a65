import Foundation
import Testing
@testable import TerminalCore

/// themes/ at the repository root, found from this file's path.
let themesDirectory: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("themes").path
}()

@Suite("Themes and colours")
struct ThemeTests {
    static let shipped = ["default", "light", "high-contrast"]

    @Test(arguments: shipped)
    func shippedThemeLoadsAndMapsEveryRole(name: String) throws {
        let theme = try Theme.load(named: name, searchPaths: [themesDirectory])
        #expect(theme.name == name)
        #expect(theme.missingRoles.isEmpty, "\(name) lacks \(theme.missingRoles.map(\.rawValue))")
        // Every known role has a look that differs from plain text in at least one mode,
        // except the plain roles themselves.
        let plain: Set<Role> = [.normal, .tableRow, .prompt]
        for role in Role.allKnown where !plain.contains(role) {
            let rich = theme.resolve(Style(role), mode: .xterm256)
            #expect(rich != theme.resolve(Style(.normal), mode: .xterm256), "\(name): \(role.rawValue) looks like normal")
        }
    }

    @Test func everyShippedThemeFileIsTested() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: themesDirectory).filter { $0.hasSuffix(".toml") }
        #expect(Set(files.map { String($0.dropLast(5)) }) == Set(Self.shipped))
    }

    @Test func builtInThemeIsDefaultToml() throws {
        let file = try String(contentsOfFile: themesDirectory + "/default.toml", encoding: .utf8)
        #expect(Theme.builtInSource == file, "regenerate BuiltInTheme.swift from themes/default.toml")
        #expect(Theme.builtIn.name == "default")
        #expect(Theme.builtIn == (try Theme.load(named: "default", searchPaths: [themesDirectory])))
    }

    @Test func missingThemesDirectoryFallsBackToBuiltIn() throws {
        let t = try Theme.load(named: "default", searchPaths: ["/nonexistent/kafscope-themes"])
        #expect(t == Theme.builtIn)
        #expect(throws: ThemeError.self) { try Theme.load(named: "light", searchPaths: ["/nonexistent/kafscope-themes"]) }
    }

    @Test func loadByPath() throws {
        let t = try Theme.load(named: themesDirectory + "/light.toml", searchPaths: [])
        #expect(t.name == "light")
    }

    func parseError(_ toml: String) -> ThemeError? {
        do {
            _ = try Theme.parse(toml: toml, source: "bad.toml")
            return nil
        } catch {
            return error
        }
    }

    @Test func errorsNameTheFileAndTheKey() {
        let badColor = parseError("""
            name = "x"
            [roles]
            "table.header" = { fg = "chartreuse-ish" }
            """)
        #expect(badColor?.file == "bad.toml")
        #expect(badColor?.key == "roles.table.header.fg")
        #expect(badColor?.description.contains("chartreuse-ish") == true)

        let badField = parseError("name = \"x\"\n[roles]\n\"dim\" = { colour = \"red\" }\n")
        #expect(badField?.key == "roles.dim.colour")

        let badIndex = parseError("name = \"x\"\n[palette]\nfg = 300\n[roles]\n")
        #expect(badIndex?.key == "palette.fg")

        let badBool = parseError("name = \"x\"\n[roles]\n\"dim\" = { bold = \"yes\" }\n")
        #expect(badBool?.key == "roles.dim.bold")

        let badMono = parseError("name = \"x\"\n[roles]\n\"dim\" = { mono = \"blink\" }\n")
        #expect(badMono?.key == "roles.dim.mono")

        let noName = parseError("[roles]\n")
        #expect(noName?.key == "name")

        let noRoles = parseError("name = \"x\"\n")
        #expect(noRoles?.key == "roles")

        let stray = parseError("name = \"x\"\ncolours = 1\n[roles]\n")
        #expect(stray?.key == "colours")

        let syntax = parseError("name = \"x\n[roles")
        #expect(syntax?.key == nil)
        #expect(syntax?.message.contains("line") == true)

        #expect(throws: ThemeError.self) { try Theme.load(named: "../etc/passwd", searchPaths: [themesDirectory]) }
        #expect(throws: ThemeError.self) { try Theme.load(named: "no such", searchPaths: [themesDirectory]) }
    }

    @Test func colourLiterals() {
        #expect(ThemeColor(literal: "red") == .indexed(1))
        #expect(ThemeColor(literal: "bright-white") == .indexed(15))
        #expect(ThemeColor(literal: "bright_black") == .indexed(8))
        #expect(ThemeColor(literal: "grey") == .indexed(8))
        #expect(ThemeColor(literal: "#5fafff") == .rgb(0x5F, 0xAF, 0xFF))
        #expect(ThemeColor(literal: "208") == .indexed(208))
        #expect(ThemeColor(literal: "default") == .terminalDefault)
        #expect(ThemeColor(literal: "#12345") == nil)
        #expect(ThemeColor(literal: "256") == nil)
        #expect(ThemeColor(literal: "purple-ish") == nil)
    }

    @Test func paletteNamesAndIntegersResolve() throws {
        let t = try Theme.parse(toml: """
            name = "t"
            [palette]
            accent = "#ff0000"
            [roles]
            "normal" = { fg = 250 }
            "title" = { fg = "accent", bold = true }
            "dim" = { fg = "blue", bg = "accent" }
            """, source: "t")
        #expect(t.appearance(for: .title).foreground == .rgb(255, 0, 0))
        #expect(t.appearance(for: .normal).foreground == .indexed(250))
        #expect(t.appearance(for: .dim).background == .rgb(255, 0, 0))
        // Unknown and unmapped roles look like normal.
        #expect(t.resolve(Style("no.such.role"), mode: .xterm256) == t.resolve(Style(.normal), mode: .xterm256))
        #expect(t.resolve(Style(.border), mode: .xterm256) == ResolvedStyle(foreground: 250, background: -1))
    }

    @Test func downgrade256To16ToNone() throws {
        let t = try Theme.load(named: "default", searchPaths: [themesDirectory])
        // 256 colours: nearest cube entries.
        let err256 = t.resolve(Style(.statusError), mode: .xterm256)
        #expect(err256 == ResolvedStyle(foreground: 203, background: -1, attributes: .bold)) // #ff5f5f
        #expect(t.resolve(Style(.title), mode: .xterm256).foreground == 75) // #5fafff
        // 16 colours: hue survives (errors red, ok green, accent blue).
        #expect(t.resolve(Style(.statusError), mode: .ansi16).foreground == 9)
        #expect(t.resolve(Style(.statusOk), mode: .ansi16).foreground == 10)
        #expect(t.resolve(Style(.title), mode: .ansi16).foreground == 12)
        #expect(t.resolve(Style(.normal), mode: .ansi16).foreground == 7)
        #expect(t.resolve(Style(.dim), mode: .ansi16).foreground == 8)
        // 8 colours: bright becomes bold, grey becomes dim white.
        let err8 = t.resolve(Style(.statusError), mode: .ansi8)
        #expect(err8.foreground == 1 && err8.attributes.contains(.bold))
        let dim8 = t.resolve(Style(.dim), mode: .ansi8)
        #expect(dim8.foreground == 7 && dim8.attributes.contains(.dim))
        // No colour: attributes carry the meaning.
        let sel = t.resolve(Style(.tableSelected), mode: .none)
        #expect(sel == ResolvedStyle(foreground: -1, background: -1, attributes: [.reverse, .bold]))
        #expect(t.resolve(Style(.tableHeader), mode: .none).attributes == [.bold, .underline])
        #expect(t.resolve(Style(.statusError), mode: .none).attributes.contains(.bold))
        // A style's own attributes always survive.
        #expect(t.resolve(Style(.prompt, .reverse), mode: .none).attributes.contains(.reverse))
        #expect(t.resolve(Style(.prompt, .reverse), mode: .xterm256).attributes.contains(.reverse))
    }

    @Test func selectionStaysVisibleInEveryModeOfEveryTheme() throws {
        for name in Self.shipped {
            let t = try Theme.load(named: name, searchPaths: [themesDirectory])
            for mode in ColorMode.allCases {
                let sel = t.resolve(Style(.tableSelected), mode: mode)
                let row = t.resolve(Style(.tableRow), mode: mode)
                #expect(sel != row, "\(name) \(mode)")
                if sel.attributes.contains(.reverse) == false {
                    #expect(sel.background != row.background && sel.foreground != sel.background, "\(name) \(mode)")
                }
            }
        }
    }

    @Test func backgroundMergedByDowngradeBecomesReverse() throws {
        let t = try Theme.parse(toml: """
            name = "t"
            [roles]
            "normal" = { fg = "#d0d0d0", bg = "#000000" }
            "table.selected" = { fg = "#d0d0d0", bg = "#101010" }
            """, source: "t")
        // #101010 is distinct in 256 colours but black in 16: reverse video takes over.
        #expect(t.resolve(Style(.tableSelected), mode: .xterm256).background == 233)
        #expect(t.resolve(Style(.tableSelected), mode: .ansi16) == ResolvedStyle(attributes: .reverse))
    }

    @Test func colourMath() {
        #expect(ColorMath.nearestXterm256((0x5F, 0xAF, 0xFF)) == 75)
        #expect(ColorMath.nearestXterm256((0x80, 0x80, 0x80)) == 244)
        #expect(ColorMath.nearestXterm256((0, 0, 0)) == 16)
        #expect(ColorMath.rgb(ofIndex: 75) == (0x5F, 0xAF, 0xFF))
        #expect(ColorMath.rgb(ofIndex: 232) == (8, 8, 8))
        #expect(ColorMath.nearestANSI((255, 0, 0)) == 9)
        #expect(ColorMath.nearestANSI((128, 0, 0)) == 1)
        #expect(ColorMath.nearestANSI((0, 0, 0)) == 0)
        #expect(ColorMath.nearestANSI((255, 255, 255)) == 15)
        #expect(ColorMath.nearestANSI((0x5F, 0xD7, 0x5F)) == 10)
        #expect(ColorMath.nearestANSI((0, 0x5F, 0x87), count: 8) == 6)
        // 256-index colours downgrade through their RGB value.
        #expect(ThemeColor.indexed(196).index(for: .ansi16).index == 9)
        #expect(ThemeColor.indexed(3).index(for: .xterm256).index == 3)
        #expect(ThemeColor.indexed(200).index(for: .none).index == -1)
    }
}
