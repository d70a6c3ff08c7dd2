package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const fixtures = "../testdata/config"

// loadFixture runs the whole Load path on one fixture file, named by
// $INITWATCH_CONFIG, with no other environment.
func loadFixture(t *testing.T, name string) (Settings, error) {
	t.Helper()
	path := filepath.Join(fixtures, name)
	return Load(envMap{EnvConfig: path}.lookup, Flags{})
}

type envMap map[string]string

func (e envMap) lookup(k string) (string, bool) {
	v, ok := e[k]
	return v, ok
}

func TestGoodFiles(t *testing.T) {
	tests := []struct {
		file      string
		theme     string
		scope     Scope
		tail, buf int
		keys      map[string][]string
		clusters  map[string][]string
		origins   map[string]Origin // only those checked
	}{
		{file: "full.yaml", theme: "light", scope: Scope{Namespaces: []string{"team-a", "team-b"}}, tail: 50, buf: 2000,
			keys: map[string][]string{"list.filter": {"/", "ctrl+f"}, "global.quit": {"Q"}},
			origins: map[string]Origin{
				"theme": {Kind: "file", Line: 2}, "scope": {Kind: "file", Line: 3},
				"logs.tail": {Kind: "file", Line: 5}, "logs.buffer": {Kind: "file", Line: 6},
				"keys.list.filter": {Kind: "file", Line: 8}, "keys.global.quit": {Kind: "file", Line: 9},
			}},
		{file: "theme-only.yaml", theme: "high-contrast", scope: Scope{All: true}, tail: DefaultLogTail, buf: DefaultLogBuffer,
			origins: map[string]Origin{"theme": {Kind: "file", Line: 1}, "scope": {Kind: "default"}, "logs.tail": {Kind: "default"}}},
		{file: "single-namespace.yaml", theme: DefaultTheme, scope: Scope{Namespaces: []string{"payments"}}, tail: DefaultLogTail, buf: DefaultLogBuffer},
		{file: "all-namespaces.yaml", theme: DefaultTheme, scope: Scope{All: true}, tail: DefaultLogTail, buf: DefaultLogBuffer,
			origins: map[string]Origin{"scope": {Kind: "file", Line: 1}}},
		{file: "empty.yaml", theme: DefaultTheme, scope: Scope{All: true}, tail: DefaultLogTail, buf: DefaultLogBuffer},
		{file: "comments-only.yaml", theme: DefaultTheme, scope: Scope{All: true}, tail: DefaultLogTail, buf: DefaultLogBuffer},
		{file: "null-values.yaml", theme: DefaultTheme, scope: Scope{All: true}, tail: DefaultLogTail, buf: DefaultLogBuffer,
			origins: map[string]Origin{"theme": {Kind: "default"}, "scope": {Kind: "default"}, "logs.tail": {Kind: "default"}}},
		{file: "anchors.yaml", theme: DefaultTheme, scope: Scope{All: true}, tail: 300, buf: 3000,
			keys: map[string][]string{"list.logs": {"l", "L"}, "detail.logs": {"l", "L"}}},
		{file: "clusters.yaml", theme: DefaultTheme, scope: Scope{All: true}, tail: DefaultLogTail, buf: DefaultLogBuffer,
			clusters: map[string][]string{"prod": {"eu-1", "us-1", "ap-1"}, "staging": {"stg"}},
			origins:  map[string]Origin{"clusters.prod": {Kind: "file", Line: 2}, "clusters.staging": {Kind: "file", Line: 4}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, err := loadFixture(t, tt.file)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !s.File.Exists || s.File.Via != "$"+EnvConfig {
				t.Errorf("File = %+v, want an existing file found via $%s", s.File, EnvConfig)
			}
			if s.Theme != tt.theme || s.LogTail != tt.tail || s.LogBuffer != tt.buf || !reflect.DeepEqual(s.Scope, tt.scope) {
				t.Errorf("got theme=%q tail=%d buffer=%d scope=%+v, want theme=%q tail=%d buffer=%d scope=%+v",
					s.Theme, s.LogTail, s.LogBuffer, s.Scope, tt.theme, tt.tail, tt.buf, tt.scope)
			}
			if !reflect.DeepEqual(s.Keys, tt.keys) {
				t.Errorf("Keys = %v, want %v", s.Keys, tt.keys)
			}
			if !reflect.DeepEqual(s.Clusters, tt.clusters) {
				t.Errorf("Clusters = %v, want %v", s.Clusters, tt.clusters)
			}
			for k, want := range tt.origins {
				if got := s.Origins[k]; got != want {
					t.Errorf("Origins[%q] = %+v, want %+v", k, got, want)
				}
			}
		})
	}
}

