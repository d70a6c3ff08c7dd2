package demo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/initwatch/initwatch/demo"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/tui"
)

func TestDebugView(t *testing.T) {
	c := demo.New(demo.Options{Seed: 1, Start: time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := make(chan kube.Batch, 64)
	go c.Source(kube.Options{}).Run(ctx, out)
	var m tea.Model = tui.NewApp(tui.Options{Logs: c.Logs(), Now: c.Now, Context: "demo", Cluster: "demo"})
	m, _ = m.Update(tea.WindowSizeMsg{Width: 150, Height: 45})
	drain := func() {
		for {
			select {
			case b := <-out:
				m, _ = m.Update(tui.BatchMsg{Batch: b, At: c.Now()})
			case <-time.After(300 * time.Millisecond):
				return
			}
		}
	}
	drain()
	for range 22 {
		c.Step(time.Second)
		drain()
	}
	fmt.Println(ansi.Strip(m.View()))
	for _, k := range []string{"/", "k", "8", "s", "enter", "enter"} {
		var msg tea.KeyMsg
		if k == "enter" {
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		} else {
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		m, _ = m.Update(msg)
	}
	fmt.Println(ansi.Strip(m.View()))
}
