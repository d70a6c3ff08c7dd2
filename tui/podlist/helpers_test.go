package podlist

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/rollout"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// batchAt is a batch arriving at a time, as the root model hands it over.
type batchAt struct {
	Batch kube.Batch
	At    time.Time
}

// syncBatch is the first batch a source sends: every pod, synced.
func syncBatch(pods []*corev1.Pod) batchAt {
	return batchAt{Batch: kube.Batch{Upserted: pods, Synced: true, Conn: tuitest.Live()}, At: tuitest.Now}
}

// newTestList is the list as the root model shows it on a w×h screen (two
// header lines and a footer line around it), holding pods.
func newTestList(t testing.TB, th themes.Theme, w, h int, pods []*corev1.Pod) *Model {
	t.Helper()
	km := keymap.Default()
	m := New(Options{Theme: &th, Keys: &km, Owners: rollout.NewOwners(), Now: tuitest.Now})
	m.SetSize(w, h-3)
	if pods != nil {
		m = step(m, syncBatch(pods))
	}
	return m
}

// step applies one message (a key, the mouse, a batch) and returns the list.
func step(m *Model, msg tea.Msg) *Model {
	if b, ok := msg.(batchAt); ok {
		m.Apply(&b.Batch, b.At, false)
		return m
	}
	m.Update(msg)
	return m
}

func press(m *Model, script ...string) *Model {
	for _, k := range tuitest.Keys(script...) {
		m = step(m, k)
	}
	return m
}

// rowKeys lists the pods of the rows, "ns/name", group headers as "#owner".
func rowKeys(a *Model) []string {
	var out []string
	for _, r := range a.list.rows {
		if r.pod != nil {
			out = append(out, r.pod.key.Namespace+"/"+r.pod.key.Name)
		} else {
			out = append(out, "#"+r.group.owner)
		}
	}
	return out
}

func selected(a *Model) string {
	if e := a.list.selPod; e != nil {
		return e.key.Namespace + "/" + e.key.Name
	}
	return ""
}
