package tui

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/themes"
)

// testNow is the fixed clock every fixture is written against.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return testNow }

// seedFixtures are the model's pod fixtures (testdata/pods) the list tests
// show next to testdata/tui/cluster.yaml: one per interesting STATUS.
var seedFixtures = []string{
	"seed-04-init-crashloopbackoff", "init-exitcode", "init-errimagepull", "sidecar-crashloop",
	"sidecar-starting", "crashloop", "pending-no-statuses", "notready", "terminating",
}

// loadDocs decodes every YAML document of a file into a pod.
func loadDocs(t testing.TB, path string) []*corev1.Pod {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	var pods []*corev1.Pod
	for i, doc := range bytes.Split(data, []byte("\n---\n")) {
		var pod corev1.Pod
		if err := yaml.UnmarshalStrict(doc, &pod); err != nil {
			t.Fatalf("decode %s document %d: %v", path, i, err)
		}
		pods = append(pods, &pod)
	}
	return pods
}

func loadSeedPod(t testing.TB, name string) *corev1.Pod {
	t.Helper()
	pods := loadDocs(t, filepath.Join("..", "testdata", "pods", name+".yaml"))
	if len(pods) != 1 {
		t.Fatalf("fixture %s: %d documents, want 1", name, len(pods))
	}
	return pods[0]
}

// clusterPods is the test cluster: testdata/tui/cluster.yaml plus the seed
// fixtures.
func clusterPods(t testing.TB) []*corev1.Pod {
	t.Helper()
	pods := loadDocs(t, filepath.Join("..", "testdata", "tui", "cluster.yaml"))
	for _, name := range seedFixtures {
		pods = append(pods, loadSeedPod(t, name))
	}
	return pods
}

var live = kube.ConnState{Phase: kube.ConnLive, Since: testNow.Add(-time.Minute)}

// syncBatch is the first batch a source sends: every pod, synced, live.
func syncBatch(pods []*corev1.Pod) BatchMsg {
	c := live
	return BatchMsg{Batch: kube.Batch{Upserted: pods, Synced: true, Conn: &c}, At: testNow}
}

func testOptions(th themes.Theme) Options {
	return Options{
		Theme: th, Now: fixedClock,
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

// keys turns a key script into messages: single characters are runes,
// names in angle brackets are special keys ("<enter>", "<esc>", "<down>").
func keys(script ...string) []tea.Msg {
	special := map[string]tea.KeyType{
		"<enter>": tea.KeyEnter, "<esc>": tea.KeyEsc, "<up>": tea.KeyUp, "<down>": tea.KeyDown,
		"<pgup>": tea.KeyPgUp, "<pgdown>": tea.KeyPgDown, "<backspace>": tea.KeyBackspace,
		"<tab>": tea.KeyTab, "<home>": tea.KeyHome, "<end>": tea.KeyEnd,
	}
	var out []tea.Msg
	for _, s := range script {
		if k, ok := special[s]; ok {
			out = append(out, tea.KeyMsg{Type: k})
			continue
		}
		for _, r := range s {
			out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		}
	}
	return out
}

func press(a App, script ...string) App {
	for _, m := range keys(script...) {
		a = step(a, m)
	}
	return a
}

// withProfile renders with a fixed colour profile: 256 colours for colour
// themes, attributes only for mono (what Run sets up under NO_COLOR).
func withProfile(t testing.TB, th themes.Theme) {
	t.Helper()
	prev := lipgloss.ColorProfile()
	p := termenv.ANSI256
	if th.Name == "mono" {
		p = termenv.ANSI
	}
	lipgloss.SetColorProfile(p)
	lipgloss.SetHasDarkBackground(true)
	t.Cleanup(func() { lipgloss.SetColorProfile(prev) })
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
