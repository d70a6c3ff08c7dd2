package e2e

import (
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// startDemoTerm starts `initwatch args...` in a detached 160×50 tmux
// session. The environment has no kubeconfig and no config file: the demo
// needs neither.
func startDemoTerm(t *testing.T, args ...string) *term {
	t.Helper()
	bin := initwatchBinary(t)
	dir := t.TempDir()
	env := []string{
		"KUBECONFIG=" + filepath.Join(dir, "no-such-kubeconfig"),
		"HOME=" + dir, "XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"TERM=xterm-256color"}
	return startTerm(t, termOptions{w: 160, h: 50, env: env, inheritEnv: true, statusBar: true,
		bound: 90 * time.Second, rawScreen: true}, append([]string{bin}, args...)...)
}

// TestDemoInTmux runs `initwatch --demo` in a real terminal: with no
// kubeconfig at all, the simulated pods appear, the seed app's init
// container crash-loops with exit code 1 and the pod ends Running, and q
// quits cleanly.
func TestDemoInTmux(t *testing.T) {
	d := startDemoTerm(t, "--demo", "--demo-seed", "1", "--demo-speed", "5x")

	d.waitFor("the demo's pods",
		`ctx initwatch-demo`, `● live`,
		`default\s+k8s-init-containers-\S+\s+0/1`,
		`shop\s+storefront-\S+\s+1/1\s+Running`,
		`payments\s+checkout-\S+`,
		`search\s+search-api-\S+`)
	d.waitFor("the seed app in back-off",
		`k8s-init-containers-\S+\s+0/1\s+Init:CrashLoopBackOff\s+\d+ \(\d+s ago\)`)

	// One key at a time, each waited for: keys that arrive together reach
	// the program as one chunk of text, not as a "/" then a word.
	d.keys("/")
	d.waitFor("the filter prompt", `apply filter`)
	d.text("k8s-init")
	d.waitFor("the filtered list", `/k8s-init \(1\)`)
	d.keys("Enter")
	d.waitFor("the filter applied", `enter details`)
	d.keys("Enter")
	d.waitFor("init-check-services' failed run in the detail view",
		`init-check-services\s+\S+`,
		`Last State:\s+Terminated`,
		`Reason:\s+Error`,
		`Exit Code:\s+1\b`)
	d.waitFor("the seed app running", `k8s-init-containers-\S+\s+Running\s+ready 1/1`)

	d.keys("q")
	if code := d.exitStatus(); code != 0 {
		t.Fatalf("initwatch --demo exited with status %d; screen:\n%s", code, d.screen())
	}
}

// TestDemoClustersInTmux plays two simulated clusters: both appear under
// their contexts, live; the checkout release fails in the second only;
// filtering on a context narrows the list to it; the detail names the
// pod's cluster and its logs come from that cluster.
func TestDemoClustersInTmux(t *testing.T) {
	d := startDemoTerm(t, "--demo", "--demo-clusters", "2", "--demo-speed", "10x")
	d.waitFor("both clusters live",
		`demo-eu-1 ● live\s+demo-us-1 ● live`, `CONTEXT\s+NAMESPACE\s+NAME`,
		`demo-eu-1\s+shop\s+storefront-`, `demo-us-1\s+shop\s+storefront-`)
	d.waitFor("the release failing in demo-us-1",
		`demo-us-1\s+payments\s+checkout-\S+\s+1/2\s+Init:(Error|CrashLoopBackOff)\s+\d+`)
	d.keys("/")
	d.waitFor("the filter prompt", `apply filter`)
	d.text("demo-us-1/payments/checkout")
	d.keys("Enter")
	screen := d.waitFor("the filter applied", `enter details`)
	if regexp.MustCompile(`(?m)^demo-eu-1\s`).MatchString(screen) {
		t.Fatalf("a demo-eu-1 row passed the filter on demo-us-1:\n%s", screen)
	}
	// Only the failing ones: the detail opens on a pod of the failed release.
	d.keys("f")
	// A crash-looping pod leaves "only failing" while its step runs
	// again; Enter on an empty list opens nothing, so wait for a row.
	d.waitFor("only failing, a failing pod listed", `only failing`,
		`demo-us-1\s+payments\s+checkout-\S+\s+1/2\s+Init:(Error|CrashLoopBackOff)`)
	d.keys("Enter")
	d.waitFor("the detail names the cluster", `demo-us-1: payments/checkout-`, `db-migrate`)
	d.keys("l")
	d.waitFor("db-migrate's log, from demo-us-1's simulated kubelet", `Dirty database version 42`)
	d.keys("q")
	if code := d.exitStatus(); code != 0 {
		t.Fatalf("exit status %d; screen:\n%s", code, d.screen())
	}
}
