package model

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// EventInvolves reports whether ev is about pod. As in kubectl describe, a
// UID on both sides must match, so events of an earlier pod with the same
// name (a recreated StatefulSet replica) stay out; an event without a UID is
// matched by namespace and name.
func EventInvolves(ev *corev1.Event, pod *corev1.Pod) bool {
	o := &ev.InvolvedObject
	if o.Kind != "" && o.Kind != "Pod" {
		return false
	}
	ns := o.Namespace
	if ns == "" {
		ns = ev.Namespace
	}
	if ns != pod.Namespace || o.Name != pod.Name {
		return false
	}
	return o.UID == "" || pod.UID == "" || o.UID == pod.UID
}

// EventsFor returns the events among events that are about pod, in their
// original order.
func EventsFor(pod *corev1.Pod, events []*corev1.Event) []*corev1.Event {
	var out []*corev1.Event
	for _, ev := range events {
		if ev != nil && EventInvolves(ev, pod) {
			out = append(out, ev)
		}
	}
	return out
}

// PodEvents turns a pod's events into rows as kubectl describe prints them,
// newest first. Each Event object is one row; its repetitions are folded in
// its AGE the way describe does: "2m (x3 over 5m)", from count and
// first/lastTimestamp (core/v1 events) or series and eventTime
// (events.k8s.io). FROM is the source component, else the reporting
// controller; MESSAGE is prefixed by the field path ("spec.initContainers{x}:
// ...") and sanitized.
func PodEvents(events []*corev1.Event, now time.Time) []EventRow {
	type keyed struct {
		row  EventRow
		last time.Time
		name string
	}
	rows := make([]keyed, 0, len(events))
	for _, e := range events {
		if e == nil {
			continue
		}
		last := eventLastSeen(e)
		rows = append(rows, keyed{row: eventRow(e, last, now), last: last, name: e.Name})
	}
	slices.SortStableFunc(rows, func(a, b keyed) int {
		if c := b.last.Compare(a.last); c != 0 {
			return c
		}
		return cmp.Compare(a.name, b.name)
	})
	out := make([]EventRow, len(rows))
	for i := range rows {
		out[i] = rows[i].row
	}
	return out
}

func eventRow(e *corev1.Event, last, now time.Time) EventRow {
	first := e.EventTime.Time
	if first.IsZero() {
		first = e.FirstTimestamp.Time
	}
	firstAge := Since(first, now)

	count := e.Count
	var age string
	switch {
	case e.Series != nil:
		count = e.Series.Count
		age = fmt.Sprintf("%s (x%d over %s)", Since(e.Series.LastObservedTime.Time, now), e.Series.Count, firstAge)
	case e.Count > 1:
		age = fmt.Sprintf("%s (x%d over %s)", Since(e.LastTimestamp.Time, now), e.Count, firstAge)
	default:
		age = firstAge
	}
	count = max(count, 1)

	from := e.Source.Component
	if from == "" {
		from = e.ReportingController
	}
	msg := strings.TrimSpace(e.Message)
	if fp := e.InvolvedObject.FieldPath; fp != "" {
		msg = fp + ": " + msg
	}
	return EventRow{
		Type:      Sanitize(e.Type),
		Reason:    Sanitize(e.Reason),
		Age:       age,
		From:      Sanitize(from),
		Message:   Sanitize(msg),
		Count:     count,
		FirstSeen: timePtr(first),
		LastSeen:  timePtr(last),
		FieldPath: Sanitize(e.InvolvedObject.FieldPath),
		Container: fieldPathContainer(e.InvolvedObject.FieldPath),
	}
}

// eventLastSeen is when an event last happened, whichever API wrote it.
func eventLastSeen(e *corev1.Event) time.Time {
	for _, t := range []time.Time{
		seriesLast(e),
		e.LastTimestamp.Time,
		e.EventTime.Time,
		e.FirstTimestamp.Time,
		e.CreationTimestamp.Time,
	} {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func seriesLast(e *corev1.Event) time.Time {
	if e.Series == nil {
		return time.Time{}
	}
	return e.Series.LastObservedTime.Time
}

// fieldPathContainer extracts the container an event is about from its field
// path: "spec.initContainers{init-fetch-files}" → "init-fetch-files".
func fieldPathContainer(fp string) string {
	for _, prefix := range []string{"spec.initContainers{", "spec.containers{", "spec.ephemeralContainers{"} {
		if rest, ok := strings.CutPrefix(fp, prefix); ok {
			if name, _, ok := strings.Cut(rest, "}"); ok {
				return Sanitize(name)
			}
		}
	}
	return ""
}
