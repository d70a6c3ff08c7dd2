package model

import "time"

// DefaultHistoryLimit bounds a pod's recorded transitions: a crash-looping
// pod flips between two statuses forever, and 10,000 pods are watched at once.
const DefaultHistoryLimit = 64

// History records the STATUS values one pod went through while watched. The
// zero value is ready to use and keeps DefaultHistoryLimit transitions. It is
// not safe for concurrent use: it belongs to the model that owns the pod.
type History struct {
	// Limit overrides DefaultHistoryLimit when positive.
	Limit int

	entries []Transition
	dropped int
}

// Observe records status at time at, unless it equals the latest recorded
// status. When the limit is reached the oldest transition is forgotten.
func (h *History) Observe(status string, at time.Time) {
	if n := len(h.entries); n > 0 && h.entries[n-1].Status == status {
		return
	}
	limit := h.Limit
	if limit <= 0 {
		limit = DefaultHistoryLimit
	}
	if len(h.entries) >= limit {
		drop := len(h.entries) - limit + 1
		h.entries = append(h.entries[:0], h.entries[drop:]...)
		h.dropped += drop
	}
	h.entries = append(h.entries, Transition{Status: status, At: at})
}

// Transitions returns the recorded transitions, oldest first. The slice is a
// copy the caller may keep.
func (h *History) Transitions() []Transition {
	return append([]Transition(nil), h.entries...)
}

// Len is the number of transitions kept.
func (h *History) Len() int { return len(h.entries) }

// Dropped is how many older transitions were forgotten to respect the limit,
// so a view can say "…and 12 earlier".
func (h *History) Dropped() int { return h.dropped }

// Current returns the latest transition, false when nothing was observed.
func (h *History) Current() (Transition, bool) {
	if len(h.entries) == 0 {
		return Transition{}, false
	}
	return h.entries[len(h.entries)-1], true
}

// Span is one recorded status and how long the pod stayed in it.
type Span struct {
	Status string        `json:"status"`
	From   time.Time     `json:"from"`
	For    time.Duration `json:"for"`
	Open   bool          `json:"open,omitempty"` // still the current status at now
}

// Spans returns how long each recorded status lasted, oldest first; the last
// one lasts until now. The watch may deliver a status late, so a negative
// span is shown as zero rather than as time running backwards.
func (h *History) Spans(now time.Time) []Span {
	out := make([]Span, len(h.entries))
	for i, t := range h.entries {
		end, open := now, i == len(h.entries)-1
		if !open {
			end = h.entries[i+1].At
		}
		out[i] = Span{Status: t.Status, From: t.At, For: max(end.Sub(t.At), 0), Open: open}
	}
	return out
}
