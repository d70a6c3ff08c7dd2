package model

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Init:CrashLoopBackOff", "Init:CrashLoopBackOff"},
		{"tab kept", "a\tb", "a\tb"},
		{"unicode kept", "日本語 ✓ café", "日本語 ✓ café"},
		{"CSI colour removed", "\x1b[31mred\x1b[0m", "red"},
		{"CSI cursor removed", "a\x1b[2J\x1b[1;1Hb", "ab"},
		{"CSI private removed", "\x1b[?1049hx", "x"},
		{"OSC title with BEL", "\x1b]0;pwned\x07ok", "ok"},
		{"OSC clipboard with ST", "\x1b]52;c;ZXZpbA==\x1b\\ok", "ok"},
		{"OSC hyperlink", "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"OSC 8-bit ST", "\x1b]0;t\u009cok", "ok"},
		{"unterminated OSC swallows the rest", "ok\x1b]0;title", "ok"},
		{"DCS", "\x1bP1$qm\x1b\\ok", "ok"},
		{"APC", "\x1b_payload\x1b\\ok", "ok"},
		{"two-byte escape", "\x1bcreset\x1b7", "reset"},
		{"charset escape", "\x1b(Bx", "x"},
		{"lone ESC at end", "x\x1b", "x"},
		{"CSI cut by newline", "\x1b[12\nx", "␊x"},
		{"newline visible", "a\nb\r\n", "a␊b␍␊"},
		{"NUL BEL BS", "\x00\x07\x08", "␀␇␈"},
		{"DEL", "a\x7fb", "a␡b"},
		{"C1 CSI", "a\u009b31mb", "a\uFFFD31mb"},
		{"C1 NEL", "a\u0085b", "a\uFFFDb"},
		{"invalid UTF-8", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"raw 8-bit CSI byte", "a\x9b2Jb", "a\uFFFD2Jb"},
		{"bidi override", "abc\u202egnp.exe", "abcgnp.exe"},
		{"bidi isolates", "\u2066x\u2069\u2067y\u2068", "xy"},
		{"zero width", "a\u200bb\u200dc\ufeffd\u2060e", "abcde"},
		{"LRM RLM ALM", "a\u200eb\u200fc\u061cd", "abcd"},
		{"tag characters", "a\U000E0041\U000E007Fb", "ab"},
		{"line separator", "a\u2028b", "a b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Sanitize(tc.in); got != tc.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSanitizeMultiline(t *testing.T) {
	if got := SanitizeMultiline("a\nb\r\n\x1b[1mc"); got != "a\nb␍\nc" {
		t.Errorf("SanitizeMultiline = %q", got)
	}
}

func TestSanitizeKeepSGR(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "hello", "hello"},
		{"closed colour kept", "\x1b[31mred\x1b[0m", "\x1b[31mred\x1b[0m"},
		{"open colour reset", "\x1b[1;32mgreen", "\x1b[1;32mgreen\x1b[0m"},
		{"bare reset", "\x1b[33my\x1b[m", "\x1b[33my\x1b[m"},
		{"truecolour with colons", "\x1b[38:2::255:0:0mx\x1b[0m", "\x1b[38:2::255:0:0mx\x1b[0m"},
		{"cursor moves removed", "\x1b[2J\x1b[31mx\x1b[0m\x1b[H", "\x1b[31mx\x1b[0m"},
		{"private m removed", "\x1b[?31mx", "x"},
		{"intermediate m removed", "\x1b[31 mx", "x"},
		{"OSC removed", "\x1b]0;t\x07\x1b[32mok\x1b[0m", "\x1b[32mok\x1b[0m"},
		{"overlong SGR removed", "\x1b[" + strings.Repeat("1;", 40) + "mx", "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SanitizeKeepSGR(tc.in); got != tc.want {
				t.Errorf("SanitizeKeepSGR(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSanitizeLength(t *testing.T) {
	long := strings.Repeat("é", MaxTextRunes+10)
	got := Sanitize(long)
	if n := utf8.RuneCountInString(got); n != MaxTextRunes+1 || !strings.HasSuffix(got, "…") {
		t.Errorf("cut to %d runes, suffix %q; want %d runes ending in …", n, got[len(got)-3:], MaxTextRunes+1)
	}
	exact := strings.Repeat("x", MaxTextRunes)
	if Sanitize(exact) != exact {
		t.Error("a string of exactly MaxTextRunes runes was cut")
	}
	// Escape sequences do not count towards the cap.
	coloured := "\x1b[31m" + exact + "\x1b[0m"
	if got := Sanitize(coloured); got != exact {
		t.Errorf("coloured string of MaxTextRunes visible runes cut to %d runes", utf8.RuneCountInString(got))
	}
}

func TestSanitizePlainDoesNotAllocate(t *testing.T) {
	s := "k8s-init-containers-64f984c8d7-tdjrg Init:CrashLoopBackOff"
	if n := testing.AllocsPerRun(100, func() { _ = Sanitize(s) }); n != 0 {
		t.Errorf("Sanitize of a plain string allocates %v times", n)
	}
}

// forbidden reports the first rune of s that must never reach a terminal.
func forbidden(s string, allowSGR bool) (string, bool) {
	for i, r := range s {
		switch {
		case r == 0x1b:
			if allowSGR {
				if m := sgrAt.FindString(s[i:]); m != "" {
					continue
				}
			}
			return "ESC", true
		case r < 0x20 && r != '\t', r == 0x7f:
			return "C0", true
		case r >= 0x80 && r <= 0x9f:
			return "C1", true
		case isInvisible(r):
			return "invisible", true
		}
	}
	return "", false
}

var (
	sgrAt  = regexp.MustCompile(`^\x1b\[[0-9;:]*m`)
	sgrAny = regexp.MustCompile(`\x1b\[[0-9;:]*m`)
)

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		"", "plain", "\x1b[31mred\x1b[0m", "\x1b]0;t\x07", "\x1b]52;c;x\x1b\\", "\x1bP$q\x1b\\", "\u202e\u2066\u200b",
		"\x9b2J", "\u009b2J", "\xff\xfe", "a\nb\r", "\x1b[?25l", "\x1b[38;5;1m", "\x1b", "\x1b[", "\x1b]",
		strings.Repeat("\x1b[1m", 3000), strings.Repeat("ab", 5000),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, fn := range []struct {
			name     string
			f        func(string) string
			allowSGR bool
		}{{"Sanitize", Sanitize, false}, {"SanitizeMultiline", SanitizeMultiline, false}, {"SanitizeKeepSGR", SanitizeKeepSGR, true}} {
			out := fn.f(in)
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q is not valid UTF-8", fn.name, in, out)
			}
			check := out
			if fn.name == "SanitizeMultiline" {
				check = strings.ReplaceAll(out, "\n", "")
			}
			if what, bad := forbidden(check, fn.allowSGR); bad {
				t.Fatalf("%s(%q) = %q contains %s", fn.name, in, out, what)
			}
			if n := utf8.RuneCountInString(sgrAny.ReplaceAllString(out, "")); n > MaxTextRunes+1 {
				t.Fatalf("%s output has %d visible runes", fn.name, n)
			}
			if again := fn.f(out); fn.name == "Sanitize" && again != out {
				t.Fatalf("Sanitize is not idempotent on %q: %q then %q", in, out, again)
			}
		}
	})
}
