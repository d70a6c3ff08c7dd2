package main

import (
	"fmt"
	"strings"
	"time"
)

// Targets of the replay runs (issue 17).
const (
	replayTargetPods    = 50000
	replayTargetRate    = 5000
	replayTargetP99MS   = 50.0
	replayOverloadRatio = 2 // a rate counts as above what initwatch takes when this far over the target's
)

// replayAt returns, over every run at n pods, the measurements at rate.
func (b *bench) replayAt(n, rate int) []*replayRun {
	var out []*replayRun
	for _, s := range b.replay {
		if s.pods != n {
			continue
		}
		for _, run := range s.runs {
			for _, r := range run {
				if r.rate == rate {
					out = append(out, r)
				}
			}
		}
	}
	return out
}

// replayFigures is what the report says of the runs at one size and rate.
type replayFigures struct {
	shown, bare, late     summary
	missed, probes        int
	achieved, cpuPer1000  float64
	taken                 float64 // changes read per second
	cpuShare, replayShare float64
	waitShare             float64 // initwatch's threads waiting for a CPU, in cores
	busy                  float64
	rssBefore, rssAfter   float64 // MB, medians
	peak                  float64
	maxBacklog, backlog   int
	slowClosed            int64
	lists, listed         int64 // lists served in the windows, pods in them
	loads                 []string
}

func figuresOf(runs []*replayRun) replayFigures {
	var f replayFigures
	var shown, bare, late []time.Duration
	var achieved, taken, per1000, share, wshare, rshare, busy, before, after, peak []float64
	for _, r := range runs {
		shown = append(shown, r.shown...)
		bare = append(bare, r.bare...)
		late = append(late, r.late...)
		f.missed += r.missed
		achieved = append(achieved, r.achieved)
		taken = append(taken, float64(r.taken)/r.window.Seconds())
		wshare = append(wshare, float64(r.waited)/float64(r.window))
		per1000 = append(per1000, r.cpuPer1000())
		share = append(share, float64(r.cpu)/float64(r.window))
		rshare = append(rshare, float64(r.replayCPU)/float64(r.window))
		busy = append(busy, r.busy)
		before = append(before, float64(r.memBefore.rss)/1e6)
		after = append(after, float64(r.memAfter.rss)/1e6)
		peak = append(peak, float64(r.memAfter.peak)/1e6)
		f.maxBacklog = max(f.maxBacklog, r.st1.MaxBacklog)
		f.backlog = max(f.backlog, r.st1.Backlog)
		f.slowClosed += r.st1.SlowClosed - r.st0.SlowClosed
		f.lists += r.st1.Lists - r.st0.Lists
		f.listed += r.st1.Listed - r.st0.Listed
		f.loads = append(f.loads, r.load)
	}
	f.probes = len(shown)
	f.shown, f.bare, f.late = summarize(ms(shown)), summarize(ms(bare)), summarize(ms(late))
	f.achieved, f.cpuPer1000 = medianOf(achieved), medianOf(per1000)
	f.taken, f.waitShare = medianOf(taken), medianOf(wshare)
	f.cpuShare, f.replayShare, f.busy = medianOf(share), medianOf(rshare), medianOf(busy)
	f.rssBefore, f.rssAfter, f.peak = medianOf(before), medianOf(after), medianOf(peak)
	return f
}

