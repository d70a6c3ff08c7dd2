package paint

import (
	"bytes"
	"strings"
	"testing"
)

// at is the cursor move to a 1-based row, as the painter writes it.
func at(row string) string { return "\x1b[" + row + ";1H" }

func TestPainterWritesOnlyWhatChanged(t *testing.T) {
	tests := []struct {
		name          string
		width, height int
		frames        []string
		want          []string // what each frame writes
	}{
		{
			name:  "the first frame clears and draws every line",
			width: 10, height: 4,
			frames: []string{"ab\ncd"},
			want:   []string{clearScreen + at("1") + "ab" + eraseLineRest + at("2") + "cd" + eraseLineRest},
		},
		{
			name:  "an unchanged line is not written again",
			width: 10, height: 4,
			frames: []string{"ab\ncd\nef", "ab\nCD\nef"},
			want: []string{
				clearScreen + at("1") + "ab" + eraseLineRest + at("2") + "cd" + eraseLineRest + at("3") + "ef" + eraseLineRest,
				at("2") + "CD" + eraseLineRest,
			},
		},
		{
			name:  "the same frame writes nothing",
			width: 10, height: 4,
			frames: []string{"ab", "ab"},
			want:   []string{clearScreen + at("1") + "ab" + eraseLineRest, ""},
		},
		{
			name:  "a full-width line is not followed by an erase, which would wipe its last cell",
			width: 4, height: 2,
			frames: []string{"abcd\nab"},
			want:   []string{clearScreen + at("1") + "abcd" + at("2") + "ab" + eraseLineRest},
		},
		{
			name:  "lines a frame no longer has are erased",
			width: 10, height: 4,
			frames: []string{"a\nb\nc", "a"},
			want: []string{
				clearScreen + at("1") + "a" + eraseLineRest + at("2") + "b" + eraseLineRest + at("3") + "c" + eraseLineRest,
				at("2") + eraseLineRest + at("3") + eraseLineRest,
			},
		},
		{
			name:  "a wide line is cut at the terminal's width, styles kept",
			width: 3, height: 2,
			frames: []string{"\x1b[1mabcdef\x1b[m"},
			want:   []string{clearScreen + at("1") + "\x1b[1mabc\x1b[m"},
		},
		{
			name:  "a tall view shows its last lines",
			width: 10, height: 2,
			frames: []string{"1\n2\n3"},
			want:   []string{clearScreen + at("1") + "2" + eraseLineRest + at("2") + "3" + eraseLineRest},
		},
		{
			name:  "a hostile line cannot move the cursor past the width",
			width: 4, height: 1,
			frames: []string{"日本語です"},
			want:   []string{clearScreen + at("1") + "日本"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			p := New(&out)
			p.Resize(tc.width, tc.height)
			for i, frame := range tc.frames {
				out.Reset()
				p.Paint(frame)
				if got := out.String(); got != tc.want[i] {
					t.Errorf("frame %d wrote %q, want %q", i, got, tc.want[i])
				}
			}
		})
	}
}

func TestPainterRepaintsAfterResize(t *testing.T) {
	var out bytes.Buffer
	p := New(&out)
	p.Resize(10, 3)
	p.Paint("ab\ncd")
	p.Resize(12, 3)
	out.Reset()
	p.Paint("ab\ncd")
	want := clearScreen + at("1") + "ab" + eraseLineRest + at("2") + "cd" + eraseLineRest
	if got := out.String(); got != want {
		t.Errorf("after a resize the same frame wrote %q, want the whole screen %q", got, want)
	}
}

func TestPainterFrameIsOneWrite(t *testing.T) {
	var w countingWriter
	p := New(&w)
	p.Resize(20, 5)
	p.Paint("a\nb\nc\nd")
	p.Paint("A\nb\nC\nd")
	if w.writes != 2 {
		t.Errorf("two frames took %d writes, want one each (a clipboard OSC must not land inside a frame)", w.writes)
	}
}

func TestPainterStartAndStopAreSymmetric(t *testing.T) {
	var out bytes.Buffer
	p := New(&out)
	p.Start()
	start := out.String()
	out.Reset()
	p.Stop()
	stop := out.String()
	for _, pair := range [][2]string{
		{altScreenOn, altScreenOff}, {cursorHide, cursorShow}, {pasteOn, pasteOff},
		{"\x1b[?1002h", "\x1b[?1002l"}, {"\x1b[?1006h", "\x1b[?1006l"},
	} {
		if !strings.Contains(start, pair[0]) || !strings.Contains(stop, pair[1]) {
			t.Errorf("start %q / stop %q: want %q undone by %q", start, stop, pair[0], pair[1])
		}
	}
	if !strings.HasSuffix(stop, altScreenOff) {
		t.Errorf("stop %q must leave the alternate screen last, after the modes it set there", stop)
	}
}

type countingWriter struct{ writes int }

func (w *countingWriter) Write(b []byte) (int, error) { w.writes++; return len(b), nil }
