package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWithReplaySection(t *testing.T) {
	const section = replayHeading + "\nnew figures\n"
	const top = "# initwatch benchmarks\n\n## Targets at 10,000 pods\n\nold targets\n\n"
	const results = "## Results\n\n### 10,000 pods\n\nold results\n\n"
	const others = otherSectionsMarker + "\n\n## Rollouts\n2.5 ms\n"
	tests := []struct {
		name string
		old  *string // nil: no file yet
		want string
	}{
		{"no file", nil, section + "\n" + otherSectionsMarker + "\n"},
		{"replaced between other sections",
			ptr(top + replayHeading + "\nold figures\n\n### 10,000 pods (replay)\n\nold table\n\n" + results + others),
			top + section + "\n" + results + others},
		{"replaced just before the marker",
			ptr(top + replayHeading + "\nold figures\n\n" + others),
			top + section + "\n" + others},
		{"replaced at the end",
			ptr(top + replayHeading + "\nold figures\n"),
			top + section + "\n"},
		{"inserted before the results",
			ptr(top + results + others),
			top + section + "\n" + results + others},
		{"inserted before the marker",
			ptr(top + others),
			top + section + "\n" + others},
		{"appended",
			ptr("# initwatch benchmarks\n"),
			"# initwatch benchmarks\n\n" + section + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
			if tt.old != nil {
				if err := os.WriteFile(path, []byte(*tt.old), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := withReplaySection(section, path)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestWithReplaySectionRefusesAnotherSection(t *testing.T) {
	if _, err := withReplaySection("## Results\n", filepath.Join(t.TempDir(), "x.md")); err == nil {
		t.Error("a section that is not the replay's was accepted")
	}
}

func TestLagHalvesAndBounded(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)
	probe := func(sentAt, lag time.Duration) replayProbe {
		p := replayProbe{sent: t0.Add(sentAt)}
		if lag >= 0 {
			p.shown = p.sent.Add(lag)
		}
		return p
	}
	window := 60 * time.Second
	growing := []replayProbe{probe(5*time.Second, 2*time.Second), probe(25*time.Second, 10*time.Second),
		probe(35*time.Second, 14*time.Second), probe(55*time.Second, 22*time.Second)}
	h := lagHalves(growing, t0, window)
	if h != [2]time.Duration{10 * time.Second, 22 * time.Second} {
		t.Fatalf("halves of a growing lag = %v", h)
	}
	if lagBounded(h) {
		t.Error("a lag that doubled counts as bounded")
	}
	cycling := []replayProbe{probe(5*time.Second, 8*time.Second), probe(20*time.Second, 12*time.Second),
		probe(40*time.Second, 11*time.Second), probe(50*time.Second, 3*time.Second)}
	if h := lagHalves(cycling, t0, window); !lagBounded(h) {
		t.Errorf("a lag that stopped growing counts as unbounded: %v", h)
	}
	lost := append(cycling, probe(45*time.Second, -1))
	if h := lagHalves(lost, t0, window); h[1] != never || lagBounded(h) {
		t.Errorf("a probe never shown: halves %v", h)
	}
	// never is the smallest duration: it must not be lost to a later probe.
	lostFirst := []replayProbe{probe(31*time.Second, -1), probe(40*time.Second, time.Second)}
	if h := lagHalves(lostFirst, t0, window); h[1] != never {
		t.Errorf("a later shown probe hid one never shown: %v", h)
	}
}
