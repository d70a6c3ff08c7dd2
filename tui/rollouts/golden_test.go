package rollouts

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/rollout"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// This package does not link teatest, whose golden package registers
// -update elsewhere; tuitest.Golden reads it.
var _ = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// loadSummary reads testdata/summary.json, written against tuitest.Now: shop/Deployment/checkout rolling
// out revision 3 (6 pods, 4 crash-looping in init-migrate, all on
// worker-2; an istio-proxy sidecar; init-warm-cache with a long tail)
// while revision 2 drains; shop/StatefulSet/db between its current and
// update revisions; kube-system/DaemonSet/node-agent done.
func loadSummary(t testing.TB) rollout.Summary {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s rollout.Summary
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("testdata/summary.json: %v", err)
	}
	return s
}

// newView is the view on sum at w×h, after the keys were pressed.
func newView(t testing.TB, th *themes.Theme, sum rollout.Summary, w, h int, keys ...string) *Model {
	t.Helper()
	km := keymap.Default()
	m := New(th, &km, nil)
	m.SetSize(w, h)
	m.SetSummary(sum, true, tuitest.Now)
	for _, msg := range tuitest.Keys(keys...) {
		m.Update(msg)
	}
	return m
}

// viewScenarios are the screens the goldens keep: the Deployment with its
// revisions (side by side from 120 columns, stacked below) and its
// funnel, its one-node signature, the StatefulSet's current and update
// revisions, and a signature's pods.
var viewScenarios = []struct {
	name string
	keys []string
}{
	{"deployment", nil},
	{"signature", []string{"j"}},
	{"statefulset", []string{"j", "j"}},
	{"daemonset-done", []string{"G"}},
	{"pods", []string{"j", "<enter>"}},
}

