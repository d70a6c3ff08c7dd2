package tui

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/detail"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// TestDrillInAndBack runs the program: enter opens the selected pod, a
// status change made meanwhile shows in the detail view, esc comes back to
// the list with the cursor where it was.
func TestDrillInAndBack(t *testing.T) {
	tuitest.WithProfile(t, themes.Dark())
	pods := tuitest.ClusterPods(t)
	a := NewApp(testOptions(themes.Dark()))
	tm := teatest.NewTestModel(t, a, teatest.WithInitialTermSize(120, 30))
	tm.Send(syncBatch(pods))
	// The triage order puts api-…-m3n4b (Init:Error) 7th.
	for _, m := range tuitest.Keys("jjjjjj", "<enter>") {
		tm.Send(m)
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return strings.Contains(ansi.Strip(string(b)), "payments/api-7c9d8f6b5-m3n4b")
	}, teatest.WithDuration(programBound))

	// The pod moves on while we look at it: migrate-db succeeds, and
	// wait-for-kafka runs.
	next := tuitest.FindPod(t, pods, "api-7c9d8f6b5-m3n4b").DeepCopy()
	next.ResourceVersion = "7"
	next.Status.InitContainerStatuses[0].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		ExitCode: 0, Reason: "Completed",
		StartedAt:  metav1.NewTime(tuitest.Now.Add(-20 * time.Second)),
		FinishedAt: metav1.NewTime(tuitest.Now.Add(-10 * time.Second)),
	}}
	next.Status.InitContainerStatuses[1].State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{
		StartedAt: metav1.NewTime(tuitest.Now.Add(-9 * time.Second)),
	}}
	tm.Send(BatchMsg{Batch: kube.Batch{Upserted: []*corev1.Pod{next}}, At: tuitest.Now.Add(time.Second)})
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return strings.Contains(ansi.Strip(string(b)), "Init:1/3")
	}, teatest.WithDuration(programBound))

	tm.Send(tuitest.Keys("<esc>")[0])
	tm.Send(tea.QuitMsg{})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(programBound)).(App)
	if final.detailOpen() {
		t.Fatal("esc did not leave the detail view")
	}
	if got := selected(final); got != "payments/api-7c9d8f6b5-m3n4b" {
		t.Fatalf("back on the list, cursor on %s", got)
	}
	// The history recorded both statuses, at the batches' arrival times.
	_, _, h, _ := final.list.Detail(kube.PodKey{Namespace: "payments", Name: "api-7c9d8f6b5-m3n4b"})
	want := []model.Transition{{Status: "Init:Error", At: tuitest.Now}, {Status: "Init:1/3", At: tuitest.Now.Add(time.Second)}}
	if !slices.Equal(h, want) {
		t.Fatalf("history %v, want %v", h, want)
	}
}

