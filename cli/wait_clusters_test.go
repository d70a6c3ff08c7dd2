package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/wait"
)

// clusterScript is what one cluster's source does in a multi-cluster wait
// test: list a pod, or fail to start as an unreachable or forbidden
// apiserver does.
type clusterScript struct {
	pod string // "ready", "failed", "initializing"; "" lists no pod
	err error  // the source fails with it (retried by kube.MultiSource)
}

// runClustersWait waits for `-l app=web` over eu-1 and us-1, each cluster's
// pods coming from its script through the real kube.MultiSource.
func runClustersWait(t *testing.T, timeout time.Duration, scripts map[string]clusterScript, output ...string) (stdout, stderr string, code int, took time.Duration) {
	t.Helper()
	pods := map[string]*corev1.Pod{}
	for i, state := range []string{"ready", "failed", "initializing"} {
		pods[state] = loadPodsFrom(t, "wait-clusters.yaml")[i]
	}
	var out, errOut bytes.Buffer
	r := &waitRun{
		env:     &Env{Stdout: &out, Stderr: &errOut},
		o:       waitOptions{timeout: timeout, rules: wait.DefaultRules, logLines: 20, output: strings.Join(output, "")},
		targets: []wait.Target{{Kind: wait.KindSelector, Selector: "app=web"}},
		fors:    []wait.For{wait.ForReady},
		clock:   func() time.Time { return fixedNow },
	}
	var clusters []kube.Cluster
	for _, name := range []string{"eu-1", "us-1"} {
		sc := scripts[name]
		r.clusters = append(r.clusters, &waitCluster{name: name, ns: "shop", client: fake.NewClientset()})
		clusters = append(clusters, kube.Cluster{Context: name, New: func() (kube.PodSource, error) {
			if sc.err != nil {
				return &scriptedSource{err: sc.err}, nil
			}
			var listed []*corev1.Pod
			if p := pods[sc.pod]; p != nil {
				listed = append(listed, p)
			}
			return &scriptedSource{batches: []kube.Batch{stamped(name, listed)}}, nil
		}})
	}
	r.source = kube.NewMultiSource(clusters)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	err := r.run(ctx)
	took = time.Since(start)
	code = ExitOK
	var ce *exitCodeError
	switch {
	case errors.As(err, &ce):
		code = ce.code
		if !ce.printed {
			errOut.WriteString("error: " + ce.Error() + "\n")
		}
	case err != nil:
		t.Fatalf("run: %v", err)
	}
	return out.String(), errOut.String(), code, took
}

