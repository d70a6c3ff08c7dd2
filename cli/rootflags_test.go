package cli

import (
	"strings"
	"testing"

	"github.com/initwatch/initwatch/kube"
)

// TestRootThemeAndTailFlags checks that --theme and --tail reach the
// settings with flag precedence, and that bad values stop before anything
// starts, with one line and the usage exit code or the error exit code.
func TestRootThemeAndTailFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		env       mapEnv
		wantTheme string
		wantTail  int
		wantErr   string
	}{
		{name: "defaults", args: nil, wantTheme: "auto", wantTail: 200},
		{name: "flags", args: []string{"--theme", "mono", "--tail", "50"}, wantTheme: "mono", wantTail: 50},
		{name: "flag beats env", args: []string{"--theme=light"}, env: mapEnv{"INITWATCH_THEME": "dark"}, wantTheme: "light", wantTail: 200},
		{name: "env without flag", env: mapEnv{"INITWATCH_THEME": "high-contrast", "INITWATCH_LOG_TAIL": "20"}, wantTheme: "high-contrast", wantTail: 20},
		{name: "unknown theme", args: []string{"--theme", "neon"}, wantErr: `unknown theme "neon"`},
		{name: "negative tail", args: []string{"--tail", "-1"}, wantErr: "--tail: -1 is negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			flags := kube.NewConfigFlags("test")
			fs := rootFlags(flags)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatalf("parse %v: %v", tc.args, err)
			}
			env := mapEnv{"HOME": t.TempDir()}
			for k, v := range tc.env {
				env[k] = v
			}
			settings, err := loadSettings(&Env{LookupEnv: env.lookup}, fs, flags)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Fatalf("error spans lines: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("loadSettings: %v", err)
			}
			if settings.Theme != tc.wantTheme || settings.LogTail != tc.wantTail {
				t.Fatalf("theme %q tail %d, want %q %d", settings.Theme, settings.LogTail, tc.wantTheme, tc.wantTail)
			}
		})
	}
}

// TestRootBadThemeExits checks the whole command: a bad --theme is one line
// on stderr and a non-zero exit, before any cluster is contacted.
func TestRootBadThemeExits(t *testing.T) {
	code, stdout, stderr := runMain(t, &Env{}, "--theme", "neon", "--kubeconfig", "/nonexistent/kubeconfig")
	if code == ExitOK {
		t.Fatalf("exit code 0, want failure")
	}
	if stdout != "" || strings.Count(strings.TrimRight(stderr, "\n"), "\n") != 0 {
		t.Fatalf("want one line on stderr and nothing on stdout; got stdout %q stderr %q", stdout, stderr)
	}
	if !strings.Contains(stderr, "neon") {
		t.Fatalf("stderr %q does not name the theme", stderr)
	}
}
