//go:build windows

package paint

import (
	"context"
	"errors"
	"os"

	tea "github.com/charmbracelet/bubbletea"
)

// Screen is not available on Windows, whose console needs modes Bubble
// Tea's own renderer sets up: there the program runs with that renderer.
type Screen struct{}

// OpenScreen reports errors.ErrUnsupported.
func OpenScreen(*os.File) (*Screen, error) { return nil, errors.ErrUnsupported }

// Input is never reached on Windows.
func (s *Screen) Input() *os.File { return nil }

// Painter is never reached on Windows.
func (s *Screen) Painter() *Painter { return nil }

// WatchSize is never reached on Windows.
func (s *Screen) WatchSize(context.Context, func(tea.Msg)) {}

// Close is never reached on Windows.
func (s *Screen) Close() error { return nil }
