package e2e

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lineWatch runs a command that prints lines as things change (`kubectl
// get pods -w`, `initwatch get -w`) and keeps every line it printed.
type lineWatch struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	cancel context.CancelFunc
	stderr strings.Builder
	done   chan struct{} // closed once stdout is drained

	mu      sync.Mutex
	lines   []string
	changed chan struct{} // closed and replaced on each new line
}

// startLineWatch starts bin with args (and extra environment); t.Cleanup
// stops it if the test did not.
func startLineWatch(t *testing.T, env []string, bin string, args ...string) *lineWatch {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	w := &lineWatch{t: t, name: bin, cmd: cmd, cancel: cancel, done: make(chan struct{}), changed: make(chan struct{})}
	cmd.Stderr = &w.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		defer close(w.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			w.mu.Lock()
			w.lines = append(w.lines, sc.Text())
			close(w.changed)
			w.changed = make(chan struct{})
			w.mu.Unlock()
		}
	}()
	t.Cleanup(func() { w.stop() })
	return w
}

// snapshot returns the lines so far and a channel closed on the next one.
func (w *lineWatch) snapshot() ([]string, <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.lines...), w.changed
}

// waitUntil checks cond on the lines after each new one, until it holds or
// bound passes (a failure).
func (w *lineWatch) waitUntil(what string, bound time.Duration, cond func(lines []string) bool) {
	w.t.Helper()
	timeout := time.After(bound)
	for {
		lines, next := w.snapshot()
		if cond(lines) {
			return
		}
		select {
		case <-next:
		case <-w.done:
			lines, _ = w.snapshot()
			if cond(lines) {
				return
			}
			w.t.Fatalf("%s ended before %s; stderr: %s", w.name, what, w.stderr.String())
		case <-timeout:
			w.t.Fatalf("%s: not printed by %s within %v; last lines:\n%s", what, w.name, bound, tail(lines, 30))
		}
	}
}

// stop interrupts the command (SIGINT, as Ctrl-C) and waits for it.
func (w *lineWatch) stop() {
	if w.cmd.Process == nil || w.cmd.ProcessState != nil {
		return
	}
	_ = w.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-w.done:
	case <-time.After(10 * time.Second):
		w.cancel()
		<-w.done
	}
	_ = w.cmd.Wait()
	w.cancel()
}

func tail(lines []string, n int) string {
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
