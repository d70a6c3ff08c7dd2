package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// termScreenBound is the default cap on each wait for the screen; reaching
// it is a failure that prints the last screen, never a pass.
const termScreenBound = 90 * time.Second

// term is a terminal: a tmux server of its own with one pane, running
// either a program directly (the pane stays after it exits, so its last
// screen and exit status can be read) or an interactive shell, where a test
// types command lines and then checks the terminal the program left behind.
type term struct {
	t      *testing.T
	socket string // path of the server's socket, in the test's folder
	dir    string
	bound  time.Duration
	raw    bool
}

// termOptions says how startTerm sets up the pane.
type termOptions struct {
	w, h int
	// env is the program's whole environment (see relEnv), unless
	// inheritEnv adds it to the test's own.
	env        []string
	inheritEnv bool
	// statusBar keeps tmux's status line, which takes the pane's last row.
	statusBar bool
	// bound caps each wait; zero means termScreenBound.
	bound time.Duration
	// rawScreen makes screen return capture-pane's text as is, trailing
	// blanks included.
	rawScreen bool
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

// startRelTerm starts argv in a w×h pane with env (see relEnv), no status
// line and nothing of the test's environment.
func startRelTerm(t *testing.T, w, h int, env []string, argv ...string) *term {
	t.Helper()
	return startTerm(t, termOptions{w: w, h: h, env: env}, argv...)
}

// startTerm starts argv in a detached tmux session set up as opts says.
func startTerm(t *testing.T, opts termOptions, argv ...string) *term {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if controlplane.Required() {
			t.Fatal("tmux is needed for the terminal tests: ", err)
		}
		t.Skip("tmux not installed: ", err)
	}
	dir := t.TempDir()
	// A socket of its own, in the test's folder: no clash with another
	// tmux server, and nothing left behind.
	tm := &term{t: t, dir: dir, socket: filepath.Join(dir, "tmux.sock"), bound: opts.bound, raw: opts.rawScreen}
	if tm.bound == 0 {
		tm.bound = termScreenBound
	}
	// remain-on-exit keeps the pane (its last screen) after the program
	// ends; set-clipboard on makes tmux store what a program writes to the
	// clipboard (OSC 52) in a paste buffer, where a test can see it.
	conf := "set -g remain-on-exit on\nset -g status off\nset -g set-clipboard on\n"
	if opts.statusBar {
		conf = "set -g remain-on-exit on\n"
	}
	confFile := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	// The exit status goes to a file: tmux loses it when a program ends
	// before the pane is fully set up.
	cmd := []string{"env", "-i"}
	if opts.inheritEnv {
		cmd = []string{"env"}
	}
	cmd = append(cmd, opts.env...)
	cmd = append(cmd, "sh", "-c", `"$@"; echo $? > "$0"`, tm.statusFile())
	cmd = append(cmd, argv...)
	tm.tmux(append([]string{"-f", confFile, "new-session", "-d", "-s", "iw",
		"-x", strconv.Itoa(opts.w), "-y", strconv.Itoa(opts.h)}, cmd...)...)
	t.Cleanup(func() {
		// Killing the server ends the session and the program with it.
		_ = exec.Command("tmux", "-S", tm.socket, "kill-server").Run()
	})
	return tm
}

// startRelShell starts an interactive bash without rc files, prompt "$ ".
func startRelShell(t *testing.T, w, h int, env []string) *term {
	t.Helper()
	tm := startRelTerm(t, w, h, env, "bash", "--norc", "--noprofile", "-i")
	tm.waitUntil("the shell prompt", func(s string) bool { return strings.HasPrefix(s, "$") })
	return tm
}

func (tm *term) tmux(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// screen is the pane's text, lines trimmed of trailing blanks, with
// trailing empty lines removed (unless the terminal was started raw).
func (tm *term) screen() string {
	tm.t.Helper()
	s := tm.tmux("capture-pane", "-p", "-t", "iw")
	if tm.raw {
		return s
	}
	return trimScreen(s)
}

// screenJoined is screen with lines the terminal wrapped joined again.
func (tm *term) screenJoined() string {
	tm.t.Helper()
	return trimScreen(tm.tmux("capture-pane", "-p", "-J", "-t", "iw"))
}

// output is everything the pane printed (its history too) once the
// program ended, wrapped lines joined, without tmux's "Pane is dead" line
// (whose arrival scrolls the first line off the screen).
func (tm *term) output() string {
	tm.t.Helper()
	var keep []string
	for _, l := range strings.Split(tm.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "iw"), "\n") {
		if !strings.HasPrefix(l, "Pane is dead") {
			keep = append(keep, l)
		}
	}
	return trimScreen(strings.Join(keep, "\n"))
}

