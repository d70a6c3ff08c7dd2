package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// report is one run's figures as Markdown.
type report struct {
	o                  options
	res                map[string][]sample
	start, end         time.Time
	loadStart, loadEnd string
}

func (r report) markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	title := r.o.title
	if title == "" {
		title = fmt.Sprintf("Memory at %s pods on a real apiserver (`bench/memscale`)", thousands(r.o.pods))
	}
	p("%s %s\n\n", strings.Repeat("#", r.o.level), title)
	events := "no events"
	if r.o.events > 0 {
		events = thousands(r.o.events) + " events about them"
	}
	p("%s–%s UTC, load average %s at start, %s at end (memory figures hold under load; times do not). "+
		"The TUI binary in a 160×40 tmux window, `initwatch -A` against kube-apiserver v1.37.2 + etcd holding %s pods "+
		"(e2e/podgen's spread, four init containers, 20 namespaces) and %s; %d starts per variant, interleaved. "+
		"Steady is VmRSS %s after the header counts every pod; peak is VmHWM.\n\n",
		r.start.Format("2006-01-02 15:04"), r.end.Format("15:04"), r.loadStart, r.loadEnd,
		thousands(r.o.pods), events, r.o.runs, r.o.settle)
	p("| Variant | environment | steady RSS median | min | max | peak RSS median | full list after (median) | steady vs %s |\n", r.o.baseline)
	p("|---|---|---|---|---|---|---|---|\n")
	base := median(field(r.res[r.o.baseline], func(s sample) float64 { return float64(s.rss) }))
	for _, v := range r.o.variants {
		ss := r.res[v.name]
		rss := field(ss, func(s sample) float64 { return float64(s.rss) })
		peak := field(ss, func(s sample) float64 { return float64(s.peak) })
		full := field(ss, func(s sample) float64 { return float64(s.toFull) })
		env := "—"
		if len(v.env) > 0 {
			env = "`" + strings.Join(v.env, " ") + "`"
		}
		vs := "—"
		if v.name != r.o.baseline && base > 0 {
			vs = fmt.Sprintf("%+.1f%% (%+.1f MB)", 100*(median(rss)/base-1), (median(rss)-base)/1e6)
		}
		p("| %s | %s | %s | %s | %s | %s | %s | %s |\n", v.name, env, mb(int64(median(rss))), mb(int64(slices.Min(rss))),
			mb(int64(slices.Max(rss))), mb(int64(median(peak))), time.Duration(median(full)).Round(10*time.Millisecond), vs)
	}
	p("\nEvery start: ")
	var runs []string
	for _, v := range r.o.variants {
		for i, s := range r.res[v.name] {
			runs = append(runs, fmt.Sprintf("%s #%d %s / %s (load %s)", v.name, i+1, mb(s.rss), mb(s.peak), s.loadBefore))
		}
	}
	p("%s.\n", strings.Join(runs, "; "))
	return b.String()
}

func field(ss []sample, f func(sample) float64) []float64 {
	out := make([]float64, len(ss))
	for i, s := range ss {
		out[i] = f(s)
	}
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Markers around a section this program owns in a file it shares.
func beginMarker(section string) string { return "<!-- bench/memscale " + section + " begin -->" }
func endMarker(section string) string   { return "<!-- bench/memscale " + section + " end -->" }

// replaceSection puts text between section's markers in doc, replacing what
// was there; a doc without them gets the section appended at its end.
func replaceSection(doc, section, text string) (string, error) {
	begin, end := beginMarker(section), endMarker(section)
	block := begin + "\n" + strings.TrimRight(text, "\n") + "\n" + end
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	switch {
	case i < 0 && j < 0:
		doc = strings.TrimRight(doc, "\n")
		if doc != "" {
			doc += "\n\n"
		}
		return doc + block + "\n", nil
	case i < 0 || j < i:
		return "", fmt.Errorf("section %q: its markers are broken (begin at %d, end at %d)", section, i, j)
	}
	return doc[:i] + block + doc[j+len(end):], nil
}

func writeSection(path, section, text string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	doc, err := replaceSection(string(old), section, text)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if bytes.Equal([]byte(doc), old) {
		return nil
	}
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// memory is what /proc/PID/status says about the resident set.
type memory struct{ rss, peak int64 }

func readMemory(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, fmt.Errorf("read memory of pid %d: %w", pid, err)
	}
	return parseStatus(string(b))
}

// parseStatus reads VmRSS and VmHWM ("NNN kB") from a /proc/PID/status.
func parseStatus(status string) (memory, error) {
	var m memory
	for line := range strings.SplitSeq(status, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return memory{}, fmt.Errorf("read memory: unexpected line %q", line)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return memory{}, fmt.Errorf("read memory: %q: %w", line, err)
		}
		if k == "VmRSS" {
			m.rss = n << 10
		} else {
			m.peak = n << 10
		}
	}
	if m.rss == 0 || m.peak == 0 {
		return memory{}, errors.New("read memory: no VmRSS or VmHWM")
	}
	return m, nil
}

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
