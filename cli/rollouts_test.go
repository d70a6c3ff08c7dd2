package cli

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/rollout"
)

// rolloutsNow is the clock rollout/testdata/rollout.yaml is written against.
var rolloutsNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// rolloutBatch is the rollout package's fixture release as one synced batch
// of pods and owners; access says which kinds were refused.
func rolloutBatch(t *testing.T, withOwners bool, access rollout.Access) kube.Batch {
	t.Helper()
	data, err := os.ReadFile("../rollout/testdata/rollout.yaml")
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	dec := serializer.NewCodecFactory(scheme.Scheme).UniversalDeserializer()
	var list corev1.List
	if _, _, err := dec.Decode(js, nil, &list); err != nil {
		t.Fatal(err)
	}
	b := kube.Batch{Synced: true, OwnerAccess: &access, Conn: &kube.ConnState{Phase: kube.ConnLive}}
	for _, item := range list.Items {
		obj, _, err := dec.Decode(item.Raw, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		switch o := obj.(type) {
		case *corev1.Pod:
			b.Upserted = append(b.Upserted, o)
		case metav1.Object:
			if withOwners {
				b.Owners = append(b.Owners, o)
			}
		}
	}
	return b
}

func runRolloutsCLI(t *testing.T, src kube.PodSource, args ...string) (stdout, stderr string, code int, opts kube.Options) {
	t.Helper()
	return runCLIAt(t, rolloutsNow, src, args...)
}

func TestRolloutsText(t *testing.T) {
	kc := writeKubeconfig(t)
	src := &scriptedSource{batches: []kube.Batch{rolloutBatch(t, true, rollout.Access{})}}
	stdout, stderr, code, opts := runRolloutsCLI(t, src, "rollouts", "--kubeconfig", kc, "-n", "shop")
	if code != ExitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if !opts.WithOwners || len(opts.Namespaces) != 1 || opts.Namespaces[0] != "shop" {
		t.Errorf("source options = %+v, want owners watched in shop", opts)
	}
	golden(t, "rollouts.golden", stdout)
}

// RBAC refused the owners: the output says so first, and the workloads are
// resolved from the pods.
func TestRolloutsFallback(t *testing.T) {
	kc := writeKubeconfig(t)
	access := rollout.Access{Refused: []rollout.Refusal{
		{Kind: rollout.KindDeployment, Reason: "forbidden"},
		{Kind: rollout.KindReplicaSet, Reason: "forbidden"},
	}}
	src := &scriptedSource{batches: []kube.Batch{rolloutBatch(t, false, access)}}
	stdout, _, code, _ := runRolloutsCLI(t, src, "rollouts", "--kubeconfig", kc)
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	golden(t, "rollouts-fallback.golden", stdout)
	if !strings.HasPrefix(stdout, "note: cannot read Deployments in all namespaces (forbidden)") {
		t.Errorf("fallback not stated first:\n%s", stdout)
	}
}

func TestRolloutsJSON(t *testing.T) {
	kc := writeKubeconfig(t)
	src := &scriptedSource{batches: []kube.Batch{rolloutBatch(t, true, rollout.Access{})}}
	stdout, _, code, _ := runRolloutsCLI(t, src, "rollouts", "--kubeconfig", kc, "-o", "json")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	var s rollout.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, stdout)
	}
	if len(s.Workloads) != 6 || s.Pods != 12 {
		t.Errorf("%d workloads, %d pods", len(s.Workloads), s.Pods)
	}
	golden(t, "rollouts.json.golden", stdout)
}

// -w prints again only when the summary changes, not for every batch.
func TestRolloutsWatch(t *testing.T) {
	kc := writeKubeconfig(t)
	first := rolloutBatch(t, true, rollout.Access{})
	same := kube.Batch{Synced: true, Upserted: first.Upserted[:1]}
	var recovered *corev1.Pod
	for _, p := range first.Upserted {
		if p.Name == "web-new-c" {
			recovered = p.DeepCopy()
		}
	}
	recovered.Status.InitContainerStatuses[2].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
		ExitCode: 0, Reason: "Completed", StartedAt: metav1.NewTime(rolloutsNow.Add(-20 * time.Second)), FinishedAt: metav1.NewTime(rolloutsNow.Add(-time.Second))}}
	changed := kube.Batch{Synced: true, Upserted: []*corev1.Pod{recovered}}
	src := &scriptedSource{batches: []kube.Batch{first, same, changed}}
	stdout, _, code, _ := runRolloutsCLI(t, src, "rollouts", "--kubeconfig", kc, "-w", "-n", "shop", "-l", "app=web")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	if n := strings.Count(stdout, "shop/Deployment/web"); n != 2 {
		t.Errorf("the summary was printed %d times, want 2 (initial, then one change):\n%s", n, stdout)
	}
	if !strings.Contains(stdout, "\n--- 2026-03-01T12:00:00Z ---\n") {
		t.Errorf("no dated rule between summaries:\n%s", stdout)
	}
}

func TestRolloutsUsageErrors(t *testing.T) {
	kc := writeKubeconfig(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"rollouts", "--kubeconfig", kc, "-o", "yaml"}, `unknown output format "yaml"`},
		{[]string{"rollouts", "--kubeconfig", kc, "web"}, `takes no arguments, got "web"`},
		{[]string{"rollouts", "--kubeconfig", kc, "--demo-seed", "3"}, "--demo-seed needs --demo"},
		{[]string{"rollouts", "--kubeconfig", kc, "-l", "a=(b"}, "label selector"},
	}
	for _, tt := range tests {
		_, stderr, code, _ := runRolloutsCLI(t, &scriptedSource{}, tt.args...)
		if code != ExitUsage && code != ExitError || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") > 2 {
			t.Errorf("%v: exit %d, stderr %q, want a short error with %q", tt.args, code, stderr, tt.want)
		}
	}
}

// A hostile message (escape sequences) comes out neutralised, in text and
// in JSON.
func TestRolloutsSanitises(t *testing.T) {
	kc := writeKubeconfig(t)
	b := rolloutBatch(t, true, rollout.Access{})
	for _, p := range b.Upserted {
		if p.Name == "web-new-c" || p.Name == "web-new-d" {
			p.Status.InitContainerStatuses[2].LastTerminationState.Terminated.Message = "lock held \x1b]52;c;ZXZpbA==\x07\x1b[31mred\u202e"
		}
	}
	for _, format := range []string{"text", "json"} {
		src := &scriptedSource{batches: []kube.Batch{b}}
		stdout, _, _, _ := runRolloutsCLI(t, src, "rollouts", "--kubeconfig", kc, "-o", format)
		if strings.ContainsAny(stdout, "\x1b\x07\u202e") {
			t.Errorf("-o %s printed raw control characters: %q", format, stdout)
		}
	}
}
