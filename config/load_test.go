package config

import (
	"path/filepath"
	"reflect"
	"testing"
)

func ptr[T any](v T) *T { return &v }

// TestPrecedence: flag > env > file > default, setting by setting.
func TestPrecedence(t *testing.T) {
	full := filepath.Join(fixtures, "full.yaml") // light, [team-a team-b], tail 50, buffer 2000
	type want struct {
		theme        string
		themeOrigin  Origin
		scope        Scope
		scopeOrigin  Origin
		tail, buffer int
		tailOrigin   Origin
	}
	def := Origin{Kind: "default"}
	tests := []struct {
		name  string
		env   envMap
		flags Flags
		want  want
	}{
		{
			name: "no file, no env, no flags: defaults",
			env:  envMap{EnvConfig: filepath.Join(fixtures, "empty.yaml")},
			want: want{"auto", def, Scope{All: true}, def, DefaultLogTail, DefaultLogBuffer, def},
		},
		{
			name: "file over defaults",
			env:  envMap{EnvConfig: full},
			want: want{"light", Origin{Kind: "file", Line: 2}, Scope{Namespaces: []string{"team-a", "team-b"}}, Origin{Kind: "file", Line: 3},
				50, 2000, Origin{Kind: "file", Line: 5}},
		},
		{
			name: "env over file",
			env:  envMap{EnvConfig: full, EnvTheme: "mono", EnvNamespace: "ops, dev", EnvLogTail: "75"},
			want: want{"mono", Origin{Kind: "env", Name: EnvTheme}, Scope{Namespaces: []string{"dev", "ops"}}, Origin{Kind: "env", Name: EnvNamespace},
				75, 2000, Origin{Kind: "env", Name: EnvLogTail}},
		},
		{
			name: "env all namespaces over a file's list",
			env:  envMap{EnvConfig: full, EnvNamespace: "all"},
			want: want{"light", Origin{Kind: "file", Line: 2}, Scope{All: true}, Origin{Kind: "env", Name: EnvNamespace},
				50, 2000, Origin{Kind: "file", Line: 5}},
		},
		{
			name: "empty env values count as unset",
			env:  envMap{EnvConfig: full, EnvTheme: "", EnvNamespace: "", EnvLogTail: ""},
			want: want{"light", Origin{Kind: "file", Line: 2}, Scope{Namespaces: []string{"team-a", "team-b"}}, Origin{Kind: "file", Line: 3},
				50, 2000, Origin{Kind: "file", Line: 5}},
		},
		{
			name: "flags over env over file",
			env:  envMap{EnvConfig: full, EnvTheme: "mono", EnvNamespace: "ops", EnvLogTail: "75"},
			flags: Flags{Theme: ptr("dark"), Scope: &Scope{Namespaces: []string{"payments"}}, ScopeFlag: "--namespace",
				LogTail: ptr(20)},
			want: want{"dark", Origin{Kind: "flag", Name: "--theme"}, Scope{Namespaces: []string{"payments"}}, Origin{Kind: "flag", Name: "--namespace"},
				20, 2000, Origin{Kind: "flag", Name: "--tail"}},
		},
		{
			name:  "-A over a file's list",
			env:   envMap{EnvConfig: full},
			flags: Flags{Scope: &Scope{All: true}, ScopeFlag: "--all-namespaces"},
			want: want{"light", Origin{Kind: "file", Line: 2}, Scope{All: true}, Origin{Kind: "flag", Name: "--all-namespaces"},
				50, 2000, Origin{Kind: "file", Line: 5}},
		},
		{
			name:  "flag over default, nothing else set",
			env:   envMap{EnvConfig: filepath.Join(fixtures, "empty.yaml")},
			flags: Flags{Theme: ptr("light")},
			want:  want{"light", Origin{Kind: "flag", Name: "--theme"}, Scope{All: true}, def, DefaultLogTail, DefaultLogBuffer, def},
		},
		{
			name:  "a tail flag beyond the file's buffer grows the buffer",
			env:   envMap{EnvConfig: full},
			flags: Flags{LogTail: ptr(5000)},
			want: want{"light", Origin{Kind: "file", Line: 2}, Scope{Namespaces: []string{"team-a", "team-b"}}, Origin{Kind: "file", Line: 3},
				5000, 5000, Origin{Kind: "flag", Name: "--tail"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Load(tt.env.lookup, tt.flags)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got := want{s.Theme, s.Origins["theme"], s.Scope, s.Origins["scope"], s.LogTail, s.LogBuffer, s.Origins["logs.tail"]}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestBadEnvAndFlags(t *testing.T) {
	empty := filepath.Join(fixtures, "empty.yaml")
	tests := []struct {
		name  string
		env   envMap
		flags Flags
		want  string
	}{
		{"unknown theme in env", envMap{EnvConfig: empty, EnvTheme: "neon"},
			Flags{}, `$INITWATCH_THEME: unknown theme "neon" (choose one of auto, dark, high-contrast, light, mono)`},
		{"bad namespace in env", envMap{EnvConfig: empty, EnvNamespace: "ok,Bad!"},
			Flags{}, `$INITWATCH_NAMESPACE: "Bad!" is not a namespace name (lowercase letters, digits and '-', at most 63)`},
		{"only commas in env", envMap{EnvConfig: empty, EnvNamespace: " , "},
			Flags{}, `$INITWATCH_NAMESPACE: an empty list; write "all" for every namespace`},
		{"tail not a number in env", envMap{EnvConfig: empty, EnvLogTail: "ten"},
			Flags{}, `$INITWATCH_LOG_TAIL: "ten" is not a whole number of lines (0 or more)`},
		{"negative tail in env", envMap{EnvConfig: empty, EnvLogTail: "-1"},
			Flags{}, `$INITWATCH_LOG_TAIL: "-1" is not a whole number of lines (0 or more)`},
		{"unknown theme flag", envMap{EnvConfig: empty},
			Flags{Theme: ptr("neon")}, `--theme: unknown theme "neon" (choose one of auto, dark, high-contrast, light, mono)`},
		{"negative tail flag", envMap{EnvConfig: empty},
			Flags{LogTail: ptr(-3)}, `--tail: -3 is negative`},
		{"tail flag beyond any buffer", envMap{EnvConfig: empty},
			Flags{LogTail: ptr(MaxLogBuffer + 1)}, `log tail 1000001 is larger than the largest log buffer (1000000 lines)`},
		// The file is read first: its error wins over a valid env.
		{"bad file with good env", envMap{EnvConfig: filepath.Join(fixtures, "unknown-theme.yaml"), EnvTheme: "dark"},
			Flags{}, `config ` + filepath.Join(fixtures, "unknown-theme.yaml") + `:1: theme: unknown theme "solarized" (choose one of auto, dark, high-contrast, light, mono)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.env.lookup, tt.flags)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant    %s", err, tt.want)
			}
		})
	}
}

func TestLocate(t *testing.T) {
	dir := t.TempDir()
	xdg := filepath.Join(dir, "xdg")
	home := filepath.Join(dir, "home")
	tests := []struct {
		name    string
		env     envMap
		path    string
		via     string
		wantErr string
	}{
		{"INITWATCH_CONFIG wins", envMap{EnvConfig: "/etc/iw.yaml", "XDG_CONFIG_HOME": xdg, "HOME": home}, "/etc/iw.yaml", "$INITWATCH_CONFIG", ""},
		{"XDG_CONFIG_HOME", envMap{"XDG_CONFIG_HOME": xdg, "HOME": home}, filepath.Join(xdg, "initwatch", "config.yaml"), "$XDG_CONFIG_HOME", ""},
		{"relative XDG_CONFIG_HOME is ignored", envMap{"XDG_CONFIG_HOME": "rel/cfg", "HOME": home}, filepath.Join(home, ".config", "initwatch", "config.yaml"), "home", ""},
		{"HOME fallback", envMap{"HOME": home}, filepath.Join(home, ".config", "initwatch", "config.yaml"), "home", ""},
		{"USERPROFILE when HOME is unset", envMap{"USERPROFILE": home}, filepath.Join(home, ".config", "initwatch", "config.yaml"), "home", ""},
		{"nothing set", envMap{}, "", "", "config: cannot find the config file: neither $XDG_CONFIG_HOME nor $HOME is set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := Locate(tt.env.lookup)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if loc.Path != tt.path || loc.Via != tt.via || loc.Exists {
				t.Errorf("Locate = %+v, want path %s via %s, not existing", loc, tt.path, tt.via)
			}
		})
	}
}

// A file at the XDG location is read without INITWATCH_CONFIG, and a
// missing one there is no error.
func TestLoadFromXDG(t *testing.T) {
	xdg := t.TempDir()
	s, err := Load(envMap{"XDG_CONFIG_HOME": xdg}.lookup, Flags{})
	if err != nil || s.File.Exists || s.Theme != DefaultTheme {
		t.Fatalf("missing XDG file: settings %+v, err %v; want defaults", s, err)
	}
	if err := writeFile(filepath.Join(xdg, "initwatch", "config.yaml"), "theme: mono\n"); err != nil {
		t.Fatal(err)
	}
	s, err = Load(envMap{"XDG_CONFIG_HOME": xdg}.lookup, Flags{})
	if err != nil || !s.File.Exists || s.Theme != "mono" {
		t.Fatalf("XDG file: settings %+v, err %v; want theme mono from the file", s, err)
	}
}
