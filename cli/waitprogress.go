package cli

import (
	"fmt"
	"io"

	"github.com/charmbracelet/x/ansi"
)

// waitProgress writes the change lines of `initwatch wait`: plain lines on
// stdout for CI logs; on a terminal also a one-line live summary kept at the
// bottom (the only place escape sequences are ever written). With -o json
// the lines go to stderr, so stdout holds the one JSON document; --quiet
// drops them.
type waitProgress struct {
	w        io.Writer // nil: quiet
	errw     io.Writer
	terminal bool
	width    func() int
	shown    bool // a summary is on screen
}

func (r *waitRun) progressWriter() *waitProgress {
	p := &waitProgress{w: r.env.Stdout, errw: r.env.Stderr, terminal: r.terminal, width: r.termWidth}
	if r.o.output == "json" {
		p.w, p.terminal = r.env.Stderr, false
	}
	if r.o.quiet {
		p.w, p.terminal = nil, false
	}
	return p
}

func (p *waitProgress) stderr() io.Writer {
	p.clear()
	return p.errw
}

func (p *waitProgress) lines(lines []string) {
	if p.w == nil || len(lines) == 0 {
		return
	}
	p.clear()
	for _, l := range lines {
		fmt.Fprintln(p.w, l)
	}
}

// summary replaces the live line (terminal only).
func (p *waitProgress) summary(s string) {
	if !p.terminal {
		return
	}
	w := 80
	if p.width != nil {
		w = p.width()
	}
	fmt.Fprintf(p.w, "\r\x1b[2K%s", ansi.Truncate(s, max(w-1, 10), "…"))
	p.shown = true
}

// clear erases the live line before anything else is printed.
func (p *waitProgress) clear() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[2K")
		p.shown = false
	}
}
