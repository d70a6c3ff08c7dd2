package wait

import (
	"fmt"
	"strings"

	"github.com/initwatch/initwatch/model"
)

// Changes returns one line per judged pod whose state changed since the
// last call, in target then pod-name order, and one per target whose
// message changed:
//
//	shop/web-7d9f-2xk4p Init:1/4 → Init:2/4 (init-check-services took 3s)
//	deployment/web: Waiting for deployment "web" rollout to finish: 2 of 4 updated replicas are available...
//
// A pod seen for the first time gets its state alone. Once the verdict is
// not Waiting, target lines are left to the outcome, which repeats them.
func (t *Tracker) Changes(v Verdict) []string {
	var lines []string
	seen := map[*podEntry]bool{}
	for i, tr := range t.targets {
		for _, e := range t.members(tr) {
			if seen[e] {
				continue
			}
			seen[e] = true
			if line, ok := e.change(t.context); ok {
				lines = append(lines, line)
			}
		}
		// The outcome repeats the final messages.
		if v.State == Waiting && i < len(v.Targets) && v.Targets[i].Message != tr.printed {
			tr.printed = v.Targets[i].Message
			lines = append(lines, qualified(t.context, v.Targets[i].Target)+": "+tr.printed)
		}
	}
	return lines
}

// display is the state a change line shows: STATUS, and READY when
// running (where readiness is what changes).
func display(v *model.PodView) string {
	if v.Printed.Status == "Running" {
		return "Running " + v.Printed.Ready
	}
	return v.Printed.Status
}

func (e *podEntry) change(context string) (string, bool) {
	now := display(&e.view)
	restarts := e.view.Printed.RestartCount
	name := qualified(context, e.pod.Namespace+"/"+e.pod.Name)
	if e.printed == "" {
		e.printed, e.printedRestarts, e.printedSteps = now, restarts, e.steps
		return name + " " + now, true
	}
	if now == e.printed && restarts == e.printedRestarts && sameStepProgress(e.printedSteps, e.steps) {
		return "", false
	}
	notes := stepNotes(e.printedSteps, e.steps)
	if now == e.printed && len(notes) == 0 {
		if restarts == e.printedRestarts {
			// A step started, or waits differently: nothing worth a line.
			e.printedSteps = e.steps
			return "", false
		}
		notes = []string{fmt.Sprintf("restarts %d", restarts)}
	}
	line := name + " " + e.printed + " → " + now
	if len(notes) > 0 {
		line += " (" + strings.Join(notes, ", ") + ")"
	}
	e.printed, e.printedRestarts, e.printedSteps = now, restarts, e.steps
	return line, true
}

func sameStepProgress(a, b []model.InitStep) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Phase != b[i].Phase || a[i].RestartCount != b[i].RestartCount {
			return false
		}
	}
	return true
}

// stepNotes says what happened to init containers between two snapshots:
// a step that finished and how long it took, a step that failed (again).
func stepNotes(before, after []model.InitStep) []string {
	var notes []string
	for i := range after {
		s := &after[i]
		var b *model.InitStep
		if i < len(before) && before[i].Name == s.Name {
			b = &before[i]
		}
		switch {
		case s.Done() && (b == nil || !b.Done()):
			if s.Kind == model.KindSidecar {
				notes = append(notes, s.Name+" started")
			} else if s.Duration != nil {
				notes = append(notes, fmt.Sprintf("%s took %s", s.Name, model.HumanDuration(*s.Duration)))
			} else {
				notes = append(notes, s.Name+" done")
			}
		case b != nil && s.RestartCount > b.RestartCount:
			notes = append(notes, fmt.Sprintf("%s failed%s, restart %d", s.Name, exitText(s.LastState), s.RestartCount))
		case (b == nil || b.Phase != model.PhaseFailed) && s.Phase == model.PhaseFailed:
			if s.State.Kind == model.StateWaiting {
				notes = append(notes, fmt.Sprintf("%s: %s", s.Name, s.State.Reason))
			} else {
				notes = append(notes, s.Name+" failed"+exitText(s.State))
			}
		}
	}
	return notes
}
