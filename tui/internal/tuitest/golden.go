package tuitest

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Update reports whether goldens are to be rewritten: the test binary's
// -update flag (teatest's golden package registers it where teatest is
// linked; a package without teatest registers its own).
func Update() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// Golden compares got with the file at path, or rewrites the file under
// -update. A difference names its first line, got and wanted, escapes
// shown.
func Golden(t testing.TB, path, got string) {
	t.Helper()
	if Update() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gl), len(wl)) {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("%s differs at line %d:\n got: %q\nwant: %q\n(run with -update to accept)", path, i+1, g, w)
		}
	}
}
