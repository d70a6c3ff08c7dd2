package main

import (
	"strings"
	"testing"
)

// The emulator is what every figure of the benchmark is read from: these
// cases hold it to what a terminal does with the sequences Bubble Tea's
// renderer and tcell send.
func TestVT(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string // written one after another
		want   []string // the screen's first lines
	}{
		{"text and CRLF", []string{"ab\r\ncd"}, []string{"ab", "cd"}},
		{"LF keeps the column (raw mode)", []string{"ab\ncd"}, []string{"ab", "  cd"}},
		{"absolute position", []string{"\x1b[2;3Hxy"}, []string{"", "  xy"}},
		{"empty parameter defaults", []string{"\x1b[;3Hz"}, []string{"  z"}},
		{"home then overwrite", []string{"hello\x1b[Hj"}, []string{"jello"}},
		{"erase line right", []string{"hello\x1b[1;3H\x1b[K"}, []string{"he"}},
		{"erase whole line", []string{"hello\x1b[2K"}, []string{""}},
		{"erase below", []string{"a\r\nb\r\nc\x1b[2;1H\x1b[J"}, []string{"a", "", ""}},
		{"erase characters", []string{"hello\x1b[1;2H\x1b[3X"}, []string{"h   o"}},
		{"cursor up and down", []string{"a\r\nb\x1b[1Ac\x1b[Bd"}, []string{"ac", "b d"}},
		{"column absolute", []string{"abcdef\x1b[3Gx"}, []string{"abxdef"}},
		{"colours are not text", []string{"\x1b[1;38;2;255;0;0mred\x1b[0m!"}, []string{"red!"}},
		{"alternate screen clears", []string{"old\x1b[?1049hnew"}, []string{"new"}},
		{"sequence split across writes", []string{"ab\x1b[", "1;1Hx"}, []string{"xb"}},
		{"rune split across writes", []string{"\xe2\x80", "\xa6"}, []string{"…"}},
		{"wide characters take two cells", []string{"日本x"}, []string{"日本x"}},
		{"OSC title ignored", []string{"\x1b]2;title\x07ok"}, []string{"ok"}},
		{"wrap at the last column", []string{"0123456789ab"}, []string{"0123456789", "ab"}},
		{"scroll at the bottom", []string{"1\r\n2\r\n3\r\n4\r\n5"}, []string{"2", "3", "4", "5"}},
		{"scroll region", []string{"a\r\nb\r\nc\r\nd\x1b[2;3r\x1b[3;1H\nz"}, []string{"a", "c", "z", "d"}},
		{"delete and insert characters", []string{"abcdef\x1b[1;2H\x1b[2P\x1b[1;1H\x1b[1@"}, []string{" adef"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVT(4, 10, nil)
			for _, c := range tt.chunks {
				v.write([]byte(c))
			}
			got := v.lines()[:len(tt.want)]
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("screen = %q, want %q", got, tt.want)
			}
		})
	}
}

// Programs wait for answers to their queries (lipgloss asks for the
// background colour and the cursor position); a terminal that never
// answers makes them wait seconds.
func TestVTAnswersQueries(t *testing.T) {
	tests := []struct {
		query, want string
	}{
		{"\x1b]11;?\x1b\\", "\x1b]11;rgb:0000/0000/0000\x1b\\"},
		{"\x1b]11;?\x07", "\x1b]11;rgb:0000/0000/0000\x1b\\"},
		{"\x1b]10;?\x07", "\x1b]10;rgb:ffff/ffff/ffff\x1b\\"},
		{"\x1b[2;5H\x1b[6n", "\x1b[2;5R"},
		{"\x1b[c", "\x1b[?62;22c"},
	}
	for _, tt := range tests {
		var got strings.Builder
		v := newVT(4, 10, func(b []byte) { got.Write(b) })
		v.write([]byte(tt.query))
		if got.String() != tt.want {
			t.Errorf("answer to %q = %q, want %q", tt.query, got.String(), tt.want)
		}
	}
}

func TestScreenConditions(t *testing.T) {
	screen := []string{
		"initwatch  ctx admin  ns all namespaces                    ● live",
		"12 initializing  3 failing  5 ready  10000 total       /7 (2580) · sort triage ↑",
		"NAMESPACE  NAME           READY  STATUS    RESTARTS  AGE",
		"bench-01   seed-app-002   0/1    Init:1/4  1017      5m",
		"┌──────────── pods(all)[10,000] ────────────┐",
	}
	tests := []struct {
		name string
		pred func([]string) bool
		want bool
	}{
		{"all pods", initwatchShowsAll(10000), true},
		{"not a suffix of the count", initwatchShowsAll(1000), false},
		{"k9s title", k9sShowsAll(10000), true},
		{"k9s other count", k9sShowsAll(1000), false},
		{"filtered", filteredTo("7", 2580), true},
		{"filtered, other count", filteredTo("7", 258), false},
		{"row value", rowShows("seed-app-002", "1017"), true},
		{"row value is a whole cell", rowShows("seed-app-002", "101"), false},
		{"row of another pod", rowShows("seed-app-003", "1017"), false},
		{"probe's own count", rowShowsAtLeast("seed-app-002", 1017), true},
		{"a later count", rowShowsAtLeast("seed-app-002", 1001), true},
		{"an older count", rowShowsAtLeast("seed-app-002", 1033), false},
		{"at least, another pod", rowShowsAtLeast("seed-app-003", 1001), false},
		{"still filtered", unfiltered("7", 10000), false},
	}
	for _, tt := range tests {
		if got := tt.pred(screen); got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	s := summarize([]float64{5, 1, 4, 2, 3})
	if s.median != 3 || s.min != 1 || s.max != 5 || s.p99 != 5 || s.p50 != 3 {
		t.Errorf("summarize = %+v", s)
	}
	if m := summarize([]float64{4, 1, 3, 2}).median; m != 2.5 {
		t.Errorf("median of four = %v, want 2.5", m)
	}
	if got := thousands(10000); got != "10,000" {
		t.Errorf("thousands(10000) = %q", got)
	}
	if got := thousands(999); got != "999" {
		t.Errorf("thousands(999) = %q", got)
	}
}
