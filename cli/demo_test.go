package cli

import (
	"strings"
	"testing"

	"github.com/initwatch/initwatch/kube"
)

func TestParseSpeed(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1x", 1, true},
		{"5x", 5, true},
		{"5", 5, true},
		{"0.5x", 0.5, true},
		{" 2x ", 2, true},
		{"100x", 100, true},
		{"0", 0, false},
		{"-1x", 0, false},
		{"101x", 0, false},
		{"fast", 0, false},
		{"", 0, false},
		{"x", 0, false},
	}
	for _, tt := range tests {
		got, err := parseSpeed(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseSpeed(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestDemoOptions(t *testing.T) {
	tests := []struct {
		args  []string
		on    bool
		seed  uint64
		speed float64
		err   string
	}{
		{args: nil},
		{args: []string{"--demo"}, on: true, seed: 1, speed: 1},
		{args: []string{"--demo", "--demo-seed", "42", "--demo-speed", "5x"}, on: true, seed: 42, speed: 5},
		{args: []string{"--demo-seed", "3"}, err: "--demo-seed needs --demo"},
		{args: []string{"--demo-speed", "5x"}, err: "--demo-speed needs --demo"},
		{args: []string{"--demo", "--demo-speed", "0x"}, err: "--demo-speed: want a factor"},
	}
	for _, tt := range tests {
		fs := rootFlags(kube.NewConfigFlags(""))
		if err := fs.Parse(tt.args); err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		opts, on, err := demoOptions(fs, "initwatch --help")
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%v: error %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil || on != tt.on || opts.Seed != tt.seed || opts.Speed != tt.speed {
			t.Errorf("%v: %+v on=%v err=%v; want seed %d speed %v on=%v", tt.args, opts, on, err, tt.seed, tt.speed, tt.on)
		}
	}
}

// TestDemoFlagErrors: a demo flag misused is one line and exit code 2,
// before anything starts.
func TestDemoFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--demo-seed", "2"},
		{"--demo", "--demo-speed", "warp"},
		{"--demo", "--demo-seed", "-1"},
	} {
		code, out, errOut := runMain(t, &Env{}, args...)
		lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
		if code != ExitUsage || out != "" || len(lines) != 2 || !strings.HasPrefix(lines[0], "error: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one error line plus the hint", args, code, out, errOut)
		}
	}
}
