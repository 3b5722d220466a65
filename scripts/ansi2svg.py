#!/usr/bin/env python3
"""Turn a `tmux capture-pane -e -p` dump (text with SGR escapes) into an SVG image.

Used by scripts/screenshots so the README's pictures come from the real program.
Usage: ansi2svg.py INPUT.ansi OUTPUT.svg [--cols N] [--rows N] [--title TEXT]
"""
import argparse
import html
import re
import unicodedata

ANSI16 = [
    "#1c1c1c", "#d75f5f", "#87af5f", "#d7af5f", "#5f87d7", "#af87d7", "#5fafaf", "#d0d0d0",
    "#6c6c6c", "#ff8787", "#afd787", "#ffd787", "#87afff", "#d7afff", "#87d7d7", "#ffffff",
]
DEFAULT_FG = "#d0d0d0"
DEFAULT_BG = "#121212"
CELL_W, CELL_H, FONT = 8.4, 17, 14


def xterm256(n):
    if n < 16:
        return ANSI16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (v, v, v)


def width(ch):
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


class Pen:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = self.dim = self.italic = self.underline = self.reverse = False

    def key(self):
        return (self.fg, self.bg, self.bold, self.dim, self.italic, self.underline, self.reverse)

    def apply(self, params):
        codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.dim = True
            elif c == 3:
                self.italic = True
            elif c == 4:
                self.underline = True
            elif c == 7:
                self.reverse = True
            elif c == 22:
                self.bold = self.dim = False
            elif c == 23:
                self.italic = False
            elif c == 24:
                self.underline = False
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = ANSI16[c - 30]
            elif 90 <= c <= 97:
                self.fg = ANSI16[c - 90 + 8]
            elif 40 <= c <= 47:
                self.bg = ANSI16[c - 40]
            elif 100 <= c <= 107:
                self.bg = ANSI16[c - 100 + 8]
            elif c == 39:
                self.fg = None
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    col = xterm256(codes[i + 2])
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    col = "#%02x%02x%02x" % tuple(codes[i + 2:i + 5])
                    i += 4
                else:
                    col = None
                if c == 38:
                    self.fg = col
                else:
                    self.bg = col
            i += 1


def parse(text, cols, rows):
    grid = [[(" ", (None,) * 2 + (False,) * 5) for _ in range(cols)] for _ in range(rows)]
    pen = Pen()
    for y, line in enumerate(text.split("\n")[:rows]):
        x = 0
        pos = 0
        for m in re.finditer(r"\x1b\[([0-9;]*)m|\x1b\[[0-9;?]*[A-Za-z]|(.)", line, re.S):
            if m.group(2) is None:
                if m.group(0).endswith("m"):
                    pen.apply(m.group(1))
                continue
            ch = m.group(2)
            w = width(ch)
            if w == 0:
                if x > 0:
                    prev = grid[y][x - 1]
                    grid[y][x - 1] = (prev[0] + ch, prev[1])
                continue
            if x + w > cols:
                break
            grid[y][x] = (ch, pen.key())
            if w == 2:
                grid[y][x + 1] = ("", pen.key())
            x += w
    return grid


def render(grid, cols, rows, title):
    out = []
    width_px = cols * CELL_W + 20
    height_px = rows * CELL_H + 20
    out.append('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">'
               % (width_px, height_px, width_px, height_px))
    if title:
        out.append("<title>%s</title>" % html.escape(title))
    out.append('<rect width="100%%" height="100%%" fill="%s" rx="6"/>' % DEFAULT_BG)
    out.append('<g font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="%d" '
               'xml:space="preserve">' % FONT)
    for y, row in enumerate(grid):
        x = 0
        while x < cols:
            ch, style = row[x]
            start = x
            chars = []
            while x < cols and row[x][1] == style:
                chars.append(row[x][0])
                x += 1
            fg, bg, bold, dim, italic, underline, reverse = style
            fg = fg or DEFAULT_FG
            bgc = bg
            if reverse:
                fg, bgc = (bg or DEFAULT_BG), fg
            px = 10 + start * CELL_W
            py = 10 + y * CELL_H
            if bgc:
                out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s"/>'
                           % (px, py, (x - start) * CELL_W, CELL_H, bgc))
            # Each cell gets its own x so that glyph widths in the viewer's font cannot drift.
            col = start
            for c in chars:
                if c and c != " ":
                    attrs = ['fill="%s"' % fg]
                    if bold:
                        attrs.append('font-weight="bold"')
                    if dim:
                        attrs.append('opacity="0.6"')
                    if italic:
                        attrs.append('font-style="italic"')
                    if underline:
                        attrs.append('text-decoration="underline"')
                    out.append('<text x="%.1f" y="%.1f" %s>%s</text>'
                               % (10 + col * CELL_W, py + CELL_H - 4, " ".join(attrs), html.escape(c)))
                col += 1
    out.append("</g></svg>")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--rows", type=int, default=36)
    ap.add_argument("--title", default="")
    a = ap.parse_args()
    with open(a.input, encoding="utf-8", errors="replace") as f:
        text = f.read()
    grid = parse(text, a.cols, a.rows)
    with open(a.output, "w", encoding="utf-8") as f:
        f.write(render(grid, a.cols, a.rows, a.title))


if __name__ == "__main__":
    main()
