package e2e

import (
	"regexp"
	"strings"
	"time"
)

// sttySane runs `stty -a` in the shell and reports what in the terminal
// state shows a program left raw mode on: no echo, no canonical input, no
// signals from ctrl+c, no CR/LF translation.
func (rt *term) sttyProblems() []string {
	rt.t.Helper()
	rt.run("clear; stty -a")
	s := rt.waitFor("stty -a", `(?s)speed.*\n\$\s*$`)
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
func (rt *term) backToList() {
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
