package buildinfo

import "testing"

func TestCommandName(t *testing.T) {
	tests := []struct {
		argv0          string
		want           string
		wantPlugin     bool
		wantCompletion bool
	}{
		{"/home/me/.krew/bin/kubectl_complete-initwatch", "kubectl initwatch", true, true},
		{`C:\bin\kubectl_complete-initwatch.exe`, "kubectl initwatch", true, true},
		{"kubectl_complete-", "initwatch", false, false},
		{"initwatch", "initwatch", false, false},
		{"/usr/local/bin/initwatch", "initwatch", false, false},
		{"./bin/initwatch", "initwatch", false, false},
		{`C:\tools\initwatch.exe`, "initwatch", false, false},
		{"kubectl-initwatch", "kubectl initwatch", true, false},
		{"/home/me/.krew/bin/kubectl-initwatch", "kubectl initwatch", true, false},
		{`C:\Users\me\.krew\bin\kubectl-initwatch.exe`, "kubectl initwatch", true, false},
		{`C:\Users\me\.krew\bin\kubectl-initwatch.EXE`, "kubectl initwatch", true, false},
		{"kubectl-init_watch", "kubectl init-watch", true, false},
		{"kubectl-pods-init", "kubectl pods init", true, false},
		// Not plugin names: a bare prefix, or an unrelated rename.
		{"kubectl-", "initwatch", false, false},
		{"kubectl", "initwatch", false, false},
		{"iw", "initwatch", false, false},
		{".exe", "initwatch", false, false},
		{"", "initwatch", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.argv0, func(t *testing.T) {
			if got := CommandName(tt.argv0); got != tt.want {
				t.Errorf("CommandName(%q) = %q, want %q", tt.argv0, got, tt.want)
			}
			if got := IsPlugin(tt.argv0); got != tt.wantPlugin {
				t.Errorf("IsPlugin(%q) = %v, want %v", tt.argv0, got, tt.wantPlugin)
			}
			if got := IsCompletionHelper(tt.argv0); got != tt.wantCompletion {
				t.Errorf("IsCompletionHelper(%q) = %v, want %v", tt.argv0, got, tt.wantCompletion)
			}
		})
	}
}
