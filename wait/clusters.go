package wait

import (
	"fmt"
	"strings"
	"time"

	"github.com/initwatch/initwatch/model"
)

// Clusters judges the same targets in one or several clusters (kubeconfig
// contexts), a Tracker each: a workload with the same name in two clusters
// is two targets. The wait is done only when every cluster is, and fails as
// soon as a stop rule fires in any of them (waiting can no longer succeed).
// With one cluster, named "", it says exactly what its Tracker says.
//
// A cluster that cannot be judged yet (never reached, not listed) is held:
// its targets wait with the reason as their message, so the wait cannot be
// done while it is held, and the outcome names it.
type Clusters struct {
	names    []string
	trackers []*Tracker
	held     []string // per cluster: why it cannot be judged, "" when it can
	per      int      // targets per cluster
}

// NewClusters tracks targets (each with its --for) in every context.
func NewClusters(contexts []string, rules Rules, targets []Target, fors []For) *Clusters {
	c := &Clusters{names: contexts, held: make([]string, len(contexts)), per: len(targets)}
	for _, name := range contexts {
		t := NewTracker(rules, targets, fors)
		t.context = name
		c.trackers = append(c.trackers, t)
	}
	return c
}

// Tracker is the cluster's tracker, nil for a context not watched.
func (c *Clusters) Tracker(context string) *Tracker {
	for i, name := range c.names {
		if name == context {
			return c.trackers[i]
		}
	}
	return nil
}

// Hold marks a cluster as not judgeable for reason ("unreachable: dial
// tcp ..."); an empty reason releases it.
func (c *Clusters) Hold(context, reason string) {
	for i, name := range c.names {
		if name == context {
			c.held[i] = model.Sanitize(reason)
		}
	}
}

// Held lists the clusters held, with their reasons, in context order.
func (c *Clusters) Held() []HeldCluster {
	var out []HeldCluster
	for i, name := range c.names {
		if c.held[i] != "" {
			out = append(out, HeldCluster{Context: name, Reason: c.held[i]})
		}
	}
	return out
}

// HeldCluster is a cluster that could not be judged.
type HeldCluster struct {
	Context string `json:"context"`
	Reason  string `json:"reason"`
}

// Evaluate judges every cluster's targets at now: their statuses in
// context order, then target order.
func (c *Clusters) Evaluate(now time.Time) Verdict {
	v := Verdict{State: Done}
	for i, t := range c.trackers {
		var sub Verdict
		if c.held[i] != "" {
			sub = c.heldVerdict(i)
		} else {
			sub = t.Evaluate(now)
		}
		v.Targets = append(v.Targets, sub.Targets...)
		v.Trips = append(v.Trips, sub.Trips...)
		if sub.State != Done {
			v.State = Waiting
		}
	}
	if len(v.Trips) > 0 {
		v.State = Failed
	}
	return v
}

// heldVerdict waits on every target of a held cluster, with the reason.
func (c *Clusters) heldVerdict(i int) Verdict {
	v := Verdict{State: Waiting}
	for _, tr := range c.trackers[i].targets {
		v.Targets = append(v.Targets, TargetStatus{Context: c.names[i], Target: tr.target.String(), For: tr.For,
			Message: c.held[i]})
	}
	return v
}

// sub is cluster i's share of a verdict from Evaluate.
func (c *Clusters) sub(v Verdict, i int) Verdict {
	s := Verdict{State: v.State}
	if lo, hi := i*c.per, (i+1)*c.per; hi <= len(v.Targets) {
		s.Targets = v.Targets[lo:hi]
	}
	for _, tr := range v.Trips {
		if tr.Context == c.names[i] {
			s.Trips = append(s.Trips, tr)
		}
	}
	return s
}

// Changes are the change lines of every cluster since the last call, in
// context order (see Tracker.Changes); each names its cluster when there
// are several.
func (c *Clusters) Changes(v Verdict) []string {
	var lines []string
	for i, t := range c.trackers {
		lines = append(lines, t.Changes(c.sub(v, i))...)
	}
	return lines
}

// Summary is the live one-line status over every cluster.
func (c *Clusters) Summary(v Verdict, elapsed time.Duration) string {
	var done, failing, total int
	for i, t := range c.trackers {
		if c.held[i] != "" {
			continue
		}
		d, f, n := t.podCount()
		done, failing, total = done+d, failing+f, total+n
	}
	parts := []string{"waiting " + model.HumanDuration(elapsed)}
	for _, ts := range v.Targets {
		parts = append(parts, qualified(ts.Context, ts.Target)+": "+ts.Message)
	}
	s := fmt.Sprintf("%s · pods %d/%d done", strings.Join(parts, " · "), done, total)
	if failing > 0 {
		s += fmt.Sprintf(", %d failing", failing)
	}
	return s
}

// Diagnose builds the report of v over every cluster: each cluster's
// targets, stops, failures and pending pods, named by their context.
func (c *Clusters) Diagnose(v Verdict, now time.Time, elapsed time.Duration, logLines int) *Report {
	if len(c.trackers) == 1 && c.held[0] == "" {
		return c.trackers[0].Diagnose(v, now, elapsed, logLines)
	}
	r := &Report{Result: v.State, ExitCode: ExitCodeOf(v.State), Elapsed: model.HumanDuration(elapsed),
		Targets: v.Targets, Stops: v.Trips, Unjudged: c.Held()}
	for i, t := range c.trackers {
		if c.held[i] != "" {
			continue
		}
		sub := t.Diagnose(c.sub(v, i), now, elapsed, logLines)
		r.Failures = append(r.Failures, sub.Failures...)
		r.Pending = append(r.Pending, sub.Pending...)
	}
	return r
}
