package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// otherSectionsMarker starts the part of BENCHMARKS.md that other make
// bench targets (bench-rollouts, bench-multicluster) fill in: this program
// rewrites the file from its own runs, and must not erase their figures.
const otherSectionsMarker = "<!-- Sections below come from other make bench targets; bench/tuiscale keeps them when it rewrites this file. -->"

// withOtherSections appends to report the marker and whatever followed it
// in the file at path, so a rewrite keeps the other targets' sections.
// A file without the marker, or no file, contributes only the marker.
func withOtherSections(report, path string) (string, error) {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read the sections to keep from %s: %w", path, err)
	}
	var kept []byte
	if i := bytes.Index(old, []byte(otherSectionsMarker)); i >= 0 {
		kept = bytes.TrimLeft(old[i+len(otherSectionsMarker):], "\n")
	}
	out := report
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out += "\n"
	}
	out += "\n" + otherSectionsMarker + "\n\n" + string(kept)
	return out, nil
}
