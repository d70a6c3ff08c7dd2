package tuitest

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// AssertFits fails when the screen has more lines than h or a line wider
// than w: what would scroll or wrap a real terminal.
func AssertFits(t testing.TB, screen string, w, h int) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	if len(lines) > h {
		t.Errorf("%d lines on a %d-line screen", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("line %d is %d cells wide on a %d-cell screen: %q", i+1, lw, w, ansi.Strip(l))
		}
	}
}
