package tui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// inContext is pod as the source of one of several clusters hands it over.
func inContext(pod *corev1.Pod, ctx string) *corev1.Pod {
	p := pod.DeepCopy()
	p.Annotations = map[string]string{model.ContextAnnotation: ctx}
	return p
}

func contextEvent(ctx, ns, name, pod, msg string) *corev1.Event {
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Namespace: ns, Name: name, Annotations: map[string]string{model.ContextAnnotation: ctx}},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: pod},
		Message:        msg, LastTimestamp: metav1.NewTime(tuitest.Now.Add(-time.Minute)),
	}
}

func newMultiApp(t *testing.T, contexts ...string) App {
	t.Helper()
	opts := testOptions(themes.Mono())
	opts.Contexts = contexts
	a := NewApp(opts)
	return step(a, tea.WindowSizeMsg{Width: 160, Height: 30})
}

func contextBatch(ctx string, conn kube.ConnPhase, since time.Time, pods ...*corev1.Pod) BatchMsg {
	b := kube.Batch{Context: ctx, Synced: true, Conn: &kube.ConnState{Phase: conn, Since: since}}
	for _, p := range pods {
		b.Upserted = append(b.Upserted, inContext(p, ctx))
	}
	return BatchMsg{Batch: b, At: tuitest.Now}
}

// rowsOf returns the rows of the list that start with a context.
func rowsOf(screen string, ctx string) []string {
	var out []string
	for _, l := range strings.Split(ansi.Strip(screen), "\n") {
		if strings.HasPrefix(l, ctx+" ") {
			out = append(out, l)
		}
	}
	return out
}

func TestSeveralClusters(t *testing.T) {
	pods := tuitest.ClusterPods(t)[:3]
	a := newMultiApp(t, "eu-1", "us-1")
	a = step(a, contextBatch("eu-1", kube.ConnLive, tuitest.Now.Add(-time.Minute), pods...))

	screen := ansi.Strip(a.View())
	lines := strings.Split(screen, "\n")
	if !regexp.MustCompile(`eu-1 ● live\s+us-1 ◌ connecting…$`).MatchString(lines[0]) {
		t.Errorf("header = %q: eu-1's pods must show while us-1 is still connecting", lines[0])
	}
	if !strings.HasPrefix(lines[2], "CONTEXT ") {
		t.Errorf("column titles = %q, want CONTEXT first", lines[2])
	}

	// The same pods in us-1: two rows each.
	a = step(a, contextBatch("us-1", kube.ConnLive, tuitest.Now.Add(-time.Minute), pods...))
	screen = a.View()
	if eu, us := rowsOf(screen, "eu-1"), rowsOf(screen, "us-1"); len(eu) != 3 || len(us) != 3 {
		t.Fatalf("rows: eu-1 %d, us-1 %d, want 3 each:\n%s", len(eu), len(us), ansi.Strip(screen))
	}
	if a.list.Status().Counts.Total != 6 {
		t.Errorf("total = %d, want 6", a.list.Status().Counts.Total)
	}

	// us-1 stops answering: its rows stay, marked stale, and the header
	// says since when; eu-1 is untouched.
	down := kube.ConnState{Phase: kube.ConnReconnecting, Err: "dial tcp: connection refused", Since: tuitest.Now.Add(-90 * time.Second)}
	a = step(a, BatchMsg{Batch: kube.Batch{Context: "us-1", Synced: true, Conn: &down}, At: tuitest.Now})
	screen = ansi.Strip(a.View())
	header := strings.Split(screen, "\n")[0]
	if !regexp.MustCompile(`eu-1 ● live\s+us-1 ◌ reconnecting · stale 90s`).MatchString(header) {
		t.Errorf("header while us-1 is down = %q", header)
	}
	for _, r := range rowsOf(screen, "us-1") {
		if !strings.HasPrefix(r, "us-1 stale ") {
			t.Errorf("us-1 row not marked stale: %q", r)
		}
	}
	for _, r := range rowsOf(screen, "eu-1") {
		if strings.Contains(r, "stale") {
			t.Errorf("eu-1 row marked stale: %q", r)
		}
	}
	if n := len(rowsOf(screen, "us-1")); n != 3 {
		t.Errorf("us-1 rows while down: %d, want its 3 pods kept", n)
	}

	// A removal in one cluster removes that cluster's pod only.
	gone := pods[0]
	a = step(a, BatchMsg{Batch: kube.Batch{Context: "eu-1", Synced: true,
		Removed: []kube.PodKey{{Context: "eu-1", Namespace: gone.Namespace, Name: gone.Name}}}, At: tuitest.Now})
	if a.list.Pod(kube.PodKey{Context: "us-1", Namespace: gone.Namespace, Name: gone.Name}) == nil {
		t.Error("removing eu-1's pod removed us-1's")
	}
	if a.list.Status().Counts.Total != 5 {
		t.Errorf("total after removal = %d, want 5", a.list.Status().Counts.Total)
	}
}

func TestFilterMatchesContext(t *testing.T) {
	pods := tuitest.ClusterPods(t)[:3]
	a := newMultiApp(t, "eu-1", "us-1")
	a = step(a, contextBatch("eu-1", kube.ConnLive, tuitest.Now, pods...))
	a = step(a, contextBatch("us-1", kube.ConnLive, tuitest.Now, pods...))
	// Fuzzy, as for namespace/name: "us-1/" is in no eu-1 row.
	a = press(a, "/", "us-1/", "<enter>")
	screen := a.View()
	if eu, us := rowsOf(screen, "eu-1"), rowsOf(screen, "us-1"); len(eu) != 0 || len(us) != 3 {
		t.Errorf("filter us-1: eu-1 rows %d, us-1 rows %d; want only us-1's 3:\n%s", len(eu), len(us), ansi.Strip(screen))
	}
}

func TestEventsStayInTheirCluster(t *testing.T) {
	pod := tuitest.ClusterPods(t)[0]
	a := newMultiApp(t, "eu-1", "us-1")
	a = step(a, contextBatch("eu-1", kube.ConnLive, tuitest.Now, pod))
	a = step(a, contextBatch("us-1", kube.ConnLive, tuitest.Now, pod))
	a = step(a, BatchMsg{Batch: kube.Batch{Context: "us-1", Synced: true,
		Events: []*corev1.Event{contextEvent("us-1", pod.Namespace, "e1", pod.Name, "only in us-1")}}, At: tuitest.Now})
	_, eu, _, _ := a.list.Detail(kube.PodKey{Context: "eu-1", Namespace: pod.Namespace, Name: pod.Name})
	_, us, _, _ := a.list.Detail(kube.PodKey{Context: "us-1", Namespace: pod.Namespace, Name: pod.Name})
	if n := len(eu); n != 0 {
		t.Errorf("eu-1's pod has %d events of us-1's", n)
	}
	if evs := us; len(evs) != 1 || evs[0].Message != "only in us-1" {
		t.Errorf("us-1's pod events = %v", evs)
	}
}

func TestOneClusterHasNoContextColumn(t *testing.T) {
	a := newTestApp(t, themes.Mono(), 160, 30, tuitest.ClusterPods(t)[:3])
	screen := ansi.Strip(a.View())
	if strings.Contains(screen, "CONTEXT") {
		t.Errorf("one cluster shows a CONTEXT column:\n%s", screen)
	}
}
