package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// terminalFixture is a namespace with a few pods, one of them in its
// second init container, for the terminal tests to show.
func terminalFixture(t *testing.T, cp *controlplane.ControlPlane, ns string) {
	t.Helper()
	ctx := context.Background()
	admin, err := cp.AdminClient()
	if err != nil {
		t.Fatal(err)
	}
	ensureNamespace(ctx, t, admin, ns)
	createPods(ctx, t, admin, ns, "term", 4)
	setInitRunning(ctx, t, admin, ns, "term-0", 1)
}

// terminalLeftSane checks what a full-screen program must give back when
// it ends, however it ends: the shell prompt, the main screen (not the
// alternate one), a visible cursor, no mouse reporting, and the tty's
// line discipline (echo, canonical input, signals) as it was.
func terminalLeftSane(t *testing.T, rt *term) {
	t.Helper()
	if v := rt.display("#{alternate_on}"); v != "0" {
		t.Errorf("the alternate screen is still on (alternate_on=%s)", v)
	}
	if v := rt.display("#{cursor_flag}"); v != "1" {
		t.Errorf("the cursor is still hidden (cursor_flag=%s)", v)
	}
	if v := rt.display("#{mouse_any_flag}#{mouse_button_flag}#{mouse_all_flag}#{mouse_standard_flag}"); v != "0000" {
		t.Errorf("mouse reporting is still on (any, button, all, standard = %s)", v)
	}
	if bad := rt.sttyProblems(); len(bad) > 0 {
		t.Errorf("the tty is left with %v", bad)
	}
}

// exitedCleanly waits for the shell prompt after the UI was told to quit
// (how), then checks the exit status (0) and the terminal it gave back.
func exitedCleanly(t *testing.T, rt *term, how, marker string) {
	t.Helper()
	rt.waitUntil("the shell prompt after "+how, func(s string) bool { return strings.HasSuffix(s, "$") })
	if code := rt.shellStatus(marker); code != 0 {
		t.Errorf("exit status %d after %s, want 0", code, how)
	}
	terminalLeftSane(t, rt)
}

// TestTerminalCtrlCAlwaysRestores quits with ctrl+c from every state of the
// UI — the list, the filter prompt, the help, the detail view, the logs
// pane, and while still connecting to a server that never answers — and
// checks each time that the shell gets back a sane terminal and exit 0.
func TestTerminalCtrlCAlwaysRestores(t *testing.T) {
	cp := shared.Get(t)
	const ns = "term-ctrlc"
	terminalFixture(t, cp, ns)
	bin := initwatchBinary(t)
	kc := adminKubeconfig(t, cp)
	silentKC := writeServerKubeconfig(t, t.TempDir(), "silent", "https://"+silentServer(t))

	tests := []struct {
		name  string
		kc    string
		ready string   // regexp on screen before the keys
		keys  []string // tmux keys that bring the UI to the state
		state string   // regexp on screen once there
	}{
		{name: "list", kc: kc, ready: `term-0`},
		{name: "filter prompt", kc: kc, ready: `term-0`, keys: []string{"/", "t", "e"}, state: `/te`},
		{name: "help", kc: kc, ready: `term-0`, keys: []string{"?"}, state: `(?i)help`},
		{name: "detail", kc: kc, ready: `term-0`, keys: []string{"Enter"}, state: `Init containers`},
		{name: "logs pane", kc: kc, ready: `term-0`, keys: []string{"Enter", "6"}, state: `\[6 Logs\]`},
		{name: "connecting", kc: silentKC, ready: `(?i)connecting`},
	}
	rt := startRelShell(t, 120, 30, relEnv(t.TempDir()))
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt.t = t
			rt.run(fmt.Sprintf("clear; %s -n %s --kubeconfig %s", bin, ns, tc.kc))
			rt.waitFor("the UI", tc.ready)
			if len(tc.keys) > 0 {
				rt.keys(tc.keys...)
				rt.waitFor("the state to test", tc.state)
			}
			rt.keys("C-c")
			exitedCleanly(t, rt, "ctrl+c", fmt.Sprintf("rc%d", i))
		})
	}
}