// TestViewGolden compares the rollouts view at 80×24 and 160×48 in every
// theme with testdata/golden; go test ./tui/rollouts -update rewrites them.
func TestViewGolden(t *testing.T) {
	sum := loadSummary(t)
	for _, name := range themes.Names() {
		th, err := themes.Select(name, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, sc := range viewScenarios {
			for _, sz := range [][2]int{{80, 24}, {160, 48}} {
				file := fmt.Sprintf("%s-%s-%dx%d", sc.name, name, sz[0], sz[1])
				t.Run(file, func(t *testing.T) {
					tuitest.WithProfile(t, th)
					got := newView(t, &th, sum, sz[0], sz[1], sc.keys...).View()
					checkFrame(t, got, sz[0], sz[1])
					tuitest.Golden(t, filepath.Join("testdata", "golden", file+".golden"), got)
				})
			}
		}
	}
}

// TestViewShowsTheRollout reads the screens for what the on-call needs,
// so a regression names what went missing: the revisions side by side at
// 160 columns and labelled new/old when stacked at 80, the bottleneck and
// the slowest step named in words (mono: no colour to rely on), the
// sidecar marked, the durations' distribution drawn.
func TestViewShowsTheRollout(t *testing.T) {
	th := themes.Mono()
	tuitest.WithProfile(t, th)
	sum := loadSummary(t)
	cases := []struct {
		name string
		w, h int
		keys []string
		want []string
	}{
		{"side by side", 160, 48, nil, []string{
			`NEW  revision 3 · checkout-7c9d8e6f5\s+│ OLD  revision 2 · checkout-5d8f9c7b6`,
			`6 pods, 2 initialized, 2 ready, 4 failing\s+│   4 pods, 3 ready, 1 terminating`,
			`ready +\[#+\.+\]  25%  2 of 8 desired\s+│   serving +\[#+\.+\]  38%  3 of 8 desired`,
			`3 init-migrate +2 4 \(4 CrashLoopBackOff\) +0 +0 +17 +3s +5s +6s ▂▅█▃▁  ▁ ◀ bottleneck\n`,
			`4 init-warm-cache +2 0 +0 +4 +0 +8s 95s 95s █      █ ◀ slowest\n`,
			`2 istio-proxy \(sidecar\) +6 `,
			`◀ bottleneck \(most pods held\): 3 init-migrate, 4 pods · ◀ slowest \(p95\): 4 init-warm-cache, 95s`,
		}},
		{"stacked", 80, 24, nil, []string{
			`(?m)^new  rev 3 checkout-7c9d8e6f5: 6 pods, 2 ready, 4 failing +\[###\.{7}\]  25%$`,
			`(?m)^old  rev 2 checkout-5d8f9c7b6: 4 pods, 3 ready, 1 terminating  \[####\.{6}\]  38%$`,
			`3 init-migrate +2 +4 +0 +0 +3s +5s +6s ▂▅█▃▁  ▁ ◀\n`,
			`(?m)^   ◀ bottleneck \(most pods held\): 3 init-migrate, 4 pods$`,
			`(?m)^   ◀ slowest \(p95\): 4 init-warm-cache, 95s$`,
		}},
		{"statefulset side by side", 160, 48, []string{"j", "j"}, []string{
			`UPDATE  db-6f7d8c9b4\s+│ CURRENT  db-5c4b3a291`,
		}},
		{"statefulset stacked", 80, 24, []string{"j", "j"}, []string{
			`(?m)^update   db-6f7d8c9b4: 1 pod, 1 ready +\[###\.+\]  33%$`,
			`(?m)^current  db-5c4b3a291: 2 pods, 2 ready, 0 terminating`,
		}},
		{"drained", 160, 48, []string{"G"}, []string{`no old revision left: nothing to drain`}},
		{"one node", 80, 24, []string{"j"}, []string{`init-migrate: Error, exit code 3 — 4 pods, all on node worker-2`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			screen := ansi.Strip(newView(t, &th, sum, c.w, c.h, c.keys...).View())
			for _, want := range c.want {
				if !regexp.MustCompile(want).MatchString(screen) {
					t.Errorf("screen lacks %s:\n%s", want, screen)
				}
			}
		})
	}
}

// TestViewSizes draws every scenario at sizes from 1×1 up, tiny terminals
// included: no panic, at most h lines, none wider than w.
func TestViewSizes(t *testing.T) {
	th := themes.Dark()
	tuitest.WithProfile(t, th)
	sum := loadSummary(t)
	for _, sc := range viewScenarios {
		for _, sz := range [][2]int{{1, 1}, {2, 3}, {10, 2}, {20, 5}, {30, 8}, {40, 10}, {59, 14}, {60, 14}, {79, 20}, {119, 30}, {120, 30}, {200, 60}} {
			m := newView(t, &th, sum, sz[0], sz[1], sc.keys...)
			checkFrame(t, m.View(), sz[0], sz[1])
		}
	}
	// No size at all draws nothing.
	if v := newView(t, &th, sum, 0, 0).View(); v != "" {
		t.Errorf("0×0 view = %q", v)
	}
}

// TestViewHostile puts escape sequences, carriage returns and bells in
// every string the cluster controls: none reaches the terminal.
func TestViewHostile(t *testing.T) {
	th := themes.Dark()
	tuitest.WithProfile(t, th)
	evil := "\x1b]52;c;cHduZWQ=\a\x1b[2J\r\x1b[31mred"
	sum := loadSummary(t)
	w := &sum.Workloads[0]
	w.Ref.Name += evil
	w.Status += evil
	w.Revisions[0].Name += evil
	w.Revisions[1].Name += evil
	for i := range w.Steps {
		w.Steps[i].Name += evil
		for j := range w.Steps[i].Reasons {
			w.Steps[i].Reasons[j].Reason += evil
		}
	}
	sig := &w.Signatures[0]
	sig.Workload = w.Ref
	sig.Step += evil
	sig.Message += evil
	sig.Image += evil
	sig.Nodes[0].Node += evil
	for i := range sig.Pods {
		sig.Pods[i].Name += evil
		sig.Pods[i].Node += evil
	}
	sum.Fallback = []string{"cannot read ReplicaSets" + evil}
	for _, sc := range viewScenarios {
		for _, sz := range [][2]int{{80, 24}, {160, 48}} {
			v := newView(t, &th, sum, sz[0], sz[1], sc.keys...).View()
			checkFrame(t, v, sz[0], sz[1])
		}
	}
}

// sgr matches the colour and attribute sequences View may write.
var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// checkFrame asserts View's promises: at most h lines, none wider than w,
// and nothing but SGR sequences, whatever the cluster sent.
func checkFrame(t *testing.T, view string, w, h int) {
	t.Helper()
	tuitest.AssertFits(t, view, w, h)
	for i, l := range strings.Split(view, "\n") {
		if rest := sgr.ReplaceAllString(l, ""); strings.ContainsAny(rest, "\x1b\a\r\x9b") {
			t.Errorf("%dx%d: line %d carries a control character: %q", w, h, i+1, rest)
		}
	}
}
