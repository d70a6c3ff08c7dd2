package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// relScreenBound caps each wait for the screen to show something; reaching
// it is a failure that prints the last screen, never a pass.
const relScreenBound = 90 * time.Second

var relTermCount atomic.Int64

// relTerm is a terminal: a tmux server of its own with one pane, running
// either a program directly (the pane stays after it exits, so its last
// screen and exit status can be read) or an interactive shell, where a test
// types command lines and then checks the terminal the program left behind.
type relTerm struct {
	t      *testing.T
	socket string
	dir    string
}

// relEnv is the environment every pane starts with: a private HOME (no
// user config file), and a TERM that has colours and an alternate screen.
func relEnv(dir string, extra ...string) []string {
	env := []string{
		"HOME=" + dir, "XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"TERM=xterm-256color", "PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8",
		"PS1=$ ", "NO_COLOR=", "TMPDIR=" + dir,
	}
	return append(env, extra...)
}

// startRelTerm starts argv in a w×h pane with env (see relEnv).
func startRelTerm(t *testing.T, w, h int, env []string, argv ...string) *relTerm {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if controlplane.Required() {
			t.Fatal("tmux is needed for the terminal tests: ", err)
		}
		t.Skip("tmux not installed: ", err)
	}
	rt := &relTerm{t: t, dir: t.TempDir(),
		socket: fmt.Sprintf("iw-rel-%d-%d", os.Getpid(), relTermCount.Add(1))}
	// remain-on-exit keeps the pane (its last screen, its exit status)
	// after the program ends; set-clipboard on makes tmux store what a
	// program writes to the clipboard (OSC 52) in a paste buffer, where a
	// test can see it.
	conf := filepath.Join(rt.dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g remain-on-exit on\nset -g status off\nset -g set-clipboard on\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The exit status goes to a file: tmux loses it when a program ends
	// before the pane is fully set up.
	cmd := append([]string{"env", "-i"}, env...)
	cmd = append(cmd, "sh", "-c", `"$@"; echo $? > "$0"`, rt.statusFile())
	cmd = append(cmd, argv...)
	rt.tmux(append([]string{"-f", conf, "new-session", "-d", "-s", "rel",
		"-x", strconv.Itoa(w), "-y", strconv.Itoa(h)}, cmd...)...)
	socketPath := rt.display("#{socket_path}")
	t.Cleanup(func() {
		// Killing the server ends the session and the program with it;
		// tmux leaves its socket file behind.
		_ = exec.Command("tmux", "-L", rt.socket, "kill-server").Run()
		_ = os.Remove(socketPath)
	})
	return rt
}

// startRelShell starts an interactive bash without rc files, prompt "$ ".
func startRelShell(t *testing.T, w, h int, env []string) *relTerm {
	t.Helper()
	rt := startRelTerm(t, w, h, env, "bash", "--norc", "--noprofile", "-i")
	rt.waitFor("the shell prompt", func(s string) bool { return strings.HasPrefix(s, "$") })
	return rt
}

