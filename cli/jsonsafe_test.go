package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode"
)

func TestEncodeJSONEscapesInvisibleRunes(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Init:CrashLoopBackOff", `"Init:CrashLoopBackOff"`},
		{"C1 CSI", "a\u009b2Jb", `"a\u009b2Jb"`},
		{"bidi override", "evil\u202etxt.exe", `"evil\u202etxt.exe"`},
		{"zero width and BOM", "a\u200bb\ufeff", `"a\u200bb\ufeff"`},
		{"DEL", "a\x7fb", `"a\u007fb"`},
		{"astral format rune", "x\U000E0001y", `"x\udb40\udc01y"`},
		{"CJK and emoji stay", "日本🙂", `"日本🙂"`},
		{"ESC escaped by json itself", "\x1b[2J", `"\u001b[2J"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := encodeJSON(&buf, tc.in, false); err != nil {
				t.Fatal(err)
			}
			got := strings.TrimSuffix(buf.String(), "\n")
			if got != tc.want {
				t.Fatalf("encoded %q, want %q", got, tc.want)
			}
			for _, r := range got {
				if unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) {
					t.Fatalf("raw rune %U left in %q", r, got)
				}
			}
			var back string
			if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back != tc.in {
				t.Fatalf("round trip: %q, %v; want %q", back, err, tc.in)
			}
		})
	}
}
