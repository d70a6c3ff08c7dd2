// Package tuitest holds what the tests of the terminal UI's packages share:
// the fixed clock, the fixture cluster (testdata/tui/cluster.yaml and the
// model's seed pods), synthetic rollouts of any size, key scripts, the
// colour profile goldens are drawn in, and the check that a screen fits
// its window. It is internal: tests only.
package tuitest

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/initwatch/initwatch/themes"
)

// Now is the fixed clock every fixture is written against.
var Now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Clock returns Now.
func Clock() time.Time { return Now }

// SeedFixtures are the model's pod fixtures (testdata/pods) the list tests
// show next to testdata/tui/cluster.yaml: one per interesting STATUS.
var SeedFixtures = []string{
	"seed-04-init-crashloopbackoff", "init-exitcode", "init-errimagepull", "sidecar-crashloop",
	"sidecar-starting", "crashloop", "pending-no-statuses", "notready", "terminating",
}

// Testdata is the path of the repository's testdata folder joined with
// elem, wherever the test runs from.
func Testdata(elem ...string) string {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	return filepath.Join(append([]string{root, "testdata"}, elem...)...)
}

// LoadDocs decodes every YAML document of a file into a pod.
func LoadDocs(t testing.TB, path string) []*corev1.Pod {
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

// LoadSeedPod is the model's fixture testdata/pods/<name>.yaml.
func LoadSeedPod(t testing.TB, name string) *corev1.Pod {
	t.Helper()
	pods := LoadDocs(t, Testdata("pods", name+".yaml"))
	if len(pods) != 1 {
		t.Fatalf("fixture %s: %d documents, want 1", name, len(pods))
	}
	return pods[0]
}

// ClusterPods is the test cluster: testdata/tui/cluster.yaml plus the seed
// fixtures.
func ClusterPods(t testing.TB) []*corev1.Pod {
	t.Helper()
	pods := LoadDocs(t, Testdata("tui", "cluster.yaml"))
	for _, name := range SeedFixtures {
		pods = append(pods, LoadSeedPod(t, name))
	}
	return pods
}

// Keys turns a key script into messages: single characters are runes,
// names in angle brackets are special keys ("<enter>", "<esc>", "<down>").
func Keys(script ...string) []tea.Msg {
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

// WithProfile renders with a fixed colour profile: 256 colours for colour
// themes, attributes only for mono (what Run sets up under NO_COLOR).
func WithProfile(t testing.TB, th themes.Theme) {
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

// FindPod returns the pod of that name among pods, or fails the test.
func FindPod(t testing.TB, pods []*corev1.Pod, name string) *corev1.Pod {
	t.Helper()
	for _, p := range pods {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no pod %s in the fixtures", name)
	return nil
}
