package paint

import (
	"bytes"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// counter is an inner model that shows how many messages it took.
type counter struct {
	n     int
	views *int
}

func (c counter) Init() tea.Cmd { return nil }

func (c counter) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	c.n++
	return c, nil
}

func (c counter) View() string {
	*c.views++
	return string(rune('0' + c.n%10))
}

// frameOf runs cmd (and a batch's commands) and reports whether it brought
// a frameMsg. Commands that sleep (a tea.Tick) run too, so intervals in
// these tests are short.
func frameOf(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	switch msg := cmd().(type) {
	case frameMsg:
		return true
	case tea.BatchMsg:
		for _, c := range msg {
			if frameOf(c) {
				return true
			}
		}
	}
	return false
}

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestPaceDrawsOnlyAfterMessages(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}
	views := 0
	var out bytes.Buffer
	painter := New(&out)
	painter.Resize(10, 2)
	var m tea.Model = NewPace(counter{views: &views}, painter, 10*time.Millisecond, clock.now)

	// A message after a quiet spell: the frame comes at once.
	var cmd tea.Cmd
	m, cmd = m.Update("change")
	if !frameOf(cmd) {
		t.Fatal("no frame asked for after a message")
	}
	// More messages before that frame is drawn: no second request, the
	// pending frame will show them.
	for range 3 {
		var more tea.Cmd
		m, more = m.Update("change")
		if more != nil && frameOf(more) {
			t.Fatal("a second frame asked for while one was on its way")
		}
	}
	m, _ = m.Update(frameMsg{})
	if views != 1 || out.String() == "" {
		t.Fatalf("one frame for four messages: %d views, wrote %q", views, out.String())
	}
	if got := painter.shown[0]; got != "4" {
		t.Errorf("the frame shows %q, want the model after all four messages (4)", got)
	}
	// Nothing arrives: Pace asks for nothing, so the program sleeps.
	if m.View() != "" {
		t.Error("Pace's View must be empty: the program runs WithoutRenderer")
	}
	// A message inside the interval after a frame: the frame waits for
	// the interval (a tick), then comes.
	clock.t = clock.t.Add(time.Millisecond)
	_, cmd = m.Update("change")
	start := time.Now()
	if !frameOf(cmd) {
		t.Fatal("no frame asked for after a message inside the interval")
	}
	if waited := time.Since(start); waited < 5*time.Millisecond {
		t.Errorf("a frame 1 ms after the last came after %v, want it to wait out the 10 ms interval", waited)
	}
}

func TestPaceResizeRepaints(t *testing.T) {
	views := 0
	var out bytes.Buffer
	painter := New(&out)
	var m tea.Model = NewPace(counter{views: &views}, painter, time.Millisecond, nil)
	m, _ = m.Update(tea.WindowSizeMsg{Width: 5, Height: 3})
	m, _ = m.Update(frameMsg{})
	if painter.width != 5 || painter.height != 3 {
		t.Errorf("painter size %dx%d, want 5x3", painter.width, painter.height)
	}
	out.Reset()
	m, _ = m.Update(tea.WindowSizeMsg{Width: 6, Height: 3})
	_, _ = m.Update(frameMsg{})
	if !bytes.HasPrefix(out.Bytes(), []byte(clearScreen)) {
		t.Errorf("the frame after a resize wrote %q, want a whole repaint", out.String())
	}
}
