package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// replayHeading starts the replay section of BENCHMARKS.md.
const replayHeading = "## initwatch alone: changes from bench/replay\n"

// withReplaySection returns the file at path with its replay section
// replaced by section (which starts with replayHeading), everything else
// kept as it is: a run of the replay alone (-only replay) refreshes its
// figures without erasing those of the last full run. A file without a
// replay section gets it before its results, or before the sections other
// targets write, or at its end.
func withReplaySection(section, path string) (string, error) {
	if !strings.HasPrefix(section, replayHeading) {
		return "", fmt.Errorf("replay section does not start with %q", strings.TrimSpace(replayHeading))
	}
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	old := string(b)
	if old == "" {
		return section + "\n" + otherSectionsMarker + "\n", nil
	}
	if !strings.HasSuffix(section, "\n\n") {
		section = strings.TrimRight(section, "\n") + "\n\n"
	}
	start := strings.Index(old, replayHeading)
	if start < 0 {
		at := len(old)
		for _, next := range []string{"\n## Results\n", "\n" + otherSectionsMarker} {
			if i := strings.Index(old, next); i >= 0 && i+1 < at {
				at = i + 1
			}
		}
		if at == len(old) && !strings.HasSuffix(old, "\n\n") {
			old = strings.TrimRight(old, "\n") + "\n\n"
			at = len(old)
		}
		return old[:at] + section + old[at:], nil
	}
	end := len(old)
	rest := old[start+len(replayHeading):]
	for _, next := range []string{"\n## ", "\n" + otherSectionsMarker} {
		if i := strings.Index(rest, next); i >= 0 && start+len(replayHeading)+i+1 < end {
			end = start + len(replayHeading) + i + 1
		}
	}
	return old[:start] + section + old[end:], nil
}
