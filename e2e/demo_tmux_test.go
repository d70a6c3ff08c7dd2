package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// demoScreenBound caps each wait for the demo's screen; reaching it is a
// failure showing the last screen, never a pass.
const demoScreenBound = 90 * time.Second

// demoTerm is the real initwatch binary running `--demo` in a tmux server
// of its own, in a terminal of a fixed size.
type demoTerm struct {
	t      *testing.T
	socket string // path of the server's socket
}

// startDemoTerm starts `initwatch args...` in a detached tmux session. The
// environment has no kubeconfig and no config file: the demo needs neither.
func startDemoTerm(t *testing.T, args ...string) *demoTerm {
	t.Helper()
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		if controlplane.Required() {
			t.Fatal("tmux is needed for the terminal tests: ", err)
		}
		t.Skip("tmux not installed: ", err)
	}
	bin := initwatchBinary(t)
	dir := t.TempDir()
	// remain-on-exit keeps the pane after initwatch exits, so the test can
	// read its exit status.
	conf := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g remain-on-exit on\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A socket of its own, in the test's folder: no clash with another
	// tmux server, and nothing left behind.
	d := &demoTerm{t: t, socket: filepath.Join(dir, "iw-demo.sock")}
	cmd := append([]string{"env",
		"KUBECONFIG=" + filepath.Join(dir, "no-such-kubeconfig"),
		"HOME=" + dir, "XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"TERM=xterm-256color", bin}, args...)
	d.tmux(append([]string{"-f", conf, "new-session", "-d", "-s", "demo", "-x", "160", "-y", "50"}, cmd...)...)
	t.Cleanup(func() {
		// The server owns the session and initwatch: killing it ends both.
		_ = exec.Command(tmux, "-S", d.socket, "kill-server").Run()
	})
	return d
}

func (d *demoTerm) tmux(args ...string) string {
	d.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", d.socket}, args...)...).CombinedOutput()
	if err != nil {
		d.t.Fatalf("tmux %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (d *demoTerm) screen() string { return d.tmux("capture-pane", "-p", "-t", "demo") }

// waitFor polls the screen until every pattern matches it.
func (d *demoTerm) waitFor(what string, patterns ...string) string {
	d.t.Helper()
	res := make([]*regexp.Regexp, len(patterns))
	for i, p := range patterns {
		res[i] = regexp.MustCompile(p)
	}
	var screen string
	for end := time.Now().Add(demoScreenBound); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		screen = d.screen()
		matched := true
		for _, re := range res {
			if !re.MatchString(screen) {
				matched = false
				break
			}
		}
		if matched {
			return screen
		}
	}
	d.t.Fatalf("%s: not on screen within %v; last screen:\n%s", what, demoScreenBound, screen)
	return ""
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
	d.tmux("send-keys", "-t", "demo", "/")
	d.waitFor("the filter prompt", `apply filter`)
	d.tmux("send-keys", "-t", "demo", "-l", "k8s-init")
	d.waitFor("the filtered list", `/k8s-init \(1\)`)
	d.tmux("send-keys", "-t", "demo", "Enter")
	d.waitFor("the filter applied", `enter details`)
	d.tmux("send-keys", "-t", "demo", "Enter")
	d.waitFor("init-check-services' failed run in the detail view",
		`init-check-services\s+\S+`,
		`Last State:\s+Terminated`,
		`Reason:\s+Error`,
		`Exit Code:\s+1\b`)
	d.waitFor("the seed app running", `k8s-init-containers-\S+\s+Running\s+ready 1/1`)

	d.tmux("send-keys", "-t", "demo", "q")
	for end := time.Now().Add(demoScreenBound); ; time.Sleep(100 * time.Millisecond) {
		state := strings.Fields(d.tmux("display-message", "-p", "-t", "demo", "#{pane_dead} #{pane_dead_status}"))
		if len(state) == 2 && state[0] == "1" {
			if state[1] != "0" {
				t.Fatalf("initwatch --demo exited with status %s; screen:\n%s", state[1], d.screen())
			}
			break
		}
		if time.Now().After(end) {
			t.Fatalf("initwatch --demo still running %v after q; screen:\n%s", demoScreenBound, d.screen())
		}
	}
}
