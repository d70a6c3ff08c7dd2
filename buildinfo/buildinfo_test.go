package buildinfo

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	clientGo := &debug.Module{Path: "k8s.io/client-go", Version: "v0.37.2"}
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-03-01T10:00:00Z"},
		{Key: "vcs.modified", Value: "false"},
	}
	dirty := []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-03-01T10:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	tests := []struct {
		name                  string
		bi                    *debug.BuildInfo
		version, commit, date string // linker values
		want                  Info
	}{
		{
			name:    "release build: linker values win over build info",
			bi:      &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Deps: []*debug.Module{clientGo}, Settings: vcs},
			version: "v1.2.4", commit: "feedface", date: "2026-04-01T00:00:00Z",
			want: Info{Version: "v1.2.4", Commit: "feedface", Date: "2026-04-01T00:00:00Z", ClientGoVersion: "v0.37.2"},
		},
		{
			name: "go install module@v1.2.3: version from the module, no VCS stamp",
			bi:   &debug.BuildInfo{Main: debug.Module{Path: "github.com/initwatch/initwatch", Version: "v1.2.3"}, Deps: []*debug.Module{clientGo}},
			want: Info{Version: "v1.2.3", Commit: "unknown", Date: "unknown", ClientGoVersion: "v0.37.2"},
		},
		{
			name: "go build in a clean checkout: pseudo-version and VCS stamp",
			bi:   &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20260301100000-0123456789ab"}, Deps: []*debug.Module{clientGo}, Settings: vcs},
			want: Info{Version: "v0.0.0-20260301100000-0123456789ab", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-03-01T10:00:00Z", ClientGoVersion: "v0.37.2"},
		},
		{
			name: "go build in a dirty checkout without a version",
			bi:   &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Deps: []*debug.Module{clientGo}, Settings: dirty},
			want: Info{Version: "(devel)", Commit: "0123456789abcdef0123456789abcdef01234567-dirty", Date: "2026-03-01T10:00:00Z", ClientGoVersion: "v0.37.2"},
		},
		{
			name: "dirty pseudo-version already says so",
			bi:   &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20260301100000-0123456789ab+dirty"}, Deps: []*debug.Module{clientGo}, Settings: dirty},
			want: Info{Version: "v0.0.0-20260301100000-0123456789ab+dirty", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-03-01T10:00:00Z", ClientGoVersion: "v0.37.2"},
		},
		{
			name: "replaced client-go reports the module built",
			bi: &debug.BuildInfo{Deps: []*debug.Module{{Path: "k8s.io/client-go", Version: "v0.37.2",
				Replace: &debug.Module{Path: "k8s.io/client-go", Version: "v0.37.3"}}}},
			want: Info{Version: "(devel)", Commit: "unknown", Date: "unknown", ClientGoVersion: "v0.37.3"},
		},
		{
			name: "client-go replaced by a directory",
			bi: &debug.BuildInfo{Deps: []*debug.Module{{Path: "k8s.io/client-go", Version: "v0.37.2",
				Replace: &debug.Module{Path: "../client-go"}}}},
			want: Info{Version: "(devel)", Commit: "unknown", Date: "unknown", ClientGoVersion: "../client-go"},
		},
		{
			name: "no build info at all",
			want: Info{Version: "(devel)", Commit: "unknown", Date: "unknown", ClientGoVersion: "unknown"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := resolve(tt.bi, tt.version, tt.commit, tt.date)
			if got != tt.want {
				t.Errorf("resolve() =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestGetFillsRuntimeFields(t *testing.T) {
	info := Get()
	if !strings.HasPrefix(info.GoVersion, "go") || !strings.Contains(info.Platform, "/") {
		t.Errorf("Get() = %+v, want the Go version and GOOS/GOARCH", info)
	}
	if info.Version == "" || info.Commit == "" || info.Date == "" || info.ClientGoVersion == "" {
		t.Errorf("Get() = %+v, want every field filled", info)
	}
}
