package kube

import (
	"fmt"
	"io"
	"sync"

	"github.com/go-logr/logr/funcr"
	"k8s.io/klog/v2"
)

// RedirectClientLogs sends client-go's own logging (klog), which writes
// warnings and errors straight to stderr, to w instead; io.Discard drops
// it. A full-screen TUI calls it before starting a source, since a
// reflector's "watch ended with error" would otherwise tear through the
// screen. What the user must know arrives as ConnState instead.
func RedirectClientLogs(w io.Writer) {
	var mu sync.Mutex
	klog.SetLogger(funcr.New(func(prefix, args string) {
		mu.Lock()
		defer mu.Unlock()
		if prefix != "" {
			fmt.Fprintln(w, prefix, args)
			return
		}
		fmt.Fprintln(w, args)
	}, funcr.Options{}))
}