// TestTerminalPanicRestores fires the INITWATCH_TEST_PANIC hook inside
// Update, inside View and inside a command: each time the program must
// leave the alternate screen, give back a sane tty, print one line naming
// the crash, and exit non-zero.
func TestTerminalPanicRestores(t *testing.T) {
	cp := shared.Get(t)
	const ns = "term-panic"
	terminalFixture(t, cp, ns)
	bin := initwatchBinary(t)
	kc := adminKubeconfig(t, cp)
	for _, where := range []string{"update", "view", "cmd"} {
		t.Run(where, func(t *testing.T) {
			rt := startRelShell(t, 120, 30, relEnv(t.TempDir(), "INITWATCH_TEST_PANIC="+where))
			rt.run(fmt.Sprintf("clear; %s -n %s --kubeconfig %s", bin, ns, kc))
			rt.waitFor("the pod list", `term-0`)
			rt.text("!")
			screen := rt.waitUntil("the shell prompt after the panic", func(s string) bool {
				return strings.HasSuffix(s, "$") && !strings.Contains(s, "term-0")
			})
			screen = rt.screenJoined()
			var out []string
			for _, l := range strings.Split(screen, "\n") {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "$") {
					out = append(out, l)
				}
			}
			if len(out) != 1 || !regexp.MustCompile(`^error: internal error: test panic in \w+`).MatchString(out[0]) {
				t.Errorf("after the panic the terminal shows %q, want one line naming the crash", out)
			}
			if strings.Contains(screen, "goroutine ") {
				t.Errorf("a stack trace reached the terminal:\n%s", screen)
			}
			if code := rt.shellStatus("rc"); code == 0 {
				t.Error("exit status 0 after a crash")
			}
			terminalLeftSane(t, rt)
		})
	}
}

// TestTerminalTinyAndResizing shrinks the window down to one cell and
// hammers it with resizes: the program must keep running, never crash,
// and draw a correct screen once the window is usable again. Under
// NO_COLOR the screen carries no colour at all.
func TestTerminalTinyAndResizing(t *testing.T) {
	cp := shared.Get(t)
	const ns = "term-resize"
	terminalFixture(t, cp, ns)
	bin := initwatchBinary(t)
	kc := adminKubeconfig(t, cp)
	rt := startRelTerm(t, 120, 30, relEnv(t.TempDir(), "NO_COLOR=1"), bin, "-n", ns, "--kubeconfig", kc)
	rt.waitFor("the pod list", `term-0`, `term-3`)

	alive := func(when string) {
		t.Helper()
		if dead := rt.display("#{pane_dead}"); dead != "0" {
			t.Fatalf("initwatch exited %s; last screen:\n%s", when, rt.screen())
		}
	}
	for _, size := range [][2]int{{1, 1}, {2, 1}, {1, 2}, {3, 3}, {10, 2}, {20, 4}, {40, 7}, {80, 3}, {5, 40}} {
		rt.resize(size[0], size[1])
		// Each size must be drawn: the screen's first line is never wider
		// than the window (tmux would cut it, but the program must not
		// have written past it either — the check is that it survives).
		rt.keys("j", "k")
		alive(fmt.Sprintf("at %dx%d", size[0], size[1]))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		rt.resize(1+rng.IntN(160), 1+rng.IntN(50))
	}
	alive("during rapid resizes")
	rt.resize(100, 24)
	screen := rt.waitFor("a full screen after the resizes", `^initwatch`, `term-0`, `term-3`, `NAMESPACE\s+NAME\s+READY\s+STATUS`)
	for i, l := range strings.Split(screen, "\n") {
		if w := len([]rune(l)); w > 100 {
			t.Errorf("line %d is %d cells wide in a 100-cell window: %q", i+1, w, l)
		}
	}
	// The program still answers keys.
	rt.keys("?")
	rt.waitFor("the help after the resizes", `(?i)keys`)
	rt.keys("Escape")
	rt.waitFor("the list again", `term-0`)

	if sgr := colourSGR(rt.screenWithEscapes()); len(sgr) > 0 {
		t.Errorf("NO_COLOR is set but the screen has colour sequences %q", sgr)
	}
	rt.keys("q")
	if code := rt.exitStatus(); code != 0 {
		t.Errorf("exit status %d after q", code)
	}
}

