package controlplane

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// SkipMessage is what tests say when they skip for want of binaries.
const SkipMessage = "run make e2e / make test: control-plane binaries missing"

// Shared is one control plane for all the tests of a package, started by
// TestMain so that each test does not pay the apiserver's start-up.
type Shared struct {
	cp   *ControlPlane
	skip string
}

// Main starts the shared control plane, runs the tests and stops it, and
// returns the exit code for os.Exit. Without binaries the tests skip, unless
// INITWATCH_E2E is set, in which case the run fails at once.
func (s *Shared) Main(m *testing.M) int {
	bins, err := FindBinaries()
	if err != nil {
		if Required() {
			fmt.Fprintf(os.Stderr, "e2e: %s is set but %v (run make controlplane)\n", EnvRequired, err)
			return 1
		}
		s.skip = fmt.Sprintf("%s (%v)", SkipMessage, err)
		return m.Run()
	}
	cp, err := Start(context.Background(), bins, Options{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: start control plane: %v\n", err)
		return 1
	}
	s.cp = cp
	code := m.Run()
	if err := cp.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: stop control plane: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// Get returns the shared control plane, or skips the test with a clear
// message when the binaries are missing.
func (s *Shared) Get(t testing.TB) *ControlPlane {
	t.Helper()
	if s.cp == nil {
		t.Skip(s.skip)
	}
	return s.cp
}

// RequireBinaries is for tests that start their own control plane (for
// instance to restart it without disturbing the shared one): it skips or
// fails like Main.
func RequireBinaries(t testing.TB) Binaries {
	t.Helper()
	bins, err := FindBinaries()
	if err != nil {
		if Required() {
			t.Fatalf("%s is set but %v", EnvRequired, err)
		}
		t.Skipf("%s (%v)", SkipMessage, err)
	}
	return bins
}

// StartForTest starts a private control plane stopped by t.Cleanup.
func StartForTest(t testing.TB) *ControlPlane {
	t.Helper()
	bins := RequireBinaries(t)
	cp, err := Start(context.Background(), bins, Options{})
	if err != nil {
		t.Fatalf("start control plane: %v", err)
	}
	t.Cleanup(func() {
		if err := cp.Stop(); err != nil {
			t.Errorf("stop control plane: %v", err)
		}
	})
	return cp
}
