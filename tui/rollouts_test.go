package tui

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/rollout"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/detail"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
	"github.com/initwatch/initwatch/tui/osc52"
	"github.com/initwatch/initwatch/tui/rollouts"
)

// rolloutPods is testdata/tui/rollout.yaml: shop/checkout's revision 2
// crash-looping in init-check-database on worker-2, and shop/mailer.
func rolloutPods(t testing.TB) []*corev1.Pod {
	t.Helper()
	return tuitest.LoadDocs(t, filepath.Join("..", "testdata", "tui", "rollout.yaml"))
}

// refusedReplicaSets is the batch a source sends when RBAC forbids
// listing ReplicaSets.
func refusedReplicaSets() BatchMsg {
	return BatchMsg{At: tuitest.Now, Batch: kube.Batch{OwnerAccess: &rollout.Access{Refused: []rollout.Refusal{
		{Kind: rollout.KindReplicaSet, Reason: "forbidden"},
	}}}}
}

// bufferClipboard records what would be written to the terminal.
type bufferClipboard struct {
	mu  sync.Mutex
	buf bytes.Buffer
	c   *osc52.Clipboard
}

func newBufferClipboard(tmux bool) *bufferClipboard {
	b := &bufferClipboard{}
	b.c = osc52.New(&lockedWriter{b}, tmux)
	return b
}

type lockedWriter struct{ b *bufferClipboard }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.b.mu.Lock()
	defer w.b.mu.Unlock()
	return w.b.buf.Write(p)
}

func (b *bufferClipboard) Copy(text string) error { return b.c.Copy(text) }

func (b *bufferClipboard) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestRolloutsGolden draws the rollouts view at 80×24 and 160×48 in every
// theme: the signature list, the fallback stated when ReplicaSets are
// refused, and a signature's pods.
func TestRolloutsGolden(t *testing.T) {
	scenarios := []struct {
		name    string
		refused bool
		script  []string
	}{
		{"workload", false, []string{"r"}},
		{"signatures", false, []string{"r", "j"}},
		{"fallback", true, []string{"r", "j"}},
		{"pods", false, []string{"r", "j", "<enter>"}},
	}
	sizes := []struct{ w, h int }{{80, 24}, {160, 48}}
	for _, name := range themes.Names() {
		th, err := themes.Select(name, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, sc := range scenarios {
			for _, sz := range sizes {
				t.Run(fmt.Sprintf("%s/%s-%dx%d", sc.name, name, sz.w, sz.h), func(t *testing.T) {
					tuitest.WithProfile(t, th)
					msgs := []tea.Msg{syncBatch(rolloutPods(t))}
					if sc.refused {
						msgs = append(msgs, refusedReplicaSets())
					}
					msgs = append(msgs, tuitest.Keys(sc.script...)...)
					final := runProgram(t, NewApp(testOptions(th)), sz.w, sz.h, msgs...)
					got := final.View()
					tuitest.AssertFits(t, got, sz.w, sz.h)
					requireGolden(t, fmt.Sprintf("TestRolloutsGolden/%s/%s-%dx%d", sc.name, name, sz.w, sz.h), got)
				})
			}
		}
	}
}

// TestRolloutsNamesTheSignature checks the facts the on-call needs are on
// the screen: the step, the exit code, the 8 pods, the message, the node.
func TestRolloutsNamesTheSignature(t *testing.T) {
	tuitest.WithProfile(t, themes.Mono())
	a := newTestApp(t, themes.Mono(), 160, 48, rolloutPods(t))
	a = press(a, "r", "j")
	screen := ansi.Strip(a.View())
	for _, want := range []string{
		"shop/Deployment/checkout",
		"init-check-database: Error, exit code 1",
		"could not connect to db-primary:5432: connection refused",
		"all 8 on worker-2",
		"image:    ghcr.io/acme/check-db:1.5",
		"shop/Deployment/mailer",
		"init-fetch-files: ErrImagePull",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("rollouts view lacks %q:\n%s", want, screen)
		}
	}
	if !regexp.MustCompile(`exit code 1[^\n]*\s8\s`).MatchString(screen) {
		t.Errorf("signature row does not count 8 pods:\n%s", screen)
	}
}

