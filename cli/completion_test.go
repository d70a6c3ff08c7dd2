package cli

import (
	"testing"

	"github.com/initwatch/initwatch/completion"
	"github.com/initwatch/initwatch/kube"
)

func TestExpandHome(t *testing.T) {
	tests := []struct {
		path, home, want string
	}{
		{"~/x", "/home/ann", "/home/ann/x"},
		{"~/.kube/config", "/home/ann/", "/home/ann/.kube/config"},
		{"~", "/home/ann", "/home/ann"},
		{"~/", "/home/ann", "/home/ann"},
		// Only the current user's home: "~bob" needs a user lookup the
		// shell would do, and "~" elsewhere in a path is a plain character.
		{"~bob/x", "/home/ann", "~bob/x"},
		{"a/~/x", "/home/ann", "a/~/x"},
		{"/etc/kubeconfig", "/home/ann", "/etc/kubeconfig"},
		{"kubeconfig", "/home/ann", "kubeconfig"},
		{"", "/home/ann", ""},
		// No HOME: leave the path as typed rather than guess.
		{"~/x", "", "~/x"},
	}
	for _, tt := range tests {
		if got := expandHome(tt.path, tt.home); got != tt.want {
			t.Errorf("expandHome(%q, %q) = %q, want %q", tt.path, tt.home, got, tt.want)
		}
	}
}

// TestConnectionFlagsExpandHome: every file path flag completion reads
// from the line gets "~" expanded, in both flag spellings.
func TestConnectionFlagsExpandHome(t *testing.T) {
	tests := []struct {
		args []string
		got  func(*kube.ConfigFlags) string
	}{
		{[]string{"--kubeconfig", "~/kc"}, func(r *kube.ConfigFlags) string { return r.Kubeconfig }},
		{[]string{"--kubeconfig=~/kc"}, func(r *kube.ConfigFlags) string { return r.Kubeconfig }},
		{[]string{"--certificate-authority", "~/kc"}, func(r *kube.ConfigFlags) string {
			return r.Overrides.ClusterInfo.CertificateAuthority
		}},
		{[]string{"--client-certificate=~/kc"}, func(r *kube.ConfigFlags) string {
			return r.Overrides.AuthInfo.ClientCertificate
		}},
		{[]string{"--client-key", "~/kc"}, func(r *kube.ConfigFlags) string { return r.Overrides.AuthInfo.ClientKey }},
	}
	for _, tt := range tests {
		kf := connectionFlags(completion.Request{Args: tt.args}, "/home/ann")
		if got := tt.got(kf); got != "/home/ann/kc" {
			t.Errorf("connectionFlags(%q): path %q, want /home/ann/kc", tt.args, got)
		}
	}
}
