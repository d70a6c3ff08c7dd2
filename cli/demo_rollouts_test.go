package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/initwatch/initwatch/rollout"
)

// TestRolloutsDemoShowsEveryKind: the demo's one-shot summary lists its
// DaemonSet with a pod per node and its CronJob with the Job's pod counted
// under it, both owners read (desired known) and finished.
func TestRolloutsDemoShowsEveryKind(t *testing.T) {
	stdout, stderr := newSyncBuffer(), &bytes.Buffer{}
	code := Main(context.Background(), []string{"rollouts", "--demo", "--demo-seed", "3", "-o", "json"}, demoEnv(t, stdout, stderr))
	if code != ExitOK || stderr.Len() != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var s rollout.Summary
	if err := json.Unmarshal([]byte(stdout.String()), &s); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, stdout)
	}
	tests := []struct {
		kind, namespace, name string
		desired, pods, ready  int
		// revision is the prefix of the newest revision's name: the Job's
		// for a CronJob.
		revision string
	}{
		{rollout.KindDaemonSet, "kube-system", "node-agent", 3, 3, 3, ""},
		{rollout.KindCronJob, "payments", "db-backup", 1, 1, 0, "db-backup-"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			var w *rollout.Workload
			for i := range s.Workloads {
				if r := s.Workloads[i].Ref; r.Kind == tt.kind && r.Namespace == tt.namespace && r.Name == tt.name {
					w = &s.Workloads[i]
				}
			}
			if w == nil {
				t.Fatalf("no %s %s/%s in the summary", tt.kind, tt.namespace, tt.name)
			}
			if w.Inferred || w.Desired == nil || int(*w.Desired) != tt.desired || w.Pods != tt.pods || w.Updated != tt.pods ||
				w.Initialized != tt.pods || w.Ready != tt.ready || !w.Done || w.Progress != 1 {
				t.Errorf("inferred %v desired %v pods %d updated %d initialized %d ready %d done %v progress %v (%s)",
					w.Inferred, w.Desired, w.Pods, w.Updated, w.Initialized, w.Ready, w.Done, w.Progress, w.Status)
			}
			if len(w.Revisions) != 1 || !w.Revisions[0].New || !strings.HasPrefix(w.Revisions[0].Name, tt.revision) {
				t.Errorf("revisions %+v", w.Revisions)
			}
		})
	}
	// The Job's pods go to its CronJob, never to a workload of their own.
	for _, w := range s.Workloads {
		if w.Ref.Kind == rollout.KindJob {
			t.Errorf("Job %s listed on its own", w.Ref)
		}
	}
}
