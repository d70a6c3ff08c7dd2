package controlplane

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// SkipMessage is what tests say when they skip for want of binaries.
const SkipMessage = "run make e2e / make test: control-plane binaries missing"

// Shared is one control plane for all the tests of a package, started by
// TestMain so that each test does not pay the apiserver's start-up.
//
// The whole cluster (Cluster) is shared too, but started only when a test
// first asks for it, on its own etcd and apiserver: its controllers and
// scheduler must not act on the pods the other tests write by hand.
type Shared struct {
	cp   *ControlPlane
	bins Binaries
	skip string

	clusterOnce sync.Once
	cluster     *Cluster
	clusterErr  error
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
	s.cp, s.bins = cp, bins
	code := m.Run()
	if s.cluster != nil {
		if err := s.cluster.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: stop cluster: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	if err := cp.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: stop control plane: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// Cluster returns the shared whole cluster, started on first use, or skips
// the test (fails under INITWATCH_E2E) when its binaries are missing. Tests
// share its nodes: each works in a namespace of its own.
func (s *Shared) Cluster(t testing.TB) *Cluster {
	t.Helper()
	if s.cp == nil {
		t.Skip(s.skip)
	}
	if err := FindClusterBinaries(s.bins); err != nil {
		skipOrFail(t, err)
	}
	s.clusterOnce.Do(func() {
		start := time.Now()
		s.cluster, s.clusterErr = StartCluster(context.Background(), s.bins, ClusterOptions{})
		t.Logf("whole cluster started in %v", time.Since(start).Round(100*time.Millisecond))
	})
	if s.clusterErr != nil {
		t.Fatalf("start the shared cluster: %v", s.clusterErr)
	}
	return s.cluster
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
		skipOrFail(t, err)
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

// skipOrFail ends a test that lacks a binary: a skip, or a failure when
// INITWATCH_E2E demands a real control plane.
func skipOrFail(t testing.TB, missing error) {
	t.Helper()
	if Required() {
		t.Fatalf("%s is set but %v", EnvRequired, missing)
	}
	t.Skipf("%s (%v)", SkipMessage, missing)
}
