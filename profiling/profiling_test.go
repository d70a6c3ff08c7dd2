package profiling

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestStartNothingByDefault(t *testing.T) {
	stop, err := Start(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	stop()
}

func TestStartWritesProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, tr := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "trace.out")
	stop, err := Start(env(map[string]string{"INITWATCH_CPUPROFILE": cpu, "INITWATCH_TRACE": tr}))
	if err != nil {
		t.Fatal(err)
	}
	stop()
	for _, p := range []string{cpu, tr} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() == 0 {
			t.Errorf("%s is empty", p)
		}
	}
}

func TestStartServesPprofOnLoopback(t *testing.T) {
	stop, err := Start(env(map[string]string{"INITWATCH_PPROF": "127.0.0.1:0"}))
	if err != nil {
		t.Fatal(err)
	}
	stop()
}

func TestStartRefuses(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"profile in a missing folder", map[string]string{"INITWATCH_CPUPROFILE": filepath.Join(dir, "no", "cpu.prof")}, "INITWATCH_CPUPROFILE"},
		{"trace in a missing folder", map[string]string{"INITWATCH_TRACE": filepath.Join(dir, "no", "t.out")}, "INITWATCH_TRACE"},
		{"address without a port", map[string]string{"INITWATCH_PPROF": "127.0.0.1"}, "INITWATCH_PPROF"},
		{"address not on loopback", map[string]string{"INITWATCH_PPROF": "0.0.0.0:6060"}, "loopback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stop, err := Start(env(tt.env))
			if err == nil {
				stop()
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

// The served index lists the profiles.
func TestServeIndex(t *testing.T) {
	srv, addr, err := serve("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	resp, err := http.Get("http://" + addr.String() + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine") {
		t.Errorf("index: %s, %q", resp.Status, body)
	}
}
