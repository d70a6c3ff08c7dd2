package controlplane

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// EnvBinDir overrides where the control-plane binaries are looked up.
const EnvBinDir = "INITWATCH_CP_BIN"

// EnvRequired, when set to a non-empty value (make e2e / make test set it),
// turns missing binaries from a skip into a failure.
const EnvRequired = "INITWATCH_E2E"

// Binaries are the paths of the executables the harness starts.
type Binaries struct {
	Dir       string
	APIServer string
	Etcd      string
}

// FindBinaries locates kube-apiserver and etcd in $INITWATCH_CP_BIN, or else
// in <repo>/bin/controlplane where `make controlplane` builds them.
func FindBinaries() (Binaries, error) {
	dir := os.Getenv(EnvBinDir)
	if dir == "" || !filepath.IsAbs(dir) {
		// Relative paths are relative to the repository, where make runs,
		// not to the package folder go test runs in.
		root, err := RepoRoot()
		if err != nil {
			return Binaries{}, err
		}
		if dir == "" {
			dir = filepath.Join("bin", "controlplane")
		}
		dir = filepath.Join(root, dir)
	}
	b := Binaries{
		Dir:       dir,
		APIServer: filepath.Join(dir, "kube-apiserver"),
		Etcd:      filepath.Join(dir, "etcd"),
	}
	var missing []string
	for _, p := range []string{b.APIServer, b.Etcd} {
		if st, err := os.Stat(p); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return b, fmt.Errorf("control-plane binaries missing: %s", strings.Join(missing, ", "))
	}
	return b, nil
}

// Required reports whether the environment demands a real control plane.
func Required() bool { return os.Getenv(EnvRequired) != "" }

// RepoRoot walks up from the working directory to the folder holding the
// module's go.mod (tests run in their package folder).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find repository root: %w", err)
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(firstLine(data), "module github.com/initwatch/initwatch") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find repository root: no go.mod of github.com/initwatch/initwatch above the working directory")
		}
		dir = parent
	}
}

func firstLine(b []byte) string {
	s := string(b)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// EnvKubectl overrides which kubectl the tests use as their oracle.
const EnvKubectl = "INITWATCH_KUBECTL"

// FindKubectl returns $INITWATCH_KUBECTL, else kubectl from PATH, else the
// pinned build in <repo>/bin/controlplane (make kubectl).
func FindKubectl() (string, error) {
	if p := os.Getenv(EnvKubectl); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("kubectl"); err == nil {
		return p, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, "bin", "controlplane", "kubectl")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("kubectl not found in PATH nor at %s (run make kubectl)", p)
	}
	return p, nil
}
