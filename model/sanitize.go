package model

import (
	"strings"
	"unicode/utf8"
)

// MaxTextRunes caps any single string initwatch prints: a 1 MiB termination
// message or log line must not stall the renderer.
const MaxTextRunes = 4096

const (
	esc         = 0x1b
	ellipsis    = '…'
	replacement = '\uFFFD'
	sgrReset    = "\x1b[0m"
	// maxSGRParams bounds the parameters of a kept colour sequence; real
	// ones are short, anything longer is noise or an attack.
	maxSGRParams = 64
)

// Sanitize makes s safe to print on a terminal, on one line.
//
// Text from the cluster (reasons, messages, annotations, log lines) is written
// by whoever can update a pod or run a container, so it may carry escape
// sequences that move the cursor, rewrite the title, set the clipboard or hide
// text. Sanitize removes every escape sequence (CSI, OSC, DCS, SOS, PM, APC and
// plain ESC sequences) whole, shows other C0 controls as their Unicode
// "control picture" (␛ ␊ ␍ …, tab excepted) and C1 controls and invalid UTF-8
// as U+FFFD, drops invisible characters that can disguise text (bidi
// embeddings, overrides and isolates, zero-width characters, tag characters),
// and cuts the result at MaxTextRunes runes with a trailing "…".
// A printable string comes back unchanged, without allocating.
func Sanitize(s string) string { return sanitize(s, false, false) }

// SanitizeMultiline is Sanitize for text shown in a pane that wraps lines
// (termination messages, condition messages): it keeps newlines. A carriage
// return still becomes visible, since alone it lets a line overwrite itself.
func SanitizeMultiline(s string) string { return sanitize(s, false, true) }

// SanitizeKeepSGR is Sanitize for log lines when the user asked for colours:
// it keeps SGR sequences (ESC [ digits ; : m), which only change colours and
// attributes, and neutralises everything else. If any colour is left set at
// the end, it appends a reset so it cannot bleed into the next line.
func SanitizeKeepSGR(s string) string { return sanitize(s, true, false) }

func sanitize(s string, keepSGR, keepNewline bool) string {
	if isPlain(s, keepNewline) {
		return s
	}
	var b strings.Builder
	b.Grow(min(len(s), 4*MaxTextRunes))
	runes := 0
	colourOpen := false
	for i := 0; i < len(s); {
		c := s[i]
		if c == esc {
			end, sgr, params := escapeEnd(s, i)
			if keepSGR && sgr {
				b.WriteString(s[i:end])
				colourOpen = params != "" && strings.Trim(params, "0") != ""
			}
			i = end
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		out, ok := displayRune(r, size, keepNewline)
		if !ok {
			continue
		}
		if runes == MaxTextRunes {
			b.WriteRune(ellipsis)
			break
		}
		b.WriteRune(out)
		runes++
	}
	if colourOpen {
		b.WriteString(sgrReset)
	}
	return b.String()
}

// isPlain reports whether s needs no work: printable ASCII (and tab, and
// newline when allowed), no longer than the cap.
func isPlain(s string, keepNewline bool) bool {
	if len(s) > MaxTextRunes {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 || c > 0x7e) && c != '\t' && (c != '\n' || !keepNewline) {
			return false
		}
	}
	return true
}

// displayRune maps one decoded rune to what is printed; ok is false when the
// rune is dropped.
func displayRune(r rune, size int, keepNewline bool) (rune, bool) {
	switch {
	case r == utf8.RuneError && size <= 1:
		return replacement, true
	case r == '\t', r == '\n' && keepNewline:
		return r, true
	case r < 0x20:
		return 0x2400 + r, true // ␀ … ␟
	case r == 0x7f:
		return '\u2421', true // ␡
	case r >= 0x80 && r <= 0x9f:
		return replacement, true
	case r == '\u2028' || r == '\u2029':
		// Line and paragraph separators: some terminals break the line.
		return ' ', true
	case isInvisible(r):
		return 0, false
	}
	return r, true
}

// isInvisible lists format characters that change how surrounding text is
// ordered or displayed without being seen themselves.
func isInvisible(r rune) bool {
	switch {
	case r == '\u061c', // Arabic letter mark
		r >= '\u200b' && r <= '\u200f', // zero-width space/joiners, LRM, RLM
		r >= '\u202a' && r <= '\u202e', // bidi embeddings and overrides
		r >= '\u2060' && r <= '\u2064', // word joiner, invisible operators
		r >= '\u2066' && r <= '\u2069', // bidi isolates
		r == '\ufeff',                  // zero-width no-break space (BOM)
		r >= '\ufff9' && r <= '\ufffb', // interlinear annotations
		r >= 0xe0000 && r <= 0xe007f:   // tag characters
		return true
	}
	return false
}

// escapeEnd returns the index just past the escape sequence that starts at
// s[i] (an ESC), and, for a well-formed SGR sequence, sgr=true and its
// parameter bytes. A sequence cut short by an unexpected byte ends before that
// byte, which is then handled as ordinary text.
func escapeEnd(s string, i int) (end int, sgr bool, params string) {
	j := i + 1
	if j >= len(s) {
		return j, false, ""
	}
	switch intro := s[j]; {
	case intro == '[':
		return csiEnd(s, j+1)
	case intro == ']' || intro == 'P' || intro == 'X' || intro == '^' || intro == '_':
		return stringEnd(s, j+1), false, ""
	case intro >= 0x20 && intro <= 0x2f:
		// nF: intermediates, then one final byte.
		k := j
		for k < len(s) && s[k] >= 0x20 && s[k] <= 0x2f {
			k++
		}
		if k < len(s) && s[k] >= 0x30 && s[k] <= 0x7e {
			k++
		}
		return k, false, ""
	case intro >= 0x30 && intro <= 0x7e:
		return j + 1, false, ""
	default:
		return j, false, ""
	}
}

// csiEnd scans a control sequence body starting at k (just past "ESC[").
func csiEnd(s string, k int) (int, bool, string) {
	start := k
	for k < len(s) && s[k] >= 0x30 && s[k] <= 0x3f {
		k++
	}
	paramsEnd := k
	for k < len(s) && s[k] >= 0x20 && s[k] <= 0x2f {
		k++
	}
	if k >= len(s) || s[k] < 0x40 || s[k] > 0x7e {
		return k, false, ""
	}
	params := s[start:paramsEnd]
	sgr := s[k] == 'm' && paramsEnd == k && len(params) <= maxSGRParams && isSGRParams(params)
	return k + 1, sgr, params
}

func isSGRParams(p string) bool {
	for i := 0; i < len(p); i++ {
		if (p[i] < '0' || p[i] > '9') && p[i] != ';' && p[i] != ':' {
			return false
		}
	}
	return true
}

// stringEnd finds the end of an OSC/DCS/SOS/PM/APC string: BEL, ESC \ or the
// 8-bit ST (U+009C). An unterminated string runs to the end of s, as a
// terminal would swallow it.
func stringEnd(s string, k int) int {
	for k < len(s) {
		switch {
		case s[k] == 0x07:
			return k + 1
		case s[k] == esc && k+1 < len(s) && s[k+1] == '\\':
			return k + 2
		case s[k] == 0xc2 && k+1 < len(s) && s[k+1] == 0x9c:
			return k + 2
		}
		k++
	}
	return len(s)
}