func TestDetailFollowsItsPod(t *testing.T) {
	pods := tuitest.ClusterPods(t)
	a := newTestApp(t, themes.Dark(), 120, 30, pods)
	a = press(a, "jjjjjj", "<enter>")
	if !a.detailOpen() || a.detailKey.Name != "api-7c9d8f6b5-m3n4b" {
		t.Fatalf("detail open=%v on %v", a.detailOpen(), a.detailKey)
	}
	// Events of the pod reach the detail view; others do not.
	ev := func(name, pod, reason string) *corev1.Event {
		return &corev1.Event{
			ObjectMeta:     metav1.ObjectMeta{Namespace: "payments", Name: name},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "payments", Name: pod},
			Reason:         reason, Message: reason + " happened", Type: "Warning", Count: 1,
			LastTimestamp: metav1.NewTime(tuitest.Now.Add(-5 * time.Second)),
		}
	}
	a = step(a, BatchMsg{Batch: kube.Batch{Events: []*corev1.Event{
		ev("e1", "api-7c9d8f6b5-m3n4b", "BackOff"), ev("e2", "api-7c9d8f6b5-xk2lp", "Pulled"),
	}}, At: tuitest.Now})
	a = press(a, "3")
	screen := ansi.Strip(a.View())
	if !strings.Contains(screen, "BackOff") || strings.Contains(screen, "Pulled") {
		t.Fatalf("events pane:\n%s", screen)
	}
	// The pod is deleted: the detail keeps it on screen, marked.
	a = step(a, BatchMsg{Batch: kube.Batch{Removed: []kube.PodKey{a.detailKey}}, At: tuitest.Now})
	if !strings.Contains(strings.ToLower(ansi.Strip(a.View())), "deleted") {
		t.Fatalf("deleted pod not marked:\n%s", ansi.Strip(a.View()))
	}
	a = press(a, "<esc>")
	if a.detailOpen() || a.list.Pod(kube.PodKey{Namespace: "payments", Name: "api-7c9d8f6b5-m3n4b"}) != nil ||
		strings.Contains(ansi.Strip(a.View()), "api-7c9d8f6b5-m3n4b") {
		t.Fatal("deleted pod still listed after leaving its detail")
	}
	// q quits from the detail view too; ? shows its keys.
	a = press(a, "<enter>", "?")
	if !a.showHelp || !strings.Contains(ansi.Strip(a.View()), "next pane") {
		t.Fatal("? in the detail view does not show its keys")
	}
	a = press(a, "?")
	if _, cmd := a.Update(tuitest.Keys("q")[0]); cmd == nil || cmd() != tea.Quit() {
		t.Fatal("q in the detail view does not quit")
	}
}

// TestDetailRefreshesOnlyWhenItsPodChanges: a batch that leaves the open
// pod as it was does not hand it to the detail view again (the list builds
// a new API pod at every read, so the version it keeps is what is compared);
// a batch that changes it does.
func TestDetailRefreshesOnlyWhenItsPodChanges(t *testing.T) {
	pods := tuitest.ClusterPods(t)
	a := newTestApp(t, themes.Dark(), 120, 30, pods)
	a = press(a, "<enter>")
	shown := a.detailShown
	if !a.detailOpen() || shown == nil {
		t.Fatalf("detail open=%v, shown %v", a.detailOpen(), shown)
	}
	var other *corev1.Pod
	for _, p := range pods {
		if p.Name != a.detailKey.Name || p.Namespace != a.detailKey.Namespace {
			other = p.DeepCopy()
			break
		}
	}
	other.ResourceVersion += "1"
	other.Labels = map[string]string{"changed": "yes"}
	a = step(a, BatchMsg{Batch: kube.Batch{Packed: []*kube.PackedPod{kube.PackPod(other)}}, At: tuitest.Now})
	if a.detailShown != shown {
		t.Fatal("a batch that left the open pod as it was refreshed the detail")
	}
	mine := a.list.Pod(a.detailKey)
	mine.ResourceVersion += "1"
	a = step(a, BatchMsg{Batch: kube.Batch{Packed: []*kube.PackedPod{kube.PackPod(mine)}}, At: tuitest.Now})
	if a.detailShown == shown || a.detailShown.ResourceVersion != mine.ResourceVersion {
		t.Fatal("a new version of the open pod did not reach the detail")
	}
}

// TestLogsKeysOpenTheLogsPane: l and p on the list drill into the pod
// straight to its logs (current and previous run).
func TestLogsKeysOpenTheLogsPane(t *testing.T) {
	for _, k := range []string{"l", "p"} {
		a := newTestApp(t, themes.Dark(), 120, 30, tuitest.ClusterPods(t))
		a = press(a, "jjj", k)
		if !a.detailOpen() || a.detail.M.ActivePane() != detail.PaneLogs {
			t.Fatalf("%s: detail open %v, pane %v", k, a.detailOpen(), a.detail.M.ActivePane())
		}
		if ns, name := a.detail.M.Pod(); ns+"/"+name != selected(a) {
			t.Fatalf("%s: logs of %s/%s, cursor on %s", k, ns, name, selected(a))
		}
	}
}

