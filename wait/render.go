package wait

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/initwatch/initwatch/model"
)

// maxPodsListed caps the pod names a failure lists; the count is exact.
const maxPodsListed = 20

// TextOptions shape the text diagnosis.
type TextOptions struct {
	// GitHub adds GitHub Actions workflow commands: an ::error annotation
	// per stop rule and per failure signature, and a collapsible
	// ::group:: around each log.
	GitHub bool
	Now    time.Time
}

// WriteText prints the report for people and CI logs. It has no escape
// sequences, and no line of it that carries text from the cluster starts
// with "::", so a hostile log line cannot pass for a workflow command.
func WriteText(w io.Writer, r *Report, o TextOptions) error {
	b := &strings.Builder{}
	switch r.Result {
	case Done:
		for _, t := range r.Targets {
			fmt.Fprintf(b, "%s: %s\n", qualified(t.Context, t.Target), t.Message)
		}
		fmt.Fprintf(b, "done in %s\n", r.Elapsed)
		_, err := io.WriteString(w, b.String())
		return err
	case TimedOut:
		fmt.Fprintf(b, "TIMED OUT after %s\n", r.Elapsed)
	default:
		fmt.Fprintf(b, "FAILED after %s\n", r.Elapsed)
	}
	for _, t := range r.Targets {
		state := "waiting"
		if t.Done {
			state = "done"
		}
		fmt.Fprintf(b, "  %s (%s, --for %s): %s\n", qualified(t.Context, t.Target), state, t.For, t.Message)
	}
	if len(r.Unjudged) > 0 {
		b.WriteString("\nNot judged, the cluster could not be read:\n")
		for _, h := range r.Unjudged {
			fmt.Fprintf(b, "  %s: %s\n", h.Context, oneLine(h.Reason))
		}
	}
	if len(r.Stops) > 0 {
		b.WriteString("\nStopped early, waiting cannot succeed:\n")
		for _, s := range r.Stops {
			fmt.Fprintf(b, "  %s: %s\n", s.Rule, tripText(s))
		}
	}
	if o.GitHub {
		for _, s := range r.Stops {
			ghCommand(b, "error", "initwatch wait: "+qualified(s.Context, s.Target)+" "+string(s.Rule), tripText(s))
		}
	}
	if len(r.Pending) > 0 {
		fmt.Fprintf(b, "\nStill pending (%d):\n", len(r.Pending))
		for _, p := range r.Pending {
			fmt.Fprintf(b, "  %s\n", pendingText(p))
		}
		if o.GitHub {
			ghCommand(b, "error", "initwatch wait: timed out", fmt.Sprintf("timed out after %s; %d pods pending, first %s", r.Elapsed, len(r.Pending), pendingText(r.Pending[0])))
		}
	}
	for i, f := range r.Failures {
		fmt.Fprintf(b, "\nFailure %d of %d: ", i+1, len(r.Failures))
		b.WriteString(indent(f.Text(o.Now), "  ", false))
		b.WriteByte('\n')
		fmt.Fprintf(b, "  %-9s %s\n", "pods:", podNames(f))
		if o.GitHub {
			ghCommand(b, "error", "initwatch wait: "+f.Headline(), f.Workload.String()+": "+f.Headline()+messageTail(f.Message))
		}
		if f.Log != nil {
			writeLog(b, f.Log, o.GitHub)
		}
		if len(f.Events) > 0 {
			fmt.Fprintf(b, "  warning events of %s:\n", f.Example.String())
			for _, e := range f.Events {
				fmt.Fprintf(b, "    %s  %s  %s  %s\n", e.Reason, e.Age, e.From, oneLine(e.Message))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func tripText(s Trip) string {
	if s.Pod == "" { // the detail names the workload
		if s.Context != "" {
			return s.Context + ": " + s.Detail
		}
		return s.Detail
	}
	return qualified(s.Context, s.Namespace+"/"+s.Pod) + ": " + s.Detail
}

func pendingText(p Pending) string {
	s := fmt.Sprintf("%s %s", qualified(p.Context, p.Namespace+"/"+p.Pod), p.Status)
	if p.Status == "Running" {
		s += " " + p.Ready
	}
	switch {
	case p.Step != "":
		s += " — init container " + p.Step + " " + p.State
	case p.State != "":
		s += " — " + p.State
	}
	if p.For != "" {
		s += " for " + p.For
	}
	if p.Message != "" {
		s += ": " + oneLine(p.Message)
	}
	return s
}

func podNames(f Failure) string {
	names := make([]string, 0, min(len(f.Pods), maxPodsListed))
	for i, p := range f.Pods {
		if i == maxPodsListed {
			names = append(names, fmt.Sprintf("and %d more", len(f.Pods)-maxPodsListed))
			break
		}
		names = append(names, p.String())
	}
	return fmt.Sprintf("%d: %s", f.Count, strings.Join(names, ", "))
}

func messageTail(m string) string {
	if m == "" {
		return ""
	}
	return ": " + oneLine(m)
}

func writeLog(b *strings.Builder, l *LogExcerpt, github bool) {
	run := "failed run"
	if l.Previous {
		run = "previous run, the one that failed"
	}
	title := fmt.Sprintf("log of %s %s (%s, last %d lines)", qualified(l.Context, l.Namespace+"/"+l.Pod), l.Container, run, l.TailLines)
	if github {
		fmt.Fprintf(b, "::group::%s\n", ghData(title))
	} else {
		fmt.Fprintf(b, "  %s:\n", title)
	}
	switch {
	case l.Err != "":
		fmt.Fprintf(b, "    (no log: %s)\n", oneLine(l.Err))
	case len(l.Lines) == 0:
		b.WriteString("    (the log is empty)\n")
	}
	for _, line := range l.Lines {
		fmt.Fprintf(b, "    | %s\n", line)
	}
	if github {
		b.WriteString("::endgroup::\n")
	}
}

// indent prefixes every line but the first (unless all) with prefix.
func indent(s, prefix string, all bool) string {
	s = strings.ReplaceAll(s, "\n", "\n"+prefix)
	if all {
		s = prefix + s
	}
	return s
}

func oneLine(s string) string {
	return model.Sanitize(strings.Join(strings.Fields(s), " "))
}

// ghCommand writes a workflow command (GitHub's documented syntax:
// ::error title=T::MESSAGE, with %, CR and LF escaped in the message, and
// also : and , in properties).
func ghCommand(b *strings.Builder, cmd, title, msg string) {
	fmt.Fprintf(b, "::%s title=%s::%s\n", cmd, ghProperty(title), ghData(msg))
}

func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// WriteJSON writes the report as one indented JSON document.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