// replayVerdicts compares the replay runs with issue 17's targets.
func (b *bench) replayVerdicts() [][3]string {
	var rows [][3]string
	if runs := b.replayAt(replayTargetPods, replayTargetRate); len(runs) > 0 {
		f := figuresOf(runs)
		v := verdict(f.shown.p99, replayTargetP99MS, "ms")
		rows = append(rows, [3]string{
			fmt.Sprintf("Own share, sent → row on screen, p99 ≤ %s ms at %s changes/s over %s pods",
				trimFloat(replayTargetP99MS), thousands(replayTargetRate), thousands(replayTargetPods)),
			fmt.Sprintf("p99 %s (p50 %s; bare watch p99 %s); %d probes, %d never shown",
				fmtMS(f.shown.p99), fmtMS(f.shown.p50), fmtMS(f.bare.p99), f.probes, f.missed),
			v,
		})
	}
	top := 0
	for _, r := range b.o.replayRates {
		top = max(top, r)
	}
	if overloaded(top) {
		for _, s := range b.replay {
			runs := b.replayAt(s.pods, top)
			if len(runs) == 0 {
				continue
			}
			f := figuresOf(runs)
			var first, second []time.Duration
			bounded := f.shown.missing == 0
			for _, r := range runs {
				first, second = append(first, r.halves[0]), append(second, r.halves[1])
				bounded = bounded && lagBounded(r.halves)
			}
			growth := f.rssAfter - f.rssBefore
			v := "met"
			if !bounded || growth > 0.1*f.rssBefore {
				v = "**missed**"
			}
			fs, ss := summarize(ms(first)), summarize(ms(second))
			rows = append(rows, [3]string{
				fmt.Sprintf("Above what it takes (%s changes/s, %s pods): it coalesces, lag bounded, memory flat",
					thousands(top), thousands(s.pods)),
				fmt.Sprintf("largest sent → screen in the first half of each %s run %s–%s, in the second %s–%s; %d of %d probes not shown within %s; read %s changes/s; %d watches closed by the replay as too slow, after which the client resumed, or listed again (%d lists, %s pods); RSS %.0f → %.0f MB over the run",
					b.o.overloadFor, fmtMS(fs.min), fmtMS(fs.max), fmtMS(ss.min), fmtMS(ss.max), f.missed, f.probes, b.o.overloadTimeout,
					thousands(int(f.taken+0.5)), f.slowClosed, f.lists, thousands(int(f.listed)), f.rssBefore, f.rssAfter),
				v,
			})
		}
	}
	return rows
}

// lagBounded reports whether a run's lag stopped growing: every probe was
// shown, and the largest lag of the second half is within a quarter (and
// half a second) of the first's. A client that falls further behind all
// along lags about twice as much in the second half.
func lagBounded(halves [2]time.Duration) bool {
	if halves[0] == never || halves[1] == never {
		return false
	}
	return halves[1] <= halves[0]+halves[0]/4+500*time.Millisecond
}

