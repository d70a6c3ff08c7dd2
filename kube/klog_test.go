package kube

import (
	"bytes"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"k8s.io/klog/v2"
)

// lockedBuffer is written by klog from any goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRedirectClientLogsKeepsStderrClean(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	realStderr := os.Stderr
	os.Stderr = w
	var sink lockedBuffer
	RedirectClientLogs(&sink)
	t.Cleanup(klog.ClearLogger)

	klog.Warning("reflector warning")
	klog.Error("watch failed")
	klog.Background().Info("contextual info")
	klog.Flush()

	os.Stderr = realStderr
	w.Close()
	leaked, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(leaked) > 0 {
		t.Errorf("stderr got %q", leaked)
	}
	for _, want := range []string{"reflector warning", "watch failed", "contextual info"} {
		if !strings.Contains(sink.String(), want) {
			t.Errorf("redirected output %q lacks %q", sink.String(), want)
		}
	}
}
