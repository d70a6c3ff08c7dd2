// Package buildinfo tells which build of initwatch is running and under
// which name it was invoked.
//
// Release builds get Version, Commit and Date from the linker
// (-X github.com/initwatch/initwatch/buildinfo.Version=v1.2.3 ...). Builds
// that were not given them — `go install ...@v1.2.3`, `go build` in a
// checkout — fall back to what the Go toolchain records in the binary: the
// module version and the VCS stamp. The client-go version always comes from
// the recorded dependencies, so it cannot drift from what was linked.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Set by the linker for release builds; empty otherwise.
var (
	Version string
	Commit  string
	Date    string
)

// clientGoPath is the module whose version `initwatch version` reports.
const clientGoPath = "k8s.io/client-go"

// unknown is shown for any field no source could fill.
const unknown = "unknown"

// Info describes the running binary.
type Info struct {
	Version         string `json:"version"`
	Commit          string `json:"commit"`
	Date            string `json:"date"`
	GoVersion       string `json:"goVersion"`
	ClientGoVersion string `json:"clientGoVersion"`
	Platform        string `json:"platform"`
}

// Get returns the running binary's Info.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	info := resolve(bi, Version, Commit, Date)
	info.GoVersion = runtime.Version()
	info.Platform = runtime.GOOS + "/" + runtime.GOARCH
	return info
}

// resolve merges linker-set values with the toolchain's build info: a
// linker value always wins, because goreleaser sets it from the release tag,
// which is what users compare against.
func resolve(bi *debug.BuildInfo, version, commit, date string) Info {
	info := Info{Version: version, Commit: commit, Date: date}
	var modified bool
	if bi != nil {
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if info.Commit == "" {
					info.Commit = s.Value
				}
			case "vcs.time":
				if info.Date == "" {
					info.Date = s.Value
				}
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		info.ClientGoVersion = depVersion(bi, clientGoPath)
	}
	if info.Version == "" {
		info.Version = "(devel)"
	}
	// A pseudo-version already says "+dirty"; a bare revision does not.
	if modified && commit == "" && info.Commit != "" && !strings.HasSuffix(info.Version, "+dirty") {
		info.Commit += "-dirty"
	}
	for _, f := range []*string{&info.Commit, &info.Date, &info.ClientGoVersion} {
		if *f == "" {
			*f = unknown
		}
	}
	return info
}

// depVersion is the version of module path as linked, following a replace
// directive to the module actually built.
func depVersion(bi *debug.BuildInfo, path string) string {
	for _, d := range bi.Deps {
		if d.Path != path {
			continue
		}
		if d.Replace != nil {
			if d.Replace.Version != "" {
				return d.Replace.Version
			}
			return d.Replace.Path
		}
		return d.Version
	}
	return ""
}

// String is the human form printed by `initwatch version`.
func (i Info) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Version:   %s\n", i.Version)
	fmt.Fprintf(&b, "Commit:    %s\n", i.Commit)
	fmt.Fprintf(&b, "Built:     %s\n", i.Date)
	fmt.Fprintf(&b, "Go:        %s\n", i.GoVersion)
	fmt.Fprintf(&b, "client-go: %s\n", i.ClientGoVersion)
	fmt.Fprintf(&b, "Platform:  %s\n", i.Platform)
	return b.String()
}
