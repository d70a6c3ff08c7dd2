// Package plugins holds the krew plugin manifest (initwatch.yaml) and the
// tests that keep it, .goreleaser.yaml and the release archives in step.
package plugins

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template"

	"sigs.k8s.io/yaml"
)

const (
	manifestPath   = "initwatch.yaml"
	goreleaserPath = "../.goreleaser.yaml"
	buildinfoPkg   = "github.com/initwatch/initwatch/buildinfo"
)

// goreleaserConfig is the part of .goreleaser.yaml the manifest and the
// binaries depend on.
type goreleaserConfig struct {
	Version     int    `json:"version"`
	ProjectName string `json:"project_name"`
	Builds      []struct {
		ID      string   `json:"id"`
		Main    string   `json:"main"`
		Binary  string   `json:"binary"`
		Env     []string `json:"env"`
		Goos    []string `json:"goos"`
		Goarch  []string `json:"goarch"`
		Ldflags []string `json:"ldflags"`
	} `json:"builds"`
	Archives []struct {
		ID              string   `json:"id"`
		NameTemplate    string   `json:"name_template"`
		Formats         []string `json:"formats"`
		FormatOverrides []struct {
			Goos    string   `json:"goos"`
			Formats []string `json:"formats"`
		} `json:"format_overrides"`
		Files []string `json:"files"`
	} `json:"archives"`
	Release struct {
		GitHub struct {
			Owner string `json:"owner"`
			Name  string `json:"name"`
		} `json:"github"`
	} `json:"release"`
	Krews []struct {
		Name             string `json:"name"`
		Homepage         string `json:"homepage"`
		ShortDescription string `json:"short_description"`
		Description      string `json:"description"`
		Caveats          string `json:"caveats"`
	} `json:"krews"`
	HomebrewCasks []struct {
		Name       string   `json:"name"`
		Binaries   []string `json:"binaries"`
		Repository struct {
			Owner string `json:"owner"`
			Name  string `json:"name"`
		} `json:"repository"`
	} `json:"homebrew_casks"`
}

// krewPlugin is a krew manifest (krew.googlecontainertools.github.com/v1alpha2).
type krewPlugin struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version          string         `json:"version"`
		Homepage         string         `json:"homepage"`
		ShortDescription string         `json:"shortDescription"`
		Description      string         `json:"description"`
		Caveats          string         `json:"caveats"`
		Platforms        []krewPlatform `json:"platforms"`
	} `json:"spec"`
}

type krewPlatform struct {
	Selector struct {
		MatchLabels map[string]string `json:"matchLabels"`
	} `json:"selector"`
	URI    string `json:"uri"`
	Sha256 string `json:"sha256,omitempty"`
	Bin    string `json:"bin"`
}

func (p krewPlatform) platform() string {
	return p.Selector.MatchLabels["os"] + "/" + p.Selector.MatchLabels["arch"]
}

func readYAML(t *testing.T, path string, v any, strict bool) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	unmarshal := func(b []byte, v any) error { return yaml.Unmarshal(b, v) }
	if strict {
		unmarshal = func(b []byte, v any) error { return yaml.UnmarshalStrict(b, v) }
	}
	if err := unmarshal(data, v); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
}

func loadConfigs(t *testing.T) (goreleaserConfig, krewPlugin) {
	t.Helper()
	var gr goreleaserConfig
	readYAML(t, goreleaserPath, &gr, false)
	var kp krewPlugin
	readYAML(t, manifestPath, &kp, true)
	if len(gr.Builds) != 1 || len(gr.Archives) != 1 || len(gr.Krews) != 1 || len(gr.HomebrewCasks) != 1 {
		t.Fatalf(".goreleaser.yaml: want one build, archive, krew and cask; have %d, %d, %d, %d",
			len(gr.Builds), len(gr.Archives), len(gr.Krews), len(gr.HomebrewCasks))
	}
	return gr, kp
}

// archiveName renders the archive name template for one platform, as
// GoReleaser does (its Version has no leading "v"), with the extension
// its format gets.
func archiveName(t *testing.T, gr goreleaserConfig, version, goos, goarch string) string {
	t.Helper()
	a := gr.Archives[0]
	tmpl, err := template.New("name").Option("missingkey=error").Parse(a.NameTemplate)
	if err != nil {
		t.Fatalf("archive name_template: %v", err)
	}
	var b bytes.Buffer
	data := map[string]string{"ProjectName": gr.ProjectName, "Version": strings.TrimPrefix(version, "v"), "Os": goos, "Arch": goarch}
	if err := tmpl.Execute(&b, data); err != nil {
		t.Fatalf("archive name_template uses more than ProjectName, Version, Os, Arch (update this test): %v", err)
	}
	formats := a.Formats
	for _, o := range a.FormatOverrides {
		if o.Goos == goos {
			formats = o.Formats
		}
	}
	if len(formats) != 1 {
		t.Fatalf("%s: want exactly one archive format, have %v", goos, formats)
	}
	return b.String() + "." + formats[0]
}

func binaryName(gr goreleaserConfig, goos string) string {
	if goos == "windows" {
		return gr.Builds[0].Binary + ".exe"
	}
	return gr.Builds[0].Binary
}

