package demo

import (
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/model"
)

// testStart is the fixed simulated start of every test.
var testStart = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func newTestCluster(seed uint64) *Cluster {
	return New(Options{Seed: seed, Start: testStart})
}

func listPods(t *testing.T, c *Cluster) []*corev1.Pod {
	t.Helper()
	list, err := c.Client().CoreV1().Pods("").List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatalf("list pods: %v", err)
	}
	out := make([]*corev1.Pod, len(list.Items))
	for i := range list.Items {
		out[i] = &list.Items[i]
	}
	slices.SortFunc(out, func(a, b *corev1.Pod) int {
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
	return out
}

// podNamed returns the pod of namespace ns whose name starts with prefix,
// or nil.
func podNamed(t *testing.T, c *Cluster, ns, prefix string) *corev1.Pod {
	t.Helper()
	for _, p := range listPods(t, c) {
		if p.Namespace == ns && strings.HasPrefix(p.Name, prefix) {
			return p
		}
	}
	return nil
}

// printed is a pod's `kubectl get pods` columns, READY STATUS RESTARTS.
func printed(p *corev1.Pod, now time.Time) string {
	pr := model.Print(p, now)
	return pr.Ready + " " + pr.Status + " " + pr.Restarts
}

func status(p *corev1.Pod, now time.Time) string { return model.Print(p, now).Status }

func initStatus(p *corev1.Pod, name string) *corev1.ContainerStatus {
	for i := range p.Status.InitContainerStatuses {
		if p.Status.InitContainerStatuses[i].Name == name {
			return &p.Status.InitContainerStatuses[i]
		}
	}
	return nil
}

func condition(p *corev1.Pod, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == t {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

// step moves c by d, failing the test on a simulation error.
func step(t *testing.T, c *Cluster, d time.Duration) {
	t.Helper()
	if err := c.Step(d); err != nil {
		t.Fatalf("step: %v", err)
	}
}

// watchPod steps c in increments of every until until, calling f with the
// pod of ns/prefix (nil while it does not exist) after each step.
func watchPod(t *testing.T, c *Cluster, ns, prefix string, every, until time.Duration, f func(p *corev1.Pod)) {
	t.Helper()
	name := ""
	for c.Now().Sub(c.Start()) < until {
		step(t, c, every)
		if name == "" {
			p := podNamed(t, c, ns, prefix)
			if p != nil {
				name = p.Name
			}
			f(p)
			continue
		}
		p, err := c.Client().CoreV1().Pods(ns).Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("get pod %s/%s: %v", ns, name, err)
		}
		f(p)
	}
}

// statusSequence is the distinct STATUS values of a pod, in order.
func statusSequence(t *testing.T, c *Cluster, ns, prefix string, until time.Duration) []string {
	t.Helper()
	var seq []string
	watchPod(t, c, ns, prefix, 100*time.Millisecond, until, func(p *corev1.Pod) {
		if p == nil {
			return
		}
		s := status(p, c.Now())
		if len(seq) == 0 || seq[len(seq)-1] != s {
			seq = append(seq, s)
		}
	})
	return seq
}

// isSubsequence reports whether want appears in got in order.
func isSubsequence(want, got []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}
