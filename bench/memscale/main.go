// Command memscale measures the resident set of initwatch's terminal UI on
// a loaded cluster: the real binary in a 160×40 tmux window against a real
// kube-apiserver (bench/mem.sh loads one with bench/tuiscale -hold), started
// -runs times per variant, each run read from /proc/PID/status once the
// header counts every pod and the UI has been idle -settle: VmRSS (steady)
// and VmHWM (peak). Variants are environments the binary runs with, so one
// run compares, say, the TUI with and without its owner informers on the
// same apiserver and pods.
//
// It prints a Markdown section and, with -out, writes it into that file
// between its own markers (-section names them), leaving everything else in
// the file as it was: BENCHMARKS.md's other sections come from other
// targets.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

func main() {
	var o options
	var variants string
	flag.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig of the loaded cluster (required)")
	flag.IntVar(&o.pods, "pods", 0, "pods the cluster holds: the run waits for the header to count them")
	flag.IntVar(&o.events, "events", 0, "events the cluster holds (reported only)")
	flag.IntVar(&o.runs, "runs", 3, "starts of the binary per variant (medians are reported)")
	flag.StringVar(&o.initwatch, "initwatch", "bin/initwatch", "initwatch binary")
	flag.DurationVar(&o.settle, "settle", 20*time.Second, "idle time after the full list before the resident set is read")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Minute, "longest wait for the full list")
	flag.StringVar(&variants, "variants", "default=", "variants, ';'-separated NAME=K=V,K=V (the environment the binary runs with; empty for none; NAME holds no '=')")
	flag.StringVar(&o.section, "section", "memory", "name of the section's markers in -out")
	flag.StringVar(&o.title, "title", "", "heading of the section (default: from -pods)")
	flag.IntVar(&o.level, "level", 3, "Markdown level of the heading (2: ##)")
	flag.StringVar(&o.out, "out", "", "file to write the section into (empty: print only)")
	flag.StringVar(&o.baseline, "baseline", "", "variant the others are compared with (default: the first)")
	flag.Parse()
	vs, err := parseVariants(variants)
	if err == nil {
		o.variants = vs
		err = o.check()
	}
	if err == nil {
		err = run(o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "memscale:", err)
		os.Exit(1)
	}
}

type options struct {
	kubeconfig, initwatch string
	pods, events, runs    int
	settle, timeout       time.Duration
	variants              []variant
	section, title, out   string
	baseline              string
	level                 int
}

func (o *options) check() error {
	switch {
	case o.kubeconfig == "":
		return errors.New("-kubeconfig is required")
	case o.pods <= 0:
		return errors.New("-pods must be positive")
	case o.runs <= 0:
		return errors.New("-runs must be positive")
	case len(o.variants) == 0:
		return errors.New("-variants names none")
	case o.level < 1 || o.level > 6:
		return errors.New("-level must be 1 to 6")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		return fmt.Errorf("tmux is needed to run the UI in a terminal: %w", err)
	}
	if o.baseline == "" {
		o.baseline = o.variants[0].name
	}
	for _, v := range o.variants {
		if v.name == o.baseline {
			return nil
		}
	}
	return fmt.Errorf("-baseline %q is not a variant", o.baseline)
}

// variant is one environment the binary is measured in.
type variant struct {
	name string
	env  []string
}

// parseVariants reads "name=K=V,K=V;name2=" into variants.
func parseVariants(s string) ([]variant, error) {
	var out []variant
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, env, ok := strings.Cut(part, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("variant %q: want NAME=K=V,...", part)
		}
		v := variant{name: name}
		for kv := range strings.SplitSeq(env, ",") {
			if kv == "" {
				continue
			}
			if k, _, ok := strings.Cut(kv, "="); !ok || !envName(k) {
				return nil, fmt.Errorf("variant %q: %q is not K=V", name, kv)
			}
			v.env = append(v.env, kv)
		}
		out = append(out, v)
	}
	return out, nil
}

