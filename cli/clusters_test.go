package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/rollout"
)

// writeMultiKubeconfig writes a kubeconfig with contexts eu-1 and us-1 and
// a config file with cluster sets; it returns their paths.
func writeMultiKubeconfig(t *testing.T) (kubeconfig, configFile string) {
	t.Helper()
	dir := t.TempDir()
	kubeconfig = filepath.Join(dir, "kubeconfig")
	const kc = `apiVersion: v1
kind: Config
clusters:
- {name: eu, cluster: {server: "https://127.0.0.1:1"}}
- {name: us, cluster: {server: "https://127.0.0.1:2"}}
users:
- {name: u, user: {token: t}}
contexts:
- {name: eu-1, context: {cluster: eu, user: u}}
- {name: us-1, context: {cluster: us, user: u}}
current-context: eu-1
`
	configFile = filepath.Join(dir, "config.yaml")
	const cfg = "clusters:\n  prod: [eu-1, us-1]\n  lone: [us-1]\n  ghost: [eu-1, mars-1]\n"
	if err := os.WriteFile(kubeconfig, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(configFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return kubeconfig, configFile
}

// runMultiCLI runs Main with a source per context from sources (an error
// for a context makes its source fail).
func runMultiCLI(t *testing.T, configFile string, sources map[string]func() (kube.PodSource, error), args ...string) (stdout, stderr string, code int, seen []string) {
	t.Helper()
	var out, errOut bytes.Buffer
	var mu sync.Mutex
	home := t.TempDir()
	env := &Env{
		Stdout: &out, Stderr: &errOut,
		Now: func() time.Time { return fixedNow },
		NewSource: func(f *kube.ConfigFlags, o kube.Options) (kube.PodSource, error) {
			mu.Lock()
			seen = append(seen, o.Context)
			mu.Unlock()
			if o.Context != "" && o.Context != f.Overrides.CurrentContext {
				t.Errorf("source of %q built on flags for context %q", o.Context, f.Overrides.CurrentContext)
			}
			mk, ok := sources[o.Context]
			if !ok {
				return nil, errors.New("no such source")
			}
			return mk()
		},
		LookupEnv: func(key string) (string, bool) {
			switch key {
			case "HOME":
				return home, true
			case "INITWATCH_CONFIG":
				return configFile, true
			}
			return "", false
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code = Main(ctx, args, env)
	mu.Lock()
	defer mu.Unlock()
	return out.String(), errOut.String(), code, slices.Clone(seen)
}

// stamped is what a cluster's informer source sends: pods carrying their
// context.
func stamped(ctx string, pods []*corev1.Pod) kube.Batch {
	b := kube.Batch{Synced: true, Conn: &kube.ConnState{Phase: kube.ConnLive}}
	for _, p := range pods {
		c := p.DeepCopy()
		c.Annotations = map[string]string{model.ContextAnnotation: ctx}
		b.Upserted = append(b.Upserted, c)
	}
	return b
}

func TestGetSeveralContexts(t *testing.T) {
	kc, cfg := writeMultiKubeconfig(t)
	pods := loadPods(t)[:2]
	sources := map[string]func() (kube.PodSource, error){
		"eu-1": func() (kube.PodSource, error) {
			return &scriptedSource{batches: []kube.Batch{stamped("eu-1", pods)}}, nil
		},
		"us-1": func() (kube.PodSource, error) {
			return &scriptedSource{batches: []kube.Batch{stamped("us-1", pods)}}, nil
		},
	}
	for _, args := range [][]string{{"--context", "eu-1,us-1"}, {"--clusters", "prod"}, {"--all-contexts"}} {
		out, errOut, code, _ := runMultiCLI(t, cfg, sources, append([]string{"get", "--kubeconfig", kc}, args...)...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		lines := nonEmpty(out)
		if len(lines) != 5 || !strings.HasPrefix(lines[0], "CONTEXT ") {
			t.Fatalf("%v: want a CONTEXT header and 4 rows:\n%s", args, out)
		}
		for i, ctx := range []string{"eu-1", "eu-1", "us-1", "us-1"} {
			if !strings.HasPrefix(lines[i+1], ctx+" ") {
				t.Errorf("%v: row %d = %q, want context %s (rows by context, then namespace/name)", args, i+1, lines[i+1], ctx)
			}
		}
	}
	// A set of one context is that context alone: kubectl's table.
	out, errOut, code, seen := runMultiCLI(t, cfg, map[string]func() (kube.PodSource, error){
		"": func() (kube.PodSource, error) { return &scriptedSource{batches: []kube.Batch{stamped("", pods)}}, nil },
	}, "get", "--kubeconfig", kc, "--clusters", "lone")
	if code != ExitOK || !strings.HasPrefix(out, "NAMESPACE ") || len(seen) != 1 {
		t.Errorf("--clusters lone: exit %d, out %q, err %q, sources %q", code, out, errOut, seen)
	}
}

// A cluster that cannot be reached does not hold the others back: the
// one-shot table shows what answered, and the exit code and the last line
// say which context is missing.
func TestGetOneClusterDown(t *testing.T) {
	kc, cfg := writeMultiKubeconfig(t)
	pods := loadPods(t)[:2]
	sources := map[string]func() (kube.PodSource, error){
		"eu-1": func() (kube.PodSource, error) {
			return &scriptedSource{batches: []kube.Batch{stamped("eu-1", pods)}}, nil
		},
		"us-1": func() (kube.PodSource, error) {
			return nil, errors.New(`Get "https://127.0.0.1:2/api": dial tcp 127.0.0.1:2: connect: connection refused`)
		},
	}
	out, errOut, code, _ := runMultiCLI(t, cfg, sources, "get", "--kubeconfig", kc, "--context", "eu-1,us-1")
	if code != ExitError {
		t.Errorf("exit %d, want %d", code, ExitError)
	}
	if lines := nonEmpty(out); len(lines) != 3 || strings.Contains(out, "us-1") {
		t.Errorf("stdout = %q, want eu-1's two rows", out)
	}
	if !strings.Contains(errOut, `warning: context "us-1": unreachable`) || !strings.Contains(errOut, `error: context "us-1": `) {
		t.Errorf("stderr = %q", errOut)
	}
}

func TestContextFlagErrors(t *testing.T) {
	kc, cfg := writeMultiKubeconfig(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--context", "eu-1,mars-1"}, `error: context "mars-1" not found in the kubeconfig (it has: eu-1, us-1)`},
		{[]string{"--context", "eu-1,us-1,eu-1"}, `error: --context eu-1,us-1,eu-1: context "eu-1" is named twice`},
		{[]string{"--context", "eu-1,"}, `error: --context eu-1,: empty context name`},
		{[]string{"--clusters", "staging"}, `error: --clusters "staging": no such set in the config file (it defines: ghost, lone, prod)`},
		{[]string{"--clusters", "ghost"}, `error: context "mars-1" not found in the kubeconfig`},
		{[]string{"--clusters", "prod", "--context", "eu-1"}, `use one of them`},
	}
	for _, tt := range tests {
		for _, cmd := range []string{"get", ""} {
			args := append([]string{"--kubeconfig", kc}, tt.args...)
			if cmd != "" {
				args = append([]string{cmd}, args...)
			}
			out, errOut, code, seen := runMultiCLI(t, cfg, nil, args...)
			if code != ExitError || out != "" || len(seen) > 0 {
				t.Errorf("%v: exit %d, stdout %q, sources %v", args, code, out, seen)
			}
			if lines := nonEmpty(errOut); len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
				t.Errorf("%v: stderr %q, want one line with %q", args, errOut, tt.want)
			}
		}
	}
}

// An empty set is refused where it is written: in the config file.
func TestEmptyClusterSet(t *testing.T) {
	kc, _ := writeMultiKubeconfig(t)
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("clusters:\n  prod: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code, _ := runMultiCLI(t, cfg, nil, "get", "--kubeconfig", kc, "--clusters", "prod")
	if code != ExitError || !strings.Contains(errOut, "clusters.prod is empty") || len(nonEmpty(errOut)) != 1 {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func nonEmpty(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// `rollouts` over several contexts is one summary in which each workload
// names its cluster: the same pods in eu-1 and us-1 are two sets of
// workloads, and both sources watch owners.
func TestRolloutsSeveralContexts(t *testing.T) {
	kc, cfg := writeMultiKubeconfig(t)
	pods := loadPods(t)[:2]
	source := func(ctx string) func() (kube.PodSource, error) {
		return func() (kube.PodSource, error) {
			return &scriptedSource{batches: []kube.Batch{stamped(ctx, pods)}}, nil
		}
	}
	sources := map[string]func() (kube.PodSource, error){"eu-1": source("eu-1"), "us-1": source("us-1")}
	out, errOut, code, seen := runMultiCLI(t, cfg, sources, "rollouts", "--kubeconfig", kc, "--context", "eu-1,us-1", "-o", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if len(seen) != 2 {
		t.Fatalf("sources built for %q, want eu-1 and us-1", seen)
	}
	for _, ctx := range []string{`"context": "eu-1"`, `"context": "us-1"`} {
		if !strings.Contains(out, ctx) {
			t.Errorf("summary lacks %s:\n%s", ctx, out)
		}
	}
}

// `wait` judges one cluster: several contexts are a usage error in one line.
// A pod removed in one cluster leaves the same namespace/name in another
// in the summary.
func TestRolloutsRemovalKeepsOtherCluster(t *testing.T) {
	pods := loadPods(t)[:2]
	owners := rollout.NewOwners()
	sum := rollout.NewSummarizer(owners, rollout.Options{})
	applyRolloutBatch(sum, owners, stamped("eu-1", pods))
	applyRolloutBatch(sum, owners, stamped("us-1", pods))
	if got := sum.Summary(fixedNow).Pods; got != 4 {
		t.Fatalf("pods before removal = %d, want 4", got)
	}
	gone := kube.KeyOf(stamped("eu-1", pods[:1]).Upserted[0])
	applyRolloutBatch(sum, owners, kube.Batch{Removed: []kube.PodKey{gone}})
	if got := sum.Summary(fixedNow).Pods; got != 3 {
		t.Fatalf("pods after removing %v = %d, want 3", gone, got)
	}
}
