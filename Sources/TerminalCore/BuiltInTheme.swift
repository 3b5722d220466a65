// Generated from themes/default.toml (a test checks they stay identical).
extension Theme {
    public static let builtInSource = """
# kafscope default theme (dark terminals). Colours: a [palette] name, an ANSI name
# (black red green yellow blue magenta cyan white, bright-*), "#rrggbb", 0-255 or
# "default" (the terminal's own). "mono" lists the attributes used without colour
# (NO_COLOR, TERM=vt100); without it, a role keeps its attributes and a background
# becomes reverse video.
name = "default"

[palette]
bg = "default"
fg = "#d0d0d0"
muted = "#8a8a8a"
border = "#585858"
accent = "#5fafff"
selection-fg = "#ffffff"
selection-bg = "#005f87"
marked = "#d787ff"
ok = "#5fd75f"
warn = "#ffaf00"
error = "#ff5f5f"
info = "#5fd7ff"
panel = "#262626"
string = "#87d787"
number = "#d7af87"

[roles]
"normal" = { fg = "fg", bg = "bg" }
"dim" = { fg = "muted", mono = "dim" }
"border" = { fg = "border" }
"title" = { fg = "accent", bold = true }
"header.label" = { fg = "muted" }
"header.value" = { fg = "fg", bold = true }
"table.header" = { fg = "accent", bold = true, mono = "bold underline" }
"table.row" = { fg = "fg" }
"table.selected" = { fg = "selection-fg", bg = "selection-bg", bold = true, mono = "reverse bold" }
"table.marked" = { fg = "marked", bold = true, mono = "bold underline" }
"status.ok" = { fg = "ok" }
"status.warn" = { fg = "warn", bold = true }
"status.error" = { fg = "error", bold = true }
"status.info" = { fg = "info" }
"hint.key" = { fg = "accent", bold = true }
"hint.text" = { fg = "muted", mono = "none" }
"prompt" = { fg = "fg" }
"prompt.suggestion" = { fg = "muted", mono = "dim" }
"dialog" = { fg = "fg", bg = "panel", mono = "none" }
"dialog.title" = { fg = "accent", bg = "panel", bold = true, mono = "bold" }
"dialog.button" = { fg = "fg", bg = "panel", mono = "none" }
"dialog.button.selected" = { fg = "selection-fg", bg = "selection-bg", bold = true, mono = "reverse bold" }
"crumb" = { fg = "muted", mono = "none" }
"crumb.active" = { fg = "accent", bold = true }
"sparkline" = { fg = "info" }
"scrollbar" = { fg = "border" }
"json.key" = { fg = "accent" }
"json.string" = { fg = "string" }
"json.number" = { fg = "number" }

"""
}