func (rt *relTerm) tmux(args ...string) string {
	rt.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", rt.socket}, args...)...).CombinedOutput()
	if err != nil {
		rt.t.Fatalf("tmux %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// screen is the pane's text, lines trimmed of trailing blanks, with
// trailing empty lines removed.
func (rt *relTerm) screen() string {
	rt.t.Helper()
	return trimScreen(rt.tmux("capture-pane", "-p", "-t", "rel"))
}

// screenJoined is screen with lines the terminal wrapped joined again.
func (rt *relTerm) screenJoined() string {
	rt.t.Helper()
	return trimScreen(rt.tmux("capture-pane", "-p", "-J", "-t", "rel"))
}

// output is everything the pane printed (its history too) once the
// program ended, wrapped lines joined, without tmux's "Pane is dead" line
// (whose arrival scrolls the first line off the screen).
func (rt *relTerm) output() string {
	rt.t.Helper()
	var keep []string
	for _, l := range strings.Split(rt.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "rel"), "\n") {
		if !strings.HasPrefix(l, "Pane is dead") {
			keep = append(keep, l)
		}
	}
	return trimScreen(strings.Join(keep, "\n"))
}

// screenEsc is the pane as tmux redraws it: text plus the escape sequences
// for every colour and attribute in effect (capture-pane -e). Whatever the
// program sent, only sequences tmux understood and kept can show up here.
func (rt *relTerm) screenEsc() string {
	rt.t.Helper()
	return rt.tmux("capture-pane", "-p", "-e", "-t", "rel")
}

func trimScreen(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// display expands a tmux format for the pane (#{pane_title}, ...).
func (rt *relTerm) display(format string) string {
	rt.t.Helper()
	return strings.TrimSpace(rt.tmux("display-message", "-p", "-t", "rel", format))
}

// keys sends tmux key names (Enter, C-c, Tab, ...).
func (rt *relTerm) keys(keys ...string) {
	rt.t.Helper()
	rt.tmux(append([]string{"send-keys", "-t", "rel"}, keys...)...)
}

// text types s literally.
func (rt *relTerm) text(s string) {
	rt.t.Helper()
	rt.tmux("send-keys", "-t", "rel", "-l", s)
}

// run types a command line into the shell and presses Enter.
func (rt *relTerm) run(line string) {
	rt.t.Helper()
	rt.text(line)
	rt.keys("Enter")
}

func (rt *relTerm) resize(w, h int) {
	rt.t.Helper()
	rt.tmux("resize-window", "-t", "rel", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h))
}

// waitFor polls the screen until cond holds on it.
func (rt *relTerm) waitFor(what string, cond func(screen string) bool) string {
	rt.t.Helper()
	var screen string
	for end := time.Now().Add(relScreenBound); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		screen = rt.screen()
		if cond(screen) {
			return screen
		}
	}
	rt.t.Fatalf("%s: not on screen within %v; last screen:\n%s", what, relScreenBound, screen)
	return ""
}

// waitMatch waits until every pattern matches the screen.
func (rt *relTerm) waitMatch(what string, patterns ...string) string {
	rt.t.Helper()
	res := make([]*regexp.Regexp, len(patterns))
	for i, p := range patterns {
		res[i] = regexp.MustCompile(p)
	}
	return rt.waitFor(what, func(s string) bool {
		for _, re := range res {
			if !re.MatchString(s) {
				return false
			}
		}
		return true
	})
}

func (rt *relTerm) statusFile() string { return filepath.Join(rt.dir, "exit-status") }

// exitStatus waits for the program started by startRelTerm to end and
// returns its exit status.
func (rt *relTerm) exitStatus() int {
	rt.t.Helper()
	for end := time.Now().Add(relScreenBound); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		data, err := os.ReadFile(rt.statusFile())
		if err != nil || !strings.HasSuffix(string(data), "\n") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil {
			rt.t.Fatalf("exit status %q", data)
		}
		return n
	}
	rt.t.Fatalf("the program did not exit within %v; last screen:\n%s", relScreenBound, rt.screen())
	return 0
}

// shellStatus types `echo` of the last exit status after the prompt came
// back and returns it; the caller has just seen the program end.
func (rt *relTerm) shellStatus(marker string) int {
	rt.t.Helper()
	rt.run("echo " + marker + "=$?")
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(marker) + `=(\d+)$`)
	s := rt.waitFor("the exit status", re.MatchString)
	n, _ := strconv.Atoi(re.FindStringSubmatch(s)[1])
	return n
}

// sttySane runs `stty -a` in the shell and reports what in the terminal
// state shows a program left raw mode on: no echo, no canonical input, no
// signals from ctrl+c, no CR/LF translation.
func (rt *relTerm) sttyProblems() []string {
	rt.t.Helper()
	rt.run("clear; stty -a")
	s := rt.waitMatch("stty -a", `(?s)speed.*\n\$\s*$`)
	var bad []string
	for _, flag := range []string{"icanon", "echo", "isig", "icrnl", "opost"} {
		if regexp.MustCompile(`(^|\s)-` + flag + `(\s|$)`).MatchString(s) {
			bad = append(bad, "-"+flag)
		}
	}
	return bad
}

var listHeader = regexp.MustCompile(`(?m)^NAMESPACE\s+NAME\s`)

// backToList presses Escape until the pod list is on screen, one press at
// a time: an Escape followed at once by another key reaches the program as
// alt+key, so each press waits for its effect (or a short while).
func (rt *relTerm) backToList() {
	rt.t.Helper()
	for range 6 {
		screen := rt.screen()
		if listHeader.MatchString(screen) && !strings.Contains(lastLine(screen), "esc clear filter") {
			return
		}
		rt.keys("Escape")
		for end := time.Now().Add(2 * time.Second); time.Now().Before(end) && rt.screen() == screen; {
			time.Sleep(50 * time.Millisecond)
		}
	}
	rt.t.Fatalf("Escape does not lead back to the pod list; screen:\n%s", rt.screen())
}

func lastLine(s string) string {
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// programPID is the process id of the program startRelTerm started (the
// child of the pane's sh wrapper).
func (rt *relTerm) programPID() int {
	rt.t.Helper()
	shell := rt.display("#{pane_pid}")
	out, err := exec.Command("pgrep", "-P", shell).Output()
	if err != nil {
		rt.t.Fatalf("pgrep -P %s: %v", shell, err)
	}
	fields := strings.Fields(string(out))
	if len(fields) != 1 {
		rt.t.Fatalf("the pane's shell %s has children %q, want one", shell, fields)
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil {
		rt.t.Fatal(err)
	}
	return pid
}
