package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/initwatch/initwatch/e2e/controlplane"
	"github.com/initwatch/initwatch/kube"
)

// outageDown is how long the apiserver, then etcd, stay down: long
// enough for client-go's retries to back off several times.
const outageDown = 30 * time.Second

// TestOutageInTUI runs the terminal UI through a 30-second apiserver outage
// and then a 30-second etcd outage. While the apiserver is down the header
// must say "reconnecting" and mark what is shown as stale, and the last
// known rows must stay on screen (and the UI keep answering keys). Once
// the component is back, the header is live again and changes made right
// after the restart show up: no pod lost, none doubled, every STATUS equal
// to kubectl's.
func TestOutageInTUI(t *testing.T) {
	// A private control plane: mostly waiting, so it runs alongside the
	// other tests that have their own.
	t.Parallel()
	cp := controlplane.StartForTest(t) // private: the shared one must stay up
	ctx := context.Background()
	admin, err := cp.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	const ns = "outage"
	ensureNamespace(ctx, t, admin, ns)
	names := createPods(ctx, t, admin, ns, "pod", 6)
	for i, name := range names[:3] {
		setInitRunning(ctx, t, admin, ns, name, i%2)
	}
	kc := adminKubeconfig(t, cp)
	kubectl := kubectlBinary(t)
	rt := startRelTerm(t, 140, 30, relEnv(t.TempDir(), "NO_COLOR=1"), initwatchBinary(t), "-n", ns, "--kubeconfig", kc)
	rt.waitUntil("the pods, live", func(s string) bool { return screenMatchesKubectl(t, s, kubectl, kc, ns) == "" && liveHeader(s) })

	// `get -w` runs through both outages too: it must keep going, report
	// the outage on stderr in its own words, and nothing else.
	watch := exec.Command(initwatchBinary(t), "get", "-w", "-n", ns, "--kubeconfig", kc)
	var watchOut, watchErr lockedBuffer
	watch.Stdout, watch.Stderr = &watchOut, &watchErr
	if err := watch.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = watch.Process.Kill(); _ = watch.Wait() }()
	eventually(t, "the table of get -w", func() string {
		if strings.Contains(watchOut.String(), names[5]) {
			return ""
		}
		return fmt.Sprintf("stdout %q, stderr %q", watchOut.String(), watchErr.String())
	})

	// The apiserver crashes.
	if err := cp.KillAPIServer(); err != nil {
		t.Fatal(err)
	}
	downAt := time.Now()
	screen := rt.waitFor("the header to say reconnecting", `(?m)^initwatch.*reconnecting.*stale`)
	assertRows(t, "while the apiserver is down", screen, ns, names)
	// The last known state can still be browsed.
	rt.keys("Enter")
	rt.waitFor("the detail view while down", `(?m)^`+ns+`/pod-`)
	rt.keys("Escape")
	rt.waitFor("the list while down", `NAMESPACE\s+NAME`)
	time.Sleep(time.Until(downAt.Add(outageDown)))
	screen = rt.waitFor("the header to still say reconnecting", `(?m)^initwatch.*reconnecting.*stale`)
	assertRows(t, "after 30 s without the apiserver", screen, ns, names)

	if err := cp.StartAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	names = changeRightAway(ctx, t, admin, ns, names, "after-api")
	rt.waitUntil("the changes after the apiserver restart", func(s string) bool {
		return liveHeader(s) && screenMatchesKubectl(t, s, kubectl, kc, ns) == ""
	})
	assertRows(t, "after the apiserver restart", rt.screen(), ns, names)

	// Etcd crashes under a running apiserver. Open watches may stay open
	// (the apiserver serves them from its cache), so the header is not
	// required to change; the rows must stay and changes must follow.
	var during string
	err = cp.WithEtcdDown(ctx, func() error {
		time.Sleep(outageDown)
		during = rt.screen()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	assertRows(t, "while etcd is down", during, ns, names)
	t.Logf("header while etcd was down: %s", strings.SplitN(during, "\n", 2)[0])
	names = changeRightAway(ctx, t, admin, ns, names, "after-etcd")
	rt.waitUntil("the changes after the etcd restart", func(s string) bool {
		return liveHeader(s) && screenMatchesKubectl(t, s, kubectl, kc, ns) == ""
	})
	assertRows(t, "after the etcd restart", rt.screen(), ns, names)

	eventually(t, "get -w to print the last change", func() string {
		if strings.Contains(watchOut.String(), names[len(names)-1]) {
			return ""
		}
		return fmt.Sprintf("stdout %q", watchOut.String())
	})
	if err := watch.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := watch.Wait(); err != nil {
		t.Errorf("get -w ended with %v", err)
	}
	stderr := watchErr.String()
	for _, l := range nonEmptyLines(stderr) {
		if !strings.HasPrefix(l, "warning: ") {
			t.Errorf("get -w wrote a line that is not its own warning: %q", l)
		}
	}
	if !strings.Contains(stderr, "reconnecting") || !strings.Contains(stderr, "restored") {
		t.Errorf("get -w did not report the outage and the recovery: %q", stderr)
	}
	for _, l := range nonEmptyLines(watchOut.String()) {
		if !strings.HasPrefix(l, "NAMESPACE ") && !strings.HasPrefix(l, ns+" ") {
			t.Errorf("get -w printed a line that is not a row: %q", l)
		}
	}
}

// TestSourceSurvivesEtcdRestart is the in-process side of the etcd outage:
// the pod source's map must end equal to the apiserver's list, every pod
// that existed throughout still there (never removed and re-added).
func TestSourceSurvivesEtcdRestart(t *testing.T) {
	// A private control plane: mostly waiting, so it runs alongside the
	// other tests that have their own.
	t.Parallel()
	cp := controlplane.StartForTest(t)
	ctx := context.Background()
	admin, err := cp.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	const ns = "etcd-restart"
	ensureNamespace(ctx, t, admin, ns)
	names := createPods(ctx, t, admin, ns, "pod", 10)
	rec := record(t, admin, kube.Options{WithEvents: true})
	rec.waitFor(t, "the initial list", func(s recorderState) bool {
		return s.synced && sameAsServer(ctx, admin, s.pods) == ""
	})
	if err := cp.WithEtcdDown(ctx, func() error { time.Sleep(5 * time.Second); return nil }); err != nil {
		t.Fatal(err)
	}
	for i, name := range names[:4] {
		setInitRunning(ctx, t, admin, ns, name, i%2)
	}
	for _, name := range names[8:] {
		if err := admin.CoreV1().Pods(ns).Delete(ctx, name, deleteNow); err != nil {
			t.Fatal(err)
		}
	}
	createPods(ctx, t, admin, ns, "late", 3)
	rec.waitFor(t, "the source to match the apiserver after the etcd restart", func(s recorderState) bool {
		return sameAsServer(ctx, admin, s.pods) == ""
	})
	s := rec.state()
	for key := range s.removed {
		if key.Name != names[8] && key.Name != names[9] {
			t.Errorf("%s was removed though it was never deleted", key.Name)
		}
	}
	t.Logf("connection phases: %v", s.phases)
}

// changeRightAway changes the namespace the moment the control plane is
// back: a new pod, two status changes, a deletion. It returns the pods that
// now exist.
func changeRightAway(ctx context.Context, t *testing.T, cs kubernetes.Interface, ns string, names []string, prefix string) []string {
	t.Helper()
	created := createPods(ctx, t, cs, ns, prefix, 2)
	setInitRunning(ctx, t, cs, ns, names[3], 1)
	setInitRunning(ctx, t, cs, ns, created[0], 0)
	if err := cs.CoreV1().Pods(ns).Delete(ctx, names[4], deleteNow); err != nil {
		t.Fatal(err)
	}
	out := append(append([]string{}, names[:4]...), names[5:]...)
	return append(out, created...)
}

var podRow = regexp.MustCompile(`^(\S+)\s+(\S+)\s+(\d+/\d+)\s+(\S+)\s`)

// screenRows reads the pod list off the screen: name -> how many rows show
// it, and name -> STATUS.
func screenRows(screen, ns string) (map[string]int, map[string]string) {
	count, status := map[string]int{}, map[string]string{}
	for _, l := range strings.Split(screen, "\n") {
		m := podRow.FindStringSubmatch(l)
		if m == nil || m[1] != ns {
			continue
		}
		count[m[2]]++
		status[m[2]] = m[4]
	}
	return count, status
}

// assertRows checks that each of names is on screen exactly once, and
// nothing else.
func assertRows(t *testing.T, when, screen, ns string, names []string) {
	t.Helper()
	count, _ := screenRows(screen, ns)
	for _, n := range names {
		if count[n] != 1 {
			t.Errorf("%s: %s is on screen %d times, want once; screen:\n%s", when, n, count[n], screen)
		}
	}
	if len(count) != len(names) {
		var got []string
		for n := range count {
			got = append(got, n)
		}
		sort.Strings(got)
		t.Errorf("%s: the screen shows %v, want %v", when, got, names)
	}
}

// screenMatchesKubectl compares each row's STATUS with kubectl's; "" when
// every pod kubectl lists is on screen once with the same STATUS and no
// other pod is.
func screenMatchesKubectl(t *testing.T, screen, kubectl, kc, ns string) string {
	t.Helper()
	out, err := exec.Command(kubectl, "--kubeconfig", kc, "-n", ns, "get", "pods", "--no-headers").CombinedOutput()
	if err != nil {
		return fmt.Sprintf("kubectl: %v: %s", err, out)
	}
	want := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		if len(f) >= 3 {
			want[f[0]] = f[2]
		}
	}
	count, got := screenRows(screen, ns)
	for name, st := range want {
		if count[name] != 1 || got[name] != st {
			return fmt.Sprintf("%s: kubectl says %s, the screen shows %q (%d rows)", name, st, got[name], count[name])
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("the screen shows %d pods, kubectl %d", len(got), len(want))
	}
	return ""
}

func liveHeader(screen string) bool {
	header, _, _ := strings.Cut(screen, "\n")
	return strings.Contains(header, "live") && !strings.Contains(header, "stale")
}
