// Package osc52 copies text to the clipboard of the terminal the user sits
// at, through the terminal itself (the OSC 52 control sequence), so a copy
// works over SSH and from inside tmux, where no local clipboard tool can
// reach the user's desktop.
package osc52

import (
	"fmt"
	"io"
	"sync"

	"github.com/charmbracelet/x/ansi"
)

// Clipboard writes OSC 52 sequences to a terminal.
type Clipboard struct {
	mu  sync.Mutex
	out io.Writer
	// tmux also wraps the sequence for tmux's passthrough: tmux hands an
	// application's OSC 52 to the outer terminal only when set-clipboard
	// is on; with allow-passthrough on, the wrapped copy gets through
	// instead. Sending both covers either setting.
	tmux bool
}

// New returns a clipboard writing to out (the terminal); inTmux is whether
// the program runs inside tmux (TMUX is set).
func New(out io.Writer, inTmux bool) *Clipboard {
	return &Clipboard{out: out, tmux: inTmux}
}

// Sequence is what Copy writes for text.
func (c *Clipboard) Sequence(text string) string {
	seq := ansi.SetSystemClipboard(text)
	if c.tmux {
		seq += ansi.TmuxPassthrough(seq)
	}
	return seq
}

// Copy puts text on the terminal's clipboard. The terminal may ignore the
// request (some do unless configured); there is no answer to wait for.
func (c *Clipboard) Copy(text string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := io.WriteString(c.out, c.Sequence(text)); err != nil {
		return fmt.Errorf("write OSC 52 to the terminal: %w", err)
	}
	return nil
}