// envName reports whether k can name an environment variable (so a
// variant named with "=" in it is an error, not a strange variable).
func envName(k string) bool {
	for i, c := range k {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return k != ""
}

// sample is one start of the binary.
type sample struct {
	toFull     time.Duration // start → header counts every pod
	rss, peak  int64         // VmRSS after settling, VmHWM
	loadBefore string
}

func run(o options) error {
	res := make(map[string][]sample)
	loadStart := loadAverage()
	start := time.Now().UTC()
	// Runs interleave the variants, so drift in the machine's load falls
	// on all of them alike.
	for i := range o.runs {
		for _, v := range o.variants {
			s, err := measure(o, v, i)
			if err != nil {
				return fmt.Errorf("%s, run %d: %w", v.name, i+1, err)
			}
			fmt.Fprintf(os.Stderr, "[%s] %s run %d: full list after %s, RSS %s, peak %s (load %s)\n",
				time.Now().Format("15:04:05"), v.name, i+1, s.toFull.Round(10*time.Millisecond), mb(s.rss), mb(s.peak), s.loadBefore)
			res[v.name] = append(res[v.name], s)
		}
	}
	rep := report{o: o, res: res, start: start, end: time.Now().UTC(), loadStart: loadStart, loadEnd: loadAverage()}
	text := rep.markdown()
	fmt.Print(text)
	if o.out == "" {
		return nil
	}
	return writeSection(o.out, o.section, text)
}

// measure starts the binary once in a tmux window and reads its memory.
func measure(o options, v variant, i int) (sample, error) {
	session := fmt.Sprintf("memscale-%d-%d", os.Getpid(), i)
	argv := []string{"env"}
	argv = append(argv, v.env...)
	argv = append(argv, o.initwatch, "--kubeconfig", o.kubeconfig, "-A")
	s := sample{loadBefore: loadAverage()}
	began := time.Now()
	// With several arguments tmux runs the command without a shell, and
	// env execs the binary: the pane's process is initwatch itself.
	newSession := append([]string{"new-session", "-d", "-s", session, "-x", "160", "-y", "40"}, argv...)
	// The previous run's kill-session may still be taking the tmux server
	// down ("server exited unexpectedly"): try again shortly.
	for try := 1; ; try++ {
		out, err := exec.Command("tmux", newSession...).CombinedOutput()
		if err == nil {
			break
		}
		if try == 5 {
			return s, fmt.Errorf("start tmux: %w: %s", err, strings.TrimSpace(string(out)))
		}
		time.Sleep(500 * time.Millisecond)
	}
	defer func() { _ = exec.Command("tmux", "kill-session", "-t", session).Run() }()
	pid, err := panePID(session)
	if err != nil {
		return s, err
	}
	want := strconv.Itoa(o.pods) + " total"
	deadline := time.Now().Add(o.timeout)
	for {
		screen, err := exec.Command("tmux", "capture-pane", "-p", "-t", session).Output()
		if err != nil {
			return s, fmt.Errorf("read the screen: %w", err)
		}
		if strings.Contains(string(screen), want) {
			s.toFull = time.Since(began)
			break
		}
		if time.Now().After(deadline) {
			return s, fmt.Errorf("no %q on screen after %s; last screen:\n%s", want, o.timeout, screen)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(o.settle)
	m, err := readMemory(pid)
	if err != nil {
		return s, err
	}
	s.rss, s.peak = m.rss, m.peak
	return s, nil
}

// panePID is the process the session's window runs (exec: the binary).
func panePID(session string) (int, error) {
	out, err := exec.Command("tmux", "display-message", "-p", "-t", session, "#{pane_pid}").Output()
	if err != nil {
		return 0, fmt.Errorf("find the process in tmux: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		return 0, fmt.Errorf("find the process in tmux: %q: %w", out, err)
	}
	return pid, nil
}