// TestRolloutsNavigation walks signature → its pods → a pod's detail, and
// back with esc at each level; l opens the example's previous log.
func TestRolloutsNavigation(t *testing.T) {
	tuitest.WithProfile(t, themes.Mono())
	a := newTestApp(t, themes.Mono(), 120, 30, rolloutPods(t))
	a = press(a, "r")
	if a.active != viewRollouts {
		t.Fatalf("r did not open the rollouts view")
	}
	// The first row is the workload; enter moves onto its first signature,
	// a second enter lists its pods.
	a = press(a, "<enter>", "<enter>")
	screen := ansi.Strip(a.View())
	if !strings.Contains(screen, "Pods of init-check-database") || len(regexp.MustCompile(`(?m)^shop/checkout-5d8f9c7b6-\S+\s+worker-2\s*$`).FindAllString(screen, -1)) != 8 {
		t.Fatalf("pods of the signature not listed:\n%s", screen)
	}
	// Enter on a pod asks the root, by message, to open it.
	a, cmd := pressCmd(a, "j", "<enter>")
	a = runCmds(a, cmd)
	if !a.detailOpen() || a.detailKey.Name != "checkout-5d8f9c7b6-b1x1z" {
		t.Fatalf("enter on the second pod: detail open %v on %v", a.detailOpen(), a.detailKey)
	}
	a = press(a, "<esc>")
	if a.active != viewRollouts || !strings.Contains(ansi.Strip(a.View()), "Pods of init-check-database") {
		t.Fatalf("esc from the detail did not come back to the signature's pods:\n%s", ansi.Strip(a.View()))
	}
	a = press(a, "<esc>")
	if a.active != viewRollouts || strings.Contains(ansi.Strip(a.View()), "Pods of") {
		t.Fatalf("esc did not leave the pods for the signatures")
	}
	a, cmd = pressCmd(a, "l")
	a = runCmds(a, cmd)
	if !a.detailOpen() || a.detail.M.ActivePane() != detail.PaneLogs {
		t.Fatalf("l: detail open %v, pane %v", a.detailOpen(), a.detail.M.ActivePane())
	}
	// The example is the pod that failed last: the eighth, at 11:59:45.
	if a.detailKey.Name != "checkout-5d8f9c7b6-h7x7z" {
		t.Errorf("l opened %v, want the example pod", a.detailKey)
	}
	a = press(a, "<esc>", "<esc>")
	if a.active != viewList {
		t.Errorf("esc twice did not come back to the pod list")
	}
}

// TestRolloutsCopy checks the copy key writes an OSC 52 sequence whose
// content is the summary as the view shows it, plain text; inside tmux the
// sequence is also wrapped for tmux's passthrough.
func TestRolloutsCopy(t *testing.T) {
	for _, tmux := range []bool{false, true} {
		t.Run(fmt.Sprintf("tmux=%v", tmux), func(t *testing.T) {
			tuitest.WithProfile(t, themes.Mono())
			clip := newBufferClipboard(tmux)
			opts := testOptions(themes.Mono())
			opts.Clipboard = clip
			a := NewApp(opts)
			a = step(a, tea.WindowSizeMsg{Width: 160, Height: 48})
			a = step(a, syncBatch(rolloutPods(t)))
			a = press(a, "r", "j")
			a, cmd := pressCmd(a, "c")
			a = runCmds(a, cmd)
			out := clip.String()
			re := regexp.MustCompile("\x1b\\]52;c;([A-Za-z0-9+/=]+)\a")
			m := re.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("no OSC 52 sequence in %q", out)
			}
			text, err := base64.StdEncoding.DecodeString(m[1])
			if err != nil {
				t.Fatal(err)
			}
			want := []string{
				"shop/Deployment/checkout",
				"init-check-database: Error, exit code 1 — 8 pods, all on node worker-2",
				"  message:  could not connect to db-primary:5432: connection refused",
				"  image:    ghcr.io/acme/check-db:1.5",
			}
			got := strings.Split(string(text), "\n")
			for i, w := range want {
				if i >= len(got) || got[i] != w {
					t.Fatalf("copied text line %d = %q, want %q; all:\n%s", i+1, at(got, i), w, text)
				}
			}
			if strings.ContainsRune(string(text), '\x1b') {
				t.Errorf("copied text carries escape sequences: %q", text)
			}
			// What was copied is what the view shows under the list.
			screen := ansi.Strip(a.View())
			for _, l := range got[:4] {
				if !strings.Contains(screen, l) {
					t.Errorf("copied line %q is not on screen", l)
				}
			}
			wrapped := strings.Contains(out, "\x1bPtmux;")
			if wrapped != tmux {
				t.Errorf("tmux passthrough present=%v in tmux=%v: %q", wrapped, tmux, out)
			}
			if !strings.Contains(ansi.Strip(a.View()), "copied the signature") {
				t.Errorf("no note of the copy on screen")
			}
		})
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "<none>"
}

// pressCmd is press that keeps the commands the keys returned.
func pressCmd(a App, script ...string) (App, tea.Cmd) {
	var cmds []tea.Cmd
	for _, msg := range tuitest.Keys(script...) {
		m, cmd := a.Update(msg)
		a = m.(App)
		cmds = append(cmds, cmd)
	}
	return a, tea.Batch(cmds...)
}

// runCmds runs cmd and feeds its messages back, as the runtime would,
// leaving out ticks and streams (anything that would block).
func runCmds(a App, cmd tea.Cmd) App {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case rollouts.OpenPodMsg, rollouts.CopiedMsg:
			m, next := a.Update(msg)
			a = m.(App)
			queue = append(queue, next)
		}
	}
	return a
}
