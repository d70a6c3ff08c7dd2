package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// machine describes where the figures were measured.
type machine struct {
	cpuModel, kernel, goVersion string
	cores                       int
	memory                      int64
	loadStart, loadEnd          string
	date                        time.Time
}

func readMachine() machine {
	m := machine{cores: runtime.NumCPU(), goVersion: runtime.Version(), date: time.Now(), loadStart: loadAverage()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpuModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) == 3 && f[0] == "MemTotal:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				m.memory = kb << 10
			}
		}
	}
	return m
}

// loadAverage is the 1, 5 and 15 minute load average.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// versionField runs bin with args and returns the value of its "field:"
// line ("Version:   v1.2.3" gives "v1.2.3").
func versionField(bin, field string, args ...string) string {
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == field {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

func k9sVersion(bin string) string {
	out, err := exec.Command(bin, "version", "--short").Output()
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "Version" {
			return f[1]
		}
	}
	return "?"
}

// writeK9sConfig gives k9s a private configuration: read-only, no splash
// screen, no check for a newer release (no network here).
func (b *bench) writeK9sConfig() error {
	dir := filepath.Join(b.tmp, "config", "k9s")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cfg := "k9s:\n  readOnly: true\n  skipLatestRevCheck: true\n  ui:\n    splashless: true\n"
	return os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o644)
}

// goBenchResult is one Go benchmark, medians over its -count runs.
type goBenchResult struct {
	name    string
	nsPerOp float64
	// maxMS is BenchmarkFilterKeystroke's slowest keystroke (its
	// max-ms/keystroke metric), 0 for the others.
	maxMS  float64
	allocs float64
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

// runGoBench runs package tui's benchmarks: one frame at 100 and 10,000
// pods, one filter keystroke on 10,000 pods, one batch on 10,000 pods.
func runGoBench() ([]goBenchResult, error) {
	root, err := controlplane.RepoRoot()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", "^(BenchmarkRender|BenchmarkFilterKeystroke|BenchmarkBatch)$",
		"-benchmem", "-count", "5", "./tui/")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go test -bench ./tui/: %w\n%s", err, out)
	}
	samples := map[string][][3]float64{}
	var order []string
	for _, line := range strings.Split(string(out), "\n") {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		var v [3]float64
		f := strings.Fields(m[2])
		for i := 0; i+1 < len(f); i += 2 {
			x, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				v[0] = x
			case "max-ms/keystroke":
				v[1] = x
			case "allocs/op":
				v[2] = x
			}
		}
		if _, ok := samples[m[1]]; !ok {
			order = append(order, m[1])
		}
		samples[m[1]] = append(samples[m[1]], v)
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("go test -bench ./tui/ printed no benchmark:\n%s", out)
	}
	var res []goBenchResult
	for _, name := range order {
		r := goBenchResult{name: name}
		col := func(k int) float64 {
			var xs []float64
			for _, s := range samples[name] {
				xs = append(xs, s[k])
			}
			slices.Sort(xs)
			return median(xs)
		}
		r.nsPerOp, r.maxMS, r.allocs = col(0), col(1), col(2)
		res = append(res, r)
	}
	return res, nil
}
