package rollout

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestIncrementalSummaryEqualsFromScratch drives one Summarizer through
// random changes (pods stepping forward, back and into crash loops, moving
// between revisions, created, deleted) with a summary after every batch,
// and checks each summary against one made from scratch of the same pods:
// the sums a Summarizer keeps by difference must never drift.
func TestIncrementalSummaryEqualsFromScratch(t *testing.T) {
	for seed := range uint64(5) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 17))
			_, owners := benchCluster(t)
			base := testNow.Add(-time.Hour)
			live := map[string]*corev1.Pod{}
			s := NewSummarizer(owners, Options{})
			randomPod := func(name string) *corev1.Pod {
				w := rng.IntN(4)
				rev := 1 + rng.IntN(2)
				rs := fmt.Sprintf("app-%03d-h%d", w, rev)
				p := benchPod(rs, fmt.Sprint("h", rev), name, rng.IntN(5), rng.IntN(3) == 0,
					base.Add(time.Duration(rng.IntN(600))*time.Second))
				if rng.IntN(4) == 0 {
					// A run that finished lately: the revision's last progress.
					p.Status.InitContainerStatuses[0].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
						ExitCode: 0, StartedAt: metav1.NewTime(testNow.Add(-time.Duration(rng.IntN(300)) * time.Second)),
						FinishedAt: metav1.NewTime(testNow.Add(-time.Duration(rng.IntN(60)) * time.Second))}}
				}
				if rng.IntN(8) == 0 {
					now := metav1.NewTime(testNow)
					p.DeletionTimestamp = &now
				}
				return p
			}
			for batch := range 60 {
				for range 1 + rng.IntN(12) {
					name := fmt.Sprintf("pod-%02d", rng.IntN(40))
					if _, ok := live[name]; ok && rng.IntN(5) == 0 {
						delete(live, name)
						s.Remove("", "ns", name)
						continue
					}
					p := randomPod(name)
					live[name] = p
					s.Upsert(p)
				}
				pods := make([]*corev1.Pod, 0, len(live))
				for _, p := range live {
					pods = append(pods, p)
				}
				got := s.Summary(testNow)
				want := Summarize(pods, owners, testNow, Options{})
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("batch %d: incremental summary differs from one made from scratch\n got: %+v\nwant: %+v", batch, got, want)
				}
			}
		})
	}
}