// TestScreenFitsEverySize draws every view at every size from 1×1 to
// 130×35: never a line wider than the window, never more lines.
func TestScreenFitsEverySize(t *testing.T) {
	tuitest.WithProfile(t, themes.Dark())
	pods := tuitest.ClusterPods(t)
	views := []struct {
		name   string
		script []string
	}{
		{"list", nil}, {"filter", []string{"/", "api"}}, {"grouped", []string{"o", "G"}},
		{"help", []string{"?"}}, {"detail", []string{"j", "j", "j", "<enter>"}},
		{"empty", []string{"/", "zzzz"}},
	}
	for _, v := range views {
		a := newTestApp(t, themes.Dark(), 120, 30, pods)
		a = press(a, v.script...)
		for w := 1; w <= 130; w += 3 {
			for h := 1; h <= 35; h += 2 {
				a = step(a, tea.WindowSizeMsg{Width: w, Height: h})
				screen := a.View()
				lines := strings.Split(screen, "\n")
				if len(lines) > h {
					t.Fatalf("%s at %dx%d: %d lines", v.name, w, h, len(lines))
				}
				for i, l := range lines {
					if lw := ansi.StringWidth(l); lw > w {
						t.Fatalf("%s at %dx%d: line %d is %d wide: %q", v.name, w, h, i+1, lw, ansi.Strip(l))
					}
				}
				if w >= 40 && h >= 10 && len(lines) != h {
					t.Fatalf("%s at %dx%d: %d lines, want the whole screen", v.name, w, h, len(lines))
				}
			}
		}
	}
}

// TestResizeReflows: the same list at 120 columns shows every column, at 60
// it drops some, and back at 120 it shows them again.
func TestResizeReflows(t *testing.T) {
	a := newTestApp(t, themes.Dark(), 120, 30, tuitest.ClusterPods(t))
	title := func() string { return strings.Fields(ansi.Strip(strings.Split(a.View(), "\n")[2]))[0] }
	if got := title(); got != "NAMESPACE" {
		t.Fatalf("first column at 120: %s", got)
	}
	a = step(a, tea.WindowSizeMsg{Width: 50, Height: 20})
	if got := title(); got != "NAME" {
		t.Fatalf("first column at 50: %s", got)
	}
	// 2 header lines, the titles, 16 rows, the footer.
	if lines := strings.Split(ansi.Strip(a.View()), "\n"); len(lines) != 20 || strings.TrimSpace(lines[18]) == "" {
		t.Fatalf("at 20 lines the screen is not 16 rows under the titles:\n%s", strings.Join(lines, "\n"))
	}
	a = step(a, tea.WindowSizeMsg{Width: 120, Height: 30})
	if got := title(); got != "NAMESPACE" {
		t.Fatalf("first column back at 120: %s", got)
	}
}

