package tui

import (
	"errors"
	"os"
	"regexp"
	"slices"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// keyLog is a model that records the keys it gets and panics on demand.
type keyLog struct {
	keys      *[]string
	panicOn   string
	viewPanic bool
	cmd       tea.Cmd
}

func (m keyLog) Init() tea.Cmd { return nil }

func (m keyLog) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		if k.String() == m.panicOn {
			panic("boom in Update")
		}
		*m.keys = append(*m.keys, k.String())
	}
	return m, m.cmd
}

func (m keyLog) View() string {
	if m.viewPanic {
		panic("boom in View")
	}
	return "ok"
}

func runes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

var crashLine = regexp.MustCompile(`^internal error: boom in \w+ \(stack trace in .*initwatch-crash-.*\.txt\); please report it$`)

func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

func TestGuardTurnsPanicsIntoErrors(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	tests := []struct {
		name string
		run  func(g guard) // drives the guard into the panic
	}{
		{"update", func(g guard) {
			_, cmd := g.Update(runes("x"))
			if !isQuit(cmd) {
				t.Error("a panic in Update did not quit")
			}
		}},
		{"view", func(g guard) {
			g.inner = keyLog{keys: new([]string), viewPanic: true}
			if v := g.View(); v != "" {
				t.Errorf("View after a panic = %q", v)
			}
			if _, cmd := g.Update(tickMsg{}); !isQuit(cmd) {
				t.Error("the next Update after a View panic did not quit")
			}
		}},
		{"command", func(g guard) {
			g.inner = keyLog{keys: new([]string), cmd: func() tea.Msg { panic("boom in command") }}
			_, cmd := g.Update(runes("a"))
			msg := cmd()
			if _, ok := msg.(panicMsg); !ok {
				t.Fatalf("a panicking command returned %T", msg)
			}
			if _, cmd := g.Update(msg); !isQuit(cmd) {
				t.Error("the panic message did not quit")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := newGuard(keyLog{keys: new([]string), panicOn: "x"})
			tc.run(g)
			_, err := unguard(g, nil)
			if err == nil || !crashLine.MatchString(err.Error()) {
				t.Fatalf("error %v, want one line naming the crash and the trace file", err)
			}
			path := regexp.MustCompile(`in (\S+\.txt)\)`).FindStringSubmatch(err.Error())[1]
			trace, rerr := os.ReadFile(path)
			if rerr != nil || !regexp.MustCompile(`(?s)^initwatch panic: boom.*goroutine`).Match(trace) {
				t.Errorf("trace file %s: %v %q", path, rerr, trace)
			}
		})
	}
}

func TestGuardPassesThroughWhenHealthy(t *testing.T) {
	keys := new([]string)
	g := newGuard(keyLog{keys: keys})
	m, _ := g.Update(runes("j"))
	if v := m.View(); v != "ok" {
		t.Errorf("View = %q", v)
	}
	final, err := unguard(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := final.(keyLog); !ok {
		t.Errorf("unguard returned %T, want the wrapped model", final)
	}
	if _, err := unguard(m, errors.Join(tea.ErrProgramKilled, tea.ErrProgramPanic)); err == nil {
		t.Error("a panic Bubble Tea caught itself is not reported")
	}
}

func TestGuardSplitsKeysTypedTogether(t *testing.T) {
	tests := []struct {
		msg  tea.KeyMsg
		want []string
	}{
		{runes("jj"), []string{"j", "j"}},
		{runes("/te"), []string{"/", "t", "e"}},
		{runes("é"), []string{"é"}},
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("ab"), Alt: true}, []string{"alt+a", "alt+b"}},
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("pasted"), Paste: true}, []string{"[pasted]"}},
		{tea.KeyMsg{Type: tea.KeyEnter}, []string{"enter"}},
	}
	for _, tc := range tests {
		keys := new([]string)
		g := newGuard(keyLog{keys: keys})
		m, cmd := g.Update(tc.msg)
		if cmd != nil {
			_ = cmd()
		}
		if _, err := unguard(m, nil); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(*keys, tc.want) {
			t.Errorf("%q reached the model as %q, want %q", tc.msg.String(), *keys, tc.want)
		}
	}
}