// writeReplay renders the replay section.
func (b *bench) writeReplay(w *strings.Builder) {
	if len(b.replay) == 0 {
		return
	}
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("## initwatch alone: changes from bench/replay\n\n")
	p("No apiserver: bench/replay serves the pods (protobuf, encoded ahead of time) and sends changes at a set rate, ")
	p("each stamped with when it was sent; initwatch runs unchanged against it. The figures are initwatch's own share ")
	p("(reading, decoding, coalescing, the model, the frame), measured before the apiserver and etcd start.\n\n")
	if b.o.only == "replay" {
		m := b.machine
		p("Refreshed alone (`make bench-replay`) on %s, load average %s at start, %s at end; ",
			m.date.UTC().Format("2006-01-02 15:04 MST"), m.loadStart, m.loadEnd)
		p("the other sections of this file come from the last full run.\n\n")
	}
	if rows := b.replayVerdicts(); len(rows) > 0 {
		p("| Target | Measured | Verdict |\n|---|---|---|\n")
		for _, row := range rows {
			p("| %s | %s | %s |\n", row[0], row[1], row[2])
		}
		p("\n")
	}
	for _, s := range b.replay {
		var frames []time.Duration
		frames = append(frames, s.firstFrms...)
		p("### %s pods (replay; first full frame %s, median of %d)\n\n", thousands(s.pods),
			fmtMS(summarize(ms(frames)).median), len(frames))
		p("| Changes/s asked | sent/s | read/s | sent → screen p50 | p90 | p99 | bare watch p50 / p99 | initwatch CPU | waiting for a CPU | per 1,000 changes read | last probes behind | replay queue max / end; lists (pods) | RSS before → after (peak) | replay CPU | machine busy | load avg |\n")
		p("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, rate := range b.o.replayRates {
			runs := b.replayAt(s.pods, rate)
			if len(runs) == 0 {
				continue
			}
			f := figuresOf(runs)
			missed := ""
			if f.missed > 0 {
				missed = fmt.Sprintf(" (%d of %d never)", f.missed, f.probes)
			}
			p("| %s | %s | %s | %s | %s | %s%s | %s / %s | %.1f%% of a core | %.1f%% | %s | %s–%s | %s / %s; %d (%s) | %.0f → %.0f MB (%.0f) | %.1f%% | %.0f%% | %s |\n",
				thousands(rate), thousands(int(f.achieved+0.5)), thousands(int(f.taken+0.5)), fmtMS(f.shown.p50), fmtMS(f.shown.p90), fmtMS(f.shown.p99), missed,
				fmtMS(f.bare.p50), fmtMS(f.bare.p99), 100*f.cpuShare, 100*f.waitShare, fmtMS(f.cpuPer1000),
				fmtMS(f.late.min), fmtMS(f.late.max), thousands(f.maxBacklog), thousands(f.backlog), f.lists, thousands(int(f.listed)),
				f.rssBefore, f.rssAfter, f.peak, 100*f.replayShare, 100*f.busy, strings.Join(f.loads, "; "))
		}
		p("\n")
	}
	o := b.o
	p("Method: bench/replay serves the load's pods (e2e/podgen's spread, four init containers, %d namespaces, with uid, ", o.namespaces)
	p("creation time and managed fields as the apiserver stores them; six events each) over HTTPS/2 to initwatch's own ")
	p("informers (a streaming list, then a watch). A background change gives a non-target pod a new resourceVersion and ")
	p("sent stamp (its row does not change; initwatch still decodes, coalesces and applies it); every %s a probe gives one ", o.probeEvery)
	p("of %d target pods (initwatch filtered to `/%s`, all on screen) a new restart count. A probe is timed from the ", targetCount, targetQuery)
	p("moment the replay queued it (its sent stamp) to the first frame whose row shows it; the bare watch is a client-go ")
	p("watch of the targets in the driver (protobuf, its own connection), the floor of any client. Each rate runs %s ", o.replayFor)
	p("after one second to settle, on the same initwatch process (%d runs, a fresh initwatch each, probes pooled). ", o.replayRuns)
	p("Read/s is the changes the replay wrote to the watch connections in the window (HTTP/2 flow control holds back what ")
	p("initwatch has not read; the bare watch adds only the probes). CPU: initwatch's utime+stime over the window; per 1,000 ")
	p("changes read divides it by those. Waiting for a CPU sums, over initwatch's threads, the time they were runnable but ")
	p("not running (/proc/PID/task/*/schedstat), as a share of the window: above its CPU share, the machine, not initwatch, ")
	p("set the pace. ")
	p("A probe counts as shown when its row shows its restart count or a later one (a client may coalesce a probe into the next). ")
	p("\"Last probes behind\" is sent → screen of the last five probes of each run, how far behind initwatch was when ")
	p("the window closed. The replay treats a watcher as the apiserver's watch cache does (k8s.io/apiserver 0.37): %s changes ", thousands(200))
	p("may wait for one connection, then it waits for it at most what is left of a 100 ms dispatch budget (refilled by 50 ms a ")
	p("second) and closes it as too slow; the client resumes from its last resourceVersion, from a history of the last ")
	p("%s changes, and lists again when that has moved past it (410 Gone). ", thousands(100*1024))
	p("At %s changes/s, far above what initwatch is asked to take, each run lasts %s and a probe is followed for %s: ",
		thousands(2*replayTargetRate), o.overloadFor, o.overloadTimeout)
	p("the lag is bounded when every probe is shown and the largest lag of the run's second half is within a quarter ")
	p("(and 0.5 s) of the first half's. Machine busy is the share of ")
	p("both cores in use (the other engineers' jobs included); load average at the start of each run.\n\n")
}
