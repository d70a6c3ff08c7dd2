package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// twoClusters is two real control planes (etcd + kube-apiserver each) and
// one kubeconfig with a context for each.
type twoClusters struct {
	cps      map[string]*controlplane.ControlPlane
	admins   map[string]kubernetes.Interface
	kc       string
	contexts []string
}

// startTwoClusters starts a private control plane per context and writes a
// kubeconfig naming both (each context with its own cluster and user).
func startTwoClusters(t *testing.T, contexts ...string) *twoClusters {
	t.Helper()
	tc := &twoClusters{cps: map[string]*controlplane.ControlPlane{}, admins: map[string]kubernetes.Interface{}, contexts: contexts}
	for _, name := range contexts {
		cp := controlplane.StartForTest(t)
		tc.cps[name] = cp
		admin, err := cp.AdminClient()
		if err != nil {
			t.Fatal(err)
		}
		tc.admins[name] = admin
	}
	tc.kc = mergedKubeconfig(t, contexts, tc.cps)
	return tc
}

// mergedKubeconfig writes one kubeconfig with a context per control plane
// (each with its own cluster and admin user), the first one current.
func mergedKubeconfig(t *testing.T, contexts []string, cps map[string]*controlplane.ControlPlane) string {
	t.Helper()
	merged := clientcmdapi.NewConfig()
	for _, name := range contexts {
		cfg, err := clientcmd.LoadFromFile(adminKubeconfig(t, cps[name]))
		if err != nil {
			t.Fatal(err)
		}
		ctx := cfg.Contexts[cfg.CurrentContext]
		merged.Clusters[name] = cfg.Clusters[ctx.Cluster]
		merged.AuthInfos[name] = cfg.AuthInfos[ctx.AuthInfo]
		merged.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
	}
	merged.CurrentContext = contexts[0]
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*merged, kc); err != nil {
		t.Fatal(err)
	}
	return kc
}

// kubectlUnion is the union of `kubectl --context X get pods -A` over the
// contexts: "context namespace name" -> STATUS.
func (tc *twoClusters) kubectlUnion(t *testing.T, kubectl string) (map[string]string, error) {
	t.Helper()
	union := map[string]string{}
	for _, name := range tc.contexts {
		out, err := exec.Command(kubectl, "--kubeconfig", tc.kc, "--context", name, "get", "pods", "-A", "--no-headers").CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("kubectl --context %s: %v: %s", name, err, out)
		}
		for _, l := range nonEmptyLines(string(out)) {
			if strings.HasPrefix(l, "No resources") {
				continue
			}
			f := strings.Fields(l)
			union[name+" "+f[0]+" "+f[1]] = f[3]
		}
	}
	return union, nil
}

