package main

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// vt is the small terminal emulator the benchmark reads screens from. It
// keeps the characters of a fixed-size screen (no colours: only what is
// written where) and understands what Bubble Tea's renderer and tcell (k9s)
// send: printable text, CR/LF/BS/TAB, cursor moves and positioning, erase in
// line and display, erase characters, scroll margins, save/restore cursor and
// the alternate screen. Like a real terminal it answers the queries programs
// send at start-up (cursor position, device attributes, background colour),
// which lipgloss waits for.
//
// A detector looks at the screen, not at the byte stream: renderers rewrite
// only the cells or lines that changed, so a count going from 9,990 to 10,000
// may never appear as one string on the wire.
type vt struct {
	rows, cols int
	cells      [][]rune // 0 marks the right half of a wide character
	y, x       int
	savedY     int
	savedX     int
	top, bot   int  // scroll margins, inclusive
	wrapNext   bool // the last column was written: the next rune wraps
	pending    []byte
	// reply receives the answers to the program's queries.
	reply func([]byte)
	// unknown counts sequences the emulator ignored, by final byte, for
	// -v diagnostics.
	unknown map[string]int
}

func newVT(rows, cols int, reply func([]byte)) *vt {
	t := &vt{rows: rows, cols: cols, reply: reply, unknown: map[string]int{}}
	t.cells = make([][]rune, rows)
	for i := range t.cells {
		t.cells[i] = blankRow(cols)
	}
	t.bot = rows - 1
	return t
}

func blankRow(cols int) []rune {
	r := make([]rune, cols)
	for i := range r {
		r[i] = ' '
	}
	return r
}