// TestManifestMatchesGoreleaser: every platform GoReleaser builds is in the
// krew manifest, with the URI of the archive GoReleaser names for it, the
// binary inside it, and the texts GoReleaser's krews section publishes.
func TestManifestMatchesGoreleaser(t *testing.T) {
	gr, kp := loadConfigs(t)
	if kp.APIVersion != "krew.googlecontainertools.github.com/v1alpha2" || kp.Kind != "Plugin" {
		t.Errorf("manifest is %s %s, want krew.googlecontainertools.github.com/v1alpha2 Plugin", kp.APIVersion, kp.Kind)
	}
	krew := gr.Krews[0]
	if kp.Metadata.Name != krew.Name || kp.Metadata.Name != gr.ProjectName {
		t.Errorf("plugin name %q, goreleaser krew name %q, project %q: want one name", kp.Metadata.Name, krew.Name, gr.ProjectName)
	}
	if !regexp.MustCompile(`^v\d+\.\d+\.\d+$`).MatchString(kp.Spec.Version) {
		t.Errorf("spec.version %q is not a release tag vX.Y.Z", kp.Spec.Version)
	}
	texts := []struct{ field, manifest, goreleaser string }{
		{"homepage", kp.Spec.Homepage, krew.Homepage},
		{"shortDescription", kp.Spec.ShortDescription, krew.ShortDescription},
		{"description", kp.Spec.Description, krew.Description},
		{"caveats", kp.Spec.Caveats, krew.Caveats},
	}
	for _, f := range texts {
		if f.manifest != f.goreleaser || f.manifest == "" {
			t.Errorf("%s differs from .goreleaser.yaml krews:\nmanifest:   %q\ngoreleaser: %q", f.field, f.manifest, f.goreleaser)
		}
	}

	b := gr.Builds[0]
	var want []string
	for _, goos := range b.Goos {
		for _, goarch := range b.Goarch {
			want = append(want, goos+"/"+goarch)
		}
	}
	var got []string
	for _, p := range kp.Spec.Platforms {
		got = append(got, p.platform())
		goos, goarch := p.Selector.MatchLabels["os"], p.Selector.MatchLabels["arch"]
		if len(p.Selector.MatchLabels) != 2 {
			t.Errorf("%s: selector %v, want exactly os and arch", p.platform(), p.Selector.MatchLabels)
		}
		wantURI := fmt.Sprintf("https://github.com/%s/%s/releases/download/%s/%s",
			gr.Release.GitHub.Owner, gr.Release.GitHub.Name, kp.Spec.Version, archiveName(t, gr, kp.Spec.Version, goos, goarch))
		if p.URI != wantURI {
			t.Errorf("%s: uri\n%s\nwant\n%s", p.platform(), p.URI, wantURI)
		}
		if p.Bin != binaryName(gr, goos) {
			t.Errorf("%s: bin %q, want %q", p.platform(), p.Bin, binaryName(gr, goos))
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("manifest platforms %v, goreleaser builds %v", got, want)
	}
}

// TestGoreleaserBuild: what the issue requires of every release binary.
func TestGoreleaserBuild(t *testing.T) {
	gr, _ := loadConfigs(t)
	if gr.Version != 2 {
		t.Errorf(".goreleaser.yaml version %d, want 2", gr.Version)
	}
	b := gr.Builds[0]
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("build env %v lacks CGO_ENABLED=0", b.Env)
	}
	if b.Main != "." || b.Binary != "initwatch" {
		t.Errorf("build main %q binary %q, want the root package as initwatch (go install works the same way)", b.Main, b.Binary)
	}
	for _, goos := range []string{"linux", "darwin", "windows"} {
		if !slices.Contains(b.Goos, goos) {
			t.Errorf("goos %v lacks %s", b.Goos, goos)
		}
	}
	for _, goarch := range []string{"amd64", "arm64"} {
		if !slices.Contains(b.Goarch, goarch) {
			t.Errorf("goarch %v lacks %s", b.Goarch, goarch)
		}
	}
	ld := strings.Join(b.Ldflags, " ")
	for _, v := range []string{"Version", "Commit", "Date"} {
		if !strings.Contains(ld, "-X "+buildinfoPkg+"."+v+"=") {
			t.Errorf("ldflags do not set %s.%s: %s", buildinfoPkg, v, ld)
		}
	}
	for _, f := range []string{"README.md", "LICENSE"} {
		if !slices.Contains(gr.Archives[0].Files, f) {
			t.Errorf("archives do not include %s", f)
		}
		if _, err := os.Stat(filepath.Join("..", f)); err != nil {
			t.Errorf("archived file: %v", err)
		}
	}
	cask := gr.HomebrewCasks[0]
	if cask.Repository.Owner != "initwatch" || cask.Repository.Name != "homebrew-tap" || !slices.Equal(cask.Binaries, []string{b.Binary}) {
		t.Errorf("homebrew cask %+v: want binary %s published to initwatch/homebrew-tap", cask, b.Binary)
	}
}

// The main go.mod must let `go install github.com/initwatch/initwatch@latest`
// work: module path as published, no replace directives (go install
// refuses them), main package at the root.
func TestGoInstallable(t *testing.T) {
	data, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	mod := string(data)
	if !regexp.MustCompile(`(?m)^module github\.com/initwatch/initwatch$`).MatchString(mod) {
		t.Error("go.mod module is not github.com/initwatch/initwatch")
	}
	if regexp.MustCompile(`(?m)^\s*replace\b|^\s*replace\s*\(`).MatchString(mod) {
		t.Error("go.mod has replace directives: go install module@version rejects them")
	}
	main, err := os.ReadFile("../main.go")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^package main$`).Match(main) {
		t.Error("the root package is not package main")
	}
}
