package e2e

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestWaitPlainProcess runs the real binary as a CI job does: stdout and
// stderr are pipes, not a terminal. A pod whose init container fails under
// restartPolicy Never ends the wait with exit code 1 and the diagnosis, and
// not one escape sequence is written.
func TestWaitPlainProcess(t *testing.T) {
	bin := initwatchBinary(t)
	dir := t.TempDir()
	env := []string{"KUBECONFIG=" + filepath.Join(dir, "none"), "HOME=" + dir, "TERM=xterm-256color", "GITHUB_ACTIONS="}
	res := run(t, env, bin, "wait", "--demo", "--demo-speed", "20x", "pod/report-export", "--timeout", "1m")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{"default/report-export Init:Error", "fetch-dataset: Error, exit code 22",
		"| curl: (22) The requested URL returned error: 404"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
		}
	}
	if strings.ContainsAny(res.stdout+res.stderr, "\x1b\x9b\r") {
		t.Errorf("escape sequence or carriage return in a plain process's output:\n%q", res.stdout+res.stderr)
	}
}

// TestWaitTerminalSummary runs it in a real terminal: a live one-line
// summary is kept at the bottom while pods change, and erased before the
// outcome; exit code 0 when the seed app's init container recovers.
func TestWaitTerminalSummary(t *testing.T) {
	d := startDemoTerm(t, "wait", "--demo", "--demo-speed", "5x", "-l", "app.kubernetes.io/component=k8s-init-containers", "--timeout", "80s")
	d.waitFor("the live summary", `waiting \d+s · pods -l app.kubernetes.io/component=k8s-init-containers: 0 of 1 pods ready · pods 0/1 done`)
	d.waitFor("the outcome", `done in \d+s`)
	if code := d.exitStatus(); code != 0 {
		t.Fatalf("exit %d; screen:\n%s", code, d.screen())
	}
	screen := d.screen()
	if regexp.MustCompile(`waiting \d+s ·`).MatchString(screen) {
		t.Errorf("the live summary was left on screen:\n%s", screen)
	}
	if !strings.Contains(screen, "(init-check-services failed with exit code 1, restart 3)") {
		t.Errorf("the change lines are missing:\n%s", screen)
	}
}
