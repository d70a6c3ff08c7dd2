package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode"
	"unicode/utf8"
)

// encodeJSON writes v as JSON with every control or format character
// escaped as \uXXXX. encoding/json escapes only C0 controls, so a pod's
// event message could otherwise carry C1 controls (U+009B is a CSI), bidi
// overrides or zero-width characters raw to a terminal that `-o json` is
// piped to. The output is still valid JSON with the same values: these runes
// only ever occur inside strings.
func encodeJSON(w io.Writer, v any, indent bool) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	_, err := w.Write(escapeInvisible(buf.Bytes()))
	return err
}

// escapeInvisible rewrites control (Cc, beyond what JSON already escaped)
// and format (Cf) runes as JSON \u escapes, as UTF-16 surrogate pairs where
// needed.
func escapeInvisible(b []byte) []byte {
	var out []byte // allocated only when something needs escaping
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == '\n' || !(unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r)) {
			if out != nil {
				out = append(out, b[i:i+size]...)
			}
			i += size
			continue
		}
		if out == nil {
			out = append(make([]byte, 0, len(b)+16), b[:i]...)
		}
		if r > 0xFFFF {
			r -= 0x10000
			out = fmt.Appendf(out, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		} else {
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		i += size
	}
	if out == nil {
		return b
	}
	return out
}
