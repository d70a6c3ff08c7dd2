package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

// shared is the control plane all tests of this package use; tests that
// stop the apiserver start their own.
var shared controlplane.Shared

func TestMain(m *testing.M) {
	code := shared.Main(m)
	removeBuiltBinary()
	os.Exit(code)
}

// EnvInitwatchBin names a prebuilt initwatch binary (make e2e passes the one
// it just built); otherwise the tests build one once.
const EnvInitwatchBin = "INITWATCH_BIN"

var (
	buildOnce sync.Once
	builtBin  string
	builtDir  string
	buildErr  error
)

// initwatchBinary returns the path of the real initwatch binary.
func initwatchBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(EnvInitwatchBin); p != "" {
		if !filepath.IsAbs(p) {
			// Relative to the repository, where make runs, not to the
			// package folder go test runs in.
			root, err := controlplane.RepoRoot()
			if err != nil {
				t.Fatal(err)
			}
			p = filepath.Join(root, p)
		}
		return p
	}
	buildOnce.Do(func() {
		root, err := controlplane.RepoRoot()
		if err != nil {
			buildErr = err
			return
		}
		if builtDir, err = os.MkdirTemp("", "initwatch-e2e-bin-"); err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(builtDir, "initwatch")
		cmd := exec.Command("go", "build", "-o", builtBin, ".")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = errors.New("go build: " + err.Error() + ": " + string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("build initwatch: %v", buildErr)
	}
	return builtBin
}

func removeBuiltBinary() {
	if builtDir != "" {
		_ = os.RemoveAll(builtDir)
	}
}

// cmdResult is what a finished command printed, and when it ran: the
// window in which any age it printed was computed.
type cmdResult struct {
	stdout, stderr string
	code           int
	start, end     time.Time
}

// commandBound keeps a wedged command from hanging the suite; it is a
// guard, not an assertion on speed.
const commandBound = 2 * time.Minute

// run executes bin with args and extra environment variables.
func run(t *testing.T, env []string, bin string, args ...string) cmdResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandBound)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	res := cmdResult{start: time.Now()}
	err := cmd.Run()
	res.end = time.Now()
	res.stdout, res.stderr = stdout.String(), stderr.String()
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("%s %v did not finish within %s", filepath.Base(bin), args, commandBound)
	case errors.As(err, &exitErr):
		res.code = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("run %s: %v", bin, err)
	}
	return res
}

func kubectlBinary(t *testing.T) string {
	t.Helper()
	p, err := controlplane.FindKubectl()
	if err != nil {
		if controlplane.Required() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return p
}

func adminKubeconfig(t *testing.T, cp *controlplane.ControlPlane) string {
	t.Helper()
	kc, err := cp.AdminKubeconfig()
	if err != nil {
		t.Fatal(err)
	}
	return kc
}

var runCounter atomic.Int64

// unique suffixes names with a number new to this test process, so a test
// can run again (-count=N) on the same shared control plane.
func unique(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, runCounter.Add(1))
}
