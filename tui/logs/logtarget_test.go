package logs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

func logsFixture(t *testing.T, name string) *corev1.Pod {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pods", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var pod corev1.Pod
	if err := yaml.Unmarshal(data, &pod); err != nil {
		t.Fatal(err)
	}
	return &pod
}

func TestLogActiveContainer(t *testing.T) {
	tests := []struct {
		fixture    string
		annotation string // kubectl.kubernetes.io/default-container
		want       string
	}{
		{"seed-01-pending", "", "init-fetch-files"}, // nothing reported yet: the first step
		{"pending-no-statuses", "", "init-a"},
		{"seed-02-init-0-4", "", "init-fetch-files"},
		{"seed-03-init-error", "", "init-fetch-files"},
		{"seed-04-init-crashloopbackoff", "", "init-check-services"}, // the one that keeps failing
		{"seed-06-init-2-4", "", "init-check-database"},
		{"seed-07-init-3-4", "", "init-check-cache"},
		{"statuses-out-of-order", "", "init-b"},
		{"init-errimagepull", "", "init-a"},
		{"never-init-error", "", "init-schema"}, // failed for good: its log says why
		{"sidecar-starting", "", "log-shipper"}, // a sidecar in its startup probe holds the next step
		{"sidecar-then-init", "", "init-migrate"},
		{"seed-08-podinitializing", "", "app"}, // initialization over: the app container
		{"seed-09-running", "", "app"},
		{"sidecar-running", "", "app"},
		{"completed-but-running", "", "main"},
		{"completed-but-running", "helper", "helper"},
		{"completed-but-running", "no-such-container", "main"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture+"/"+tt.annotation, func(t *testing.T) {
			pod := logsFixture(t, tt.fixture)
			if tt.annotation != "" {
				pod.Annotations = map[string]string{logDefaultContainerAnnotation: tt.annotation}
			}
			if got := logActiveContainer(pod, logsT0); got != tt.want {
				t.Errorf("active container = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLogContainers(t *testing.T) {
	tests := []struct {
		fixture string
		want    string
	}{
		{"sidecar-running", "log-shipper=sidecar 1/2 init-migrate=init 2/2 app=app"},
		{"seed-09-running", "init-fetch-files=init 1/4 init-check-services=init 2/4 init-check-database=init 3/4 init-check-cache=init 4/4 app=app"},
		{"completed-but-running", "main=app helper=app"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			var got []string
			for _, c := range logContainers(logsFixture(t, tt.fixture)) {
				got = append(got, c.name+"="+c.role)
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("containers = %s\nwant         %s", strings.Join(got, " "), tt.want)
			}
		})
	}
}

func TestLogStateSummary(t *testing.T) {
	tests := []struct {
		name string
		cs   *corev1.ContainerStatus
		want string
	}{
		{"no status", nil, "no status yet"},
		{"running", logsPtr(logsRunning("c", 0, nil)), "Running"},
		{"completed", logsPtr(logsTerminated("c", 0, 0)), "Completed (exit 0)"},
		{"failed", logsPtr(logsTerminated("c", 0, 2)), "Error (exit 2)"},
		{"back-off", logsPtr(logsWaiting("c", "CrashLoopBackOff", 3, logsExited(1))), "CrashLoopBackOff (last exit 1)"},
		{"hostile reason", logsPtr(logsWaiting("c", "Bad\x1b]0;x\x07Reason", 0, nil)), "BadReason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := logStateSummary(tt.cs); got != tt.want {
				t.Errorf("summary = %q, want %q", got, tt.want)
			}
		})
	}
}

func logsPtr[T any](v T) *T { return &v }
