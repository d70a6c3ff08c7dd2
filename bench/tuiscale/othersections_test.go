package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWithOtherSections(t *testing.T) {
	tests := []struct {
		name string
		old  *string // nil: no file yet
		want string
	}{
		{"no file", nil, "# New\n\n" + otherSectionsMarker + "\n\n"},
		{"file without the marker", ptr("# Old\n\n## Results\nold\n"), "# New\n\n" + otherSectionsMarker + "\n\n"},
		{"file with sections after the marker",
			ptr("# Old\n\n## Results\nold\n\n" + otherSectionsMarker + "\n\n## Rollouts\n2.5 ms\n"),
			"# New\n\n" + otherSectionsMarker + "\n\n## Rollouts\n2.5 ms\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
			if tt.old != nil {
				if err := os.WriteFile(path, []byte(*tt.old), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := withOtherSections("# New\n", path)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
			// A second rewrite keeps the same sections, not two copies.
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			again, err := withOtherSections("# New\n", path)
			if err != nil {
				t.Fatal(err)
			}
			if again != got || strings.Count(again, otherSectionsMarker) != 1 {
				t.Errorf("second rewrite changed the file:\n%q", again)
			}
		})
	}
}

func ptr(s string) *string { return &s }
