package demo

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/kube"
)

// snapshot is everything a client can read from the cluster: pods, events
// and logs.
type snapshot struct {
	pods   []*corev1.Pod
	events []corev1.Event
	logs   map[string][]kube.LogLine
}

func takeSnapshot(t *testing.T, c *Cluster) snapshot {
	t.Helper()
	s := snapshot{pods: listPods(t, c), logs: map[string][]kube.LogLine{}}
	evs, err := c.Client().CoreV1().Events("").List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.events = evs.Items
	slices.SortFunc(s.events, func(a, b corev1.Event) int {
		return compareStrings(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
	for _, p := range s.pods {
		for _, cs := range append(slices.Clone(p.Status.InitContainerStatuses), p.Status.ContainerStatuses...) {
			for _, st := range []corev1.ContainerState{cs.State, cs.LastTerminationState} {
				if st.Terminated != nil && st.Terminated.ContainerID != "" {
					s.logs[st.Terminated.ContainerID] = c.logs.get(st.Terminated.ContainerID).lines
				}
			}
			if cs.State.Running != nil {
				s.logs[cs.ContainerID] = c.logs.get(cs.ContainerID).lines
			}
		}
	}
	return s
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestSameSeedSameStates: two clusters with the same seed go through the
// same states, object for object, whether time moves in small steps or in
// large irregular ones; another seed differs.
func TestSameSeedSameStates(t *testing.T) {
	a, b := newTestCluster(9), newTestCluster(9)
	for range 150 {
		step(t, a, 800*time.Millisecond)
		step(t, b, 800*time.Millisecond)
		pa, pb := listPods(t, a), listPods(t, b)
		if !reflect.DeepEqual(pa, pb) {
			t.Fatalf("at %v the same seed gave different pods", a.Now().Sub(a.Start()))
		}
	}
	sa := takeSnapshot(t, a)
	if !reflect.DeepEqual(sa, takeSnapshot(t, b)) {
		t.Fatal("the same seed gave different events or logs")
	}

	irregular := newTestCluster(9)
	for _, d := range []time.Duration{3 * time.Millisecond, 7 * time.Second, 900 * time.Millisecond, 41 * time.Second, 11 * time.Second} {
		step(t, irregular, d)
	}
	step(t, irregular, a.Now().Sub(irregular.Now()))
	if !reflect.DeepEqual(sa, takeSnapshot(t, irregular)) {
		t.Fatal("stepping time differently changed the outcome")
	}

	other := newTestCluster(10)
	step(t, other, a.Now().Sub(other.Now()))
	so := takeSnapshot(t, other)
	if fmt.Sprint(podNames(sa.pods)) == fmt.Sprint(podNames(so.pods)) {
		t.Error("seeds 9 and 10 gave the same pod names")
	}
}

func podNames(pods []*corev1.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Namespace+"/"+p.Name)
	}
	return out
}
