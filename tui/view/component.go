// Package view is the contract between the root model of the terminal UI
// and its views (pod list, pod detail, rollouts), and the cell-exact text
// helpers they share. The root model routes messages to the view on screen
// and asks it for its help; a view never knows which other views exist.
package view

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Component is what the root model needs of a view: it takes messages,
// draws itself in the cells it was given, and names its keys for the
// footer and the `?` help.
type Component interface {
	help.KeyMap
	// Update folds a message into the view and returns its command.
	Update(msg tea.Msg) tea.Cmd
	// View draws at most the height and width set by SetSize.
	View() string
	// SetSize gives the view its cells: the screen less the header and
	// the footer.
	SetSize(width, height int)
}

// Capturer is a Component that sometimes takes every key for itself (a
// text field being edited): the root model then keeps its global keys (q,
// esc, ?) out of the way.
type Capturer interface {
	Capturing() bool
}

// Model is a Bubble Tea model written the Elm way: its methods return the
// new model rather than change the old one.
type Model[M any] interface {
	help.KeyMap
	Update(msg tea.Msg) (M, tea.Cmd)
	View() string
	SetSize(width, height int) M
}

// Box holds an Elm-style model as a Component, so views keep value
// semantics (and their tests) while the root model routes through one
// interface. M is the model itself; Box is shared by pointer.
type Box[M Model[M]] struct {
	M M
}

// Update implements Component.
func (b *Box[M]) Update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	b.M, cmd = b.M.Update(msg)
	return cmd
}

// View implements Component.
func (b *Box[M]) View() string { return b.M.View() }

// SetSize implements Component.
func (b *Box[M]) SetSize(width, height int) { b.M = b.M.SetSize(width, height) }

// ShortHelp implements help.KeyMap.
func (b *Box[M]) ShortHelp() []key.Binding { return b.M.ShortHelp() }

// FullHelp implements help.KeyMap.
func (b *Box[M]) FullHelp() [][]key.Binding { return b.M.FullHelp() }

// Capturing reports whether the boxed model takes every key.
func (b *Box[M]) Capturing() bool {
	c, ok := any(b.M).(Capturer)
	return ok && c.Capturing()
}

// Footer is a Component that sometimes draws the footer line itself (a
// text field being edited, with its keys); ok false leaves the footer to
// the root model, which draws the view's short help.
type Footer interface {
	Footer() (line string, ok bool)
}
