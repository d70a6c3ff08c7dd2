package tui

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// syncBatch is the first batch a source sends: every pod, synced, live.
func syncBatch(pods []*corev1.Pod) BatchMsg {
	return BatchMsg{Batch: kube.Batch{Upserted: pods, Synced: true, Conn: tuitest.Live()}, At: tuitest.Now}
}

func testOptions(th themes.Theme) Options {
	return Options{
		Theme: th, Now: tuitest.Clock,
		Context: "kind-rollout", Cluster: "kind-rollout", Scope: "",
	}
}

// newTestApp is an App sized w×h holding pods, driven without a program.
func newTestApp(t testing.TB, th themes.Theme, w, h int, pods []*corev1.Pod) App {
	t.Helper()
	a := NewApp(testOptions(th))
	a = step(a, tea.WindowSizeMsg{Width: w, Height: h})
	if pods != nil {
		a = step(a, syncBatch(pods))
	}
	return a
}

// step applies one message, dropping the command (tests that need commands
// run a program with teatest).
func step(a App, msg tea.Msg) App {
	m, _ := a.Update(msg)
	return m.(App)
}

func press(a App, script ...string) App {
	for _, m := range tuitest.Keys(script...) {
		a = step(a, m)
	}
	return a
}

// programBound keeps a wedged program from hanging the tests; it is a guard
// for a loaded machine (go test -race on two shared cores), not a check of
// speed.
const programBound = time.Minute

// runProgram runs the app in a real Bubble Tea program (teatest), sends
// msgs in order, quits, and returns the final model.
func runProgram(t *testing.T, a App, w, h int, msgs ...tea.Msg) App {
	t.Helper()
	tm := teatest.NewTestModel(t, a, teatest.WithInitialTermSize(w, h))
	for _, m := range msgs {
		tm.Send(m)
	}
	tm.Send(tea.QuitMsg{})
	return tm.FinalModel(t, teatest.WithFinalTimeout(programBound)).(App)
}

// requireGolden compares got with testdata/golden/<name>.golden at the
// repository root; `go test ./tui -update` rewrites the files.
func requireGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "testdata", "golden", name+".golden")
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if string(want) != got {
		t.Errorf("screen differs from %s (run with -update to accept)\n--- want\n%s\n--- got\n%s\n--- diff\n%s",
			path, visible(string(want)), visible(got), lineDiff(string(want), got))
	}
}

// visible shows escape sequences as text, so a diff of styles is readable.
func visible(s string) string { return strings.ReplaceAll(s, "\x1b", `\e`) }

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n- %s\n+ %s\n", i+1, visible(wl), visible(gl))
		}
	}
	return b.String()
}

// selected is the pod under the list's cursor, "namespace/name".
func selected(a App) string {
	if k, ok := a.list.Selected(); ok {
		return k.Namespace + "/" + k.Name
	}
	return ""
}
