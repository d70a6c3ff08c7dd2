package paint

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// DefaultInterval is the shortest time between two frames: Bubble Tea's
// own 60 frames a second.
const DefaultInterval = time.Second / 60

// frameMsg asks Pace to paint.
type frameMsg struct{}

// Pace wraps a program's model: every message but its own may change what
// the model shows, so after one it asks for a frame, at once if the last
// frame is older than the interval, else when the interval is up. Many
// messages in one interval make one frame, and a program that receives
// nothing draws nothing. View returns nothing: the program must run
// WithoutRenderer, and Pace paints through its Painter.
type Pace struct {
	inner tea.Model
	st    *paceState // shared by the copies Update returns
}

type paceState struct {
	painter   *Painter
	interval  time.Duration
	now       func() time.Time
	lastFrame time.Time
	waiting   bool // a frameMsg is on its way
}

// NewPace wraps inner, painting with p at most once per interval (zero
// means DefaultInterval). now is the clock (nil means time.Now).
func NewPace(inner tea.Model, p *Painter, interval time.Duration, now func() time.Time) Pace {
	if interval <= 0 {
		interval = DefaultInterval
	}
	if now == nil {
		now = time.Now
	}
	return Pace{inner: inner, st: &paceState{painter: p, interval: interval, now: now}}
}

// Inner is the wrapped model.
func (m Pace) Inner() tea.Model { return m.inner }

// Init starts the inner model and asks for its first frame.
func (m Pace) Init() tea.Cmd {
	return tea.Batch(m.inner.Init(), m.frameSoon())
}

// Update forwards everything but its own frames to the inner model.
func (m Pace) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(frameMsg); ok {
		m.st.waiting = false
		m.st.lastFrame = m.st.now()
		m.st.painter.Paint(m.inner.View())
		return m, nil
	}
	if size, ok := msg.(tea.WindowSizeMsg); ok {
		m.st.painter.Resize(size.Width, size.Height)
	}
	inner, cmd := m.inner.Update(msg)
	m.inner = inner
	return m, tea.Batch(cmd, m.frameSoon())
}

// View is empty: frames go out through the Painter.
func (m Pace) View() string { return "" }

// frameSoon returns the command that brings the next frame, or nil when one
// is already on its way (it will show this change too).
func (m Pace) frameSoon() tea.Cmd {
	st := m.st
	if st.waiting {
		return nil
	}
	st.waiting = true
	wait := st.interval - st.now().Sub(st.lastFrame)
	if wait <= 0 {
		return func() tea.Msg { return frameMsg{} }
	}
	return tea.Tick(wait, func(time.Time) tea.Msg { return frameMsg{} })
}
