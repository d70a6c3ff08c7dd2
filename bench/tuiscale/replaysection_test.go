package main

import (
	"os"
	"path/filepath"
	"testing"
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
