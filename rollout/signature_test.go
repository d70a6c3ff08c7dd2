package rollout

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/model"
)

func TestSignatures(t *testing.T) {
	f := loadFixture(t, "signatures")
	sigs := Signatures(f.pods, f.store(), testNow)

	checkout := WorkloadRef{Namespace: "payments", Kind: KindDeployment, Name: "checkout"}
	type want struct {
		workload     WorkloadRef
		step         string
		kind         StepKind
		reason       string
		exit         int32 // -1: none
		signal       int32
		count        int
		backOff      int
		retrying     int
		notRetrying  int
		willNotRetry bool
		restarts     int64
		example      string
		node         string // "" unless all on one node
		first, last  string
		pattern      string
	}
	wants := []want{
		{workload: checkout, step: "init-check-database", kind: StepInit, reason: "Error", exit: 1, count: 3,
			backOff: 1, retrying: 1, notRetrying: 0, restarts: 12, example: "checkout-6b7f9c-bbbbb", node: "worker-2",
			first: "2026-03-01T11:55:01Z", last: "2026-03-01T11:58:30Z",
			pattern: "database <ip> refused connection from <pod>"},
		{workload: checkout, step: "init-check-database", kind: StepInit, reason: "OOMKilled", exit: 137, signal: 9, count: 1,
			backOff: 1, restarts: 1, example: "checkout-6b7f9c-ddddd",
			first: "2026-03-01T11:56:40Z", last: "2026-03-01T11:56:40Z"},
		{workload: checkout, step: "init-fetch-files", kind: StepInit, reason: "ErrImagePull", exit: -1, count: 1,
			backOff: 1, example: "checkout-6b7f9c-eeeee",
			first: "2026-03-01T11:50:00Z", last: "2026-03-01T11:50:00Z", pattern: `Back-off pulling image "busybox:N.N"`},
		{workload: WorkloadRef{Namespace: "payments", Kind: KindJob, Name: "migrate"}, step: "init-wait-db", kind: StepInit, reason: "Error", exit: 2, count: 1,
			notRetrying: 1, willNotRetry: true, example: "migrate-x7k2p",
			first: "2026-03-01T11:45:05Z", last: "2026-03-01T11:45:05Z", pattern: "timed out"},
		{workload: WorkloadRef{Namespace: "payments", Kind: KindNone}, kind: StepScheduling, reason: "Unschedulable", exit: -1, count: 1,
			example: "debug", first: "2026-03-01T11:30:01Z", last: "2026-03-01T11:30:01Z",
			pattern: "N/N nodes are available: N Insufficient memory."},
	}
	if len(sigs) != len(wants) {
		for _, s := range sigs {
			t.Logf("got %s", s.Headline())
		}
		t.Fatalf("got %d signatures, want %d", len(sigs), len(wants))
	}
	for i, w := range wants {
		s := sigs[i]
		t.Run(s.Headline(), func(t *testing.T) {
			if s.Workload != w.workload || s.Step != w.step || s.StepKind != w.kind || s.Reason != w.reason {
				t.Errorf("identity = %v %q %s %q, want %v %q %s %q", s.Workload, s.Step, s.StepKind, s.Reason, w.workload, w.step, w.kind, w.reason)
			}
			if got := exitOf(s.ExitCode); got != w.exit {
				t.Errorf("exit code = %d, want %d", got, w.exit)
			}
			if got := exitOf(s.Signal); (w.signal == 0 && got != -1) || (w.signal != 0 && got != w.signal) {
				t.Errorf("signal = %d, want %d", got, w.signal)
			}
			if s.Count != w.count || s.CrashLooping != w.backOff || s.Retrying != w.retrying ||
				s.NotRetrying != w.notRetrying || s.WillNotRetry != w.willNotRetry || s.Restarts != w.restarts {
				t.Errorf("counts = %d pods, %d back-off, %d retrying, %d not retrying (%v), %d restarts; want %d, %d, %d, %d (%v), %d",
					s.Count, s.CrashLooping, s.Retrying, s.NotRetrying, s.WillNotRetry, s.Restarts,
					w.count, w.backOff, w.retrying, w.notRetrying, w.willNotRetry, w.restarts)
			}
			if s.Example.Name != w.example {
				t.Errorf("example = %s, want %s", s.Example.Name, w.example)
			}
			if node, _ := s.OnOneNode(); node != w.node {
				t.Errorf("on one node = %q, want %q", node, w.node)
			}
			if got := s.FirstSeen.UTC().Format(time.RFC3339); got != w.first {
				t.Errorf("first seen = %s, want %s", got, w.first)
			}
			if got := s.LastSeen.UTC().Format(time.RFC3339); got != w.last {
				t.Errorf("last seen = %s, want %s", got, w.last)
			}
			if s.Pattern != w.pattern {
				t.Errorf("pattern = %q, want %q", s.Pattern, w.pattern)
			}
			if len(s.Pods) != s.Count {
				t.Errorf("%d pods listed for a count of %d", len(s.Pods), s.Count)
			}
		})
	}
}

