// Swift cannot import curses' function-like macros or its mutable globals
// under strict concurrency; these inline accessors expose what we need.
#ifndef KAFSCOPE_CNCURSESW_SHIM_H
#define KAFSCOPE_CNCURSESW_SHIM_H
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <wchar.h>
#include <langinfo.h>
#include <stdio.h>
#if __has_include(<ncursesw/curses.h>)
#include <ncursesw/curses.h>
#else
#include <curses.h>
#endif

static inline WINDOW *kc_stdscr(void) { return stdscr; }
static inline int kc_colors(void) { return COLORS; }
static inline int kc_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t kc_color_pair(int n) { return COLOR_PAIR(n); }
static inline attr_t kc_a_bold(void) { return A_BOLD; }
static inline attr_t kc_a_dim(void) { return A_DIM; }
static inline attr_t kc_a_reverse(void) { return A_REVERSE; }
static inline attr_t kc_a_underline(void) { return A_UNDERLINE; }
static inline attr_t kc_a_italic(void) { return A_ITALIC; }
static inline attr_t kc_a_normal(void) { return A_NORMAL; }
static inline int kc_ccharw_max(void) { return CCHARW_MAX; }

#endif
