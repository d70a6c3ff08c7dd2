package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/creack/pty"
)

// term is a program running in a pseudo-terminal of a fixed size, with the
// emulator keeping its screen. Every read from the terminal is stamped with
// the time it returned; a condition on the screen is reported with the stamp
// of the read that made it true, which is when a user could first have seen
// it.
type term struct {
	cmd     *exec.Cmd
	ptmx    *os.File
	started time.Time
	exited  chan struct{}
	waitErr error

	mu      sync.Mutex
	vt      *vt
	waiters []*waiter
	readErr error
	readEnd chan struct{}
}

// waiter is someone waiting for the screen to satisfy pred.
type waiter struct {
	pred func(screen []string) bool
	at   chan time.Time
}

// startTerm starts argv in a terminal of rows×cols with extra environment
// variables. started is taken just before the process is started.
func startTerm(argv, env []string, rows, cols int) (*term, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "COLORTERM=truecolor", "LANG=C.UTF-8")
	cmd.Env = append(cmd.Env, env...)
	t := &term{cmd: cmd, exited: make(chan struct{}), readEnd: make(chan struct{})}
	t.vt = newVT(rows, cols, nil)
	t.started = time.Now()
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: uint16(rows), Cols: uint16(cols)})
	if err != nil {
		return nil, fmt.Errorf("start %s in a terminal: %w", argv[0], err)
	}
	t.ptmx = ptmx
	go t.read()
	go func() {
		t.waitErr = cmd.Wait()
		close(t.exited)
	}()
	return t, nil
}

// pid is the program's process id, for /proc.
func (t *term) pid() int { return t.cmd.Process.Pid }

// read owns the terminal's output: it feeds the emulator, answers the
// program's queries and wakes the waiters whose condition now holds. It
// must never stop reading while the program runs, or the program would
// block writing its frames.
func (t *term) read() {
	defer close(t.readEnd)
	buf := make([]byte, 64<<10)
	for {
		n, err := t.ptmx.Read(buf)
		at := time.Now()
		if n > 0 {
			var replies [][]byte
			t.mu.Lock()
			t.vt.reply = func(b []byte) { replies = append(replies, b) }
			t.vt.write(buf[:n])
			t.vt.reply = nil
			t.wake(at)
			t.mu.Unlock()
			for _, r := range replies {
				_, _ = t.ptmx.Write(r)
			}
		}
		if err != nil {
			t.mu.Lock()
			t.readErr = err
			t.mu.Unlock()
			return
		}
	}
}

// wake reports at to every waiter whose condition holds. Called with mu.
func (t *term) wake(at time.Time) {
	if len(t.waiters) == 0 {
		return
	}
	screen := t.vt.lines()
	kept := t.waiters[:0]
	for _, w := range t.waiters {
		if w.pred(screen) {
			w.at <- at
			continue
		}
		kept = append(kept, w)
	}
	clear(t.waiters[len(kept):])
	t.waiters = kept
}

// watch registers pred and returns a channel that receives the time the
// screen first satisfied it (now, if it already does).
func (t *term) watch(pred func(screen []string) bool) (<-chan time.Time, func()) {
	w := &waiter{pred: pred, at: make(chan time.Time, 1)}
	t.mu.Lock()
	defer t.mu.Unlock()
	if pred(t.vt.lines()) {
		w.at <- time.Now()
		return w.at, func() {}
	}
	t.waiters = append(t.waiters, w)
	cancel := func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		for i, o := range t.waiters {
			if o == w {
				t.waiters = append(t.waiters[:i], t.waiters[i+1:]...)
				return
			}
		}
	}
	return w.at, cancel
}

// errTimeout says a condition did not show up on screen in time.
var errTimeout = errors.New("timed out")

// waitFor blocks until the screen satisfies pred, the program exits or
// timeout passes, and returns the time of the read that satisfied it.
func (t *term) waitFor(what string, pred func(screen []string) bool, timeout time.Duration) (time.Time, error) {
	ch, cancel := t.watch(pred)
	defer cancel()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case at := <-ch:
		return at, nil
	case <-t.exited:
		return time.Time{}, fmt.Errorf("waiting for %s: %s exited (%v); screen:\n%s", what, t.cmd.Path, t.waitErr, t.screenText())
	case <-timer.C:
		return time.Time{}, fmt.Errorf("waiting for %s: %w after %s; screen:\n%s", what, errTimeout, timeout, t.screenText())
	}
}

// send types s into the terminal and returns the time just before.
func (t *term) send(s string) (time.Time, error) {
	at := time.Now()
	if _, err := io.WriteString(t.ptmx, s); err != nil {
		return at, fmt.Errorf("type into %s: %w", t.cmd.Path, err)
	}
	return at, nil
}

// screenText is the current screen, for error messages.
func (t *term) screenText() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := t.vt.lines()
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

// unknownSequences lists what the emulator ignored (for -v).
func (t *term) unknownSequences() map[string]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]int, len(t.vt.unknown))
	for k, v := range t.vt.unknown {
		out[k] = v
	}
	return out
}

// stop ends the program: SIGTERM, then SIGKILL after a grace period, and
// releases the terminal.
func (t *term) stop() {
	select {
	case <-t.exited:
	default:
		_ = t.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-t.exited:
		case <-time.After(5 * time.Second):
			_ = t.cmd.Process.Kill()
			<-t.exited
		}
	}
	_ = t.ptmx.Close()
	<-t.readEnd
}