func TestWaitSeveralClusters(t *testing.T) {
	refused := errors.New(`Get "https://127.0.0.1:2/api": dial tcp 127.0.0.1:2: connect: connection refused`)
	forbidden := &kube.ForbiddenError{Scopes: []string{"shop"}}
	tests := []struct {
		name     string
		scripts  map[string]clusterScript
		timeout  time.Duration
		code     int
		want     []string // in stdout
		wantErr  []string // in stderr
		notWant  []string // in stdout
		atOnce   bool     // ends well before the timeout
		lastLine string   // stderr's last line starts with
	}{
		{name: "done only when every cluster is", timeout: 10 * time.Second,
			scripts: map[string]clusterScript{"eu-1": {pod: "ready"}, "us-1": {pod: "ready"}},
			code:    wait.ExitDone, atOnce: true,
			want: []string{"eu-1:shop/web-0 Running 1/1\n", "us-1:shop/web-0 Running 1/1\n",
				"eu-1:pods -l app=web: 1 of 1 pods ready\n", "us-1:pods -l app=web: 1 of 1 pods ready\n", "done in"}},
		{name: "the same pod failing in one cluster fails the wait, naming it", timeout: 10 * time.Second,
			scripts: map[string]clusterScript{"eu-1": {pod: "ready"}, "us-1": {pod: "failed"}},
			code:    wait.ExitFailed, atOnce: true,
			want: []string{"FAILED after", "  eu-1:pods -l app=web (done, --for ready): 1 of 1 pods ready",
				"  us-1:pods -l app=web (waiting, --for ready): 0 of 1 pods ready",
				"failed-pod: us-1:shop/web-0: init container init-migrate failed with exit code 3",
				"Failure 1 of 1: us-1:shop/(no owner)", "example:  us-1:shop/web-0",
				"log of us-1:shop/web-0 init-migrate (failed run"},
			notWant: []string{"eu-1:shop/web-0:"}},
		{name: "pending in one cluster times out naming its pod", timeout: 1500 * time.Millisecond,
			scripts: map[string]clusterScript{"eu-1": {pod: "ready"}, "us-1": {pod: "initializing"}},
			code:    wait.ExitTimedOut,
			want:    []string{"TIMED OUT after", "Still pending (1):\n  us-1:shop/web-0 Init:0/1 — init container init-migrate running"},
			notWant: []string{"eu-1:shop/web-0 Running 1/1 —"}},
		{name: "an unreachable cluster is retried, then named at the timeout", timeout: 1500 * time.Millisecond,
			scripts: map[string]clusterScript{"eu-1": {pod: "ready"}, "us-1": {err: refused}},
			code:    wait.ExitUnreachable,
			want: []string{"eu-1:pods -l app=web: 1 of 1 pods ready", "TIMED OUT after",
				"Not judged, the cluster could not be read:\n  us-1: unreachable: Get ", "connection refused"},
			wantErr:  []string{`warning: context "us-1": unreachable, retrying:`},
			lastLine: `error: timed out after 1s: context "us-1" was never read (unreachable: Get `},
		{name: "a forbidden cluster fails at once", timeout: 10 * time.Second,
			scripts: map[string]clusterScript{"eu-1": {pod: "initializing"}, "us-1": {err: forbidden}},
			code:    wait.ExitUnreachable, atOnce: true,
			lastLine: `error: context "us-1": forbidden: you may not list pods in namespace "shop"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code, took := runClustersWait(t, tc.timeout, tc.scripts)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(stdout, w) {
					t.Errorf("stdout has %q:\n%s", w, stdout)
				}
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if tc.lastLine != "" {
				lines := strings.Split(strings.TrimSpace(stderr), "\n")
				if last := lines[len(lines)-1]; !strings.HasPrefix(last, tc.lastLine) {
					t.Errorf("last stderr line %q, want it to start with %q", last, tc.lastLine)
				}
			}
			if tc.atOnce && took > tc.timeout/2 {
				t.Errorf("took %s of a %s timeout: want an outcome at once", took, tc.timeout)
			}
		})
	}
}

// The demo's release rolls out in both simulated clusters and fails in the
// second: the wait fails naming that cluster, the first one done.
func TestWaitDemoClusters(t *testing.T) {
	code, stdout, stderr := runMain(t, &Env{}, "wait", "--demo", "--demo-clusters", "2", "--demo-speed", "20x",
		"-n", "payments", "deploy/checkout", "--timeout", "2m")
	if code != wait.ExitFailed {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		`demo-eu-1:deployment/checkout (done, --for rollout): deployment "checkout" successfully rolled out`,
		"demo-us-1:deployment/checkout (waiting, --for rollout)",
		"max-restarts: demo-us-1:payments/checkout-",
		"Failure 1 of 1: demo-us-1:payments/Deployment/checkout\n  db-migrate: Error, exit code 1",
		"| error: Dirty database version 42. Fix and force version.",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "Failure 1 of 1: demo-eu-1") {
		t.Errorf("the healthy cluster has a failure:\n%s", stdout)
	}
}

// -o json names each target's, stop's, failure's and log's cluster.
func TestWaitSeveralClustersJSON(t *testing.T) {
	stdout, stderr, code, _ := runClustersWait(t, 10*time.Second,
		map[string]clusterScript{"eu-1": {pod: "ready"}, "us-1": {pod: "failed"}}, "json")
	if code != wait.ExitFailed {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	var rep wait.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, stdout)
	}
	if len(rep.Targets) != 2 || rep.Targets[0].Context != "eu-1" || !rep.Targets[0].Done ||
		rep.Targets[1].Context != "us-1" || rep.Targets[1].Done {
		t.Errorf("targets %+v: want eu-1 done, then us-1 not", rep.Targets)
	}
	if len(rep.Stops) != 1 || rep.Stops[0].Context != "us-1" || rep.Stops[0].Rule != wait.RuleFailedPod {
		t.Errorf("stops %+v: want us-1's failed-pod", rep.Stops)
	}
	if len(rep.Failures) != 1 || rep.Failures[0].Workload.Context != "us-1" || rep.Failures[0].Example.Context != "us-1" ||
		rep.Failures[0].Log == nil || rep.Failures[0].Log.Context != "us-1" {
		t.Errorf("failures %+v: want us-1's, its log read there", rep.Failures)
	}
}
