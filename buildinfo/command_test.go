package buildinfo

import "testing"

func TestCommandName(t *testing.T) {
	tests := []struct {
		argv0      string
		want       string
		wantPlugin bool
	}{
		{"initwatch", "initwatch", false},
		{"/usr/local/bin/initwatch", "initwatch", false},
		{"./bin/initwatch", "initwatch", false},
		{`C:\tools\initwatch.exe`, "initwatch", false},
		{"kubectl-initwatch", "kubectl initwatch", true},
		{"/home/me/.krew/bin/kubectl-initwatch", "kubectl initwatch", true},
		{`C:\Users\me\.krew\bin\kubectl-initwatch.exe`, "kubectl initwatch", true},
		{`C:\Users\me\.krew\bin\kubectl-initwatch.EXE`, "kubectl initwatch", true},
		{"kubectl-init_watch", "kubectl init-watch", true},
		{"kubectl-pods-init", "kubectl pods init", true},
		// Not plugin names: a bare prefix, or an unrelated rename.
		{"kubectl-", "initwatch", false},
		{"kubectl", "initwatch", false},
		{"iw", "initwatch", false},
		{".exe", "initwatch", false},
		{"", "initwatch", false},
	}
	for _, tt := range tests {
		t.Run(tt.argv0, func(t *testing.T) {
			if got := CommandName(tt.argv0); got != tt.want {
				t.Errorf("CommandName(%q) = %q, want %q", tt.argv0, got, tt.want)
			}
			if got := IsPlugin(tt.argv0); got != tt.wantPlugin {
				t.Errorf("IsPlugin(%q) = %v, want %v", tt.argv0, got, tt.wantPlugin)
			}
		})
	}
}
