package detail

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// detailNow is the fixed clock the fixtures under testdata/pods and
// testdata/detail are written against.
var detailNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	detailScenarioDir = "../../testdata/detail"
	detailPodDir      = "../../testdata/pods"
	detailGoldenDir   = "../../testdata/golden/detail"
)

// detailScenario is what the detail view is given for one pod: the pod (a
// fixture of testdata/pods by name, or inline), the informer's events and
// the recorded STATUS history.
type detailScenario struct {
	Pod     string             `json:"pod,omitempty"`
	Inline  *corev1.Pod        `json:"inline,omitempty"`
	Events  []corev1.Event     `json:"events,omitempty"`
	History []model.Transition `json:"history,omitempty"`
}

func loadDetailScenario(t testing.TB, name string) (*corev1.Pod, []*corev1.Event, []model.Transition) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(detailScenarioDir, name+".yaml"))
	if err != nil {
		t.Fatalf("read scenario: %v", err)
	}
	var sc detailScenario
	if err := yaml.UnmarshalStrict(data, &sc); err != nil {
		t.Fatalf("decode scenario %s: %v", name, err)
	}
	pod := sc.Inline
	if sc.Pod != "" {
		data, err := os.ReadFile(filepath.Join(detailPodDir, sc.Pod+".yaml"))
		if err != nil {
			t.Fatalf("read pod fixture: %v", err)
		}
		pod = &corev1.Pod{}
		if err := yaml.UnmarshalStrict(data, pod); err != nil {
			t.Fatalf("decode pod fixture %s: %v", sc.Pod, err)
		}
	}
	if pod == nil {
		t.Fatalf("scenario %s names no pod", name)
	}
	events := make([]*corev1.Event, len(sc.Events))
	for i := range sc.Events {
		events[i] = &sc.Events[i]
	}
	return pod, events, sc.History
}

// detailScenarios lists every scenario file, so a new one cannot go
// untested by the size sweep.
func detailScenarios(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir(detailScenarioDir)
	if err != nil {
		t.Fatalf("list scenarios: %v", err)
	}
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		t.Fatal("no scenario in " + detailScenarioDir)
	}
	return names
}

func detailClockFixed() time.Time { return detailNow }

func newTestDetail(t testing.TB, scenario string, th themes.Theme, w, h int) Model {
	t.Helper()
	pod, events, history := loadDetailScenario(t, scenario)
	d := New(th, keymap.Default(), detailClockFixed)
	d = d.SetSize(w, h)
	return d.SetPod(pod, events, history)
}

// detailProfile forces lipgloss's colour profile for the test (Ascii: no
// escape sequences at all, so goldens do not depend on the terminal).
func detailProfile(t testing.TB, p termenv.Profile) {
	t.Helper()
	prev := lipgloss.ColorProfile()
	lipgloss.SetColorProfile(p)
	t.Cleanup(func() { lipgloss.SetColorProfile(prev) })
}

// detailGolden compares got with testdata/golden/detail/name.golden; -update
// (teatest's flag, linked into this test binary) rewrites it.
func detailGolden(t *testing.T, name, got string) {
	t.Helper()
	tuitest.Golden(t, filepath.Join(detailGoldenDir, name+".golden"), got)
}

// detailCheckFrame asserts the promises of View: exactly h lines, none
// wider than w, and no escape sequence but SGR colours (none at all in
// Ascii), whatever the cluster sent.
func detailCheckFrame(t *testing.T, label, view string, w, h int, ascii bool) {
	t.Helper()
	if w <= 0 || h <= 0 {
		if view != "" {
			t.Errorf("%s: %dx%d view is not empty: %q", label, w, h, view)
		}
		return
	}
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("%s: %d lines, want %d", label, len(lines), h)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("%s: line %d is %d cells wide, window is %d: %q", label, i+1, lw, w, l)
		}
		if err := detailOnlySGR(l, ascii); err != nil {
			t.Errorf("%s: line %d: %v: %q", label, i+1, err, l)
		}
	}
}

// detailOnlySGR fails on any control character or escape sequence other
// than SGR (ESC [ params m), and on any escape at all when ascii.
func detailOnlySGR(l string, ascii bool) error {
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case c == 0x1b:
			if ascii {
				return fmt.Errorf("escape at byte %d in an Ascii frame", i)
			}
			j := i + 1
			if j >= len(l) || l[j] != '[' {
				return fmt.Errorf("non-CSI escape at byte %d", i)
			}
			j++
			for j < len(l) && (l[j] >= '0' && l[j] <= '9' || l[j] == ';' || l[j] == ':') {
				j++
			}
			if j >= len(l) || l[j] != 'm' {
				return fmt.Errorf("non-SGR escape at byte %d", i)
			}
			i = j
		case c < 0x20 || c == 0x7f:
			return fmt.Errorf("control byte %#x at %d", c, i)
		}
	}
	return nil
}

// detailPlain is a pane's content without styling, one string.
func detailPlain(d Model, p Pane) string {
	return ansi.Strip(strings.Join(d.content[p], "\n"))
}
