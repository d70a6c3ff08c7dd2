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
	"k8s.io/apimachinery/pkg/types"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/detail"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

func findPod(t testing.TB, pods []*corev1.Pod, name string) *corev1.Pod {
	t.Helper()
	for _, p := range pods {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no pod %s in the fixtures", name)
	return nil
}

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
	next := findPod(t, pods, "api-7c9d8f6b5-m3n4b").DeepCopy()
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
	h := final.store.pods[kube.PodKey{Namespace: "payments", Name: "api-7c9d8f6b5-m3n4b"}].history.Transitions()
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
	if a.detailOpen() || slices.Contains(rowKeys(a), "payments/api-7c9d8f6b5-m3n4b") {
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
	if a.list.height != 16 {
		t.Fatalf("list height at 20 lines: %d", a.list.height)
	}
	a = step(a, tea.WindowSizeMsg{Width: 120, Height: 30})
	if got := title(); got != "NAMESPACE" {
		t.Fatalf("first column back at 120: %s", got)
	}
}

func TestLayoutPriorities(t *testing.T) {
	s := colStats{ns: 8, name: 36, ready: 3, status: 21, restarts: 14, steps: 4, fraction: 3, stepName: 19, pods: 10}
	cases := []struct {
		width int
		shown []column
	}{
		{160, []column{colNS, colName, colReady, colStatus, colRestarts, colAge, colBar, colFraction, colStep}},
		{100, []column{colNS, colName, colReady, colStatus, colRestarts, colAge, colBar, colFraction}},
		{80, []column{colNS, colName, colReady, colStatus, colAge, colBar, colFraction}},
		{60, []column{colName, colReady, colStatus, colBar, colFraction}},
		{40, []column{colName, colStatus, colBar}},
		{20, []column{colName, colStatus}},
		{10, []column{colName}},
	}
	for _, c := range cases {
		ly := computeLayout(s, c.width, tuitest.Now)
		var shown []column
		for col := colNS; col < colCount; col++ {
			if ly.shown(col) {
				shown = append(shown, col)
			}
		}
		if !slices.Equal(shown, c.shown) {
			t.Errorf("width %d: columns %v, want %v (widths %v)", c.width, shown, c.shown, ly.w)
		}
		if ly.total() > c.width {
			t.Errorf("width %d: layout takes %d", c.width, ly.total())
		}
		if c.width >= 160 && ly.w[colName] != s.name {
			t.Errorf("width %d: NAME %d wide, want all %d", c.width, ly.w[colName], s.name)
		}
	}
}

func TestTruncationKeepsNameEnds(t *testing.T) {
	cases := []struct {
		text  string
		w     int
		mid   bool
		want  string
		hl    []int
		wantH []int
	}{
		{"web-7d9f8c6b5-x2kqz", 12, true, "web-7…-x2kqz", []int{0, 18}, []int{0, 13}},
		{"web-7d9f8c6b5-x2kqz", 12, false, "web-7d9f8c6…", []int{0, 18}, []int{0}},
		{"名前-テスト-🚀", 9, false, "名前-テ…", nil, nil},
		{"名前-テスト-🚀", 9, true, "名前…-🚀", nil, nil},
		{"abc", 1, true, "…", nil, nil},
	}
	for _, c := range cases {
		got, hl := fitCell(c.text, ansi.StringWidth(c.text), c.w, c.mid, c.hl)
		if got != c.want || !slices.Equal(hl, c.wantH) {
			t.Errorf("fitCell(%q, %d, middle=%v) = %q %v, want %q %v", c.text, c.w, c.mid, got, hl, c.want, c.wantH)
		}
		if w := ansi.StringWidth(got); w > c.w {
			t.Errorf("fitCell(%q, %d) is %d wide", c.text, c.w, w)
		}
	}
}

// TestBatchesAreIdempotent: a relist delivers every pod again; nothing is
// duplicated, no history entry is added, removals and re-creations work.
func TestBatchesAreIdempotent(t *testing.T) {
	pods := tuitest.ClusterPods(t)
	a := newTestApp(t, themes.Dark(), 120, 30, pods)
	before := rowKeys(a)
	counts := a.store.counts
	a = step(a, syncBatch(pods))
	a = step(a, syncBatch(pods))
	if got := rowKeys(a); !slices.Equal(got, before) {
		t.Fatalf("relist changed the rows:\n%v\n%v", before, got)
	}
	if a.store.counts != counts || counts.total != len(pods) {
		t.Fatalf("counts %+v after relist, %+v before, %d pods", a.store.counts, counts, len(pods))
	}
	for _, e := range a.store.pods {
		if e.history.Len() != 1 {
			t.Fatalf("%s has %d transitions after relists", e.name, e.history.Len())
		}
	}
	// Remove two pods, one of them twice.
	gone := []kube.PodKey{{Namespace: "data", Name: "kafka-0"}, {Namespace: "intl", Name: "evil"}, {Namespace: "data", Name: "kafka-0"}}
	a = step(a, BatchMsg{Batch: kube.Batch{Removed: gone}, At: tuitest.Now})
	if len(a.list.rows) != len(pods)-2 || a.store.counts.total != len(pods)-2 {
		t.Fatalf("%d rows, total %d after removing 2 of %d", len(a.list.rows), a.store.counts.total, len(pods))
	}
	// The same name comes back as a new pod: a fresh history.
	kafka := findPod(t, pods, "kafka-0").DeepCopy()
	kafka.UID = "new-uid"
	a = step(a, BatchMsg{Batch: kube.Batch{Upserted: []*corev1.Pod{kafka}}, At: tuitest.Now.Add(time.Minute)})
	e := a.store.pods[kube.PodKey{Namespace: "data", Name: "kafka-0"}]
	if e == nil || e.history.Len() != 1 || e.history.Transitions()[0].At != tuitest.Now.Add(time.Minute) {
		t.Fatalf("re-created pod: %+v", e)
	}
}

// TestHistoryOfTheSeedApp replays the seed article's sequence of statuses
// (testdata/pods/seed-*) as watch updates of one pod.
func TestHistoryOfTheSeedApp(t *testing.T) {
	names := []string{"seed-01-pending", "seed-02-init-0-4", "seed-03-init-error", "seed-04-init-crashloopbackoff",
		"seed-05-init-1-4", "seed-06-init-2-4", "seed-07-init-3-4", "seed-08-podinitializing", "seed-09-running"}
	a := newTestApp(t, themes.Dark(), 120, 30, nil)
	var want []model.Transition
	for i, n := range names {
		p := tuitest.LoadSeedPod(t, n)
		at := tuitest.Now.Add(time.Duration(i) * time.Second)
		a = step(a, BatchMsg{Batch: kube.Batch{Upserted: []*corev1.Pod{p}}, At: at})
		// The same update twice records nothing new.
		a = step(a, BatchMsg{Batch: kube.Batch{Upserted: []*corev1.Pod{p}}, At: at.Add(time.Millisecond)})
		st := model.Print(p, at).Status
		if len(want) == 0 || want[len(want)-1].Status != st {
			want = append(want, model.Transition{Status: st, At: at})
		}
	}
	e := a.store.pods[kube.PodKey{Namespace: "default", Name: "k8s-init-containers-64f984c8d7-tdjrg"}]
	if got := e.history.Transitions(); !slices.Equal(got, want) {
		t.Fatalf("history\n%v\nwant\n%v", got, want)
	}
	var statuses []string
	for _, tr := range want {
		statuses = append(statuses, tr.Status)
	}
	if !slices.Contains(statuses, "Init:CrashLoopBackOff") || statuses[len(statuses)-1] != "Running" {
		t.Fatalf("unexpected sequence %v", statuses)
	}
	if len(a.list.rows) != 1 || a.store.counts.total != 1 || a.store.counts.ready != 1 {
		t.Fatalf("one pod, ready: rows %d counts %+v", len(a.list.rows), a.store.counts)
	}
}

func TestEventsIndexedByPod(t *testing.T) {
	s := newPodStore()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p", UID: "u2"}}
	s.apply(kube.Batch{Upserted: []*corev1.Pod{pod}}, tuitest.Now)
	ev := func(name, pod, uid string, at time.Time) *corev1.Event {
		return &corev1.Event{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "ns", Name: pod, UID: typesUID(uid)},
			LastTimestamp:  metav1.NewTime(at)}
	}
	res := s.apply(kube.Batch{Events: []*corev1.Event{
		ev("b", "p", "u2", tuitest.Now), ev("a", "p", "u2", tuitest.Now.Add(-time.Minute)),
		ev("old", "p", "u1", tuitest.Now), ev("other", "q", "", tuitest.Now),
		{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "node"}, InvolvedObject: corev1.ObjectReference{Kind: "Node", Name: "n1"}},
	}}, tuitest.Now)
	if !res.eventsOf[kube.PodKey{Namespace: "ns", Name: "p"}] || !res.eventsOf[kube.PodKey{Namespace: "ns", Name: "q"}] {
		t.Fatalf("events changed for %v", res.eventsOf)
	}
	e := s.pods[kube.PodKey{Namespace: "ns", Name: "p"}]
	names := func() []string {
		var out []string
		for _, ev := range s.eventsFor(e) {
			out = append(out, ev.Name)
		}
		return out
	}
	if got := names(); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("events of p: %v (the earlier pod's event must not show)", got)
	}
	s.apply(kube.Batch{RemovedEvents: []*corev1.Event{ev("a", "p", "u2", tuitest.Now)}}, tuitest.Now)
	if got := names(); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("after removal: %v", got)
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
	evil := findPod(t, pods, "evil")
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
	c := live
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
	if final.store.counts.total != 6 || !final.synced || final.conn.Phase != kube.ConnLive {
		t.Fatalf("final model: %+v synced=%v conn=%+v", final.store.counts, final.synced, final.conn)
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

func typesUID(s string) types.UID { return types.UID(s) }
