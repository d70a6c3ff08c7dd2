package kube

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// TestDialUntilFirstByte checks both halves of the rule: a silent server
// trips the deadline, and a server that has spoken once may then stay
// silent longer than the deadline (a quiet watch) without being cut.
func TestDialUntilFirstByte(t *testing.T) {
	const limit = 200 * time.Millisecond
	tests := []struct {
		name      string
		greet     bool // server writes one byte at once
		wantLimit bool // the read after the pause fails with a deadline error
	}{
		{name: "silent server", greet: false, wantLimit: true},
		{name: "server that spoke once", greet: true, wantLimit: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			release := make(chan struct{})
			served := make(chan struct{})
			go func() {
				defer close(served)
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close()
				if tc.greet {
					_, _ = c.Write([]byte{'a'})
				}
				<-release
				_, _ = c.Write([]byte{'b'})
			}()
			dial := dialUntilFirstByte(&net.Dialer{Timeout: limit})
			conn, err := dial(context.Background(), "tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			buf := make([]byte, 1)
			if tc.greet {
				if _, err := conn.Read(buf); err != nil {
					t.Fatalf("first read: %v", err)
				}
			}
			// Outlive the limit, then let the server speak.
			time.AfterFunc(3*limit, func() { close(release) })
			_, err = conn.Read(buf)
			if got := errors.Is(err, os.ErrDeadlineExceeded); got != tc.wantLimit {
				t.Fatalf("read after pause: err=%v, deadline hit=%v, want %v", err, got, tc.wantLimit)
			}
			conn.Close()
			<-served
		})
	}
}