func exitOf(p *int32) int32 {
	if p == nil {
		return -1
	}
	return *p
}

// Without the ReplicaSet (forbidden, or not listed yet) the Deployment is
// read off the ReplicaSet's name and the pod-template-hash: the same
// signatures, marked inferred.
func TestSignaturesWithoutOwners(t *testing.T) {
	f := loadFixture(t, "signatures")
	with := Signatures(f.pods, f.store(), testNow)
	without := Signatures(f.pods, nil, testNow)
	if len(with) != len(without) {
		t.Fatalf("%d signatures without owners, %d with", len(without), len(with))
	}
	for i := range with {
		if with[i].Workload != without[i].Workload || with[i].Headline() != without[i].Headline() {
			t.Errorf("signature %d: without owners %v %q, with %v %q", i,
				without[i].Workload, without[i].Headline(), with[i].Workload, with[i].Headline())
		}
	}
	p := (*Owners)(nil).Resolve(f.pods[0])
	if !p.Inferred || p.Workload.Name != "checkout" || p.Revision != "checkout-6b7f9c" || p.Number != 0 {
		t.Errorf("placement without owners = %+v", p)
	}
	p = f.store().Resolve(f.pods[0])
	if p.Inferred || p.Number != 2 {
		t.Errorf("placement with owners = %+v", p)
	}
}

// The same workload in two clusters is two workloads, hence two signatures.
func TestSignaturesPerContext(t *testing.T) {
	f := loadFixture(t, "signatures")
	a, b := f.pods[0].DeepCopy(), f.pods[0].DeepCopy()
	a.Annotations = map[string]string{model.ContextAnnotation: "eu-1"}
	b.Annotations = map[string]string{model.ContextAnnotation: "us-1"}
	sigs := Signatures([]*corev1.Pod{a, b}, f.store(), testNow)
	if len(sigs) != 2 {
		t.Fatalf("got %d signatures, want one per context", len(sigs))
	}
	for _, s := range sigs {
		if s.Count != 1 || s.Example.Context != s.Workload.Context || s.Workload.Context == "" {
			t.Errorf("signature %v: count %d, example %v", s.Workload, s.Count, s.Example)
		}
	}
}

func TestSignatureText(t *testing.T) {
	f := loadFixture(t, "signatures")
	sigs := Signatures(f.pods, f.store(), testNow)
	got := sigs[0].Text(testNow)
	want := strings.Join([]string{
		"payments/Deployment/checkout",
		"init-check-database: Error, exit code 1 — 3 pods, all on node worker-2",
		"  message:  database 10.0.3.9:5432 refused connection from checkout-6b7f9c-bbbbb",
		"  image:    ghcr.io/acme/check-db:1.4",
		"  pods:     1 in back-off, 1 retrying, 1 failing, 12 restarts",
		"  seen:     first 4m59s ago, last 90s ago",
		"  nodes:    worker-2 (3)",
		"  example:  payments/checkout-6b7f9c-bbbbb",
	}, "\n")
	if got != want {
		t.Errorf("Text:\n%s\nwant:\n%s", got, want)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ msg, pod, node, want string }{
		{"", "p", "n", ""},
		{"connect to 10.1.2.3:5432 from web-abc on node-7: refused", "web-abc", "node-7", "connect to <ip> from <pod> on <node>: refused"},
		{"request 123e4567-e89b-12d3-a456-426614174000 at 2026-03-01T11:00:00.123Z failed", "", "", "request <uuid> at <time> failed"},
		{"pull sha256:0123456789abcdef0123 failed after 3 tries", "", "", "pull <hash> failed after N tries"},
		{"  many\n\tspaces  ", "", "", "many spaces"},
		{"dial [fe80::1]:443 refused", "", "", "dial <ip> refused"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.msg, tt.pod, tt.node); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
	long := strings.Repeat("é", 1000)
	if got := Normalize(long, "", ""); len(got) > maxPatternBytes || !strings.HasPrefix(long, got) {
		t.Errorf("long message cut to %d bytes, not on a rune boundary or not a prefix", len(got))
	}
}
