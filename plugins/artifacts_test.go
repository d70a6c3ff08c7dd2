package plugins

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// EnvDist names the dist/ folder of a GoReleaser snapshot; `make
// release-check` sets it after building one. Without it the artifact tests
// skip: a snapshot of every platform takes minutes.
const EnvDist = "INITWATCH_DIST"

// releaseMetadata is dist/metadata.json.
type releaseMetadata struct {
	ProjectName string `json:"project_name"`
	Tag         string `json:"tag"`
	Version     string `json:"version"`
	Commit      string `json:"commit"`
}

func distDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(EnvDist)
	if dir == "" {
		t.Skipf("%s is not set: run make release-check", EnvDist)
	}
	return dir
}

func readChecksums(t *testing.T, dist string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dist, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			t.Fatalf("checksums.txt line %q is not `sha256  file`", sc.Text())
		}
		sums[fields[1]] = fields[0]
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return sums
}

func fileSHA256(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// archiveFiles returns the files of a tar.gz or zip archive by name.
func archiveFiles(t *testing.T, p string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	switch {
	case strings.HasSuffix(p, ".tar.gz"):
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		tr := tar.NewReader(gz)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if h.Typeflag != tar.TypeReg {
				continue
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if h.Name == "initwatch" && h.Mode&0o111 == 0 {
				t.Errorf("%s: %s is not executable (mode %o)", p, h.Name, h.Mode)
			}
			files[h.Name] = data
		}
	case strings.HasSuffix(p, ".zip"):
		zr, err := zip.OpenReader(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		defer zr.Close()
		for _, zf := range zr.File {
			rc, err := zf.Open()
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			files[zf.Name] = data
		}
	default:
		t.Fatalf("%s: unknown archive format", p)
	}
	return files
}

// checkExecutable verifies the binary is built for goos/goarch.
func checkExecutable(t *testing.T, name string, data []byte, goos, goarch string) {
	t.Helper()
	r := bytes.NewReader(data)
	var got string
	switch goos {
	case "linux":
		f, err := elf.NewFile(r)
		if err != nil {
			t.Errorf("%s: not an ELF file: %v", name, err)
			return
		}
		got = map[elf.Machine]string{elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64"}[f.Machine]
	case "darwin":
		f, err := macho.NewFile(r)
		if err != nil {
			t.Errorf("%s: not a Mach-O file: %v", name, err)
			return
		}
		got = map[macho.Cpu]string{macho.CpuAmd64: "amd64", macho.CpuArm64: "arm64"}[f.Cpu]
	case "windows":
		f, err := pe.NewFile(r)
		if err != nil {
			t.Errorf("%s: not a PE file: %v", name, err)
			return
		}
		got = map[uint16]string{pe.IMAGE_FILE_MACHINE_AMD64: "amd64", pe.IMAGE_FILE_MACHINE_ARM64: "arm64"}[f.FileHeader.Machine]
	}
	if got != goarch {
		t.Errorf("%s: built for %q, want %s/%s", name, got, goos, goarch)
	}
}

// TestReleaseArtifacts checks a GoReleaser snapshot: every platform of the
// krew manifest has its archive, with the right binary, README and LICENSE;
// checksums.txt is right; the krew manifest GoReleaser generated matches
// the committed one; the Homebrew cask names the darwin archives; and the
// linux binary reports the version, commit and client-go it was built
// with.
func TestReleaseArtifacts(t *testing.T) {
	dist := distDir(t)
	gr, committed := loadConfigs(t)
	var meta releaseMetadata
	data, err := os.ReadFile(filepath.Join(dist, "metadata.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &meta); err != nil {
		t.Fatalf("metadata.json: %v", err)
	}
	sums := readChecksums(t, dist)

	var generated krewPlugin
	readYAML(t, filepath.Join(dist, "krew", "initwatch.yaml"), &generated, true)
	generatedByPlatform := map[string]krewPlatform{}
	for _, p := range generated.Spec.Platforms {
		generatedByPlatform[p.platform()] = p
	}
	if generated.Spec.Homepage != committed.Spec.Homepage || generated.Spec.ShortDescription != committed.Spec.ShortDescription ||
		generated.Spec.Description != committed.Spec.Description || generated.Spec.Caveats != committed.Spec.Caveats {
		t.Errorf("generated krew manifest texts differ from plugins/initwatch.yaml")
	}
	if len(generated.Spec.Platforms) != len(committed.Spec.Platforms) {
		t.Errorf("generated krew manifest has %d platforms, plugins/initwatch.yaml %d", len(generated.Spec.Platforms), len(committed.Spec.Platforms))
	}

	for _, want := range committed.Spec.Platforms {
		goos, goarch := want.Selector.MatchLabels["os"], want.Selector.MatchLabels["arch"]
		t.Run(want.platform(), func(t *testing.T) {
			name := archiveName(t, gr, meta.Version, goos, goarch)
			file := filepath.Join(dist, name)
			got := fileSHA256(t, file)
			if sums[name] != got {
				t.Errorf("checksums.txt says %s for %s, the file hashes to %s", sums[name], name, got)
			}
			gen, ok := generatedByPlatform[want.platform()]
			switch {
			case !ok:
				t.Errorf("generated krew manifest lacks %s", want.platform())
			case path.Base(gen.URI) != name || gen.Bin != want.Bin || gen.Sha256 != got:
				t.Errorf("generated krew entry uri %s bin %s sha256 %s; want archive %s, bin %s, sha256 %s",
					gen.URI, gen.Bin, gen.Sha256, name, want.Bin, got)
			}
			files := archiveFiles(t, file)
			for _, f := range []string{"README.md", "LICENSE"} {
				if _, ok := files[f]; !ok {
					t.Errorf("%s lacks %s", name, f)
				}
			}
			bin, ok := files[want.Bin]
			if !ok {
				t.Fatalf("%s lacks the binary %s the krew manifest names", name, want.Bin)
			}
			checkExecutable(t, name+"/"+want.Bin, bin, goos, goarch)
			if goos == runtime.GOOS && goarch == runtime.GOARCH {
				checkVersion(t, bin, meta)
			}
		})
	}

	cask, err := os.ReadFile(filepath.Join(dist, "homebrew", "Casks", "initwatch.rb"))
	if err != nil {
		t.Fatalf("homebrew cask: %v", err)
	}
	// The cask spells its URLs with Ruby's #{version}.
	cask = bytes.ReplaceAll(cask, []byte("#{version}"), []byte(meta.Version))
	for _, goarch := range []string{"amd64", "arm64"} {
		name := archiveName(t, gr, meta.Version, "darwin", goarch)
		if !bytes.Contains(cask, []byte(name)) || !bytes.Contains(cask, []byte(`sha256 "`+sums[name]+`"`)) {
			t.Errorf("homebrew cask does not name %s with its sha256:\n%s", name, cask)
		}
	}
	if !regexp.MustCompile(`binary "initwatch"`).Match(cask) {
		t.Errorf("homebrew cask does not install the initwatch binary:\n%s", cask)
	}
}

// checkVersion runs the archived binary: the linker flags must have set
// the version and commit GoReleaser built, and client-go is go.mod's.
func checkVersion(t *testing.T, bin []byte, meta releaseMetadata) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "initwatch")
	if err := os.WriteFile(p, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(p, "version", "-o", "json").Output()
	if err != nil {
		t.Fatalf("initwatch version: %v", err)
	}
	var info struct {
		Version         string `json:"version"`
		Commit          string `json:"commit"`
		ClientGoVersion string `json:"clientGoVersion"`
	}
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatalf("initwatch version -o json: %v\n%s", err, out)
	}
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*k8s\.io/client-go\s+(v\S+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod does not require k8s.io/client-go")
	}
	want := fmt.Sprintf("v%s %s %s", meta.Version, meta.Commit, m[1])
	if got := fmt.Sprintf("%s %s %s", info.Version, info.Commit, info.ClientGoVersion); got != want {
		t.Errorf("archived binary reports version/commit/client-go %q, want %q", got, want)
	}
}
