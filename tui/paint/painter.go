// Package paint draws a full-screen Bubble Tea program on the terminal only
// when its model has changed, at most once a frame.
//
// Bubble Tea's own renderer flushes on a ticker, 60 times a second for as
// long as the program runs, whether or not anything changed. On a quiet
// cluster that ticker was most of what the watcher spent: on a 2-core VM,
// watching 10,000 idle pods, initwatch took 1.03-1.70% of a core with
// Bubble Tea's renderer and 0.17-0.20% with this package, and a bare Bubble
// Tea program that draws nothing took 0.83-1.23% (interleaved 30 s samples
// on one apiserver, BENCHMARKS.md). Here the program runs WithoutRenderer;
// Pace wraps its model and asks for a frame when a message arrives, and
// Painter writes the lines that differ from the last frame in one Write. A
// change that comes after a quiet spell is drawn at once instead of at the
// next tick, and the model's View runs once a frame instead of after every
// message.
package paint

import (
	"bytes"
	"io"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Terminal modes the program runs in; Start sets them and Stop undoes them.
const (
	altScreenOn   = "\x1b[?1049h"
	altScreenOff  = "\x1b[?1049l"
	cursorHide    = "\x1b[?25l"
	cursorShow    = "\x1b[?25h"
	pasteOn       = "\x1b[?2004h"
	pasteOff      = "\x1b[?2004l"
	mouseOn       = "\x1b[?1002h\x1b[?1006h" // button-event tracking, SGR coordinates
	mouseOff      = "\x1b[?1002l\x1b[?1003l\x1b[?1006l"
	clearScreen   = "\x1b[H\x1b[2J"
	eraseLineRest = "\x1b[K"
)

// Painter keeps what is on the terminal and writes only what changes. It
// is not safe for concurrent use: Pace calls it from the event loop.
type Painter struct {
	out           io.Writer
	width, height int
	shown         []string // the lines on screen, as last painted
	full          bool     // the next frame clears the screen first
	buf           bytes.Buffer
	err           error // the first failed write; later frames are dropped
}

// New returns a painter that writes to out, normally the terminal's stdout.
func New(out io.Writer) *Painter {
	return &Painter{out: out, full: true}
}

// Start switches the terminal to the alternate screen with the cursor
// hidden, bracketed paste and mouse reporting on.
func (p *Painter) Start() {
	p.write([]byte(altScreenOn + clearScreen + cursorHide + pasteOn + mouseOn))
}

// Stop gives the terminal back as Start found it. It is safe to call more
// than once and after Start failed.
func (p *Painter) Stop() {
	p.err = nil
	p.write([]byte(mouseOff + pasteOff + cursorShow + altScreenOff))
}

// Resize records the terminal's size; the next frame repaints everything,
// since the terminal reflowed or cleared what was there.
func (p *Painter) Resize(width, height int) {
	p.width, p.height = width, height
	p.full = true
}

// Paint brings the screen to view: lines wider than the terminal are cut
// (a wrapped line would shift every line under it), and a view taller than
// the terminal shows its last lines, as Bubble Tea's renderer does.
func (p *Painter) Paint(view string) {
	lines := p.fit(view)
	p.buf.Reset()
	if p.full {
		p.buf.WriteString(clearScreen)
		p.shown = nil
		p.full = false
	}
	for i, line := range lines {
		if i < len(p.shown) && p.shown[i] == line {
			continue
		}
		p.moveTo(i)
		p.buf.WriteString(line)
		// A line as wide as the terminal leaves the cursor on its last
		// cell, and erasing from there would wipe that cell.
		if p.width <= 0 || ansi.StringWidth(line) < p.width {
			p.buf.WriteString(eraseLineRest)
		}
	}
	for i := len(lines); i < len(p.shown); i++ {
		p.moveTo(i)
		p.buf.WriteString(eraseLineRest)
	}
	p.shown = lines // fit made them for this frame alone
	if p.buf.Len() > 0 {
		// One Write per frame: anything else writing to the same terminal
		// (the clipboard's OSC 52) lands between frames, never inside one.
		p.write(p.buf.Bytes())
	}
}

// fit splits view into the lines that fit the terminal.
func (p *Painter) fit(view string) []string {
	lines := strings.Split(view, "\n")
	if p.height > 0 && len(lines) > p.height {
		lines = lines[len(lines)-p.height:]
	}
	if p.width > 0 {
		for i, l := range lines {
			lines[i] = ansi.Truncate(l, p.width, "")
		}
	}
	return lines
}

func (p *Painter) moveTo(row int) {
	p.buf.WriteString("\x1b[")
	p.buf.WriteString(strconv.Itoa(row + 1))
	p.buf.WriteString(";1H")
}

func (p *Painter) write(b []byte) {
	if p.err != nil {
		return
	}
	// A terminal that went away (the window closed) ends the program
	// through its input and signals; its frames have nowhere to go.
	_, p.err = p.out.Write(b)
}
