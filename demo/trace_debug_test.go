package demo

import (
	"fmt"
	"sort"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/initwatch/initwatch/model"
)

func TestDebugTrace(t *testing.T) {
	c := New(Options{Seed: 1, Start: time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)})
	last := map[string]string{}
	t0 := time.Now()
	for i := 0; i < 1500; i++ {
		if err := c.Step(100 * time.Millisecond); err != nil {
			t.Fatal(err)
		}
		pods, _ := c.Client().CoreV1().Pods("").List(bg(), metav1.ListOptions{})
		var lines []string
		seen := map[string]bool{}
		for i := range pods.Items {
			p := &pods.Items[i]
			k := p.Namespace + "/" + p.Name
			seen[k] = true
			pr := model.Print(p, c.Now())
			s := fmt.Sprintf("%s %s %s", pr.Ready, pr.Status, pr.Restarts)
			if last[k] != s {
				lines = append(lines, fmt.Sprintf("%6.1fs %-45s %s", c.Now().Sub(c.start).Seconds(), k, s))
				last[k] = s
			}
		}
		for k := range last {
			if !seen[k] {
				lines = append(lines, fmt.Sprintf("%6.1fs %-45s GONE", c.Now().Sub(c.start).Seconds(), k))
				delete(last, k)
			}
		}
		sort.Strings(lines)
		for _, l := range lines {
			t.Log(l)
		}
	}
	t.Logf("wall %v", time.Since(t0))
}