var sgrSeq = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// colourSGR returns the SGR sequences in s that set a colour (foreground,
// background, underline colour); attributes such as bold or reverse video
// are allowed under NO_COLOR.
func colourSGR(s string) []string {
	var out []string
	for _, m := range sgrSeq.FindAllStringSubmatch(s, -1) {
		params := strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' })
		for i := 0; i < len(params); i++ {
			p := params[i]
			switch {
			case p == "38" || p == "48" || p == "58":
				out = append(out, m[0])
				i = len(params)
			case len(p) == 2 && (p[0] == '3' || p[0] == '4' || p[0] == '9') && p[1] != '9',
				len(p) == 3 && strings.HasPrefix(p, "10") && p[2] != '9':
				out = append(out, m[0])
				i = len(params)
			}
		}
	}
	return out
}

// TestTerminalKeysTypedTogether types keys faster than the program reads
// them (one tmux send-keys, one read): Bubble Tea then reports "jj" as one
// key message, and each character must still act as a key.
func TestTerminalKeysTypedTogether(t *testing.T) {
	cp := shared.Get(t)
	const ns = "term-typed"
	terminalFixture(t, cp, ns)
	rt := startRelTerm(t, 120, 30, relEnv(t.TempDir(), "NO_COLOR=1"), initwatchBinary(t), "-n", ns, "--kubeconfig", adminKubeconfig(t, cp))
	rt.waitFor("the pod list", `term-0`, `term-3`)
	rt.keys("/", "t", "e", "r", "m", "-", "2", "Enter")
	rt.waitFor("the filter", `/term-2 \(1\)`)
	rt.keys("Enter")
	rt.waitFor("the filtered pod's detail", `(?m)^`+ns+`/term-2 `)
	// Escape goes alone: followed at once by "/", a terminal cannot tell
	// it from alt+/.
	rt.keys("Escape")
	rt.waitFor("the list", `NAMESPACE\s+NAME`)
	rt.keys("/", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "Enter")
	rt.waitFor("all rows again", `term-0`, `term-3`)
	rt.keys("j", "j", "j", "Enter")
	rt.waitFor("the fourth pod's detail", `(?m)^`+ns+`/term-3 `)
}

// TestTerminalSignalsRestore ends the UI with SIGTERM and SIGINT sent to
// the process, as kill(1), timeout(1) or a supervisor would, several times
// in a row: each time it must exit at once with status 0 and give the
// terminal back. Bubble Tea's own signal handler could block for ever
// sending its quit message after the CLI's context had already ended the
// program (the same signal reaches both), leaving the process hung on a
// frozen screen; so signals are the CLI's alone.
func TestTerminalSignalsRestore(t *testing.T) {
	cp := shared.Get(t)
	const ns = "term-signal"
	terminalFixture(t, cp, ns)
	bin := initwatchBinary(t)
	kc := adminKubeconfig(t, cp)
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "initwatch.pid")
	rt := startRelShell(t, 120, 30, relEnv(dir))
	// The hang was a race, lost about one time in three: ten tries.
	for i := range 10 {
		sig := syscall.SIGTERM
		if i%3 == 2 {
			sig = syscall.SIGINT
		}
		t.Run(fmt.Sprintf("%d %s", i, sig), func(t *testing.T) {
			rt.t = t
			_ = os.Remove(pidFile)
			// sh writes its pid, then becomes initwatch: the pid is
			// initwatch's, and it runs in the foreground of the tty.
			rt.run(fmt.Sprintf("clear; sh -c 'echo $$ > %s; exec %s -n %s --kubeconfig %s'", pidFile, bin, ns, kc))
			rt.waitFor("the UI", `term-0`)
			b, err := os.ReadFile(pidFile)
			if err != nil {
				t.Fatal(err)
			}
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatalf("pid file %q: %v", b, err)
			}
			if err := syscall.Kill(pid, sig); err != nil {
				t.Fatal(err)
			}
			exitedCleanly(t, rt, sig.String(), fmt.Sprintf("sig%d", i))
		})
	}
}
