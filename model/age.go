package model

import (
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/duration"
)

// unknownAge is what kubectl prints for a timestamp that was never set.
const unknownAge = "<unknown>"

// HumanDuration formats d the way kubectl's AGE column does ("45s", "4m12s",
// "3h", "2d5h", "<invalid>" for clocks more than a second in the future).
// It delegates to apimachinery's helper, the one the apiserver's printer
// uses, so the two can never drift apart.
func HumanDuration(d time.Duration) string {
	return duration.HumanDuration(d)
}

// Since is kubectl's translateTimestampSince with an explicit clock: the age
// of t at now, or "<unknown>" when t is the zero time.
func Since(t, now time.Time) string {
	if t.IsZero() {
		return unknownAge
	}
	return HumanDuration(now.Sub(t))
}

// RestartsText renders the RESTARTS column: "N", or "N (AGE ago)" when N is
// non-zero and the time of the last restart is known.
func RestartsText(n int, last, now time.Time) string {
	if n != 0 && !last.IsZero() {
		return fmt.Sprintf("%d (%s ago)", n, Since(last, now))
	}
	return fmt.Sprintf("%d", n)
}
