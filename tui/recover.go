package tui

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/initwatch/initwatch/tui/paint"
)

// EnvTestPanic is a debug hook for the end-to-end tests that prove a crash
// gives the terminal back: when it is "update", "view" or "cmd", pressing
// "!" panics inside Update, inside the next View, or inside a command.
// Nothing else reads it; unset, the hook costs one string comparison.
const EnvTestPanic = "INITWATCH_TEST_PANIC"

// testPanicKey is the key that fires the hook.
const testPanicKey = "!"

// guard wraps the root model so that a panic in Init, Update, View or a
// command it returned becomes an error: the program quits the normal way
// (raw mode off, alternate screen left, mouse and cursor restored) and Run
// returns the error, which the CLI prints as one line with exit code 1.
// Bubble Tea's own recovery would print a stack trace over the user's shell
// and let the command exit 0.
type guard struct {
	inner tea.Model
	st    *guardState // shared by the copies Update returns
}

type guardState struct {
	err       error
	hook      string
	viewPanic bool
}

// panicMsg carries a panic recovered inside a command back to Update.
type panicMsg struct{ err error }

func newGuard(m tea.Model) guard {
	return guard{inner: m, st: &guardState{hook: os.Getenv(EnvTestPanic)}}
}

// unguard returns the model the program ended with and the crash, if any.
// A panic Bubble Tea caught itself (in a command run by tea.Sequence, which
// the guard cannot reach) is reported too.
func unguard(final tea.Model, runErr error) (tea.Model, error) {
	if g, ok := final.(guard); ok {
		inner := g.inner
		if paced, ok := inner.(paint.Pace); ok {
			inner = paced.Inner()
		}
		if g.st.err != nil {
			return inner, g.st.err
		}
		final = inner
	}
	if errors.Is(runErr, tea.ErrProgramPanic) {
		return final, errors.New("internal error: the terminal UI crashed (trace above); please report it")
	}
	return final, nil
}

func (g guard) Init() (cmd tea.Cmd) {
	defer g.recover(func() { cmd = tea.Quit })
	return wrapCmd(g.inner.Init())
}

func (g guard) Update(msg tea.Msg) (m tea.Model, cmd tea.Cmd) {
	if pm, ok := msg.(panicMsg); ok && g.st.err == nil {
		g.st.err = pm.err
	}
	if g.st.err != nil {
		// A View panic is noticed here, on the next message (the clock
		// ticks every second), since View cannot return a command.
		return g, tea.Quit
	}
	if keys, ok := splitRunes(msg); ok { // keyrunes.go
		var next tea.Model = g
		cmds := make([]tea.Cmd, 0, len(keys))
		for _, k := range keys {
			var c tea.Cmd
			next, c = next.Update(k)
			cmds = append(cmds, c)
		}
		return next, tea.Batch(cmds...)
	}
	defer g.recover(func() { m, cmd = g, tea.Quit })
	if k, ok := msg.(tea.KeyMsg); ok && g.st.hook != "" && k.String() == testPanicKey {
		switch g.st.hook {
		case "update":
			panic("test panic in Update (" + EnvTestPanic + ")")
		case "view":
			g.st.viewPanic = true
		case "cmd":
			return g, wrapCmd(func() tea.Msg { panic("test panic in a command (" + EnvTestPanic + ")") })
		}
	}
	inner, cmd := g.inner.Update(msg)
	g.inner = inner
	return g, wrapCmd(cmd)
}

func (g guard) View() (s string) {
	if g.st.err != nil {
		return ""
	}
	defer g.recover(func() { s = "" })
	if g.st.viewPanic {
		panic("test panic in View (" + EnvTestPanic + ")")
	}
	return g.inner.View()
}

// recover turns a panic into the guard's error and calls then; deferred.
func (g guard) recover(then func()) {
	r := recover()
	if r == nil {
		return
	}
	if g.st.err == nil {
		g.st.err = crashError(r)
	}
	then()
}

// wrapCmd runs cmd with the same recovery, and wraps the commands of a
// tea.Batch, which Bubble Tea runs each on its own goroutine.
func wrapCmd(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = panicMsg{err: crashError(r)}
			}
		}()
		msg = cmd()
		if batch, ok := msg.(tea.BatchMsg); ok {
			wrapped := make(tea.BatchMsg, len(batch))
			for i, c := range batch {
				wrapped[i] = wrapCmd(c)
			}
			return wrapped
		}
		return msg
	}
}

// crashError describes a panic in one line. The stack trace goes to a file
// (printing it would bury the shell prompt), which the message names.
func crashError(r any) error {
	trace := fmt.Sprintf("initwatch panic: %v\n\n%s", r, debug.Stack())
	f, err := os.CreateTemp("", "initwatch-crash-*.txt")
	if err != nil {
		return fmt.Errorf("internal error: %v; please report it", r)
	}
	_, werr := f.WriteString(trace)
	cerr := f.Close()
	if werr != nil || cerr != nil {
		return fmt.Errorf("internal error: %v; please report it", r)
	}
	return fmt.Errorf("internal error: %v (stack trace in %s); please report it", r, f.Name())
}
