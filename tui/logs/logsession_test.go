package logs

import (
	"testing"
	"time"

	"github.com/initwatch/initwatch/kube"
)

func TestLogDedupe(t *testing.T) {
	// ms after logsT0; the second boundary is at 1000.
	type step struct {
		resume bool // a new stream resumes here
		line   kube.LogLine
		keep   bool
	}
	l := logsLine
	tests := []struct {
		name  string
		steps []step
	}{
		{"first stream keeps everything, repeats included", []step{
			{line: l(1100, "a"), keep: true},
			{line: l(1100, "a"), keep: true}, // the same text twice at once is two lines
			{line: l(1200, "b"), keep: true},
		}},
		{"resumed stream drops what the last second showed", []step{
			{line: l(900, "old"), keep: true},
			{line: l(1100, "a"), keep: true},
			{line: l(1200, "b"), keep: true},
			{resume: true, line: l(1100, "a"), keep: false},
			{line: l(1200, "b"), keep: false},
			{line: l(1300, "c"), keep: true},
		}},
		{"same timestamp, other text is new", []step{
			{line: l(1200, "b"), keep: true},
			{resume: true, line: l(1200, "b"), keep: false},
			{line: l(1200, "b2"), keep: true},
		}},
		{"a line twice at one instant is dropped only as often as shown", []step{
			{line: l(1200, "x"), keep: true},
			{resume: true, line: l(1200, "x"), keep: false},
			{line: l(1200, "x"), keep: true},
		}},
		{"before the resumed second the server repeats nothing new", []step{
			{line: l(500, "p"), keep: true},
			{line: l(1200, "q"), keep: true},
			{resume: true, line: l(500, "p"), keep: false},
			{line: l(1200, "q"), keep: false},
		}},
		{"two resumes in one second", []step{
			{line: l(1100, "a"), keep: true},
			{resume: true, line: l(1100, "a"), keep: false},
			{line: l(1150, "b"), keep: true},
			{resume: true, line: l(1100, "a"), keep: false},
			{line: l(1150, "b"), keep: false},
			{line: l(1160, "c"), keep: true},
		}},
		{"lines without a timestamp are always kept", []step{
			{line: l(1100, "a"), keep: true},
			{line: kube.LogLine{Text: "no ts"}, keep: true},
			{resume: true, line: kube.LogLine{Text: "no ts"}, keep: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d logDedupe
			for i, s := range tt.steps {
				if s.resume {
					if d.since() == nil {
						t.Fatalf("step %d: nothing to resume from", i)
					}
					d.resume()
				}
				if got := d.accept(s.line); got != s.keep {
					t.Fatalf("step %d (%s at %s): kept %v, want %v", i, s.line.Text, s.line.Time.Format("05.000"), got, s.keep)
				}
			}
		})
	}
}

func TestLogDedupeSince(t *testing.T) {
	var d logDedupe
	if d.since() != nil {
		t.Fatal("since before any line")
	}
	d.accept(logsLine(1500, "a"))
	d.accept(logsLine(2700, "b"))
	if s := d.since(); s == nil || !s.Equal(logsAt(2700)) {
		t.Fatalf("since = %v, want the last line's time", s)
	}
	d.reset()
	if d.since() != nil {
		t.Fatal("since after reset")
	}
}

func TestLogRetryDelay(t *testing.T) {
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for i := range want {
		if d := logRetryDelay(i); d != want[i] {
			t.Errorf("attempt %d: %s, want %s", i, d, want[i])
		}
	}
}