func TestHeaderShowsConnectionState(t *testing.T) {
	since := tuitest.Now.Add(-42 * time.Second)
	cases := []struct {
		name   string
		conn   *kube.ConnState
		synced bool
		want   []string
		stale  bool
	}{
		{"connecting", nil, false, []string{"connecting…"}, false},
		{"live", &kube.ConnState{Phase: kube.ConnLive, Since: since}, true, []string{"● live"}, false},
		{"reconnecting", &kube.ConnState{Phase: kube.ConnReconnecting, Err: "dial tcp 10.0.0.1:6443: connection refused", Since: since},
			true, []string{"reconnecting: dial tcp 10.0.0.1:6443: connection refused", "stale 42s"}, true},
		{"forbidden in one namespace", &kube.ConnState{Phase: kube.ConnForbidden, Forbidden: []string{"kube-system"}, Since: since},
			true, []string{"forbidden in namespace kube-system"}, false},
		{"forbidden cluster-wide", &kube.ConnState{Phase: kube.ConnForbidden, Forbidden: []string{"", "b"}, Since: since},
			true, []string{"forbidden in cluster scope, b"}, false},
		{"hostile error", &kube.ConnState{Phase: kube.ConnReconnecting, Err: "boom\x1b]0;title\x07\x1b[2J", Since: since},
			true, []string{"reconnecting: boom"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newTestApp(t, themes.Dark(), 160, 20, nil)
			a = step(a, BatchMsg{Batch: kube.Batch{Conn: c.conn, Synced: c.synced}, At: tuitest.Now})
			screen := a.View()
			line := ansi.Strip(strings.Split(screen, "\n")[0])
			for _, w := range c.want {
				if !strings.Contains(line, w) {
					t.Errorf("header %q lacks %q", line, w)
				}
			}
			if got := strings.Contains(line, "stale"); got != c.stale {
				t.Errorf("header %q: stale shown %v, want %v", line, got, c.stale)
			}
			assertOnlySGR(t, screen)
			if !strings.Contains(line, "ctx kind-rollout") || !strings.Contains(line, "ns all namespaces") {
				t.Errorf("header %q lacks context or scope", line)
			}
		})
	}
}

func TestHeaderCounts(t *testing.T) {
	a := newTestApp(t, themes.Dark(), 120, 30, tuitest.ClusterPods(t))
	line := ansi.Strip(strings.Split(a.View(), "\n")[1])
	if !strings.HasPrefix(line, "6 initializing  7 failing  3 ready  19 total") {
		t.Fatalf("counts line %q", line)
	}
	a = step(a, tea.WindowSizeMsg{Width: 50, Height: 20})
	line = ansi.Strip(strings.Split(a.View(), "\n")[1])
	if !strings.HasPrefix(line, "6 init  7 fail  3 ready") {
		t.Fatalf("compact counts line %q", line)
	}
}

// TestAgesAdvance: ages are computed from the clock when drawn, so they
// move on every tick without any pod changing.
func TestAgesAdvance(t *testing.T) {
	var mu sync.Mutex
	now := tuitest.Now
	opts := testOptions(themes.Dark())
	opts.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	a := NewApp(opts)
	a = step(a, tea.WindowSizeMsg{Width: 120, Height: 30})
	a = step(a, syncBatch(tuitest.ClusterPods(t)))
	row := func(name string) string {
		for _, l := range strings.Split(ansi.Strip(a.View()), "\n") {
			if strings.Contains(l, name) {
				return l
			}
		}
		t.Fatalf("no row for %s", name)
		return ""
	}
	if !strings.Contains(row("kafka-1"), " 30s ") {
		t.Fatalf("kafka-1 at start: %q", row("kafka-1"))
	}
	mu.Lock()
	now = tuitest.Now.Add(95 * time.Second)
	mu.Unlock()
	a = step(a, tickMsg(now))
	if !strings.Contains(row("kafka-1"), " 2m5s ") {
		t.Fatalf("kafka-1 95s later: %q", row("kafka-1"))
	}
	if !strings.Contains(row("init-exitcode"), "2 (3m10s ago)") {
		t.Fatalf("restarts do not age: %q", row("init-exitcode"))
	}
}

var escapeRE = regexp.MustCompile("\x1b\\[[0-9;]*m")

// assertOnlySGR fails when the screen holds a control character or an
// escape sequence other than colours and attributes.
func assertOnlySGR(t testing.TB, screen string) {
	t.Helper()
	rest := escapeRE.ReplaceAllString(screen, "")
	for _, r := range rest {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			t.Fatalf("control character %U reaches the terminal in %q", r, visible(screen))
		}
	}
}