// TestMultiClusterGet: the merged `get` equals the union of kubectl's lists
// of both clusters, the same namespace/name in both is two rows, and each
// cluster's rows carry its context.
func TestMultiClusterGet(t *testing.T) {
	t.Parallel()
	tc := startTwoClusters(t, "eu-1", "us-1")
	ctx := context.Background()
	for _, name := range tc.contexts {
		ensureNamespace(ctx, t, tc.admins[name], "shop")
		createPods(ctx, t, tc.admins[name], "shop", "web", 3) // the same names in both
	}
	createPods(ctx, t, tc.admins["eu-1"], "shop", "eu-only", 1)
	setInitRunning(ctx, t, tc.admins["us-1"], "shop", "web-1", 1)
	kubectl := kubectlBinary(t)
	bin := initwatchBinary(t)

	for _, args := range [][]string{{"--context", "eu-1,us-1"}, {"--context", "eu-1", "--context", "us-1"}, {"--all-contexts"}} {
		cmd := exec.Command(bin, append([]string{"get", "--kubeconfig", tc.kc}, args...)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("get %v: %v: %s", args, err, stderr.String())
		}
		lines := nonEmptyLines(string(out))
		if len(lines) == 0 || !strings.HasPrefix(lines[0], "CONTEXT ") {
			t.Fatalf("get %v: no CONTEXT column: %q", args, out)
		}
		got := map[string]string{}
		for _, l := range lines[1:] {
			f := strings.Fields(l)
			k := f[0] + " " + f[1] + " " + f[2]
			if _, dup := got[k]; dup {
				t.Errorf("get %v: %s twice", args, k)
			}
			got[k] = f[4]
		}
		want, err := tc.kubectlUnion(t, kubectl)
		if err != nil {
			t.Fatal(err)
		}
		if !mapsEqual(got, want) {
			t.Errorf("get %v:\n got  %v\n want %v (the union of kubectl --context X get pods -A)", args, got, want)
		}
		for _, c := range tc.contexts {
			if _, ok := got[c+" shop web-0"]; !ok {
				t.Errorf("get %v: shop/web-0 of %s missing: the same name in two clusters must be two rows", args, c)
			}
		}
	}

	// One context is exactly kubectl's --context: no CONTEXT column.
	out, err := exec.Command(bin, "get", "--kubeconfig", tc.kc, "--context", "us-1", "-n", "shop").CombinedOutput()
	if err != nil {
		t.Fatalf("get --context us-1: %v: %s", err, out)
	}
	if !strings.HasPrefix(string(out), "NAMESPACE ") || strings.Contains(string(out), "eu-only") {
		t.Errorf("get --context us-1 = %q", out)
	}
	// Bad input: one line, exit 1, nothing printed on stdout.
	cmd := exec.Command(bin, "get", "--kubeconfig", tc.kc, "--context", "eu-1,mars-1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err == nil || len(stdout) > 0 || len(nonEmptyLines(stderr.String())) != 1 ||
		!strings.Contains(stderr.String(), `context "mars-1" not found in the kubeconfig (it has: eu-1, us-1)`) {
		t.Errorf("unknown context: err %v, stdout %q, stderr %q", err, stdout, stderr.String())
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// multiRow is a row of the terminal UI with a CONTEXT column.
var multiRow = regexp.MustCompile(`^(\S+)( stale)?\s+(\S+)\s+(\S+)\s+(\d+/\d+)\s+(\S+)`)

// multiScreenRows reads "context namespace name" -> rows, and which rows are
// marked stale.
func multiScreenRows(screen string) (count map[string]int, stale map[string]bool) {
	count, stale = map[string]int{}, map[string]bool{}
	lines := strings.Split(screen, "\n")
	for _, l := range lines[min(3, len(lines)):] {
		m := multiRow.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		k := m[1] + " " + m[3] + " " + m[4]
		count[k]++
		if m[2] != "" {
			stale[k] = true
		}
	}
	return count, stale
}

// multiScreenMatches is "" when every pod of the union of kubectl's lists is
// on screen once and nothing else is.
func multiScreenMatches(t *testing.T, tc *twoClusters, kubectl, screen string) string {
	want, err := tc.kubectlUnion(t, kubectl)
	if err != nil {
		return err.Error()
	}
	count, _ := multiScreenRows(screen)
	var problems []string
	for k := range want {
		if count[k] != 1 {
			problems = append(problems, fmt.Sprintf("%s on screen %d times", k, count[k]))
		}
	}
	for k := range count {
		if _, ok := want[k]; !ok {
			problems = append(problems, k+" on screen, not in kubectl")
		}
	}
	sort.Strings(problems)
	return strings.Join(problems, "; ")
}

// TestMultiClusterOutage: with two clusters on screen and in get -w, one
// apiserver is stopped. The other stays live (its changes keep coming), the
// stopped one is marked and its pods stay, marked stale; when it returns,
// its changes show and nothing is lost or duplicated.
func TestMultiClusterOutage(t *testing.T) {
	t.Parallel()
	tc := startTwoClusters(t, "eu-1", "us-1")
	ctx := context.Background()
	for _, name := range tc.contexts {
		ensureNamespace(ctx, t, tc.admins[name], "shop")
		createPods(ctx, t, tc.admins[name], "shop", "web", 3)
	}
	kubectl := kubectlBinary(t)
	bin := initwatchBinary(t)
	rt := startRelTerm(t, 160, 30, relEnv(t.TempDir(), "NO_COLOR=1"), bin, "--kubeconfig", tc.kc, "--context", "eu-1,us-1")
	rt.waitUntil("both clusters, live", func(s string) bool {
		return multiScreenMatches(t, tc, kubectl, s) == "" && regexp.MustCompile(`eu-1 ● live\s+us-1 ● live`).MatchString(s)
	})

	watch := exec.Command(bin, "get", "-w", "--kubeconfig", tc.kc, "--context", "eu-1,us-1")
	var watchOut, watchErr lockedBuffer
	watch.Stdout, watch.Stderr = &watchOut, &watchErr
	if err := watch.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = watch.Process.Kill(); _ = watch.Wait() }()
	eventually(t, "the table of get -w", func() string {
		if strings.Count(watchOut.String(), "web-2") == 2 {
			return ""
		}
		return fmt.Sprintf("stdout %q, stderr %q", watchOut.String(), watchErr.String())
	})

	if err := tc.cps["us-1"].KillAPIServer(); err != nil {
		t.Fatal(err)
	}
	screen := rt.waitFor("us-1 marked, eu-1 live", `eu-1 ● live\s+us-1 ◌ reconnecting · stale`)
	count, stale := multiScreenRows(screen)
	for _, c := range tc.contexts {
		for _, n := range []string{"web-0", "web-1", "web-2"} {
			k := c + " shop " + n
			if count[k] != 1 {
				t.Errorf("while us-1 is down: %s on screen %d times; screen:\n%s", k, count[k], screen)
			}
			if stale[k] != (c == "us-1") {
				t.Errorf("while us-1 is down: %s stale=%v", k, stale[k])
			}
		}
	}
	// eu-1 stays live: its changes reach the screen and get -w.
	created := createPods(ctx, t, tc.admins["eu-1"], "shop", "during", 1)
	rt.waitFor("eu-1's new pod while us-1 is down", `(?m)^eu-1\s+shop\s+`+created[0]+`\s`)
	eventually(t, "get -w to print eu-1's new pod", func() string {
		if regexp.MustCompile(`(?m)^eu-1\s+shop\s+` + created[0]).MatchString(watchOut.String()) {
			return ""
		}
		return watchOut.String()
	})

	eventually(t, "get -w to report us-1's outage", func() string {
		if strings.Contains(watchErr.String(), `context "us-1": connection lost`) {
			return ""
		}
		return fmt.Sprintf("stderr %q", watchErr.String())
	})

	if err := tc.cps["us-1"].StartAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	us := tc.admins["us-1"]
	back := createPods(ctx, t, us, "shop", "back", 1)
	setInitRunning(ctx, t, us, "shop", "web-0", 1)
	if err := us.CoreV1().Pods("shop").Delete(ctx, "web-2", deleteNow); err != nil {
		t.Fatal(err)
	}
	rt.waitUntil("us-1 back, nothing lost or doubled", func(s string) bool {
		return multiScreenMatches(t, tc, kubectl, s) == "" && regexp.MustCompile(`eu-1 ● live\s+us-1 ● live`).MatchString(s) &&
			!strings.Contains(s, " stale")
	})
	eventually(t, "get -w to print us-1's new pod", func() string {
		if regexp.MustCompile(`(?m)^us-1\s+shop\s+` + back[0]).MatchString(watchOut.String()) {
			return ""
		}
		return watchOut.String()
	})
	if err := watch.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := watch.Wait(); err != nil {
		t.Errorf("get -w ended with %v", err)
	}
	stderr := watchErr.String()
	if !strings.Contains(stderr, `context "us-1": connection lost`) || !strings.Contains(stderr, `context "us-1": connection restored`) ||
		strings.Contains(stderr, `context "eu-1"`) {
		t.Errorf("get -w stderr: %q", stderr)
	}
	for _, l := range nonEmptyLines(watchOut.String()) {
		if f := strings.Fields(l); f[0] != "CONTEXT" && !slices.Contains(tc.contexts, f[0]) {
			t.Errorf("get -w printed a row without its context: %q", l)
		}
	}
}
