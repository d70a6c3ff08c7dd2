//go:build !windows

package paint

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	tea "github.com/charmbracelet/bubbletea"
	"golang.org/x/term"
)

// Screen is the terminal a paced program owns while it runs: its input in
// raw mode, its output on the alternate screen. Bubble Tea does neither
// for a program WithoutRenderer.
type Screen struct {
	in, out *os.File
	ownIn   bool // in is /dev/tty, opened here
	saved   *term.State
	painter *Painter
}

// OpenScreen takes over the terminal out is on. Keys come from stdin, or
// from /dev/tty when stdin is not a terminal (`… | initwatch`), as Bubble
// Tea does. It fails when out is not a terminal.
func OpenScreen(out *os.File) (*Screen, error) {
	if !term.IsTerminal(int(out.Fd())) {
		return nil, errors.New("standard output is not a terminal")
	}
	s := &Screen{in: os.Stdin, out: out}
	if !term.IsTerminal(int(os.Stdin.Fd())) {
		tty, err := os.Open("/dev/tty")
		if err != nil {
			return nil, fmt.Errorf("open the terminal for keys: %w", err)
		}
		s.in, s.ownIn = tty, true
	}
	saved, err := term.MakeRaw(int(s.in.Fd()))
	if err != nil {
		s.closeInput()
		return nil, fmt.Errorf("put the terminal in raw mode: %w", err)
	}
	s.saved = saved
	s.painter = New(out)
	s.painter.Start()
	return s, nil
}

// Input is where the program reads keys (tea.WithInput).
func (s *Screen) Input() *os.File { return s.in }

// Painter draws the frames.
func (s *Screen) Painter() *Painter { return s.painter }

// WatchSize sends the terminal's size, then every new size, until ctx is
// done; it blocks, so its caller owns the goroutine it runs on.
func (s *Screen) WatchSize(ctx context.Context, send func(tea.Msg)) {
	resized := make(chan os.Signal, 1)
	// Subscribed before the first reading, so a resize in between is seen.
	signal.Notify(resized, syscall.SIGWINCH)
	defer signal.Stop(resized)
	for {
		if w, h, err := term.GetSize(int(s.out.Fd())); err == nil {
			send(tea.WindowSizeMsg{Width: w, Height: h})
		}
		select {
		case <-ctx.Done():
			return
		case <-resized:
		}
	}
}

// Close gives the terminal back: main screen, cursor shown, mouse and paste
// reporting off, the line discipline as it was.
func (s *Screen) Close() error {
	s.painter.Stop()
	err := term.Restore(int(s.in.Fd()), s.saved)
	s.closeInput()
	if err != nil {
		return fmt.Errorf("restore the terminal: %w", err)
	}
	return nil
}

func (s *Screen) closeInput() {
	if s.ownIn {
		_ = s.in.Close()
	}
}
