package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(content), 0o644)
}

func TestWriteView(t *testing.T) {
	full := filepath.Join(fixtures, "full.yaml")
	s, err := Load(envMap{EnvConfig: full, EnvTheme: "dark"}.lookup, Flags{LogTail: ptr(30)})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := WriteView(&b, s); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	wantLines := []string{
		"# config file: " + full + " (read)",
		`theme: "dark"                  # env INITWATCH_THEME`,
		`namespaces: ["team-a", "team-b"] # file, line 3`,
		"logs:",
		"  tail: 30                     # flag --tail",
		"  buffer: 2000                 # file, line 6",
		"keys:",
		`  global.quit: ["Q"]           # file, line 9`,
		`  list.filter: ["/", "ctrl+f"] # file, line 8`,
		"# key binding names the keys section accepts:",
		"#   list.filter",
	}
	lines := strings.Split(got, "\n")
	for i, w := range wantLines[:9] {
		if lines[i] != w {
			t.Errorf("line %d = %q, want %q", i+1, lines[i], w)
		}
	}
	for _, w := range wantLines[9:] {
		if !strings.Contains(got, w+"\n") {
			t.Errorf("view lacks line %q:\n%s", w, got)
		}
	}

	// The view (minus its trailing name list) is itself a valid config
	// file that yields the same settings.
	saved := filepath.Join(t.TempDir(), "saved.yaml")
	if err := writeFile(saved, got); err != nil {
		t.Fatal(err)
	}
	again, err := Load(envMap{EnvConfig: saved}.lookup, Flags{})
	if err != nil {
		t.Fatalf("reloading the view: %v", err)
	}
	if again.Theme != s.Theme || again.LogTail != s.LogTail || again.LogBuffer != s.LogBuffer ||
		again.Scope.String() != s.Scope.String() || len(again.Keys) != len(s.Keys) {
		t.Errorf("reloaded %+v, want the settings viewed %+v", again, s)
	}
}