// line returns screen row i as text, trailing blanks removed.
func (t *vt) line(i int) string {
	var b strings.Builder
	for _, r := range t.cells[i] {
		if r != 0 {
			b.WriteRune(r)
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// lines returns the whole screen.
func (t *vt) lines() []string {
	out := make([]string, t.rows)
	for i := range out {
		out[i] = t.line(i)
	}
	return out
}

// write feeds program output to the emulator. Sequences cut between two
// reads are kept until the rest arrives.
func (t *vt) write(p []byte) {
	if len(t.pending) > 0 {
		p = append(t.pending, p...)
		t.pending = nil
	}
	for len(p) > 0 {
		n := t.step(p)
		if n == 0 {
			// An incomplete sequence or rune: wait for more bytes.
			t.pending = append([]byte(nil), p...)
			return
		}
		p = p[n:]
	}
}

// step consumes one element of p (a control, a sequence or a rune) and
// returns its length, or 0 when p holds only the start of one.
func (t *vt) step(p []byte) int {
	switch c := p[0]; {
	case c == 0x1b:
		return t.escape(p)
	case c == '\r':
		t.x, t.wrapNext = 0, false
	case c == '\n', c == 0x0b, c == 0x0c:
		t.lineFeed()
	case c == '\b':
		if t.x > 0 {
			t.x--
		}
		t.wrapNext = false
	case c == '\t':
		t.x = min((t.x/8+1)*8, t.cols-1)
	case c < 0x20 || c == 0x7f:
		// BEL and other controls: nothing on screen.
	default:
		if !utf8.FullRune(p) {
			return 0
		}
		r, size := utf8.DecodeRune(p)
		t.put(r)
		return size
	}
	return 1
}

func (t *vt) put(r rune) {
	w := ansi.StringWidth(string(r))
	if w == 0 {
		return // combining marks do not move the cursor
	}
	if t.wrapNext || t.x+w > t.cols {
		t.x, t.wrapNext = 0, false
		t.lineFeed()
	}
	row := t.cells[t.y]
	row[t.x] = r
	if w == 2 && t.x+1 < t.cols {
		row[t.x+1] = 0
	}
	t.x += w
	if t.x >= t.cols {
		t.x, t.wrapNext = t.cols-1, true
	}
}

func (t *vt) lineFeed() {
	t.wrapNext = false
	if t.y == t.bot {
		t.scrollUp(1)
		return
	}
	if t.y < t.rows-1 {
		t.y++
	}
}

// scrollUp moves the lines of the scroll region up by n.
func (t *vt) scrollUp(n int) {
	for range n {
		copy(t.cells[t.top:t.bot], t.cells[t.top+1:t.bot+1])
		t.cells[t.bot] = blankRow(t.cols)
	}
}

func (t *vt) scrollDown(n int) {
	for range n {
		copy(t.cells[t.top+1:t.bot+1], t.cells[t.top:t.bot])
		t.cells[t.top] = blankRow(t.cols)
	}
}

// escape handles a sequence starting with ESC.
func (t *vt) escape(p []byte) int {
	if len(p) < 2 {
		return 0
	}
	switch p[1] {
	case '[':
		return t.csi(p)
	case ']':
		return t.osc(p)
	case 'P', '_', '^', 'X':
		// DCS, APC, PM, SOS: skip to the string terminator.
		end := bytes.Index(p[2:], []byte{0x1b, '\\'})
		if end < 0 {
			return 0
		}
		return 2 + end + 2
	case '(', ')', '*', '+', '#', '%':
		if len(p) < 3 {
			return 0
		}
		return 3
	case '7':
		t.savedY, t.savedX = t.y, t.x
	case '8':
		t.y, t.x, t.wrapNext = t.savedY, t.savedX, false
	case 'M':
		if t.y == t.top {
			t.scrollDown(1)
		} else if t.y > 0 {
			t.y--
		}
	case 'D':
		t.lineFeed()
	case 'E':
		t.x = 0
		t.lineFeed()
	case 'c':
		*t = *newVT(t.rows, t.cols, t.reply)
	}
	return 2
}

// osc handles an operating system command; only the colour queries get an
// answer (a black background, as a dark terminal would say).
func (t *vt) osc(p []byte) int {
	end, termLen := -1, 0
	for i := 2; i < len(p); i++ {
		if p[i] == 0x07 {
			end, termLen = i, 1
			break
		}
		if p[i] == 0x1b && i+1 < len(p) && p[i+1] == '\\' {
			end, termLen = i, 2
			break
		}
	}
	if end < 0 {
		return 0
	}
	body := string(p[2:end])
	switch body {
	case "10;?":
		t.answer("\x1b]10;rgb:ffff/ffff/ffff\x1b\\")
	case "11;?":
		t.answer("\x1b]11;rgb:0000/0000/0000\x1b\\")
	}
	return end + termLen
}

func (t *vt) answer(s string) {
	if t.reply != nil {
		t.reply([]byte(s))
	}
}

// csi handles a control sequence: ESC [ params intermediates final.
func (t *vt) csi(p []byte) int {
	i := 2
	for i < len(p) && p[i] >= 0x20 && p[i] <= 0x3f {
		i++
	}
	for i < len(p) && p[i] >= 0x20 && p[i] <= 0x2f {
		i++
	}
	if i >= len(p) {
		return 0
	}
	final := p[i]
	raw := string(p[2:i])
	private := raw != "" && (raw[0] == '?' || raw[0] == '>' || raw[0] == '<' || raw[0] == '=')
	args := parseParams(strings.TrimLeft(raw, "?><="))
	arg := func(k, def int) int {
		if k < len(args) && args[k] > 0 {
			return args[k]
		}
		return def
	}
	if private {
		switch {
		case final == 'h' || final == 'l':
			for _, a := range args {
				if a == 1049 || a == 1047 || a == 47 {
					t.eraseDisplay(2)
					t.y, t.x = 0, 0
				}
			}
		default:
			t.unknown["CSI "+raw[:1]+" "+string(final)]++
		}
		return i + 1
	}
	t.wrapNext = false
	switch final {
	case 'A':
		t.y = max(t.y-arg(0, 1), 0)
	case 'B', 'e':
		t.y = min(t.y+arg(0, 1), t.rows-1)
	case 'C', 'a':
		t.x = min(t.x+arg(0, 1), t.cols-1)
	case 'D':
		t.x = max(t.x-arg(0, 1), 0)
	case 'E':
		t.y, t.x = min(t.y+arg(0, 1), t.rows-1), 0
	case 'F':
		t.y, t.x = max(t.y-arg(0, 1), 0), 0
	case 'G', '`':
		t.x = clamp(arg(0, 1)-1, t.cols)
	case 'd':
		t.y = clamp(arg(0, 1)-1, t.rows)
	case 'H', 'f':
		t.y, t.x = clamp(arg(0, 1)-1, t.rows), clamp(arg(1, 1)-1, t.cols)
	case 'J':
		t.eraseDisplay(arg(0, 0))
	case 'K':
		t.eraseLine(arg(0, 0))
	case 'X':
		row := t.cells[t.y]
		for k := t.x; k < min(t.x+arg(0, 1), t.cols); k++ {
			row[k] = ' '
		}
	case 'P':
		row := t.cells[t.y]
		n := min(arg(0, 1), t.cols-t.x)
		copy(row[t.x:], row[t.x+n:])
		for k := t.cols - n; k < t.cols; k++ {
			row[k] = ' '
		}
	case '@':
		row := t.cells[t.y]
		n := min(arg(0, 1), t.cols-t.x)
		copy(row[t.x+n:], row[t.x:t.cols-n])
		for k := t.x; k < t.x+n; k++ {
			row[k] = ' '
		}
	case 'L', 'M':
		if t.y >= t.top && t.y <= t.bot {
			top := t.top
			t.top = t.y
			if final == 'L' {
				t.scrollDown(arg(0, 1))
			} else {
				t.scrollUp(arg(0, 1))
			}
			t.top = top
		}
	case 'S':
		t.scrollUp(arg(0, 1))
	case 'T':
		t.scrollDown(arg(0, 1))
	case 'r':
		t.top, t.bot = clamp(arg(0, 1)-1, t.rows), clamp(arg(1, t.rows)-1, t.rows)
		if t.top >= t.bot {
			t.top, t.bot = 0, t.rows-1
		}
		t.y, t.x = 0, 0
	case 's':
		t.savedY, t.savedX = t.y, t.x
	case 'u':
		t.y, t.x = t.savedY, t.savedX
	case 'n':
		if arg(0, 0) == 6 {
			t.answer("\x1b[" + strconv.Itoa(t.y+1) + ";" + strconv.Itoa(t.x+1) + "R")
		}
	case 'c':
		t.answer("\x1b[?62;22c")
	case 'm', 'h', 'l', 'q', 't':
		// Colours, modes, cursor shape, window ops: nothing on screen.
	default:
		t.unknown["CSI "+string(final)]++
	}
	return i + 1
}

func (t *vt) eraseDisplay(mode int) {
	switch mode {
	case 0:
		t.eraseLine(0)
		for y := t.y + 1; y < t.rows; y++ {
			t.cells[y] = blankRow(t.cols)
		}
	case 1:
		t.eraseLine(1)
		for y := 0; y < t.y; y++ {
			t.cells[y] = blankRow(t.cols)
		}
	default:
		for y := range t.cells {
			t.cells[y] = blankRow(t.cols)
		}
	}
}

func (t *vt) eraseLine(mode int) {
	row := t.cells[t.y]
	from, to := t.x, t.cols
	switch mode {
	case 1:
		from, to = 0, t.x+1
	case 2:
		from = 0
	}
	for k := from; k < min(to, t.cols); k++ {
		row[k] = ' '
	}
}

func parseParams(s string) []int {
	if s == "" {
		return nil
	}
	var out []int
	// Empty parameters keep their place: "ESC[;5H" is row 1, column 5.
	for _, f := range strings.Split(s, ";") {
		n, _ := strconv.Atoi(strings.SplitN(f, ":", 2)[0])
		out = append(out, n)
	}
	return out
}

func clamp(v, n int) int { return max(0, min(v, n-1)) }