func TestHostileStringsNeverReachTheTerminal(t *testing.T) {
	pods := tuitest.ClusterPods(t)
	opts := testOptions(themes.Dark())
	opts.Context = "ctx\x1b]52;c;ZXZpbA==\x07"
	opts.Cluster = "cl\x1b[2Juster"
	fresh := func() App {
		// App values share their list: a fresh one per script.
		a := NewApp(opts)
		a = step(a, tea.WindowSizeMsg{Width: 150, Height: 40})
		return step(a, syncBatch(pods))
	}
	for _, script := range [][]string{nil, {"/", "evil"}, {"o"}} {
		screen := press(fresh(), script...).View()
		assertOnlySGR(t, screen)
		if script == nil && !strings.Contains(ansi.Strip(screen), "EvilRed Tab") {
			t.Fatalf("the hostile reason's text is not shown:\n%s", ansi.Strip(screen))
		}
	}
	evil := tuitest.FindPod(t, pods, "evil")
	b := press(fresh(), "/", "intl/evil", "<enter>", "<enter>")
	if !b.detailOpen() || b.detailKey.Name != evil.Name {
		t.Fatal("could not open the hostile pod")
	}
	assertOnlySGR(t, b.View())
}

// scriptedSource is a PodSource that sends its batches, then waits.
type scriptedSource struct {
	batches []kube.Batch
	err     error // returned after the batches instead of waiting
	stopped chan struct{}
}

func (s *scriptedSource) Run(ctx context.Context, out chan<- kube.Batch) error {
	defer close(s.stopped)
	for _, b := range s.batches {
		select {
		case out <- b:
		case <-ctx.Done():
			return nil
		}
	}
	if s.err != nil {
		return s.err
	}
	<-ctx.Done()
	return nil
}

// TestFeedDrivesTheProgram runs Feed between a source and the real program
// as Run does: batches appear on screen, and cancelling stops the source.
func TestFeedDrivesTheProgram(t *testing.T) {
	tuitest.WithProfile(t, themes.Dark())
	pods := tuitest.ClusterPods(t)
	c := *tuitest.Live()
	src := &scriptedSource{stopped: make(chan struct{}), batches: []kube.Batch{
		{Upserted: pods[:3], Synced: true, Conn: &c},
		{Upserted: pods[3:6]},
	}}
	tm := teatest.NewTestModel(t, NewApp(testOptions(themes.Dark())), teatest.WithInitialTermSize(120, 30))
	ctx, cancel := context.WithCancel(context.Background())
	fed := make(chan error, 1)
	go func() { fed <- Feed(ctx, src, tm, tuitest.Clock) }()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		s := ansi.Strip(string(b))
		return strings.Contains(s, "kafka-0") && strings.Contains(s, "6 total")
	}, teatest.WithDuration(programBound))
	cancel()
	if err := <-fed; err != nil {
		t.Fatalf("Feed after cancel: %v", err)
	}
	<-src.stopped
	tm.Send(tea.QuitMsg{})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(programBound)).(App)
	if final.list.Status().Counts.Total != 6 || !final.synced || final.conn.Phase != kube.ConnLive {
		t.Fatalf("final model: %+v synced=%v conn=%+v", final.list.Status().Counts, final.synced, final.conn)
	}
}

// TestFatalSourceErrorQuits: a source that fails for good stops the
// program with its error.
func TestFatalSourceErrorQuits(t *testing.T) {
	boom := errors.New(`list pods: pods is forbidden: User "bob" cannot list resource "pods" at the cluster scope`)
	src := &scriptedSource{stopped: make(chan struct{}), err: boom}
	tm := teatest.NewTestModel(t, NewApp(testOptions(themes.Dark())), teatest.WithInitialTermSize(80, 24))
	err := Feed(context.Background(), src, tm, tuitest.Clock)
	if !errors.Is(err, boom) {
		t.Fatalf("Feed returned %v", err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(programBound)).(App)
	if !errors.Is(final.Err(), boom) {
		t.Fatalf("program stopped with %v", final.Err())
	}
}

func TestRunNeedsASource(t *testing.T) {
	if err := Run(context.Background(), Options{}); err == nil {
		t.Fatal("Run without a source succeeded")
	}
}