// screenWithEscapes is the pane as tmux redraws it: text plus the escape
// sequences for every colour and attribute in effect (capture-pane -e).
// Whatever the program sent, only sequences tmux understood and kept can
// show up here.
func (tm *term) screenWithEscapes() string {
	tm.t.Helper()
	return tm.tmux("capture-pane", "-p", "-e", "-t", "iw")
}

func trimScreen(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// display expands a tmux format for the pane (#{pane_title}, ...).
func (tm *term) display(format string) string {
	tm.t.Helper()
	return strings.TrimSpace(tm.tmux("display-message", "-p", "-t", "iw", format))
}

// keys sends tmux key names (Enter, C-c, Tab, ...).
func (tm *term) keys(keys ...string) {
	tm.t.Helper()
	tm.tmux(append([]string{"send-keys", "-t", "iw"}, keys...)...)
}

// text types s literally.
func (tm *term) text(s string) {
	tm.t.Helper()
	tm.tmux("send-keys", "-t", "iw", "-l", s)
}

// run types a command line into the shell and presses Enter.
func (tm *term) run(line string) {
	tm.t.Helper()
	tm.text(line)
	tm.keys("Enter")
}

func (tm *term) resize(w, h int) {
	tm.t.Helper()
	tm.tmux("resize-window", "-t", "iw", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h))
}

// waitUntil polls the screen until cond holds on it.
func (tm *term) waitUntil(what string, cond func(screen string) bool) string {
	tm.t.Helper()
	var screen string
	for end := time.Now().Add(tm.bound); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		screen = tm.screen()
		if cond(screen) {
			return screen
		}
	}
	tm.t.Fatalf("%s: not on screen within %v; last screen:\n%s", what, tm.bound, screen)
	return ""
}

// waitFor waits until every pattern matches the screen.
func (tm *term) waitFor(what string, patterns ...string) string {
	tm.t.Helper()
	return tm.waitForAll(what, patterns)
}

// waitForAll waits until every pattern matches the screen and none of the
// absent ones does.
func (tm *term) waitForAll(what string, patterns []string, absent ...string) string {
	tm.t.Helper()
	compile := func(ps []string) []*regexp.Regexp {
		out := make([]*regexp.Regexp, len(ps))
		for i, p := range ps {
			out[i] = regexp.MustCompile(p)
		}
		return out
	}
	want, not := compile(patterns), compile(absent)
	return tm.waitUntil(what, func(s string) bool {
		for _, re := range want {
			if !re.MatchString(s) {
				return false
			}
		}
		for _, re := range not {
			if re.MatchString(s) {
				return false
			}
		}
		return true
	})
}

// waitText waits until the screen holds every one of texts, literally.
func (tm *term) waitText(what string, texts ...string) string {
	tm.t.Helper()
	return tm.waitUntil(what, func(s string) bool {
		for _, x := range texts {
			if !strings.Contains(s, x) {
				return false
			}
		}
		return true
	})
}

func (tm *term) statusFile() string { return filepath.Join(tm.dir, "exit-status") }

// exitStatus waits for the program started by startTerm to end and
// returns its exit status.
func (tm *term) exitStatus() int {
	tm.t.Helper()
	for end := time.Now().Add(tm.bound); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		data, err := os.ReadFile(tm.statusFile())
		if err != nil || !strings.HasSuffix(string(data), "\n") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil {
			tm.t.Fatalf("exit status %q", data)
		}
		return n
	}
	tm.t.Fatalf("the program did not exit within %v; last screen:\n%s", tm.bound, tm.screen())
	return 0
}

// shellStatus types `echo` of the last exit status after the prompt came
// back and returns it; the caller has just seen the program end.
func (tm *term) shellStatus(marker string) int {
	tm.t.Helper()
	tm.run("echo " + marker + "=$?")
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(marker) + `=(\d+)$`)
	s := tm.waitUntil("the exit status", re.MatchString)
	n, _ := strconv.Atoi(re.FindStringSubmatch(s)[1])
	return n
}

// programPID is the process id of the program startTerm started (the
// child of the pane's sh wrapper).
func (tm *term) programPID() int {
	tm.t.Helper()
	shell := tm.display("#{pane_pid}")
	out, err := exec.Command("pgrep", "-P", shell).Output()
	if err != nil {
		tm.t.Fatalf("pgrep -P %s: %v", shell, err)
	}
	fields := strings.Fields(string(out))
	if len(fields) != 1 {
		tm.t.Fatalf("the pane's shell %s has children %q, want one", shell, fields)
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil {
		tm.t.Fatal(err)
	}
	return pid
}
