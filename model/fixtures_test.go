package model

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// testNow is the fixed clock every fixture under testdata/pods is written
// against.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const fixtureDir = "../testdata/pods"

func loadPod(t testing.TB, name string) *corev1.Pod {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureDir, name+".yaml"))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	var pod corev1.Pod
	if err := yaml.UnmarshalStrict(data, &pod); err != nil {
		t.Fatalf("decode fixture %s: %v", name, err)
	}
	return &pod
}

// fixtureNames lists every pod fixture, so a new file cannot go untested.
func fixtureNames(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir(fixtureDir)
	if err != nil {
		t.Fatalf("list fixtures: %v", err)
	}
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, name)
		}
	}
	return names
}
