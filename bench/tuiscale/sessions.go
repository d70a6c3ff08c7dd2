package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// session is what one run of a terminal program measured.
type session struct {
	firstFrame time.Duration
	mem        memory  // after the idle period
	cpu        float64 // share of one core while idle
	// Filter keystrokes (initwatch only): the first character on the full
	// list, and a second one narrowing it.
	keyFirst, keySecond []time.Duration
}

// tuiEnv isolates a terminal program's configuration in a fresh directory.
func (b *bench) tuiEnv() []string { return b.tuiEnvFor(b.c.kubeconfig) }

// tuiEnvFor is tuiEnv for the cluster kubeconfig reaches.
func (b *bench) tuiEnvFor(kubeconfig string) []string {
	var extra []string
	if b.o.env != "" {
		extra = strings.Split(b.o.env, ",")
	}
	return append(extra,
		"XDG_CONFIG_HOME="+filepath.Join(b.tmp, "config"),
		"XDG_DATA_HOME="+filepath.Join(b.tmp, "data"),
		"XDG_STATE_HOME="+filepath.Join(b.tmp, "state"),
		"XDG_CACHE_HOME="+filepath.Join(b.tmp, "cache"),
		"K9S_CONFIG_DIR="+filepath.Join(b.tmp, "config", "k9s"),
		"KUBECONFIG="+kubeconfig,
	)
}

// runInitwatch starts the TUI, times its first full frame, lets it settle,
// measures its idle CPU and resident memory, then times filter keystrokes.
func (b *bench) runInitwatch(n int) (session, error) {
	var s session
	t, err := startTerm([]string{b.o.initwatch, "--kubeconfig", b.c.kubeconfig, "-A"}, b.tuiEnv(), b.o.rows, b.o.cols)
	if err != nil {
		return s, err
	}
	defer b.stopTerm(t)
	at, err := t.waitFor(fmt.Sprintf("initwatch to show %d pods", n), initwatchShowsAll(n), b.o.frameTimeout)
	if err != nil {
		return s, err
	}
	s.firstFrame = at.Sub(t.started)
	if err := b.idle(t, &s); err != nil {
		return s, err
	}
	first, second := b.o.filterQuery[:1], b.o.filterQuery[:2]
	m1, m2 := b.c.matching(first), b.c.matching(second)
	for range b.o.keystrokes {
		if _, err := t.send("/"); err != nil {
			return s, err
		}
		if _, err := t.waitFor("the filter prompt", filterPrompt, 10*time.Second); err != nil {
			return s, err
		}
		d, err := keystroke(t, first, filteredTo(first, m1))
		if err != nil {
			return s, err
		}
		s.keyFirst = append(s.keyFirst, d)
		d, err = keystroke(t, second[1:], filteredTo(second, m2))
		if err != nil {
			return s, err
		}
		s.keySecond = append(s.keySecond, d)
		if _, err := t.send("\x1b"); err != nil {
			return s, err
		}
		if _, err := t.waitFor("the filter to clear", unfiltered(second, n), 10*time.Second); err != nil {
			return s, err
		}
	}
	return s, nil
}

// firstFrame starts the TUI and times its first full frame only.
func (b *bench) firstFrame(n int) (time.Duration, error) {
	t, err := startTerm([]string{b.o.initwatch, "--kubeconfig", b.c.kubeconfig, "-A"}, b.tuiEnv(), b.o.rows, b.o.cols)
	if err != nil {
		return 0, err
	}
	defer b.stopTerm(t)
	at, err := t.waitFor(fmt.Sprintf("initwatch to show %d pods", n), initwatchShowsAll(n), b.o.frameTimeout)
	if err != nil {
		return 0, err
	}
	return at.Sub(t.started), nil
}

// keystroke types key and times the frame that shows its result.
//
// It first waits a random 20–70 ms: the driver reaches this point right
// after a frame (the one it was waiting for), and Bubble Tea draws frames
// on a fixed 60 Hz clock, so a key sent at once would always wait almost a
// whole frame period for its frame. A person's keystrokes fall anywhere
// between two frames; the random wait makes the driver's do too.
func keystroke(t *term, key string, shown func([]string) bool) (time.Duration, error) {
	time.Sleep(20*time.Millisecond + rand.N(50*time.Millisecond))
	ch, cancel := t.watch(shown)
	defer cancel()
	sent, err := t.send(key)
	if err != nil {
		return 0, err
	}
	select {
	case at := <-ch:
		return at.Sub(sent), nil
	case <-time.After(10 * time.Second):
		return 0, fmt.Errorf("keystroke %q: no frame with its result after 10s; screen:\n%s", key, t.screenText())
	}
}

// runK9s does for k9s what runInitwatch does, bar the keystrokes.
func (b *bench) runK9s(n int) (session, error) {
	var s session
	argv := []string{b.o.k9s, "--kubeconfig", b.c.kubeconfig, "-A", "-c", "pods", "--readonly", "--splashless"}
	t, err := startTerm(argv, b.tuiEnv(), b.o.rows, b.o.cols)
	if err != nil {
		return s, err
	}
	defer b.stopTerm(t)
	at, err := t.waitFor(fmt.Sprintf("k9s to show %d pods", n), k9sShowsAll(n), b.o.frameTimeout)
	if err != nil {
		return s, err
	}
	s.firstFrame = at.Sub(t.started)
	return s, b.idle(t, &s)
}

// idle lets the program settle after its first full frame, then measures
// CPU over the idle period and the resident set at its end.
func (b *bench) idle(t *term, s *session) error {
	time.Sleep(b.o.settle)
	cpu, err := idleCPU(t.pid(), b.o.idle)
	if err != nil {
		return err
	}
	s.cpu = cpu
	s.mem, err = readMemory(t.pid())
	return err
}

func (b *bench) stopTerm(t *term) {
	if b.o.verbose {
		if u := t.unknownSequences(); len(u) > 0 {
			fmt.Fprintf(os.Stderr, "  (%s: sequences the emulator ignored: %v)\n", filepath.Base(t.cmd.Path), u)
		}
	}
	t.stop()
}

// timed runs a one-shot command (a baseline) to completion and returns its
// wall time and the number of lines it printed.
func timed(argv []string) (time.Duration, string, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, "", err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, "", fmt.Errorf("start %s: %w", argv[0], err)
	}
	body, readErr := io.ReadAll(out)
	err = cmd.Wait()
	d := time.Since(start)
	if readErr != nil {
		return 0, "", fmt.Errorf("read output of %s: %w", argv[0], readErr)
	}
	if err != nil {
		return 0, "", fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, strings.TrimSpace(stderr.String()))
	}
	return d, string(body), nil
}

func lineCount(out string) int { return strings.Count(out, "\n") }

func firstNumber(out string) int {
	f := strings.Fields(out)
	if len(f) == 0 {
		return -1
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		return -1
	}
	return n
}