func TestBadFiles(t *testing.T) {
	tests := []struct {
		file string
		line int    // 0: the error has no line
		msg  string // after "config PATH:LINE: "
	}{
		{"unknown-field.yaml", 2, `unknown field "them" in the config file (known: theme, namespaces, logs, keys, clusters); did you mean "theme"?`},
		{"unknown-nested-field.yaml", 3, `unknown field "tial" in logs (known: tail, buffer); did you mean "tail"?`},
		{"tail-not-a-number.yaml", 2, `logs.tail must be a whole number, not the string "lots"`},
		{"tail-negative.yaml", 2, `logs.tail must be 0 or more, not -5`},
		{"tail-float.yaml", 2, `logs.tail must be a whole number, not the number "2.5"`},
		{"tail-overflow.yaml", 2, `logs.tail must be a whole number, not the number "99999999999999999999999"`},
		{"buffer-too-large.yaml", 2, `logs.buffer must be between 1 and 1000000 lines, not 50000000`},
		{"tail-over-buffer.yaml", 2, `logs.tail (500) is larger than logs.buffer (100)`},
		{"logs-not-a-mapping.yaml", 1, `logs must be a mapping of names to values, not the number "200"`},
		{"unknown-theme.yaml", 1, `theme: unknown theme "solarized" (choose one of auto, dark, high-contrast, light, mono)`},
		{"theme-number.yaml", 1, `theme must be a string, not the number "42"`},
		{"bad-namespace.yaml", 3, `namespaces: "Not_A_Namespace" is not a namespace name (lowercase letters, digits and '-', at most 63)`},
		{"all-with-names.yaml", 1, `namespaces: "all" cannot be combined with namespace names`},
		{"empty-namespace-list.yaml", 1, `namespaces: an empty list; write "all" for every namespace`},
		{"namespaces-mapping.yaml", 2, `namespaces must be "all", a namespace or a list of namespaces, not a mapping`},
		{"unknown-binding.yaml", 3, "unknown key binding \"list.fliter\" (`initwatch config view` lists them); did you mean \"list.filter\"?"},
		{"empty-key-list.yaml", 2, `keys.global.quit: no keys given`},
		{"key-control-char.yaml", 2, `keys.global.quit: key "\x1b[2J" holds a control character; write it by name (e.g. "ctrl+a", "enter")`},
		{"hostile-field.yaml", 1, `unknown field "\x1b]0;pwned\a\x1b[31m" in the config file (known: theme, namespaces, logs, keys, clusters)`},
		{"duplicate-field.yaml", 4, `"theme" is set twice in the config file (first on line 1)`},
		{"two-documents.yaml", 2, `a second YAML document; the config file holds one`},
		{"top-level-list.yaml", 1, `the config file must be a mapping of names to values, not a list`},
		{"syntax-error.yaml", 3, `did not find expected key`},
		{"unclosed-quote.yaml", 4, `found unexpected end of stream`},
		{"tab-indent.yaml", 2, `found character that cannot start any token`},
		{"clusters-empty-set.yaml", 2, `clusters.prod is empty: name at least one kubeconfig context`},
		{"clusters-duplicate-context.yaml", 4, `clusters.prod names context "eu-1" twice`},
		{"clusters-not-a-list.yaml", 2, `clusters.prod must be a list of kubeconfig contexts, not the string "eu-1"`},
		{"invalid-utf8.yaml", 0, `invalid leading UTF-8 octet (the file must be UTF-8 text)`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := loadFixture(t, tt.file)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			path := filepath.Join(fixtures, tt.file)
			want := fmt.Sprintf("config %s: %s", path, tt.msg)
			if tt.line > 0 {
				want = fmt.Sprintf("config %s:%d: %s", path, tt.line, tt.msg)
			}
			if err.Error() != want {
				t.Errorf("error =\n%s\nwant\n%s", err, want)
			}
			assertOneSafeLine(t, err.Error())
		})
	}
}

// assertOneSafeLine checks what reaches the terminal: one line, no raw
// control characters (a hostile file cannot inject escape sequences).
func assertOneSafeLine(t *testing.T, msg string) {
	t.Helper()
	for _, r := range msg {
		if r < 0x20 || r == 0x7f {
			t.Errorf("message holds raw control character %U: %q", r, msg)
			return
		}
	}
}

func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	unreadable := filepath.Join(dir, "unreadable.yaml")
	if err := os.WriteFile(unreadable, []byte("theme: dark\n"), 0o000); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("# "+strings.Repeat("x", maxFileSize)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  envMap
		want string
	}{
		{"named file missing", envMap{EnvConfig: filepath.Join(dir, "nope.yaml")},
			"config " + filepath.Join(dir, "nope.yaml") + ": no such file (named by $INITWATCH_CONFIG)"},
		{"a directory", envMap{EnvConfig: dir}, "config " + dir + ": is a directory"},
		{"too big", envMap{EnvConfig: big}, "config " + big + ": larger than 1048576 bytes; is this the right file?"},
		{"path with an escape sequence is quoted", envMap{EnvConfig: filepath.Join(dir, "\x1b[31mred")},
			"config " + `"` + dir + `/\x1b[31mred"` + ": no such file (named by $INITWATCH_CONFIG)"},
	}
	if os.Geteuid() != 0 { // root reads anything
		tests = append(tests, struct {
			name string
			env  envMap
			want string
		}{"unreadable", envMap{EnvConfig: unreadable}, "config " + unreadable + ": permission denied"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.env.lookup, Flags{})
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %s", err, tt.want)
			}
			if err != nil {
				assertOneSafeLine(t, err.Error())
			}
		})
	}
}

// FuzzDecode: no input makes decoding panic, and every error is one safe
// line naming the file.
func FuzzDecode(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(fixtures, "*.yaml"))
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := Defaults()
		err := decode(&s, "fuzz.yaml", data)
		if err == nil {
			return
		}
		if !strings.HasPrefix(err.Error(), "config fuzz.yaml") {
			t.Errorf("error does not name the file: %q", err)
		}
		assertOneSafeLine(t, err.Error())
	})
}
