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
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// TestSecurityAudit runs initwatch against an apiserver that writes an
// audit log of every request, with users whose rights come from
// deploy/rbac.yaml, and judges initwatch by the requests it sent.
func TestSecurityAudit(t *testing.T) {
	// A private control plane: mostly waiting, so it runs alongside the
	// other tests that have their own.
	t.Parallel()
	var opts controlplane.Options
	audit, err := controlplane.EnableAudit(&opts, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cp := controlplane.StartWithOptions(t, opts)
	admin, err := cp.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	kubectl := kubectlBinary(t)
	root, err := controlplane.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	adminKC := adminKubeconfig(t, cp)
	if out, err := exec.Command(kubectl, "--kubeconfig", adminKC, "apply", "-f", filepath.Join(root, "deploy", "rbac.yaml")).CombinedOutput(); err != nil {
		t.Fatalf("kubectl apply -f deploy/rbac.yaml: %v\n%s", err, out)
	}
	env := auditEnv{t: t, cp: cp, audit: audit, admin: admin, kubectl: kubectl, adminKC: adminKC}
	t.Run("read-only", env.readOnly)
	t.Run("least privilege", env.leastPrivilege)
	t.Run("wait read-only", env.waitReadOnly)
}

type auditEnv struct {
	t       *testing.T
	cp      *controlplane.ControlPlane
	audit   *controlplane.Audit
	admin   kubernetes.Interface
	kubectl string
	adminKC string
}

// readOnly drives `get`, `get -o json`, `get -w` and the terminal UI
// through every view as a user of the group initwatch:viewers, then reads
// that user's requests from the audit log: only get, list and watch, only
// on what deploy/rbac.yaml grants, none refused, all from initwatch.
func (e auditEnv) readOnly(t *testing.T) {
	ctx := context.Background()
	const ns = "audit-ro"
	ensureNamespace(ctx, t, e.admin, ns)
	kubelet := startFakeKubelet(t, func(_, pod, container string, previous bool) []string {
		if previous {
			return []string{"previous run of " + container, "PREVIOUS-LOG-END"}
		}
		return []string{"log of " + pod + "/" + container, "CURRENT-LOG-END"}
	})
	kubelet.registerNode(ctx, t, e.admin, "audit-node")
	for i, name := range createPods(ctx, t, e.admin, ns, "ro", 4) {
		bindToNode(ctx, t, e.admin, ns, name, "audit-node", i)
	}
	restarted(ctx, t, e.admin, ns, "ro-0")
	podEvent(ctx, t, e.admin, ns, "ro-0", "BackOff", "Back-off restarting failed container migrate")

	user, err := e.cp.AddUser("audit-reader", "initwatch:viewers")
	if err != nil {
		t.Fatal(err)
	}
	bin := initwatchBinary(t)
	start := time.Now()

	if res := run(t, nil, bin, "get", "-A", "--kubeconfig", user.Kubeconfig); res.code != 0 || !strings.Contains(res.stdout, "ro-3") {
		t.Fatalf("get: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if res := run(t, nil, bin, "get", "-o", "json", "-n", ns, "--kubeconfig", user.Kubeconfig); res.code != 0 {
		t.Fatalf("get -o json: exit %d: %s", res.code, res.stderr)
	}
	watchGet(t, bin, user.Kubeconfig, ns, func() { setInitRunning(ctx, t, e.admin, ns, "ro-2", 1) }, "ro-2")

	rt := startRelTerm(t, 140, 40, relEnv(t.TempDir()), bin, "--kubeconfig", user.Kubeconfig)
	driveAllViews(t, rt, ns)

	reqs, err := e.audit.Requests(func(ev *controlplane.AuditEvent) bool {
		return ev.User.Username == user.Name && !ev.RequestReceived.Before(start.Add(-time.Second))
	})
	if err != nil {
		t.Fatal(err)
	}
	// What deploy/rbac.yaml grants: pods, their logs and events, and the
	// owners the rollout summary resolves pods to (a Job's CronJob too).
	allowed := map[string]bool{"pods": true, "pods/log": true, "events": true, "namespaces": true,
		"deployments": true, "replicasets": true, "statefulsets": true, "daemonsets": true, "jobs": true, "cronjobs": true}
	seen := map[string]int{}
	for _, r := range reqs {
		what := r.Verb + " " + r.Resource()
		seen[what]++
		switch {
		case r.Verb != "get" && r.Verb != "list" && r.Verb != "watch":
			t.Errorf("initwatch sent a %q request: %s %s", r.Verb, r.RequestURI, r.UserAgent)
		case !allowed[r.Resource()]:
			t.Errorf("initwatch read %q, which deploy/rbac.yaml does not grant: %s", r.Resource(), r.RequestURI)
		}
		if c := r.Code(); c == 401 || c == 403 {
			t.Errorf("the apiserver refused %s (HTTP %d): deploy/rbac.yaml is not enough", r.RequestURI, c)
		}
		if !strings.HasPrefix(r.UserAgent, "initwatch/") {
			t.Errorf("request %s has user agent %q, want initwatch/<version>", r.RequestURI, r.UserAgent)
		}
	}
	t.Logf("%d requests: %v", len(reqs), seen)
	// The run must have exercised what it claims to: lists and watches of
	// pods and events, and the current and previous logs.
	var logs, prevLogs bool
	for _, r := range reqs {
		if r.Resource() == "pods/log" {
			q := query(r.RequestURI)
			logs = logs || q.Get("follow") == "true"
			prevLogs = prevLogs || q.Get("previous") == "true"
		}
	}
	for _, want := range []string{"list pods", "watch pods", "watch events"} {
		if seen[want] == 0 && !(want == "list pods" && seen["watch pods"] > 0) {
			t.Errorf("no %q request in the audit log: the run did not exercise it", want)
		}
	}
	if !logs || !prevLogs {
		t.Errorf("the run did not follow logs (%v) and read the previous run's logs (%v)", logs, prevLogs)
	}
}

// leastPrivilege gives users the namespaced rights deploy/rbac.yaml
// describes (its kubectl commands, verbatim) in two namespaces of five.
func (e auditEnv) leastPrivilege(t *testing.T) {
	ctx := context.Background()
	nss := []string{"lp-a", "lp-b", "lp-c"}
	for _, ns := range nss {
		ensureNamespace(ctx, t, e.admin, ns)
		createPods(ctx, t, e.admin, ns, ns+"-pod", 2)
	}
	bin := initwatchBinary(t)

	// alice may list namespace names; bob may not.
	alice, err := e.cp.AddUser("lp-alice", "initwatch:namespace-listers")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := e.cp.AddUser("lp-bob")
	if err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{alice.Name, bob.Name} {
		for _, ns := range nss[:2] {
			out, err := exec.Command(e.kubectl, "--kubeconfig", e.adminKC, "-n", ns, "create", "rolebinding", "initwatch-"+user,
				"--clusterrole=initwatch-viewer", "--user="+user).CombinedOutput()
			if err != nil {
				t.Fatalf("kubectl create rolebinding: %v\n%s", err, out)
			}
		}
	}
	mustSee := []string{"lp-a-pod-0", "lp-a-pod-1", "lp-b-pod-0", "lp-b-pod-1"}
	mustNotSee := "lp-c-pod"

	t.Run("get -A finds the allowed namespaces", func(t *testing.T) {
		res := run(t, nil, bin, "get", "-A", "--kubeconfig", alice.Kubeconfig)
		if res.code != 0 {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		for _, p := range mustSee {
			if !strings.Contains(res.stdout, p) {
				t.Errorf("%s missing from:\n%s", p, res.stdout)
			}
		}
		if strings.Contains(res.stdout, mustNotSee) {
			t.Errorf("pods of a forbidden namespace shown:\n%s", res.stdout)
		}
		lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
		if len(lines) != 1 || !regexp.MustCompile(`cluster scope|all namespaces`).MatchString(lines[0]) || !strings.Contains(lines[0], `"lp-c"`) {
			t.Errorf("stderr should say once which scopes are forbidden, got %q", res.stderr)
		}
	})

	t.Run("get -w says it once", func(t *testing.T) {
		stderr := watchGet(t, bin, alice.Kubeconfig, "", func() { setInitRunning(ctx, t, e.admin, "lp-b", "lp-b-pod-1", 1) }, "lp-b-pod-1")
		if n := strings.Count(stderr, "not allowed"); n != 1 {
			t.Errorf("get -w warned %d times about forbidden scopes: %q", n, stderr)
		}
	})

	t.Run("without namespace list: the context namespace, or -n", func(t *testing.T) {
		kc := withContextNamespace(t, bob.Kubeconfig, "lp-a")
		res := run(t, nil, bin, "get", "-A", "--kubeconfig", kc)
		if res.code != 0 || !strings.Contains(res.stdout, "lp-a-pod-0") || strings.Contains(res.stdout, "lp-b-pod") {
			t.Errorf("get -A with context namespace lp-a: exit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		if !regexp.MustCompile(`cluster scope|all namespaces`).MatchString(res.stderr) || strings.Count(strings.TrimSpace(res.stderr), "\n") != 0 {
			t.Errorf("get -A should warn once about the cluster scope: %q", res.stderr)
		}
		res = run(t, nil, bin, "get", "-n", "lp-a,lp-b", "--kubeconfig", bob.Kubeconfig)
		if res.code != 0 || res.stderr != "" {
			t.Errorf("get -n lp-a,lp-b: exit %d, stderr %q", res.code, res.stderr)
		}
		for _, p := range mustSee {
			if !strings.Contains(res.stdout, p) {
				t.Errorf("get -n lp-a,lp-b: %s missing from:\n%s", p, res.stdout)
			}
		}
		// Nothing allowed where it looks: one line, exit 1.
		res = run(t, nil, bin, "get", "-A", "--kubeconfig", bob.Kubeconfig)
		if res.code != 1 || res.stdout != "" || strings.Count(res.stderr, "\n") != 1 ||
			!regexp.MustCompile(`^error: forbidden: .*(cluster scope|all namespaces).*"default"`).MatchString(res.stderr) {
			t.Errorf("get -A in context namespace default: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
		}
	})

	t.Run("the TUI shows the allowed namespaces and stays quiet", func(t *testing.T) {
		rt := startRelTerm(t, 160, 30, relEnv(t.TempDir()), bin, "--kubeconfig", alice.Kubeconfig)
		screen := rt.waitFor("the allowed pods and the refused scopes", append([]string{`forbidden`}, mustSee...)...)
		if strings.Contains(screen, mustNotSee) {
			t.Errorf("pods of a forbidden namespace on screen:\n%s", screen)
		}
		header := strings.SplitN(screen, "\n", 2)[0]
		if n := strings.Count(screen, "forbidden"); n != 1 || !strings.Contains(header, "forbidden") {
			t.Errorf("the header should say once that scopes are forbidden (%d times on screen):\n%s", n, screen)
		}
		if strings.Contains(header, "stale") {
			t.Errorf("the allowed namespaces are live, yet the header calls them stale:\n%s", header)
		}

		// Count alice's requests while the UI runs: a source that retried
		// the forbidden scopes, or relisted in a loop, shows up here.
		pid := rt.programPID()
		cpuFrom := cpuTime(t, pid)
		quietFrom := time.Now()
		time.Sleep(20 * time.Second)
		quietTo := time.Now()
		// An idle UI redraws ages once a second; a retry or render loop
		// that spins burns the whole window.
		if used := cpuTime(t, pid) - cpuFrom; used > 4*time.Second {
			t.Errorf("initwatch used %s of CPU in %s of steady state", used, quietTo.Sub(quietFrom).Round(time.Second))
		} else {
			t.Logf("CPU used in the quiet window: %s", used)
		}
		if dead := rt.display("#{pane_dead}"); dead != "0" {
			t.Fatalf("initwatch exited:\n%s", rt.screen())
		}
		reqs, err := e.audit.Requests(controlplane.ByUser(alice.Name))
		if err != nil {
			t.Fatal(err)
		}
		var during []string
		for _, r := range reqs {
			if r.RequestReceived.Before(quietFrom) || r.RequestReceived.After(quietTo) {
				continue
			}
			during = append(during, fmt.Sprintf("%s %s -> %d", r.Verb, r.RequestURI, r.Code()))
			if r.Namespace() != "lp-a" && r.Namespace() != "lp-b" {
				t.Errorf("after start-up initwatch still asked for a forbidden scope: %s %s", r.Verb, r.RequestURI)
			}
		}
		sort.Strings(during)
		// Once synced, the watches stay open: no request at all is the
		// expected count; two leaves room for a watch the server ended.
		if len(during) > 2 {
			t.Errorf("%d requests in %s of steady state:\n%s", len(during), quietTo.Sub(quietFrom).Round(time.Second), strings.Join(during, "\n"))
		}
		t.Logf("requests in the quiet window: %v", during)
	})

	t.Run("no rights at all: one line, exit 1", func(t *testing.T) {
		nobody, err := e.cp.AddUser("lp-nobody")
		if err != nil {
			t.Fatal(err)
		}
		res := run(t, nil, bin, "get", "--kubeconfig", nobody.Kubeconfig)
		if res.code != 1 || res.stdout != "" || strings.Count(res.stderr, "\n") != 1 || !strings.HasPrefix(res.stderr, "error: forbidden") {
			t.Errorf("get: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
		}
		rt := startRelTerm(t, 120, 20, relEnv(t.TempDir()), bin, "--kubeconfig", nobody.Kubeconfig)
		if code := rt.exitStatus(); code != 1 {
			t.Errorf("the TUI exited %d, want 1", code)
		}
		lines := nonEmptyLines(rt.output())
		if len(lines) != 1 || !strings.HasPrefix(lines[0], "error: forbidden") {
			t.Errorf("the TUI left %q on the terminal, want one error line", lines)
		}
	})
}

// driveAllViews takes the UI through the list (help, filter, toggles,
// sort, grouping), the detail view's panes and the logs pane (follow,
// previous run, container switch, timestamps, wrap, search), then quits.
func driveAllViews(t *testing.T, rt *term, ns string) {
	t.Helper()
	step := func(what string, keys []string, pattern string) {
		t.Helper()
		for _, k := range keys {
			rt.keys(k)
		}
		rt.waitFor(what, pattern)
	}
	rt.waitFor("the pod list", `ro-0`, `ro-3`)
	step("help", []string{"?"}, `(?i)keys`)
	step("the list", []string{"Escape"}, `NAMESPACE\s+NAME`)
	for _, k := range []string{"i", "f", "o", "s", "S"} {
		rt.keys(k)
		rt.keys(k)
		if k == "s" {
			rt.keys("s", "s", "s")
		}
	}
	step("the list after the toggles", nil, `ro-0`)
	rt.keys("/")
	rt.text("ro-0")
	step("the filter", []string{"Enter"}, `/ro-0 \(1\)`)
	step("the detail view", []string{"Enter"}, `(?m)^`+ns+`/ro-0 `)
	for i, pane := range []string{"Init containers", "Conditions", "Events", "History", "Resources"} {
		step(pane, []string{fmt.Sprint(i + 1)}, `\[`+fmt.Sprint(i+1)+` `+pane)
	}
	step("the events", []string{"3"}, `Back-off restarting failed container`)
	step("the logs", []string{"6"}, `CURRENT-LOG-END`)
	step("the previous run", []string{"p"}, `PREVIOUS-LOG-END`)
	step("the current run", []string{"p"}, `CURRENT-LOG-END`)
	for _, k := range []string{"t", "w", "s", "+", "-", "c"} {
		rt.keys(k)
	}
	rt.backToList()
	step("the detail view again", []string{"Enter", "6"}, `CURRENT-LOG-END`)
	rt.keys("/")
	rt.text("log")
	step("a search in the logs", []string{"Enter"}, `/log`)
	rt.keys("n")
	rt.keys("N")
	rt.backToList()
	step("logs from the list", []string{"l"}, `CURRENT-LOG-END`)
	rt.backToList()
	step("previous logs from the list", []string{"p"}, `PREVIOUS-LOG-END`)
	rt.backToList()
	rt.keys("q")
	if code := rt.exitStatus(); code != 0 {
		t.Errorf("exit status %d after q; screen:\n%s", code, rt.screen())
	}
}

// watchGet runs `get -w` until its table is out, calls change, waits until
// a line for want appears after the table, interrupts it and returns what
// it wrote on stderr.
func watchGet(t *testing.T, bin, kc, ns string, change func(), want string) string {
	t.Helper()
	args := []string{"get", "-w", "--kubeconfig", kc}
	if ns != "" {
		args = append(args, "-n", ns)
	} else {
		args = append(args, "-A")
	}
	cmd := exec.Command(bin, args...)
	var out, errOut lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	eventually(t, "the table of get -w", func() string {
		if strings.Contains(out.String(), want) {
			return ""
		}
		return fmt.Sprintf("stdout %q, stderr %q", out.String(), errOut.String())
	})
	before := strings.Count(out.String(), want)
	change()
	eventually(t, "the change in get -w", func() string {
		if strings.Count(out.String(), want) > before {
			return ""
		}
		return fmt.Sprintf("stdout %q", out.String())
	})
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("get -w after ctrl+c: %v (stderr %q)", err, errOut.String())
	}
	return errOut.String()
}

// bindToNode moves a pod's status to "init container i%2 running" on node;
// the pod was created bound to node-1, which does not exist, so the test
// deletes and recreates it on node.
func bindToNode(ctx context.Context, t *testing.T, cs kubernetes.Interface, ns, name, node string, i int) {
	t.Helper()
	if err := cs.CoreV1().Pods(ns).Delete(ctx, name, deleteNow); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the old pod to go", func() string {
		if _, err := cs.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{}); err == nil {
			return name + " still there"
		}
		return ""
	})
	pod := initPod(ns, name)
	pod.Spec.NodeName = node
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	setInitRunning(ctx, t, cs, ns, name, i%2)
}

// restarted gives the pod's running init container a previous run.
func restarted(ctx context.Context, t *testing.T, cs kubernetes.Interface, ns, name string) {
	t.Helper()
	pod, err := cs.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range pod.Status.InitContainerStatuses {
		s := &pod.Status.InitContainerStatuses[i]
		if s.State.Running != nil {
			s.RestartCount = 2
			s.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error",
				StartedAt: s.State.Running.StartedAt, FinishedAt: s.State.Running.StartedAt}
		}
	}
	if _, err := cs.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// withContextNamespace copies a kubeconfig, setting its context's namespace.
func withContextNamespace(t *testing.T, kc, ns string) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(kc)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Contexts[cfg.CurrentContext].Namespace = ns
	path := filepath.Join(t.TempDir(), "ns.kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return slices.Clip(out)
}

// cpuTime is the user+system CPU time a process has used so far, from
// /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s).
func cpuTime(t *testing.T, pid int) time.Duration {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// The command name (field 2) may hold spaces; it ends at the last ')'.
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	var ticks int64
	for _, f := range fields[11:13] { // utime, stime: fields 14 and 15 overall
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			t.Fatalf("/proc/%d/stat: %q", pid, data)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}
