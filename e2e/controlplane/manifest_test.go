package controlplane_test

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/initwatch/initwatch/e2e/controlplane"
)

func TestSteerAnnotations(t *testing.T) {
	tests := []struct {
		name  string
		steer controlplane.Steer
		want  map[string]string
	}{
		{"zero keeps the stages' defaults", controlplane.Steer{}, map[string]string{}},
		{"fails always unless counted", controlplane.Steer{Fail: "init-a"}, map[string]string{
			controlplane.AnnotationFail: "init-a", controlplane.AnnotationFailTimes: "always",
		}},
		{"everything", controlplane.Steer{
			Step: 500 * time.Millisecond, Run: map[string]time.Duration{"init-b": 3 * time.Second},
			Fail: "init-b", FailTimes: 2, ExitCode: 3, Reason: "OOMKilled", Message: "no",
			BackoffSeconds: 1, Stop: 2 * time.Second,
		}, map[string]string{
			"kwok.initwatch.dev/step": "500ms", "kwok.initwatch.dev/run.init-b": "3s",
			"kwok.initwatch.dev/fail": "init-b", "kwok.initwatch.dev/fail-times": "2",
			"kwok.initwatch.dev/exit-code": "3", "kwok.initwatch.dev/reason": "OOMKilled",
			"kwok.initwatch.dev/message": "no", "kwok.initwatch.dev/backoff-seconds": "1",
			"kwok.initwatch.dev/stop": "2s",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.steer.Annotations(); !maps.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestFixtures reads every manifest of testdata/cluster and steers it: the
// annotations land in each kind's pod template, over the fixture's own.
func TestFixtures(t *testing.T) {
	paths := map[string][]string{
		"seed-app.yaml":         {"spec", "template", "metadata", "annotations"},
		"seed-statefulset.yaml": {"spec", "template", "metadata", "annotations"},
		"seed-job.yaml":         {"spec", "template", "metadata", "annotations"},
		"unschedulable.yaml":    {"metadata", "annotations"},
	}
	for name, path := range paths {
		t.Run(name, func(t *testing.T) {
			m, err := controlplane.Fixture(name)
			if err != nil {
				t.Fatal(err)
			}
			m.Replicas(4).Steer(controlplane.Steer{Fail: "init-check-services", FailTimes: 1})
			got, _, _ := unstructured.NestedStringMap(m[0].Object, path...)
			if got[controlplane.AnnotationFail] != "init-check-services" || got[controlplane.AnnotationFailTimes] != "1" {
				t.Errorf("annotations at %v: %v", path, got)
			}
			if r, ok, _ := unstructured.NestedInt64(m[0].Object, "spec", "replicas"); ok && r != 4 {
				t.Errorf("replicas %d, want 4", r)
			}
			data, err := m.YAML()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), "kwok.initwatch.dev/fail: init-check-services") {
				t.Errorf("YAML lacks the annotation:\n%s", data)
			}
		})
	}
}

// TestSeedLogsConfig: every log file kwok is told to serve exists, in CRI
// format, and the current run of init-check-services says what the seed
// article's does.
func TestSeedLogsConfig(t *testing.T) {
	root, err := controlplane.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(root, "testdata", "kwok", "seed-logs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	files := regexp.MustCompile(`@LOGS@/(\S+)`).FindAllStringSubmatch(string(cfg), -1)
	if len(files) == 0 {
		t.Fatal("no log file named")
	}
	cri := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) [FP] `)
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, "testdata", "kwok", "seed-logs", f[1]))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
			if !cri.MatchString(line) {
				t.Errorf("%s: not a CRI log line: %q", f[1], line)
			}
		}
		if f[1] == "init-check-services.log" && !strings.Contains(string(data),
			"At least one (app-redis) of the services (app-redis app-postgresql app-mongodb) is not available yet.") {
			t.Errorf("%s lacks the seed's line", f[1])
		}
	}
}
